import { z } from 'zod';
import { UserError } from '../errors.js';
import { tail } from '../proc/run.js';
import { createJob, finishJob, getJob, type JobState, type JobView, toView, updateJobProgress } from '../state/jobs.js';
import type { Project } from '../state/project.js';
import type { CommonOutput, ToolCall } from './define-tool.js';
import type { Logger } from './logger.js';

export interface JobHooks {
  signal: AbortSignal;
  progress(done: number, total: number | undefined, message: string): void;
  log(line: string): void;
}

export interface JobRequest<T> {
  tool: string;
  project: Project;
  sessionId: string | null;
  timeoutMs: number;
  work(hooks: JobHooks): Promise<T>;
  /** Sends MCP progress for the request that started the job, while it is still open. */
  notify?: (done: number, total: number | undefined, message: string) => void;
  /** The request's own abort signal: the client's cancel ends the job while the call is open. */
  requestSignal?: AbortSignal;
}

const LOG_TAIL_CHARS = 4000;
const PERSIST_EVERY_MS = 500;
const NOTIFY_EVERY_MS = 2000;
/** How long job_cancel waits for a cancelled job to record its end before answering. */
const CANCEL_WAIT_MS = 20_000;

interface LiveJob {
  controller: AbortController;
  done: Promise<void>;
  reason?: 'cancelled' | 'timed_out' | 'shutdown';
  project: Project;
}

/**
 * Long work (profiles, comparisons, slow guards) runs as a job recorded in the
 * project's store: the call that starts it waits a few seconds and returns the
 * result if it is done, else the job id to poll with job_status. Cancelling,
 * timing out or shutting down aborts the job's signal, which kills its
 * process groups and lets it remove its worktrees.
 */
export class JobManager {
  private live = new Map<string, LiveJob>();

  constructor(private readonly logger: Logger) {}

  async start<T>(request: JobRequest<T>, waitMs: number): Promise<JobView<T>> {
    const { project } = request;
    const row = createJob(project.db, request.tool, request.sessionId);
    const controller = new AbortController();
    // Lines are appended and the text cut back to its tail only when twice as long: a program printing
    // millions of lines costs a copy per LOG_TAIL_CHARS of output, not one per line.
    let logText = '';
    const logTail = () => tail(logText, LOG_TAIL_CHARS);
    let lastPersist = 0;
    const persist = (fields: { progress?: number; total?: number; message?: string }, force = false) => {
      const now = Date.now();
      if (!force && now - lastPersist < PERSIST_EVERY_MS) return;
      lastPersist = now;
      if (project.db.open) updateJobProgress(project.db, row.id, { ...fields, logTail: logTail() });
    };
    // Progress goes to the request only while it is open, always increasing (the
    // protocol asks for that), and at most every NOTIFY_EVERY_MS for log lines.
    let answered = false;
    let lastProgress = 0;
    let lastNotify = 0;
    const notify = (done: number | undefined, total: number | undefined, message: string) => {
      if (answered || !request.notify) return;
      lastProgress = Math.max(lastProgress + 1e-3, done ?? 0);
      lastNotify = Date.now();
      request.notify(lastProgress, total, message);
    };
    const hooks: JobHooks = {
      signal: controller.signal,
      progress: (done, total, message) => {
        persist({ progress: done, total, message }, true);
        notify(done, total, message);
      },
      log: (line) => {
        logText += `${line}\n`;
        if (logText.length > 2 * LOG_TAIL_CHARS) logText = logTail();
        persist({});
        if (Date.now() - lastNotify >= NOTIFY_EVERY_MS) notify(undefined, undefined, line.slice(0, 200));
      },
    };
    const live: LiveJob = { controller, project, done: Promise.resolve() };
    const timer = setTimeout(() => this.abort(live, 'timed_out'), request.timeoutMs);
    timer.unref();
    const onRequestAbort = () => this.abort(live, 'cancelled');
    request.requestSignal?.addEventListener('abort', onRequestAbort, { once: true });
    live.done = request
      .work(hooks)
      .then(
        (result) => this.settle(project, row.id, live.reason ?? 'succeeded', { result, logTail: logTail() }),
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (!(error instanceof UserError) && !live.reason) this.logger.warn(`job ${row.id} (${request.tool}) failed`, { error: message });
          this.settle(project, row.id, live.reason ?? 'failed', { error: this.reasonText(live) ?? message, logTail: logTail() });
        },
      )
      .finally(() => {
        clearTimeout(timer);
        request.requestSignal?.removeEventListener('abort', onRequestAbort);
        this.live.delete(row.id);
      });
    this.live.set(row.id, live);
    await Promise.race([live.done, new Promise((r) => setTimeout(r, waitMs).unref())]);
    answered = true;
    // Once the call returns, the request's cancel no longer reaches the job: job_cancel does.
    request.requestSignal?.removeEventListener('abort', onRequestAbort);
    return this.view<T>(project, row.id);
  }

  private reasonText(live: LiveJob): string | undefined {
    if (live.reason === 'timed_out') return 'the job ran past its time limit; its processes were killed';
    if (live.reason === 'cancelled') return 'the job was cancelled; its processes were killed';
    if (live.reason === 'shutdown') return 'the server shut down; the job was stopped';
    return undefined;
  }

  private settle(
    project: Project,
    id: string,
    state: Exclude<JobState, 'running'> | 'shutdown',
    outcome: { result?: unknown; error?: string; logTail: string },
  ) {
    if (!project.db.open) return;
    const final = state === 'shutdown' ? 'interrupted' : state;
    finishJob(project.db, id, final, final === 'succeeded' ? outcome : { error: outcome.error, logTail: outcome.logTail });
  }

  private abort(live: LiveJob, reason: NonNullable<LiveJob['reason']>): void {
    if (live.reason) return;
    live.reason = reason;
    live.controller.abort(new Error(reason));
  }

  view<T = Record<string, unknown>>(project: Project, id: string): JobView<T> {
    const row = getJob(project.db, id);
    if (!row) throw new UserError(`unknown job ${id}; job ids look like job-1a2b3c4d5e`);
    return toView<T>(row);
  }

  /** Wait up to `waitMs` for a job to finish (in this server, or another one on the same project). */
  async wait<T = Record<string, unknown>>(project: Project, id: string, waitMs: number): Promise<JobView<T>> {
    const deadline = Date.now() + waitMs;
    let view = this.view<T>(project, id);
    while (view.state === 'running' && Date.now() < deadline) {
      const live = this.live.get(id);
      const sleep = new Promise<void>((r) => setTimeout(r, Math.min(500, deadline - Date.now())).unref());
      await (live ? Promise.race([live.done, sleep]) : sleep);
      view = this.view<T>(project, id);
    }
    return view;
  }

  async cancel<T = Record<string, unknown>>(project: Project, id: string): Promise<JobView<T>> {
    const view = this.view<T>(project, id);
    if (view.state !== 'running') return view;
    const live = this.live.get(id);
    if (!live) {
      throw new UserError(`job ${id} is run by another server process (pid ${getJob(project.db, id)!.owner_pid}); cancel it there`);
    }
    this.abort(live, 'cancelled');
    // Its processes are signalled at once; a slow cleanup (worktree removal) must not hold the request past a host's limit.
    await Promise.race([live.done, new Promise((r) => setTimeout(r, CANCEL_WAIT_MS).unref())]);
    return this.view<T>(project, id);
  }

  /** Abort every running job and wait (bounded) for them to record their end. */
  async shutdown(waitMs = 1500): Promise<void> {
    const all = [...this.live.values()];
    for (const live of all) this.abort(live, 'shutdown');
    await Promise.race([Promise.allSettled(all.map((l) => l.done)), new Promise((r) => setTimeout(r, waitMs).unref())]);
  }

  runningCount(): number {
    return this.live.size;
  }
}

/** How long a call that starts a job waits before answering with the job id instead of the result. */
const START_WAIT_MS = 8_000;
/** Longest long-poll: under the 60 s request limit of the strictest hosts. */
export const MAX_WAIT_S = 45;

/** Output fields shared by every tool that may answer with a job. */
export const jobFields = {
  job_id: z.string(),
  state: z.enum(['succeeded', 'running']).describe('running: poll job_status'),
};

/** A job's summary and next step as a tool result states them. */
export function describeJob(view: JobView): CommonOutput {
  switch (view.state) {
    case 'running':
      return {
        summary: `Still running${view.message ? `: ${view.message}` : ''}.`,
        next: [`Call job_status with job_id ${view.job_id} and wait_s ${MAX_WAIT_S} again.`],
      };
    case 'succeeded':
      return { summary: String(view.result?.summary ?? 'Done.'), next: (view.result?.next as string[] | undefined) ?? [] };
    default:
      return {
        summary: `Job ${view.state}: ${view.error ?? 'no detail'}.`,
        next: ['Fix the cause named in error, then start the tool again.'],
      };
  }
}

export type JobAnswer<T> = Partial<T> & { job_id: string; state: 'succeeded' | 'running' } & CommonOutput;

/**
 * Run a tool's work as a job: the caller gets the finished result inline when
 * it ends within the start wait (8 s by default), else the job id and how to
 * follow it. A job that fails before answering is an error the caller can act on now.
 */
export async function runAsJob<T extends CommonOutput>(
  call: ToolCall,
  request: { tool: string; project: Project; sessionId: string | null; timeoutMs: number; work: (hooks: JobHooks) => Promise<T> },
): Promise<JobAnswer<T>> {
  const view = await call.ctx.jobs.start<T>(
    { ...request, notify: call.progress, requestSignal: call.signal },
    call.ctx.options.jobStartWaitMs ?? START_WAIT_MS,
  );
  if (view.state === 'succeeded' && view.result) return { ...view.result, job_id: view.job_id, state: 'succeeded' };
  if (view.state !== 'running') {
    throw new UserError(
      `${request.tool} ${view.state.replace('_', ' ')}: ${view.error ?? 'no detail'} (log: codeflash://jobs/${view.job_id})`,
    );
  }
  return {
    job_id: view.job_id,
    state: 'running',
    summary: `${request.tool} is running as job ${view.job_id}.`,
    next: describeJob(view).next,
  } as JobAnswer<T>;
}
