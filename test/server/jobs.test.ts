import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJob, getJob } from '../../src/state/jobs.js';
import { Project } from '../../src/state/project.js';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectInMemory, type InMemory } from '../helpers/in-memory.js';
import { runningExactly } from '../helpers/processes.js';

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** Sleep durations unique to this run, so another run's sleepers never count. */
const seconds = (whole: number) => `${whole}.${process.pid}`;
const running = (marker: string) => runningExactly(`sleep ${marker}`);

async function withGuard(guard: string, jobStartWaitMs = 300) {
  open = await connectInMemory({ root: makeRepo(PYTHON_PROJECT), jobStartWaitMs });
  await open.call('session_start', { guard });
  return open;
}

describe('jobs', () => {
  it('a slow call answers with a job id, streams progress, long-polls, and job_cancel kills its process group', async () => {
    const mcp = await withGuard(`sh -c "echo warming up; sleep ${seconds(31)}"`);
    const progress: string[] = [];
    const started = (await mcp.client.callTool({ name: 'run_guard', arguments: {} }, undefined, {
      onprogress: (p) => void progress.push(p.message ?? ''),
    })) as { structuredContent: Record<string, any> };
    expect(started.structuredContent).toMatchObject({ state: 'running' });
    expect(progress).toContain('warming up');
    const id = started.structuredContent.job_id as string;
    const polled = await mcp.call('job_status', { job_id: id, wait_s: 0.5 });
    expect(polled.structuredContent).toMatchObject({ state: 'running', tool: 'run_guard' });
    expect(polled.structuredContent!.log_tail).toContain('warming up');
    const resource = await mcp.client.readResource({ uri: `codeflash://jobs/${id}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({ job_id: id, state: 'running' });
    expect(running(seconds(31))).toBe(true);
    const cancelled = await mcp.call('job_cancel', { job_id: id });
    expect(cancelled.structuredContent).toMatchObject({ state: 'cancelled' });
    await new Promise((r) => setTimeout(r, 700));
    expect(running(seconds(31))).toBe(false);
  });

  it('sends progress at most every 2 s, always increasing, however fast the job logs', async () => {
    const mcp = await withGuard(`sh -c 'for i in $(seq 1 60); do echo line $i; sleep 0.05; done'`, 20_000);
    const progress: number[] = [];
    const t0 = Date.now();
    const done = await mcp.client.callTool({ name: 'run_guard', arguments: {} }, undefined, {
      onprogress: (p) => void progress.push(p.progress),
    });
    const seconds = (Date.now() - t0) / 1000;
    expect(done.structuredContent).toMatchObject({ state: 'succeeded', passed: true });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
  });

  it('job_status wait_s returns as soon as the job is done, with its result', async () => {
    const mcp = await withGuard('sh -c "sleep 1.2"');
    const started = await mcp.call('run_guard');
    expect(started.structuredContent).toMatchObject({ state: 'running' });
    const t0 = Date.now();
    const done = await mcp.call('job_status', { job_id: started.structuredContent!.job_id, wait_s: 20 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(done.structuredContent).toMatchObject({ state: 'succeeded', result: { passed: true, exit_code: 0 } });
  });

  it("the client's cancel of the open request ends the job and its processes", async () => {
    const mcp = await withGuard(`sleep ${seconds(32)}`, 10_000);
    const controller = new AbortController();
    const call = mcp.client.callTool({ name: 'run_guard', arguments: {} }, undefined, { signal: controller.signal }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 400));
    expect(running(seconds(32))).toBe(true);
    controller.abort();
    await call;
    await new Promise((r) => setTimeout(r, 800));
    expect(running(seconds(32))).toBe(false);
    const row = mcp.app.ctx.project().db.prepare(`SELECT state FROM jobs WHERE tool = 'run_guard'`).get();
    expect(row).toEqual({ state: 'cancelled' });
  });

  it('a job left running by a server that is gone is marked interrupted when the store is opened', () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-jobs-'));
    const project = Project.open(root);
    const job = createJob(project.db, 'benchmark_compare', null);
    project.db.prepare('UPDATE jobs SET owner_pid = 999999 WHERE id = ?').run(job.id);
    project.close();
    const reopened = Project.open(root);
    expect(reopened.interruptedJobs).toBe(1);
    expect(getJob(reopened.db, job.id)).toMatchObject({ state: 'interrupted' });
    reopened.close();
  });
});
