import { finishJob, getJob } from '../state/jobs.js';
import { ServerContext } from './context.js';
import type { ToolCall, ToolDefinition } from './define-tool.js';
import { installShutdown } from './lifecycle.js';

export interface RunJobOptions {
  jobId: string;
  root: string;
  stateDir?: string;
  tools: readonly ToolDefinition[];
}

/**
 * `codeflash-mcp run-job <id>`: the detached runner a server started with
 * --detach-jobs hands a long call to. It calls the same tool with the stored
 * arguments and runs its job to the end, in this process, recording progress
 * and result in the store. A cancel asked through the store, the job's time
 * limit or SIGTERM ends it and its process groups, as in a server.
 * Returns the exit code: 0 once the job's end is recorded.
 */
export async function runDetachedJob(options: RunJobOptions): Promise<number> {
  const ctx = new ServerContext({ root: options.root, stateDir: options.stateDir, runJobId: options.jobId });
  installShutdown(() => ctx.close(), ctx.logger, { watchStdin: false });
  const project = ctx.project();
  const row = getJob(project.db, options.jobId);
  if (row?.state !== 'running') {
    ctx.logger.error(`job ${options.jobId} is ${row ? row.state : 'unknown'}: nothing to run`);
    await ctx.close();
    return 1;
  }
  const fail = (error: string) => finishJob(project.db, row.id, 'failed', { error });
  const tool = options.tools.find((t) => t.name === row.tool);
  const parsed = tool?.inputSchema.safeParse(JSON.parse(row.args_json ?? '{}'));
  if (!tool || !parsed?.success) {
    fail(tool ? `the stored arguments of ${row.tool} no longer fit its schema` : `no tool ${row.tool} in this version`);
  } else {
    // A runner has no client to show a form to.
    const call: ToolCall = {
      ctx,
      args: parsed.data,
      signal: new AbortController().signal,
      progress: () => {},
      elicit: async () => ({ action: 'unsupported' }),
    };
    try {
      await tool.run(parsed.data, call);
    } catch (error) {
      // A failure the job recorded is already final; this records one from before the job's work began.
      fail(error instanceof Error ? error.message : String(error));
    }
  }
  await ctx.close();
  return 0;
}
