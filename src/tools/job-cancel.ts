import { defineTool } from '../server/define-tool.js';
import { describeJob } from '../server/jobs.js';
import { jobIdInput, jobOutput } from './shared.js';

export const jobCancel = defineTool({
  name: 'job_cancel',
  title: 'Cancel a job',
  description: 'Stop a job: kills its process groups, removes its worktrees.',
  input: { job_id: jobIdInput },
  output: jobOutput,
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const view = await ctx.jobs.cancel(ctx.project(), args.job_id);
    return { ...view, ...describeJob(view) };
  },
});
