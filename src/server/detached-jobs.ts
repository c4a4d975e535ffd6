import { startDetached } from '../proc/detached.js';
import { createJob, finishJob, type JobView, requestJobCancel, setJobOwner } from '../state/jobs.js';
import type { ToolCall } from './define-tool.js';
import type { JobStart } from './jobs.js';
import { progressNotifier } from './progress.js';

/**
 * For clients that start a server per call (the Inspector CLI): the job runs in
 * a runner process of this CLI (`codeflash-mcp run-job <id>`), in its own
 * process group, which reads the call from the store, records progress and
 * result there, and ends by itself (done, its time limit, or a cancel asked
 * through the store). This server only waits for it as long as the call
 * allows, relaying progress; when it exits, the job goes on, and any later
 * server's job_status finds it.
 */
export async function startDetachedJob<T>(call: ToolCall, request: JobStart<T>, waitMs: number): Promise<JobView<T>> {
  const { ctx } = call;
  const { project } = request;
  const runner = ctx.options.detachJobs!;
  // The runner calls the tool again with the session this call resolved, not whichever is latest then.
  const args = { ...call.args, ...(request.sessionId ? { session_id: request.sessionId } : {}) };
  const row = createJob(project.db, request.tool, request.sessionId, args);
  const argv = [...runner.argv, 'run-job', row.id, '--root', project.paths.root, '--state-dir', project.paths.stateDir];
  try {
    setJobOwner(project.db, row.id, startDetached(argv, { cwd: project.paths.root }));
  } catch (error) {
    finishJob(project.db, row.id, 'failed', { error: `the job runner did not start: ${(error as Error).message}` });
  }
  const onCancel = () => requestJobCancel(project.db, row.id);
  call.signal.addEventListener('abort', onCancel, { once: true });
  try {
    const notify = progressNotifier(call.progress);
    return await ctx.jobs.wait<T>(project, row.id, waitMs, (view) => {
      notify(view.progress ?? undefined, view.total ?? undefined, view.message ?? `${request.tool} running`);
    });
  } finally {
    call.signal.removeEventListener('abort', onCancel);
  }
}
