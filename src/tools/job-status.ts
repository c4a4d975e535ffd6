import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { describeJob, MAX_WAIT_S } from '../server/jobs.js';
import { jobIdInput, jobOutput } from './shared.js';

export const jobStatus = defineTool({
  name: 'job_status',
  title: 'Job status',
  description: `State, progress, log tail and result of a job; wait_s long-polls up to ${MAX_WAIT_S} s.`,
  input: {
    job_id: jobIdInput,
    wait_s: z.number().min(0).max(MAX_WAIT_S).optional().describe('Seconds to wait for its end; default 0.'),
  },
  output: jobOutput,
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const view = await ctx.jobs.wait(ctx.project(), args.job_id, (args.wait_s ?? 0) * 1000);
    return { ...view, ...describeJob(view) };
  },
});
