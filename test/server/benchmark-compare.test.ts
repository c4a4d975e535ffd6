import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { statePaths } from '../../src/state/paths.js';
import { goModule, makeRepo } from '../fixtures/bench/repos.mjs';
import { commitAll, gitIn } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';
import { processesWith } from '../helpers/processes.js';
import { requireTool } from '../helpers/requires.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** The demo project with its optimization committed on top of main. */
function demoRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'cf-compare-tool-'));
  cpSync(join(EXAMPLES, 'python-demo'), root, { recursive: true });
  gitIn(root, 'init', '-q', '-b', 'main');
  commitAll(root, 'first');
  writeFileSync(join(root, 'inventory', 'dedupe.py'), readFileSync(join(EXAMPLES, 'python-demo.optimized.py'), 'utf8'));
  commitAll(root, 'use a dict');
  return root;
}

describe('benchmark_compare tool', () => {
  it('calls the optimization faster, stores the comparison, and record_result accepts its id', async () => {
    const root = demoRepo();
    open = await connectInMemory({ root, jobStartWaitMs: 120_000 });
    await open.call('session_start', {});
    // An edit neither ref holds: the result says it was not measured.
    writeFileSync(join(root, 'pyproject.toml'), `${readFileSync(join(root, 'pyproject.toml'), 'utf8')}\n# local edit\n`);
    const result = await open.call('benchmark_compare', { base: 'HEAD~1', head: 'HEAD', command: 'bench.py', max_time_s: 20 });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const out = result.structuredContent!;
    expect(out).toMatchObject({ state: 'succeeded', mode: 'wall', rows: [{ verdict: 'faster', unit: expect.any(String) }] });
    expect(out.pairs).toBeGreaterThanOrEqual(5);
    expect(out.next[0]).toMatch(/1 uncommitted change\(s\) to tracked files that neither ref holds/);
    expect(out.markdown).toContain('|');
    // The summary writes the change and its interval as the table does.
    const changeCell = out.markdown.split('\n')[2].split(' | ')[3];
    expect(changeCell).toMatch(/^−[\d.]+ % \[−[\d.]+, −[\d.]+\]$/);
    expect(out.summary).toContain(`(${changeCell}, p `);
    expect(out.runner).toMatch(/python3? .*bench\.py|bench\.py/);
    const stored = await open.call('read_artifact', { uri: out.uri });
    const artifact = JSON.parse(stored.structuredContent!.text);
    expect(artifact.data.samples[out.rows[0].name].base.length).toBe(out.pairs);
    // The stored comparison keeps the tool's public fields.
    expect(artifact.data).toMatchObject({ rows: out.rows, stop_reason: out.stop_reason, timings: out.timings, markdown: out.markdown });
    const row = out.rows[0];
    const rec = await open.call('record_result', {
      target: 'unique_skus',
      hypothesis: 'dict',
      baseline: row.base,
      value: row.head,
      status: 'keep',
      comparison_id: out.comparison_id,
    });
    expect(rec.structuredContent!.improvement_pct).toBeGreaterThan(20);
    expect(rec.structuredContent!.proof).toBe('proven');
    // The stored comparison also keeps the inputs it ran with, for a PR's flags and reproducer.
    expect(artifact.data.request).toEqual({ mode: 'wall', command: 'bench.py', max_time_s: 20 });
  });

  it.each([
    [{ base: 'no-such-ref', head: 'HEAD', command: 'bench.py' }, /unknown git ref "no-such-ref"/],
    [{ base: '--upload-pack=x', head: 'HEAD', command: 'bench.py' }, /must not start with "-"/],
    [{ base: 'main', head: 'HEAD' }, /pass command, or benchmark for a benchmark suite, to compare python code/],
    [{ base: 'main', head: 'HEAD', command: 'bench.py', benchmark: 'tests' }, /either command or benchmark, not both/],
    [{ base: 'main', head: 'HEAD', command: 'missing.py', runs: 5 }, /missing\.py/],
  ])('refuses %j with a clear error and leaves no worktree', async (args, message) => {
    const root = demoRepo();
    open = await connectInMemory({ root, jobStartWaitMs: 60_000 });
    await open.call('session_start', {});
    const result = await open.call('benchmark_compare', args);
    expect(result.isError).toBe(true);
    expect(errorText(result)).toMatch(message);
    expect(gitIn(root, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it.each(['no-such-ref', 'HEAD;touch pwned', '$(touch pwned)', 'HEAD|cat'])(
    'refuses base %j before any job: no job row, no worktree',
    async (base) => {
      const root = demoRepo();
      open = await connectInMemory({ root, jobStartWaitMs: 60_000 });
      await open.call('session_start', {});
      const result = await open.call('benchmark_compare', { base, head: 'HEAD', command: 'bench.py' });
      expect(result.isError).toBe(true);
      expect(errorText(result)).toMatch(/unknown git ref/);
      const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
      expect(db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE tool = 'benchmark_compare'").get()).toEqual({ n: 0 });
      db.close();
      expect(existsSync(join(root, 'pwned'))).toBe(false);
    },
  );

  it('compares CPU time in cpu mode, and the ledger keeps it as cpu_ms', async () => {
    const root = demoRepo();
    open = await connectInMemory({ root, jobStartWaitMs: 120_000 });
    await open.call('session_start', {});
    const result = await open.call('benchmark_compare', { base: 'HEAD~1', head: 'HEAD', command: 'bench.py', mode: 'cpu', max_time_s: 20 });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const out = result.structuredContent!;
    expect(out).toMatchObject({ state: 'succeeded', mode: 'cpu', rows: [{ verdict: 'faster', unit: 'ms' }] });
    expect(out.timer).toMatch(/CPU time \(user \+ system\) from wait4/);
    expect(out.summary).toMatch(/faster .*cpu\)/);
    const rec = await open.call('record_result', {
      target: 'unique_skus',
      hypothesis: 'dict',
      status: 'keep',
      comparison_id: out.comparison_id,
    });
    expect(rec.isError, JSON.stringify(rec.content)).toBeFalsy();
    expect(readFileSync(join(statePaths(root).stateDir, 'results.tsv'), 'utf8')).toMatch(/\tcpu_ms\t/);
  });

  it('a long compare answers with a job id, streams progress, and job_cancel kills its runs and removes its worktrees', async () => {
    const root = demoRepo();
    const marker = `cf-cancel-${process.pid}`;
    writeFileSync(join(root, 'slow.py'), 'import time\ntime.sleep(0.4)\n');
    commitAll(root, 'a slow benchmark');
    open = await connectInMemory({ root, jobStartWaitMs: 1_500 });
    await open.call('session_start', {});
    const progress: number[] = [];
    const started = (await open.client.callTool(
      { name: 'benchmark_compare', arguments: { base: 'HEAD', head: 'HEAD', command: ['slow.py', marker], runs: 50 } },
      undefined,
      { onprogress: (p) => void progress.push(p.progress) },
    )) as { structuredContent?: Record<string, any> };
    expect(started.structuredContent).toMatchObject({ state: 'running', job_id: expect.stringMatching(/^job-/) });
    expect(progress.length).toBeGreaterThan(0);
    const worktreesDir = statePaths(root).worktreesDir;
    const ours = () =>
      gitIn(root, 'worktree', 'list', '--porcelain')
        .split('\n')
        .filter((l) => l.startsWith('worktree ') && l.includes(worktreesDir));
    expect(ours().length).toBeGreaterThan(0);
    const runs = () => processesWith(marker);
    // Runs follow each other back to back; look again in case this look fell between two, or the first run has
    // not started yet (worktrees and warmups take seconds on a loaded machine; 50 pairs of 0.4 s outlast the looks).
    for (let look = 0; look < 200 && runs().length === 0; look++) await new Promise((r) => setTimeout(r, 50));
    expect(runs().length).toBeGreaterThan(0);
    const cancelled = await open.call('job_cancel', { job_id: started.structuredContent!.job_id });
    expect(cancelled.structuredContent).toMatchObject({ state: 'cancelled' });
    expect(ours()).toEqual([]);
    expect(runs()).toEqual([]);
  });

  it.skipIf(!requireTool('go', ['version']).ok)(
    'compares every Go benchmark in the module when neither command nor benchmark is given',
    async () => {
      const repo = makeRepo('cf-compare-go-');
      try {
        repo.commit(goModule(20_000), 'base');
        repo.commit(goModule(40_000), 'head');
        open = await connectInMemory({ root: repo.root, jobStartWaitMs: 300_000 });
        await open.call('session_start', {});
        const result = await open.call('benchmark_compare', { base: 'HEAD~1', head: 'HEAD', mode: 'wall', runs: 5, warmup: 0 });
        expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
        const rows = result.structuredContent!.rows as { name: string; unit: string }[];
        expect(rows.map((row) => row.name).sort()).toEqual(['BenchmarkChanged', 'BenchmarkUnchanged']);
        expect(rows.every((row) => row.unit === 'ns/op')).toBe(true);
      } finally {
        await open?.close();
        open = undefined;
        repo.dispose();
      }
    },
    300_000,
  );

  it('record_result refuses a comparison id that does not exist', async () => {
    open = await connectInMemory({ root: demoRepo() });
    await open.call('session_start', {});
    const rec = await open.call('record_result', {
      target: 't',
      hypothesis: 'h',
      metric: 'ms',
      baseline: 2,
      value: 1,
      status: 'keep',
      comparison_id: 'cmp-0000000000',
    });
    expect(rec.isError).toBe(true);
    expect(errorText(rec)).toMatch(/unknown comparison/);
  });
});
