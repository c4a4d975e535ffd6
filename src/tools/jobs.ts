import { z } from 'zod';
import { UserError } from '../errors.js';
import { defineTool, type ToolCall } from '../server/define-tool.js';
import type { JobHooks, JobView } from '../server/jobs.js';
import { JOB_STATES } from '../state/jobs.js';
import type { Project } from '../state/project.js';

/** How long a call that starts a job waits before answering with the job id instead of the result. */
const START_WAIT_MS = 8_000;
/** Longest long-poll: under the 60 s request limit of the strictest hosts. */
export const MAX_WAIT_S = 45;

const jobIdInput = z.string().max(40).describe('From a long-running tool.');

/** Output fields shared by every tool that may answer with a job. */
export const jobFields = {
  job_id: z.string(),
  state: z.enum(['succeeded', 'running']).describe('running: poll job_status'),
};

const jobOutput = {
  job_id: z.string(),
  state: z.enum(JOB_STATES),
  error: z.string().optional(),
  tool: z.string(),
  progress: z.number().nullable(),
  total: z.number().nullable(),
  message: z.string().nullable(),
  log_tail: z.string(),
  result: z.record(z.string(), z.unknown()).optional(),
};

function describeJob(view: JobView<Record<string, unknown>>): { summary: string; next: string[] } {
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

function jobResult(project: Project, view: JobView<Record<string, unknown>>) {
  const row = project.db.prepare('SELECT tool FROM jobs WHERE id = ?').get(view.job_id) as { tool: string };
  return { ...view, tool: row.tool, ...describeJob(view) };
}

export const jobStatus = defineTool({
  name: 'job_status',
  title: 'Job status',
  description: `State, progress, log tail and result of a job; wait_s long-polls up to ${MAX_WAIT_S} s.`,
  input: {
    job_id: jobIdInput,
    wait_s: z.number().min(0).max(MAX_WAIT_S).optional().describe(`Seconds to wait for the job to finish (0–${MAX_WAIT_S}); default 0.`),
  },
  output: jobOutput,
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }: ToolCall) {
    const project = ctx.project();
    const view = await ctx.jobs.wait<Record<string, unknown>>(project, args.job_id, (args.wait_s ?? 0) * 1000);
    return jobResult(project, view);
  },
});

export const jobCancel = defineTool({
  name: 'job_cancel',
  title: 'Cancel a job',
  description: 'Stop a job: kills its process groups, removes its worktrees.',
  input: { job_id: jobIdInput },
  output: jobOutput,
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const project = ctx.project();
    const view = await ctx.jobs.cancel<Record<string, unknown>>(project, args.job_id);
    return jobResult(project, view);
  },
});

/**
 * Run a tool's work as a job: the caller gets the finished result inline when
 * it ends within the start wait (8 s by default), else the job id and how to follow it.
 */
export async function runAsJob<T extends { summary: string; next: string[] }>(
  call: ToolCall,
  request: { tool: string; project: Project; sessionId: string | null; timeoutMs: number; work: (hooks: JobHooks) => Promise<T> },
): Promise<Partial<T> & { job_id: string; state: 'succeeded' | 'running'; summary: string; next: string[] }> {
  const view = await call.ctx.jobs.start<T>(
    {
      ...request,
      notify: call.progress,
      requestSignal: call.extra.signal,
    },
    call.ctx.options.jobStartWaitMs ?? START_WAIT_MS,
  );
  if (view.state === 'succeeded' && view.result) return { ...view.result, job_id: view.job_id, state: 'succeeded' };
  // Ended badly before answering: that is an error the caller can act on now (bad ref, failing command).
  if (view.state !== 'running')
    throw new UserError(
      `${request.tool} ${view.state.replace('_', ' ')}: ${view.error ?? 'no detail'} (log: codeflash://jobs/${view.job_id})`,
    );
  const described = describeJob(view as JobView<Record<string, unknown>>);
  return <Partial<T> & { job_id: string; state: 'running'; summary: string; next: string[] }>{
    job_id: view.job_id,
    state: 'running',
    summary: `${request.tool} is running as job ${view.job_id}.`,
    next: described.next,
  };
}
