import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bisectHistory, makeRepo } from '../fixtures/bench/repos.mjs';
import { connectInMemory, type InMemory } from '../helpers/in-memory.js';
import { CLI } from '../helpers/mcp-client.js';
import { requireTool } from '../helpers/requires.js';

/**
 * Bisect on a real 16-commit history with one planted step of about 10 % in
 * instructions (deterministic: the culprit cannot move by chance), small
 * drifts elsewhere, and in the second history a commit that does not run.
 */
const valgrind = requireTool('valgrind');
const repos: Array<{ dispose(): void }> = [];
let mcp: InMemory | undefined;
afterAll(async () => {
  await mcp?.close();
  for (const repo of repos) repo.dispose();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!valgrind.ok)('bisect', () => {
  it('codeflash-mcp bisect finds the planted commit in at most 6 comparisons, and a second run recalls every count', async () => {
    const repo = makeRepo('cf-bisect-');
    repos.push(repo);
    const shas = bisectHistory(repo, { commits: 16, stepAt: 11 });
    const json = join(repo.root, '..', 'bisect.json');
    const args = ['bisect', '--root', repo.root, shas[0]!, shas[16]!, '--json', json, '--', 'python', '-S', 'bench.py'];
    const run = await cli(args);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result).toMatchObject({
      outcome: 'found',
      commits: 16,
      culprit: { sha: shas[11], subject: 'build the totals twice' },
      skipped: [],
    });
    expect(result.comparisons).toBeLessThanOrEqual(6);
    // The step is the planted one, a fifth more loop steps against the start-up's fixed cost: about 10 %.
    expect(result.step.changePct).toBeGreaterThan(6);
    expect(result.step.changePct).toBeLessThan(14);
    expect(run.stdout).toContain(`First slow commit for python3 -S bench.py: ${shas[11]!.slice(0, 12)} "build the totals twice"`);

    // Counts are kept per commit in the store: the same bisect again runs nothing new.
    const again = await cli(args);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(readFileSync(json, 'utf8'));
    expect(second.culprit.sha).toBe(shas[11]);
    expect(second.markdown).toMatch(/base and head recalled from an earlier run/);
  }, 600_000);

  it('benchmark_bisect skips a commit that does not run, says which, and stores its comparisons', async () => {
    const repo = makeRepo('cf-bisect-tool-');
    repos.push(repo);
    // Commit 8 is the first probe of 16 commits: the search must step around it.
    const shas = bisectHistory(repo, { commits: 16, stepAt: 11, brokenAt: 8 });
    mcp = await connectInMemory({ root: repo.root, jobStartWaitMs: 500_000 });
    await mcp.call('session_start', {});
    const result = await mcp.call('benchmark_bisect', { good: shas[0], bad: shas[16], command: 'python -S bench.py', wait_s: 50 });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    let out = result.structuredContent!;
    const jobId = out.job_id;
    while (out.state === 'running') {
      out = (await mcp.call('job_status', { job_id: out.job_id, wait_s: 30 })).structuredContent!;
      if (out.state !== 'running') out = { ...out.result, state: out.state };
    }
    expect(out).toMatchObject({
      state: 'succeeded',
      outcome: 'found',
      culprit: { sha: shas[11], subject: 'build the totals twice' },
      skipped: [{ sha: shas[8], subject: 'refactor work (broken)', reason: expect.stringMatching(/SyntaxError/) }],
    });
    expect(out.comparisons).toBeLessThanOrEqual(7);
    // It ran as a job that reported its progress in comparisons.
    const status = await mcp.call('job_status', { job_id: jobId });
    expect(status.isError, JSON.stringify(status.content)).toBeFalsy();
    const job = status.structuredContent!;
    expect(job).toMatchObject({ state: 'succeeded', tool: 'benchmark_bisect' });
    expect(job.total).toBeGreaterThanOrEqual(5);
    expect(job.progress).toBeGreaterThan(0);
    expect(out.summary).toMatch(/Skipped \(did not build or run\)/);
    // Each comparison is stored, and record_result can cite the culprit's step.
    const stored = await mcp.call('read_artifact', { uri: `codeflash://comparisons/${out.step.comparison_id}` });
    expect(stored.isError).toBeFalsy();
    const rec = await mcp.call('record_result', {
      target: 'work',
      hypothesis: 'the step',
      status: 'discard',
      comparison_id: out.step.comparison_id,
    });
    expect(rec.isError, JSON.stringify(rec.content)).toBeFalsy();
  }, 600_000);
});
