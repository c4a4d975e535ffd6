import { z } from 'zod';
import { UserError } from '../errors.js';
import { tail } from '../proc/run.js';
import {
  createJob,
  finishJob,
  finishOrphanedJob,
  getJob,
  INTERRUPTED_ERROR,
  type JobState,
  type JobView,
  jobCancelRequested,
  requestJobCancel,
  toView,
  updateJobProgress,
} from '../state/jobs.js';
import type { Project } from '../state/project.js';
import type { CommonOutput, ToolCall } from './define-tool.js';
import { startDetachedJob } from './detached-jobs.js';
import type { Logger } from './logger.js';
import { progressNotifier } from './progress.js';

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
/** How often a running job looks in the store for a cancel asked by another process. */
const CANCEL_POLL_MS = 500;
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
    const row = createJob(request.project.db, request.tool, request.sessionId);
    const run = this.run(row.id, request);
    await Promise.race([run.live.done, new Promise((r) => setTimeout(r, waitMs).unref())]);
    run.answered();
    return this.view<T>(request.project, row.id);
  }

  /** Run, to its end, the work of a job another process created and handed to this one (a detached runner). */
  async attach<T>(id: string, request: JobRequest<T>): Promise<JobView<T>> {
    await this.run(id, request).live.done;
    return this.view<T>(request.project, id);
  }

  private run<T>(id: string, request: JobRequest<T>): { live: LiveJob; answered(): void } {
    const { project } = request;
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
      if (project.db.open) updateJobProgress(project.db, id, { ...fields, logTail: logTail() });
    };
    // Progress goes to the request only while it is open.
    let answered = false;
    const notify = progressNotifier(request.notify);
    const hooks: JobHooks = {
      signal: controller.signal,
      progress: (done, total, message) => {
        persist({ progress: done, total, message }, true);
        if (!answered) notify(done, total, message);
      },
      log: (line) => {
        logText += `${line}\n`;
        if (logText.length > 2 * LOG_TAIL_CHARS) logText = logTail();
        persist({});
        if (!answered) notify(undefined, undefined, line.slice(0, 200));
      },
    };
    const live: LiveJob = { controller, project, done: Promise.resolve() };
    const timer = setTimeout(() => this.abort(live, 'timed_out'), request.timeoutMs);
    timer.unref();
    const cancelPoll = setInterval(() => {
      if (project.db.open && jobCancelRequested(project.db, id)) this.abort(live, 'cancelled');
    }, CANCEL_POLL_MS);
    cancelPoll.unref();
    const onRequestAbort = () => this.abort(live, 'cancelled');
    request.requestSignal?.addEventListener('abort', onRequestAbort, { once: true });
    live.done = request
      .work(hooks)
      .then(
        // Work that returns after its signal aborted (a killed guard still has an exit code) ended for that reason.
        (result) => this.settle(project, id, live.reason ?? 'succeeded', { result, error: this.reasonText(live), logTail: logTail() }),
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (!(error instanceof UserError) && !live.reason) this.logger.warn(`job ${id} (${request.tool}) failed`, { error: message });
          this.settle(project, id, live.reason ?? 'failed', { error: this.reasonText(live) ?? message, logTail: logTail() });
        },
      )
      .finally(() => {
        clearTimeout(timer);
        clearInterval(cancelPoll);
        request.requestSignal?.removeEventListener('abort', onRequestAbort);
        this.live.delete(id);
      });
    this.live.set(id, live);
    return {
      live,
      answered() {
        answered = true;
        // Once the call returns, the request's cancel no longer reaches the job: job_cancel does.
        request.requestSignal?.removeEventListener('abort', onRequestAbort);
      },
    };
  }

  private reasonText(live: LiveJob): string | undefined {
    if (live.reason === 'timed_out') return 'the job ran past its time limit; its processes were killed';
    if (live.reason === 'cancelled') return 'the job was cancelled; its processes were killed';
    if (live.reason === 'shutdown') return INTERRUPTED_ERROR;
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
    // A job of another process that died without recording its end (kill -9) is interrupted, not running.
    if (!this.live.has(id)) finishOrphanedJob(project.db, id);
    const row = getJob(project.db, id);
    if (!row) throw new UserError(`unknown job ${id}; job ids look like job-1a2b3c4d5e`);
    return toView<T>(row);
  }

  /**
   * Wait up to `waitMs` for a job to finish (in this process, or another one on
   * the same project), calling `onChange` when its recorded progress moves.
   */
  async wait<T = Record<string, unknown>>(
    project: Project,
    id: string,
    waitMs: number,
    onChange?: (view: JobView<T>) => void,
  ): Promise<JobView<T>> {
    const deadline = Date.now() + waitMs;
    let view = this.view<T>(project, id);
    while (view.state === 'running' && Date.now() < deadline) {
      const live = this.live.get(id);
      const sleep = new Promise<void>((r) => setTimeout(r, Math.min(500, deadline - Date.now())).unref());
      await (live ? Promise.race([live.done, sleep]) : sleep);
      const before = view;
      view = this.view<T>(project, id);
      if (view.state === 'running' && (view.progress !== before.progress || view.message !== before.message)) onChange?.(view);
    }
    return view;
  }

  /** Stop a job run here at once, or ask the process that runs it (through the store) and wait for its end. */
  async cancel<T = Record<string, unknown>>(project: Project, id: string): Promise<JobView<T>> {
    const view = this.view<T>(project, id);
    if (view.state !== 'running') return view;
    const live = this.live.get(id);
    if (!live) {
      requestJobCancel(project.db, id);
      return this.wait<T>(project, id, CANCEL_WAIT_MS);
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
/** Longest wait of a call that starts a job, for a client that exits after one call (the Inspector CLI). */
export const MAX_START_WAIT_S = 50;

/** The `wait_s` input of a tool that runs as a job; runAsJob honours it. */
export const waitInput = z
  .number()
  .min(0)
  .max(MAX_START_WAIT_S)
  .optional()
  .describe(`Default ${START_WAIT_MS / 1000}; after that the answer is a job_id.`);

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
    case 'interrupted':
      return {
        summary: `Job interrupted: ${view.error ?? INTERRUPTED_ERROR}.`,
        next: [
          `Run ${view.tool} again with wait_s (up to ${MAX_START_WAIT_S}) to get the result in the same call, or use a client that stays connected (or a server started with --detach-jobs).`,
        ],
      };
    default:
      return {
        summary: `Job ${view.state}: ${view.error ?? 'no detail'}.`,
        next: ['Fix the cause named in error, then start the tool again.'],
      };
  }
}

export type JobAnswer<T> = Partial<T> & { job_id: string; state: 'succeeded' | 'running' } & CommonOutput;

export interface JobStart<T> {
  tool: string;
  project: Project;
  sessionId: string | null;
  timeoutMs: number;
  work: (hooks: JobHooks) => Promise<T>;
}

/**
 * Run a tool's work as a job: the caller gets the finished result inline when
 * it ends within the start wait (the call's `wait_s`, else 8 s), else the job
 * id and how to follow it. A job that fails before answering is an error the
 * caller can act on now. With --detach-jobs the work runs in a runner process
 * of its own, which outlives this server; in that runner, it runs to its end.
 */
export async function runAsJob<T extends CommonOutput>(call: ToolCall, request: JobStart<T>): Promise<JobAnswer<T>> {
  const { ctx } = call;
  const waitS = call.args.wait_s;
  const waitMs = typeof waitS === 'number' ? waitS * 1000 : (ctx.options.jobStartWaitMs ?? START_WAIT_MS);
  const full: JobRequest<T> = { ...request, notify: call.progress, requestSignal: call.signal };
  const view = ctx.options.runJobId
    ? await ctx.jobs.attach<T>(ctx.options.runJobId, full)
    : ctx.options.detachJobs
      ? await startDetachedJob<T>(call, request, waitMs)
      : await ctx.jobs.start<T>(full, waitMs);
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
