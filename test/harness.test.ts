import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_DIR, PACKAGE_ROOT } from '../src/package.js';
import { realPython, requireTool } from './helpers/requires.js';

/** The programs in harness/ are code like the rest: compiled, linted, formatted and shipped. */
const programs = (ext: string) => readdirSync(HARNESS_DIR).filter((name) => name.endsWith(ext));

/** Run a program in the package root, expect it to succeed, and return its stdout. */
function passes(argv: string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  expect(result.status, `${result.stdout}${result.stderr}${result.error?.message ?? ''}`).toBe(0);
  return result.stdout;
}

describe('harness programs', () => {
  it('every Python program compiles under the real interpreter', () => {
    const files = programs('.py').map((name) => join(HARNESS_DIR, name));
    expect(files.length).toBeGreaterThan(0);
    // compile() checks the syntax without writing __pycache__ into the package.
    const check = 'import sys\nfor path in sys.argv[1:]:\n    compile(open(path, encoding="utf-8").read(), path, "exec")';
    passes([realPython(), '-c', check, ...files]);
  });

  it('every Node program compiles', () => {
    for (const name of [...programs('.cjs'), ...programs('.mjs')]) passes([process.execPath, '--check', join(HARNESS_DIR, name)]);
  });

  const cc = requireTool('cc');
  it.skipIf(!cc.ok)('every C program compiles without a warning', () => {
    for (const name of programs('.c')) {
      const result = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', join(HARNESS_DIR, name)], {
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
    }
  });

  const ruff = requireTool('ruff');
  it.skipIf(!ruff.ok)('ruff finds nothing to fix in the Python programs', () => {
    passes(['ruff', 'check', '--no-cache', 'harness']);
    passes(['ruff', 'format', '--check', '--no-cache', 'harness']);
  });

  const gofmt = requireTool('gofmt', ['-l', '/dev/null']);
  it.skipIf(!gofmt.ok)('the Go micro benchmark template is gofmt-clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-gofmt-'));
    try {
      const file = join(dir, 'x_test.go');
      writeFileSync(file, readFileSync(join(HARNESS_DIR, 'micro_harness.go.tmpl'), 'utf8').replace('CODEFLASH_PACKAGE', 'x'));
      expect(passes(['gofmt', '-l', file])).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the npm package ships every program', () => {
    const [pack] = JSON.parse(passes(['npm', 'pack', '--dry-run', '--json', '--ignore-scripts'])) as [{ files: { path: string }[] }];
    const shipped = new Set(pack.files.map((file) => file.path));
    for (const name of [...programs('.py'), ...programs('.cjs'), ...programs('.mjs'), ...programs('.tmpl'), ...programs('.c')]) {
      expect(shipped, name).toContain(`harness/${name}`);
    }
    expect([...shipped].filter((path) => path.includes('__pycache__'))).toEqual([]);
  });
});
