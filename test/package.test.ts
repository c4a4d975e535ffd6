import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** What `npm pack` puts in the package and what the registries read from it (needs `npm run build`). */
const REPO = fileURLToPath(new URL('../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${REPO}package.json`, 'utf8'));
const server = JSON.parse(readFileSync(`${REPO}server.json`, 'utf8'));

describe('the package', () => {
  it('packs the bundled CLI, the harness programs, the PR templates, the demo projects and the license, and nothing else', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' }));
    const files: string[] = packed.files.map((f: { path: string }) => f.path).sort();
    expect(files).toContain('dist/bin/cli.js');
    expect(files).toContain('harness/timed_spawn.py');
    expect(files).toContain('examples/python-demo/bench.py');
    expect(files).toContain('examples/node-demo/bench.js');
    expect(files).toContain('examples/go-demo/go.mod');
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    const unexpected = files.filter(
      (f) =>
        !/^dist\/bin\/[\w-]+\.js$/.test(f) &&
        !/^harness\/\w+\.(py|cjs|mjs|c|go\.tmpl)$/.test(f) &&
        !/^examples\/python-demo(\.optimized\.py|\/.*\.(py|toml))$/.test(f) &&
        !/^examples\/node-demo(\.optimized\.js|\/.*\.js|\/package\.json)$/.test(f) &&
        !/^templates\/pr-body\/\w+\.md$/.test(f) &&
        !/^examples\/go-demo(\.optimized\.go|\/[\w]+\.go|\/go\.mod)$/.test(f) &&
        !['LICENSE', 'README.md', 'package.json'].includes(f),
    );
    expect(unexpected).toEqual([]);
  });

  it('installs only what the bundle loads at run time, and lets npm 12 run its install script', () => {
    expect(Object.keys(pkg.dependencies)).toEqual(['better-sqlite3']);
    expect(pkg.allowScripts).toMatchObject({ 'better-sqlite3': true });
    expect(pkg.bin).toEqual({ 'codeflash-mcp': 'dist/bin/cli.js' });
    expect(readFileSync(`${REPO}dist/bin/cli.js`, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('names itself the same way to npm and the MCP registry', () => {
    expect(existsSync(`${REPO}LICENSE`)).toBe(true);
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository.url).toContain(server.repository.url.replace('https://', ''));
    expect(pkg.mcpName).toBe(server.name);
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toEqual([
      expect.objectContaining({ registryType: 'npm', identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } }),
    ]);
    expect(server.description.length).toBeLessThanOrEqual(100);
  });
});
