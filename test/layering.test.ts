import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDeps, renderLayout } from '../scripts/check-deps.mjs';

/**
 * The layering of the design, held by each folder's DEPS.list: tools are thin
 * and never touch SQLite or processes themselves; only src/server/ sees the MCP
 * SDK and it never sees the tools; nothing but JSON-RPC reaches stdout.
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function folders(): string[] {
  return readdirSync(SRC, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

describe('layering', () => {
  it('every import in src/ is allowed by its folder DEPS.list', () => {
    expect(checkDeps(SRC)).toEqual([]);
  });

  it('only src/server/ may import the MCP SDK, and it may not import src/tools/', () => {
    for (const folder of folders()) {
      const list = readFileSync(join(SRC, folder, 'DEPS.list'), 'utf8');
      expect(list.includes('@modelcontextprotocol/sdk'), folder).toBe(folder === 'server');
    }
    expect(readFileSync(join(SRC, 'server', 'DEPS.list'), 'utf8')).not.toMatch(/^\.\.\/tools$/m);
    expect(readFileSync(join(SRC, 'tools', 'DEPS.list'), 'utf8')).not.toMatch(/better-sqlite3|execa/);
  });

  it('the check finds a forbidden import, SQL outside state, a spawn outside proc and a stdout write', () => {
    const src = mkdtempSync(join(tmpdir(), 'cf-deps-'));
    for (const dir of ['tools', 'state', 'bench']) mkdirSync(join(src, dir));
    writeFileSync(join(src, 'DEPS.list'), '');
    writeFileSync(join(src, 'tools', 'DEPS.list'), '../server\nzod\n');
    writeFileSync(join(src, 'state', 'DEPS.list'), 'better-sqlite3\n');
    writeFileSync(
      join(src, 'tools', 'bad.ts'),
      "import { z } from 'zod';\nimport Database from 'better-sqlite3';\nimport { x } from '../state/x.js';\ndb.prepare('SELECT 1');\n",
    );
    writeFileSync(
      join(src, 'state', 'ok.ts'),
      "import Database from 'better-sqlite3';\nimport { y } from './y.js';\ndb.prepare('SELECT 1');\n",
    );
    writeFileSync(join(src, 'bench', 'run.ts'), "import { spawn } from 'node:child_process';\nprocess.stdout.write('x');\n");
    const found = checkDeps(src);
    expect(found).toEqual([
      expect.stringMatching(/^bench\/run\.ts: no bench\/DEPS\.list/),
      'tools/bad.ts imports better-sqlite3, and better-sqlite3 is not in its DEPS.list',
      'tools/bad.ts imports ../state/x.js, and ../state is not in its DEPS.list',
      'tools/bad.ts prepares SQL: only src/state/ talks to SQLite',
    ]);
    writeFileSync(join(src, 'bench', 'DEPS.list'), '');
    expect(checkDeps(src)).toEqual(
      expect.arrayContaining([
        'bench/run.ts imports node:child_process: child processes start in src/proc/ only',
        'bench/run.ts writes to stdout, which carries JSON-RPC',
      ]),
    );
  });

  it('the README layout table is generated from the DEPS.list files', () => {
    const readme = readFileSync(README, 'utf8');
    const fresh = renderLayout(SRC);
    const section = /<!-- layout:start -->\n([\s\S]*?)<!-- layout:end -->/.exec(readme)?.[1];
    if (process.env.UPDATE_TOOLSNAPS === '1' && section !== fresh) {
      writeFileSync(README, readme.replace(/(<!-- layout:start -->\n)[\s\S]*?(<!-- layout:end -->)/, `$1${fresh}$2`));
    } else expect(section, 'README layout is stale: UPDATE_TOOLSNAPS=1 npx vitest run test/layering.test.ts').toBe(fresh);
  });

  it('programs run in child processes live in harness/, not in strings in the source', () => {
    const offenders = tsFiles(SRC).filter((file) => /String\.raw`/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
