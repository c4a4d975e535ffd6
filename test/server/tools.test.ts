import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorktreeSet } from '../../src/bench/worktrees.js';
import { statePaths } from '../../src/state/paths.js';
import { gitIn, makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';
import { runningExactly } from '../helpers/processes.js';
import { realPython } from '../helpers/requires.js';

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function started(files = PYTHON_PROJECT) {
  const root = makeRepo(files);
  open = await connectInMemory({ root });
  const start = await open.call('session_start', {
    goal: 'faster totals',
    guard: `${realPython()} -m pytest -q`,
    branch: 'cart-total',
    domain: 'cpu',
  });
  expect(start.isError, JSON.stringify(start.content)).toBeFalsy();
  return { root, mcp: open, start: start.structuredContent! };
}

describe('bookkeeping tools (in memory)', () => {
  it('session_start detects the project, makes the perf branch, writes setup.md and the guard', async () => {
    const { root, start } = await started();
    expect(start).toMatchObject({ branch: 'perf/ds-cart-total', branch_created: true, domain: 'cpu', language: 'python' });
    expect(start.python).toMatch(/python/);
    expect(start.benchmarks_root).toBe('tests/benchmarks');
    expect(gitIn(root, 'branch', '--show-current').trim()).toBe('perf/ds-cart-total');
    expect(readFileSync(join(root, '.codeflash', 'setup.md'), 'utf8')).toMatch(/python/i);
    expect(readFileSync(join(root, '.codeflash', 'conventions.md'), 'utf8')).toContain('-m pytest -q');
  });

  it('session_start checks out a perf branch that already exists, and imports hand-written .codeflash files once', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    gitIn(root, 'branch', 'perf/mem-peak');
    mkdirSync(join(root, '.codeflash'));
    writeFileSync(
      join(root, '.codeflash', 'results.tsv'),
      'n\tcommit\ttarget\tmetric\tbaseline\tvalue\tchange_pct\tstatus\tdescription\ttimestamp\n1\tabc1234\tparse\tpeak_mb\t100\t100\t0.00\tbaseline\tstart\t2026-11-01T00:00:00Z\n',
    );
    open = await connectInMemory({ root });
    const start = await open.call('session_start', { branch: 'perf/mem-peak' });
    expect(start.structuredContent).toMatchObject({ branch: 'perf/mem-peak', branch_created: false, domain: 'memory' });
    expect(start.structuredContent!.imported).toMatchObject({ experiments: 1 });
    expect(gitIn(root, 'branch', '--show-current').trim()).toBe('perf/mem-peak');
    const again = await open.call('session_start', {});
    expect(again.structuredContent!.imported).toBeFalsy();
  });

  it('record_result tracks improvement, consecutive discards, plateau and best against the baseline', async () => {
    const { mcp } = await started();
    const base = { target: 'shop/cart.py:total', metric: 'wall_s', hypothesis: 'sum() is C' };
    const b = await mcp.call('record_result', { ...base, baseline: 2, value: 2, status: 'baseline' });
    expect(b.structuredContent).toMatchObject({ experiment_id: 1, n: 0, improvement_pct: 0 });
    for (const value of [2.1, 2.05]) await mcp.call('record_result', { ...base, baseline: 2, value, status: 'discard' });
    const third = await mcp.call('record_result', { ...base, baseline: 2, value: 2.2, status: 'crash' });
    expect(third.structuredContent).toMatchObject({ consecutive_discards: 3, plateau: true });
    const keep = await mcp.call('record_result', {
      ...base,
      baseline: 2,
      value: 1.5,
      status: 'keep',
      commit: 'abc1234',
      override_reason: 'timed by hand',
    });
    expect(keep.structuredContent).toMatchObject({
      experiment_id: 5,
      n: 4,
      consecutive_discards: 0,
      plateau: false,
      best_improvement_pct: 25,
    });
    expect(keep.structuredContent!.summary).toContain('on shop/cart.py:total: 2 → 1.5 wall_s, +25.0 % improvement');
    const noisy = await mcp.call('record_result', { ...base, baseline: 0.1 + 0.2, value: 176.59596900000003, status: 'discard' });
    expect(noisy.structuredContent!.summary).toContain(': 0.3 → 176.596 wall_s');
    const status = await mcp.call('session_status');
    expect(status.structuredContent!.stats).toMatchObject({ experiments: 5, keeps: 1, discards: 3, crashes: 1 });
  });

  it('run_guard passes on good code, and with revert_on_failure restores HEAD and saves the undone diff', async () => {
    const { root, mcp } = await started();
    const ok = await mcp.call('run_guard');
    expect(ok.structuredContent).toMatchObject({ passed: true, exit_code: 0, state: 'succeeded' });
    const cart = join(root, 'shop', 'cart.py');
    const original = readFileSync(cart, 'utf8');
    writeFileSync(cart, original.replace('result + p', 'result - p'));
    writeFileSync(join(root, 'scratch.txt'), 'mine');
    const failed = await mcp.call('run_guard', { revert_on_failure: true });
    const result = failed.structuredContent!;
    expect(result.passed).toBe(false);
    expect(result.reverted.files).toEqual([{ status: 'M', path: 'shop/cart.py' }]);
    expect(result.reverted.untracked_kept).toEqual(['scratch.txt']);
    expect(readFileSync(cart, 'utf8')).toBe(original);
    expect(readFileSync(result.reverted.patch, 'utf8')).toMatch(/^-\s+result = result \+ p$/m);
  });

  it('a guard that hangs is an error: killed at its timeout with its process group, nothing reverted', async () => {
    const { root, mcp } = await started();
    const sleeper = `sleep 37.${process.pid}`;
    await mcp.call('set_convention', { topic: 'guard', rule: sleeper });
    const cart = join(root, 'shop', 'cart.py');
    writeFileSync(cart, `${readFileSync(cart, 'utf8')}\n# edited\n`);
    const edited = readFileSync(cart, 'utf8');
    const run = await mcp.call('run_guard', { timeout_s: 1, revert_on_failure: true });
    expect(run.isError).toBe(true);
    expect(errorText(run)).toMatch(/did not finish within 1 s: its process group was killed and nothing was reverted/);
    expect(readFileSync(cart, 'utf8')).toBe(edited);
    expect(existsSync(join(root, '.codeflash', 'reverts'))).toBe(false);
    expect(runningExactly(sleeper)).toBe(false);
  });

  it('writes learnings, handoff and changelog, resumes with the branch check, and cleans up', async () => {
    const { root, mcp } = await started();
    await mcp.call('record_result', { target: 't', metric: 'wall_s', hypothesis: 'h', baseline: 2, value: 2, status: 'baseline' });
    await mcp.call('record_result', {
      target: 'total',
      metric: 'wall_s',
      hypothesis: 'use sum()',
      baseline: 2,
      value: 1,
      status: 'keep',
      override_reason: 'timed by hand',
    });
    await mcp.call('record_learning', { title: 'sum is 5x faster', body: 'builtin loop', evidence: 'exp 2' });
    const handoff = await mcp.call('write_handoff', { next_steps: ['profile parse()'], discoveries: ['sum wins'] });
    expect(readFileSync(handoff.structuredContent!.path, 'utf8')).toContain('# Handoff — perf/ds-cart-total');
    await mcp.call('write_changelog');
    const resume = await mcp.call('session_resume');
    expect(resume.structuredContent).toMatchObject({ branch_matches: true, domain: 'cpu', branch: 'perf/ds-cart-total' });
    expect(resume.structuredContent!.handoff).toContain('profile parse()');
    gitIn(root, 'switch', '-q', 'main');
    const mismatch = await mcp.call('session_resume');
    expect(mismatch.structuredContent).toMatchObject({ branch_matches: false, handoff_branch: 'perf/ds-cart-total' });
    const fixed = await mcp.call('session_resume', { checkout: true });
    expect(fixed.structuredContent).toMatchObject({ branch_matches: true, checked_out: true });
    const dry = await mcp.call('session_cleanup', { dry_run: true });
    expect(dry.structuredContent!.removed.map((p: string) => p.split('/').pop())).toEqual(
      expect.arrayContaining(['HANDOFF.md', 'setup.md', 'conventions.md']),
    );
    expect(existsSync(join(root, '.codeflash', 'HANDOFF.md'))).toBe(true);
    await mcp.call('session_cleanup');
    for (const kept of ['learnings.md', 'results.tsv', 'changelog.md', 'state.sqlite'])
      expect(existsSync(join(root, '.codeflash', kept))).toBe(true);
    for (const gone of ['HANDOFF.md', 'setup.md', 'conventions.md']) expect(existsSync(join(root, '.codeflash', gone))).toBe(false);
    const after = await mcp.call('session_status');
    expect(after.isError).toBe(true);
  });
});

describe('session_cleanup and worktrees', () => {
  it('removes the worktrees of a server that has ended, and leaves those of a live one', async () => {
    const { root, mcp } = await started();
    const worktreesDir = statePaths(root).worktreesDir;
    const head = gitIn(root, 'rev-parse', 'HEAD').trim();
    const orphan = await new WorktreeSet({ root, worktreesDir }).acquire(head);
    const live = await new WorktreeSet({ root, worktreesDir }).acquire(head, { shared: false });
    writeFileSync(`${orphan.dir}.owner`, String(spawnSync('true').pid));
    const dry = await mcp.call('session_cleanup', { dry_run: true });
    expect(dry.structuredContent!.removed).toContain(orphan.dir);
    expect(dry.structuredContent!.removed).not.toContain(live.dir);
    expect(existsSync(orphan.dir)).toBe(true);
    const done = await mcp.call('session_cleanup');
    expect(done.structuredContent!.removed).toContain(orphan.dir);
    expect(existsSync(orphan.dir)).toBe(false);
    expect(existsSync(live.dir)).toBe(true);
    expect(gitIn(root, 'worktree', 'list')).toContain(live.dir);
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['session_start', { root: '/etc' }, /outside the allowed roots/],
    ['session_start', { root: '../..' }, /must not contain "\.\."/],
    ['session_start', { branch: '-D' }, /must not start with "-"/],
    ['session_start', { branch: 'perf/a..b' }, /not usable/],
    ['record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: -1, value: 1, status: 'keep' }, /baseline/],
    ['record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: 1, value: 'NaN', status: 'keep' }, /value/],
    // The in-memory transport hands numbers over as they are, so a real NaN and Infinity reach the schema.
    ['record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: 1, value: Number.NaN, status: 'keep' }, /value/],
    [
      'record_result',
      { target: 't', hypothesis: 'h', metric: 'm', baseline: Number.POSITIVE_INFINITY, value: 1, status: 'keep' },
      /baseline/,
    ],
    ['record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: 1, value: -0.5, status: 'keep' }, /value/],
    ['record_learning', { title: 't', body: 'b', evidence: 'e', session_id: 's-00000000' }, /unknown session/],
    ['run_guard', { session_id: 's-00000000' }, /unknown session/],
    [
      'record_result',
      { target: 't', hypothesis: 'h', metric: 'm', baseline: 1, value: 1, status: 'keep', session_id: 's-00000000' },
      /unknown session/,
    ],
    ['record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: 0, value: 1, status: 'keep' }, /greater than 0/],
    [
      'record_result',
      {
        target: 't',
        hypothesis: 'h',
        metric: 'm',
        baseline: 5e-324,
        value: 1.7976931348623157e308,
        direction: 'higher',
        status: 'keep',
        override_reason: 'r',
      },
      /too far apart/,
    ],
    ['record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: 1e-300, value: 1e300, status: 'discard' }, /too far apart/],
    ['read_artifact', { uri: 'codeflash://files/..%2Fstate.sqlite' }, /not a \.codeflash file name/],
    ['read_artifact', { uri: 'codeflash://files/%ZZ.md' }, /malformed %-escape/],
    ['job_status', { job_id: 'job-0000000000' }, /unknown job/],
  ])('%s %j', async (tool, args, message) => {
    const root = makeRepo(PYTHON_PROJECT);
    open = await connectInMemory({ root });
    if (tool !== 'session_start') await open.call('session_start', {});
    const before = existsSync(join(root, '.codeflash', 'results.tsv'))
      ? readFileSync(join(root, '.codeflash', 'results.tsv'), 'utf8')
      : null;
    const result = await open.call(tool, args);
    expect(result.isError).toBe(true);
    expect(errorText(result)).toMatch(message);
    const after = existsSync(join(root, '.codeflash', 'results.tsv'))
      ? readFileSync(join(root, '.codeflash', 'results.tsv'), 'utf8')
      : null;
    expect(after).toBe(before);
    expect(gitIn(root, 'branch', '--show-current').trim()).toBe('main');
  });

  it('tools that need a session say to call session_start first', async () => {
    open = await connectInMemory({ root: makeRepo(PYTHON_PROJECT) });
    const result = await open.call('record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: 1, value: 1, status: 'keep' });
    expect(result.isError).toBe(true);
    expect(errorText(result)).toMatch(/call session_start first/);
  });
});
