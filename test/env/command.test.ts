import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeExecutable, resolveCommand } from '../../src/env/command.js';
import { goExecutable } from '../../src/env/go.js';
import { nodeInstallPlan } from '../../src/env/node.js';
import { realPython } from '../helpers/requires.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'cf-command-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('resolveCommand: one command form for every language', () => {
  const python = realPython();

  it('puts the real Python in front of a .py script and of -m/-c, and replaces a bare python', async () => {
    const root = project();
    expect(await resolveCommand('bench.py --n 5', { language: 'python', root, python })).toEqual({
      argv: [python, 'bench.py', '--n', '5'],
      needsShell: false,
      runtime: 'python',
    });
    expect((await resolveCommand(['-m', 'pkg'], { language: 'python', root, python })).argv).toEqual([python, '-m', 'pkg']);
    expect((await resolveCommand('python3 x.py', { language: 'python', root, python })).argv).toEqual([python, 'x.py']);
    // A script is a script in any project: a Go module's helper .py still gets Python.
    expect((await resolveCommand('tool.py', { language: 'go', root, python })).runtime).toBe('python');
  });

  it('puts node in front of .js, .mjs and .cjs scripts, and Node code options in a Node project', async () => {
    const root = project();
    const node = await nodeExecutable();
    for (const script of ['bench.js', 'bench.mjs', 'bench.cjs']) {
      expect((await resolveCommand(`${script} 3`, { language: 'node', root })).argv).toEqual([node, script, '3']);
    }
    expect((await resolveCommand(['-e', '1'], { language: 'node', root })).argv).toEqual([node, '-e', '1']);
    // -m and -c are Python's only in a Python project.
    expect((await resolveCommand(['-c', 'x'], { language: 'node', root })).runtime).toBeUndefined();
  });

  it('runs a .ts script under the project tsx, else under type stripping where Node has it', async () => {
    const withTsx = project({ 'node_modules/tsx/package.json': '{}' });
    const node = await nodeExecutable();
    expect((await resolveCommand('bench.ts', { language: 'node', root: withTsx })).argv).toEqual([node, '--import', 'tsx', 'bench.ts']);
    const bare = project();
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    if (major > 22 || (major === 22 && minor >= 6)) {
      expect((await resolveCommand('bench.ts', { language: 'node', root: bare })).runtime).toBe('node-strip-types');
    } else {
      await expect(resolveCommand('bench.ts', { language: 'node', root: bare })).rejects.toThrow(
        /bench\.ts is TypeScript: add tsx to the project \(npm install -D tsx\) or use Node ≥ 22\.6/,
      );
    }
  });

  it('runs a name that only node_modules/.bin holds from there, relative so each worktree uses its own', async () => {
    const root = project({ 'node_modules/.bin/vitest': '#!/bin/sh\n' });
    chmodSync(join(root, 'node_modules/.bin/vitest'), 0o755);
    expect((await resolveCommand('vitest bench --run', { language: 'node', root })).argv).toEqual([
      './node_modules/.bin/vitest',
      'bench',
      '--run',
    ]);
  });

  it('gives go the toolchain, and leaves shell text and other programs as written', async () => {
    const root = project();
    expect((await resolveCommand('go test ./...', { language: 'go', root })).argv).toEqual([goExecutable(), 'test', './...']);
    expect(await resolveCommand('node a.js | wc -l', { language: 'node', root })).toEqual({
      argv: ['node a.js | wc -l'],
      needsShell: true,
    });
    expect(await resolveCommand(['./run-bench', 'x'], { language: 'node', root })).toEqual({
      argv: ['./run-bench', 'x'],
      needsShell: false,
    });
  });
});

describe('nodeInstallPlan: how a fresh checkout is made ready', () => {
  it('follows the lockfile, frozen, and names the build and the entry points', async () => {
    const deps = '"devDependencies": {"vitest": "4.1.12"}';
    const npm = project({
      'package.json': `{"main": "./dist/index.js", "exports": {".": {"import": "./dist/index.mjs"}}, "scripts": {"build": "tsc"}, ${deps}}`,
      'package-lock.json': '{}',
    });
    expect(await nodeInstallPlan(npm)).toEqual({
      manager: 'npm',
      install: ['npm', 'ci', '--no-audit', '--no-fund'],
      lockfile: 'package-lock.json',
      build: ['npm', 'run', 'build'],
      entryPoints: ['dist/index.js', 'dist/index.mjs'],
    });
    const pnpm = project({ 'package.json': `{${deps}}`, 'pnpm-lock.yaml': '' });
    expect((await nodeInstallPlan(pnpm))!.install).toEqual(['pnpm', 'install', '--frozen-lockfile']);
    const berry = project({ 'package.json': `{"packageManager": "yarn@4.5.0", ${deps}}`, 'yarn.lock': '' });
    expect((await nodeInstallPlan(berry))!.install).toEqual(['yarn', 'install', '--immutable']);
    const classic = project({ 'package.json': `{${deps}}`, 'yarn.lock': '' });
    expect((await nodeInstallPlan(classic))!.install).toEqual(['yarn', 'install', '--frozen-lockfile']);
  });

  it('needs no install when package.json declares no dependency', async () => {
    expect(await nodeInstallPlan(project({ 'package.json': '{"scripts": {"test": "node --test"}}' }))).toBeUndefined();
  });
});
