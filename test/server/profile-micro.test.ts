import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { commitAll, gitIn } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function demoSession(): Promise<InMemory & { root: string }> {
  const root = mkdtempSync(join(tmpdir(), 'cf-profile-tool-'));
  cpSync(join(EXAMPLES, 'python-demo'), root, { recursive: true });
  gitIn(root, 'init', '-q', '-b', 'main');
  commitAll(root, 'first');
  open = await connectInMemory({ root, jobStartWaitMs: 120_000 });
  await open.call('session_start', {});
  return Object.assign(open, { root });
}

/** Jobs the profile tool started (session_start runs the tests as a job of its own). */
function jobCount(root: string): number {
  const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE tool = 'profile'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('profile tool', () => {
  it('ranks the hot function first, stores the profile and writes a speedscope file', async () => {
    const mcp = await demoSession();
    const result = await mcp.call('profile', { command: 'bench.py', mode: 'cpu', focus: 'inventory', top: 5 });
    expect(result.isError, errorText(result)).toBeFalsy();
    const out = result.structuredContent!;
    expect(out).toMatchObject({ state: 'succeeded', profiler: 'cprofile', language: 'python', exit_code: 0 });
    expect(out.hotspots[0]).toMatchObject({ function: 'unique_skus', file: expect.stringMatching(/inventory\/dedupe\.py$/) });
    expect(out.hotspots[0].self_pct).toBeGreaterThan(50);
    const speedscope = await import('node:fs').then((fs) => JSON.parse(fs.readFileSync(out.artifacts.speedscope, 'utf8')));
    expect(speedscope.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    const stored = await mcp.client.readResource({ uri: out.uri });
    expect(JSON.parse((stored.contents[0] as { text: string }).text).data.profile.frames.length).toBeGreaterThan(3);
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ command: 'bench.py', profiler: 'vtune' }, /unknown profiler "vtune"; valid names: .*cprofile/],
    [{ command: 'bench.py', profiler: 'node-cpu' }, /node-cpu profiles node programs/],
    [{ command: '../outside.py' }, /\.\.\/outside\.py is outside the project root/],
    [{ command: ['python3', '/etc/hostname'] }, /\/etc\/hostname is outside the project root/],
    [{ command: 'bench.py', mode: 'import', language: 'go' }, /there is no import profiler for go/],
    [{ command: 'no_such_script.py' }, /no_such_script\.py is neither a file/],
    [{ command: ['python3', 'no_such_script.py', '--n', '3'] }, /no_such_script\.py is neither a file/],
    [{ command: 'bench.py\u0000x' }, /NUL/],
    [{ command: ['bench.py', 'a\u0000b'] }, /NUL/],
    [{ command: '-X importtime bench.py' }, /interpreter option -X is not supported/],
  ])('refuses %j with a message that says what to do, leaving no job and no profile folder', async (args, message) => {
    const mcp = await demoSession();
    const result = await mcp.call('profile', args);
    expect(result.isError).toBe(true);
    expect(errorText(result)).toMatch(message);
    // Refused before any work starts: no job is recorded for it, no folder made.
    expect(jobCount(mcp.root)).toBe(0);
    const profiles = join(mcp.root, '.codeflash', 'profiles');
    expect(existsSync(profiles) ? readdirSync(profiles) : []).toEqual([]);
  });

  it('a run that ends without a profile leaves its job but no empty profile folder', async () => {
    const mcp = await demoSession();
    writeFileSync(join(mcp.root, 'dies.py'), 'import os\nos._exit(3)\n');
    const result = await mcp.call('profile', { command: 'dies.py' });
    expect(result.isError).toBe(true);
    expect(errorText(result)).toMatch(/exited with code 3 before cprofile wrote a profile/);
    const profiles = join(mcp.root, '.codeflash', 'profiles');
    expect(existsSync(profiles) ? readdirSync(profiles) : []).toEqual([]);
  });
});

describe('micro_benchmark tool', () => {
  it('calls the variant that does three times the work slower (python and node)', async () => {
    const mcp = await demoSession();
    const py = await mcp.call('micro_benchmark', {
      language: 'python',
      setup: 'data = list(range(3000))',
      a: 'sum(data[:1000])',
      b: 'sum(data)',
      runs: 10,
    });
    expect(py.isError, errorText(py)).toBeFalsy();
    expect(py.structuredContent).toMatchObject({ verdict: 'slower', processes: 4, runs: 12 });
    expect(py.structuredContent!.ratio).toBeGreaterThan(1.5);
    const node = await mcp.call('micro_benchmark', {
      language: 'node',
      setup: 'const xs = Array.from({ length: 30000 }, (_, i) => i);',
      a: 'xs.slice(0, 10000).reduce((s, x) => s + x, 0)',
      b: 'xs.reduce((s, x) => s + x, 0)',
      runs: 10,
    });
    expect(node.isError, errorText(node)).toBeFalsy();
    expect(node.structuredContent!.ratio).toBeGreaterThan(1.2);
  });

  it('names the snippet with the syntax error', async () => {
    const mcp = await demoSession();
    const result = await mcp.call('micro_benchmark', { language: 'python', a: 'x = 1', b: 'x = = 1' });
    expect(result.isError).toBe(true);
    expect(errorText(result)).toMatch(/snippet b has a syntax error/);
  });
});
