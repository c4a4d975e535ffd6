import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, makeRepo, PYTHON_PROJECT, writeFiles } from '../helpers/git-repo.js';
import { type Connected, connectStdio, textOf } from '../helpers/mcp-client.js';

const BENCH = `def work():
    total = 0
    for i in range(1_000_000):
        total += i * i
    return total


print(work())
`;

let mcp: Connected;
const called = new Set<string>();

/** Call a tool that must succeed; the SDK client has checked its structured result against the listed output schema. */
async function ok(tool: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const result = await mcp.call(tool, args);
  expect(result.isError, `${tool}: ${textOf(result)}`).toBeFalsy();
  expect(JSON.stringify(result).length, tool).toBeLessThan(100_000);
  called.add(tool);
  return result.structuredContent as Record<string, any>;
}

beforeAll(async () => {
  const root = makeRepo({ ...PYTHON_PROJECT, 'bench.py': BENCH });
  // A second commit, for benchmark_bisect to have a range.
  writeFiles(root, { 'bench.py': `# the same work\n${BENCH}` });
  commitAll(root, 'a comment');
  mcp = await connectStdio(['--root', root]);
  // With the tools listed, the SDK client validates every structuredContent against its tool's outputSchema (ajv).
  await mcp.client.listTools();
});

afterAll(async () => {
  await mcp?.close();
});

describe('every tool answers inside its own output schema, extreme inputs included', () => {
  // Every tool in turn, compares and profiles included: about 30 s on a loaded 2-core machine.
  it('runs each tool once with inputs at the edges of what its schema allows', async () => {
    await ok('session_start', { goal: 'g'.repeat(2000), branch: 'Fast path v2', domain: 'cpu', guard: 'true' });
    await ok('session_status');
    // The largest and smallest doubles: every derived percentage must still be a finite number.
    await ok('record_result', { target: 't', hypothesis: 'h', metric: 'wall_s', baseline: 1e308, value: 1e308, status: 'baseline' });
    const best = await ok('record_result', {
      target: 't',
      hypothesis: 'h',
      metric: 'wall_s',
      baseline: 1e308,
      value: 0,
      status: 'keep',
      override_reason: 'r',
    });
    expect(best).toMatchObject({ improvement_pct: 100, best_improvement_pct: 100 });
    await ok('record_result', { target: 't', hypothesis: 'h', metric: 'tiny', baseline: 5e-324, value: 5e-324, status: 'discard' });
    await ok('record_result', {
      target: 'u'.repeat(300),
      hypothesis: 'h'.repeat(2000),
      metric: 'ops',
      baseline: 1,
      value: 1e15,
      direction: 'higher',
      status: 'crash',
      commit: 'a'.repeat(40),
      notes: 'n'.repeat(2000),
    });
    await ok('session_status');
    await ok('record_learning', { title: 'T'.repeat(200), body: 'B'.repeat(5000), evidence: 'E'.repeat(2000) });
    await ok('set_convention', { topic: 'guard', rule: 'true' });
    await ok('set_convention', { topic: 'code style', rule: 'r'.repeat(5000) });
    await ok('run_guard', { revert_on_failure: false });
    const profile = await ok('profile', { command: 'bench.py', top: 100 });
    expect(profile.state).toBe('succeeded');
    const compare = await ok('benchmark_compare', { base: 'HEAD', head: 'WORKTREE', command: 'bench.py', runs: 5, warmup: 0 });
    expect(compare.state).toBe('succeeded');
    // The smallest program to count under valgrind: this test runs every tool within one timeout.
    const started = await ok('benchmark_bisect', { good: 'HEAD~1', bad: 'HEAD', command: '-c 0', wait_s: 50 });
    let bisect: Record<string, any> = { state: started.state, result: started };
    while (bisect.state === 'running') bisect = await ok('job_status', { job_id: started.job_id, wait_s: 50 });
    expect(bisect).toMatchObject({ state: 'succeeded', result: { outcome: 'no_slowdown', comparisons: 1 } });
    await ok('micro_benchmark', { language: 'python', a: '1 + 1', b: '2 + 2', runs: 5, processes: 2 });
    const scan = await ok('scan', { command: 'bench.py', timeout_s: 60 });
    expect(scan.state).toBe('succeeded');
    await ok('target_dossier', { rank: 1 });
    await ok('job_status', { job_id: profile.job_id, wait_s: 0 });
    await ok('job_cancel', { job_id: profile.job_id });
    for (const uri of [
      'codeflash://files/results.tsv',
      `codeflash://jobs/${profile.job_id}`,
      profile.uri,
      compare.uri,
      'codeflash://charts/progress.svg',
    ]) {
      await ok('read_artifact', { uri });
    }
    await ok('read_artifact', { uri: compare.uri, offset: 1e15 });
    await ok('write_handoff', {
      next_steps: Array.from({ length: 20 }, (_, i) => `step ${i} ${'s'.repeat(900)}`),
      discoveries: ['d'],
      blockers: [],
      summary: 'S'.repeat(4000),
    });
    await ok('write_changelog');
    await ok('pr_inventory');
    const same = await ok('benchmark_compare', { base: 'HEAD', head: 'HEAD', command: 'bench.py', runs: 5, warmup: 0 });
    await ok('pr_body', {
      comparison_id: same.comparison_id,
      function: 'f'.repeat(100),
      template: 'generic',
      allow_unproven: true,
      summary: Array.from({ length: 10 }, () => 's'.repeat(500)),
      details: 'd'.repeat(8000),
    });
    await ok('write_review', {
      verdict: 'APPROVE',
      findings: Array.from({ length: 50 }, (_, i) => ({
        pass: 'quality',
        severity: 'minor',
        file: 'f'.repeat(1000),
        line: i + 1,
        text: 't'.repeat(2000),
      })),
      summary: 'S'.repeat(4000),
    });
    await ok('write_case_study', { dest: 'case-study' });
    await ok('vm_hosts');
    await ok('vm_host_remove', { name: 'n'.repeat(63) });
    await ok('session_resume', { checkout: false });
    await ok('session_cleanup', { dry_run: true });
    await ok('session_cleanup');
  }, 180_000);

  it('the run above called every tool the server lists', async () => {
    const { tools } = await mcp.client.listTools();
    // vm_host_add and vm_bench need an SSH host: test/server/vm-bench.test.ts checks their results against these schemas.
    const remote = new Set(['vm_host_add', 'vm_bench']);
    expect(tools.map((t) => t.name).filter((name) => !called.has(name) && !remote.has(name))).toEqual([]);
  });
});
