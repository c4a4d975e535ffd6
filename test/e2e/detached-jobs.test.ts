import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { statePaths } from '../../src/state/paths.js';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { type Connected, connectStdio } from '../helpers/mcp-client.js';
import { alive, runningExactly, waitFor } from '../helpers/processes.js';

/**
 * One-shot clients (the Inspector CLI) start a server per call. These tests
 * play one: every call below goes through its own server process, closed
 * before the next one starts.
 */
const connections: Connected[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close().catch(() => {});
});

async function serve(root: string, ...flags: string[]): Promise<Connected> {
  const c = await connectStdio(['--root', root, ...flags]);
  connections.push(c);
  return c;
}

/** Close a server the way a one-shot client does, and check the contract: it is gone within 2 s. */
async function closeServer(c: Connected): Promise<void> {
  await c.close();
  connections.splice(connections.indexOf(c), 1);
  expect(await waitFor(() => !alive(c.pid), 2000), 'the server exits within 2 s of stdin closing').toBe(true);
}

/** Sleep durations unique to this run, so another run's sleepers never count. */
const marker = (whole: number) => `${whole}.${process.pid}`;
const sleeping = (m: string) => runningExactly(`sleep ${m}`);

function jobOwner(root: string, jobId: string): number {
  const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT owner_pid FROM jobs WHERE id = ?').get(jobId) as { owner_pid: number }).owner_pid;
  } finally {
    db.close();
  }
}

async function startGuard(root: string, guard: string, ...flags: string[]): Promise<{ jobId: string; server: Connected }> {
  const server = await serve(root, ...flags);
  expect((await server.call('session_start', { guard })).isError).toBeFalsy();
  const started = await server.call('run_guard', { wait_s: 0 });
  expect(started.structuredContent).toMatchObject({ state: 'running' });
  return { jobId: started.structuredContent!.job_id as string, server };
}

describe('jobs for clients that start a server per call', () => {
  it('with --detach-jobs the job outlives its server, and a second server reads its progress and result', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const { jobId, server } = await startGuard(root, 'sh -c "echo started; sleep 2; echo finished"', '--detach-jobs');
    const runner = jobOwner(root, jobId);
    expect(runner).not.toBe(server.pid);
    await closeServer(server);
    expect(alive(runner), 'the runner goes on after its server exited').toBe(true);

    const later = await serve(root);
    const done = await later.call('job_status', { job_id: jobId, wait_s: 30 });
    expect(done.structuredContent).toMatchObject({ state: 'succeeded', tool: 'run_guard', result: { passed: true } });
    expect(done.structuredContent!.log_tail).toContain('finished');
    expect(await waitFor(() => !alive(runner), 3000), 'the runner exits once the job has ended').toBe(true);
  });

  it('with a state home (--state-dir) the runner finds the same state directory, and the repository stays clean', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const home = mkdtempSync(join(tmpdir(), 'cf-home-'));
    const { jobId, server } = await startGuard(root, 'sh -c "sleep 1; echo finished"', '--detach-jobs', '--state-dir', home);
    await closeServer(server);
    const later = await serve(root, '--state-dir', home);
    const done = await later.call('job_status', { job_id: jobId, wait_s: 30 });
    expect(done.structuredContent).toMatchObject({ state: 'succeeded', tool: 'run_guard', result: { passed: true } });
    expect(existsSync(join(root, '.codeflash'))).toBe(false);
    expect(existsSync(join(statePaths(root, home).stateDir, 'state.sqlite'))).toBe(true);
  });

  it("job_cancel in another server stops a detached job through the store and kills the runner's processes", async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const m = marker(41);
    const { jobId, server } = await startGuard(root, `sleep ${m}`, '--detach-jobs');
    const runner = jobOwner(root, jobId);
    await closeServer(server);
    expect(await waitFor(() => sleeping(m), 5000)).toBe(true);

    const later = await serve(root);
    const cancelled = await later.call('job_cancel', { job_id: jobId });
    expect(cancelled.structuredContent).toMatchObject({ state: 'cancelled', error: expect.stringMatching(/cancelled/) });
    expect(await waitFor(() => !sleeping(m), 3000), 'the guard is killed').toBe(true);
    expect(await waitFor(() => !alive(runner), 3000), 'the runner exits').toBe(true);
  });

  it('by default the server ends its jobs when it exits, and job_status says why and what to do', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const m = marker(42);
    const { jobId, server } = await startGuard(root, `sleep ${m}`);
    expect(jobOwner(root, jobId)).toBe(server.pid);
    await closeServer(server);
    expect(sleeping(m), 'the guard died with its server').toBe(false);

    const later = await serve(root);
    const status = await later.call('job_status', { job_id: jobId });
    expect(status.structuredContent).toMatchObject({
      state: 'interrupted',
      error: 'the server that ran this job exited before it finished',
    });
    expect((status.structuredContent!.next as string[]).join(' ')).toMatch(/again with wait_s .*stays connected/);
  });

  it('wait_s lets a one-shot call have the result inline', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const server = await serve(root);
    await server.call('session_start', { guard: 'sh -c "sleep 1.5; echo ok"' });
    const done = await server.call('run_guard', { wait_s: 20 });
    expect(done.structuredContent).toMatchObject({ state: 'succeeded', passed: true });
  });
});
