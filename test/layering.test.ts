import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering rule of the design: tools are thin and never touch SQLite or
 * processes themselves; the domain modules never see MCP. This keeps every
 * capability usable from the CLI and tests as well as the server.
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const DOMAIN = ['state', 'bench', 'profilers', 'env', 'workspace', 'proc'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
}

describe('layering', () => {
  it('domain modules import no MCP types and nothing from the server or tools', () => {
    const offenders = DOMAIN.flatMap((d) => files(join(SRC, d))).flatMap((file) =>
      imports(file)
        .filter((spec) => spec.startsWith('@modelcontextprotocol/') || /(^|\/)(server|tools)\//.test(spec))
        .map((spec) => `${relative(SRC, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('tool files open no database and spawn no process themselves', () => {
    const offenders = files(join(SRC, 'tools')).flatMap((file) =>
      imports(file)
        .filter((spec) => ['better-sqlite3', 'execa', 'node:child_process', 'child_process'].includes(spec))
        .map((spec) => `${relative(SRC, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('nothing in the server writes to stdout (it carries JSON-RPC)', () => {
    const offenders = files(SRC)
      .filter((file) => !/(^|\/)(cli|demo|status)\.ts$/.test(relative(SRC, file)))
      .filter((file) => /console\.(log|info)\(|process\.stdout\.write/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(offenders).toEqual([]);
  });

  it('programs run in child processes live in harness/, not in strings in the source', () => {
    const offenders = files(SRC)
      .filter((file) => /String\.raw`/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(offenders).toEqual([]);
  });
});
