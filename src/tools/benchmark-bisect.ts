import { z } from 'zod';
import { type BisectChange, describeBisect } from '../bench/bisect.js';
import { COMPARE_MODES, checkCompareRefs, checkCompareRequest } from '../bench/compare.js';
import { UserError } from '../errors.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob, waitInput } from '../server/jobs.js';
import { bisectInProject } from '../session/comparisons.js';
import { sessionEnvironment } from '../session/environment.js';
import { refuseOptionLike } from '../workspace/paths.js';
import { sessionIdInput } from './shared.js';

const commit = z.object({ sha: z.string(), subject: z.string() });

const change = z.object({
  change_pct: z.number(),
  ci_low_pct: z.number(),
  ci_high_pct: z.number(),
  verdict: z.string(),
  comparison_id: z.string().optional(),
});

function publicChange(step: BisectChange): z.infer<typeof change> {
  return {
    change_pct: step.changePct,
    ci_low_pct: step.ciLowPct,
    ci_high_pct: step.ciHighPct,
    verdict: step.verdict,
    ...(step.comparisonId ? { comparison_id: step.comparisonId } : {}),
  };
}

export const benchmarkBisect = defineTool({
  name: 'benchmark_bisect',
  title: 'Bisect a slowdown',
  description: 'Find the commit after good that made the benchmark slower; skips ones that fail. Job.',
  input: {
    // Undescribed where benchmark_compare's inputs of the same name say it: this listing is paid for in every conversation.
    good: z.string().min(1).max(200),
    bad: z.string().min(1).max(200),
    command: z.string().min(1).max(4000).optional(),
    benchmark: z.string().max(500).optional(),
    mode: z.enum(COMPARE_MODES).optional().describe('Default instructions.'),
    setup: z.string().max(2000).optional(),
    wait_s: waitInput.unwrap().optional(),
    session_id: sessionIdInput,
  },
  output: {
    ...jobFields,
    outcome: z.enum(['found', 'ambiguous', 'no_slowdown']).optional(),
    benchmark: z.string().optional(),
    culprit: commit.optional(),
    step: change.optional().describe('culprit against its parent'),
    range: change.optional().describe('good against bad'),
    candidates: z.array(commit).optional(),
    skipped: z.array(commit.extend({ reason: z.string() })).optional(),
    commits: z.number().optional(),
    comparisons: z.number().optional(),
    markdown: z.string().optional(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, call) {
    const { project, session } = call.ctx.current(args.session_id);
    refuseOptionLike('good', args.good);
    refuseOptionLike('bad', args.bad);
    refuseOptionLike('benchmark', args.benchmark);
    const env = await sessionEnvironment(session, project.paths.root);
    if (env.language === 'unknown') throw new UserError('the project language is unknown: bisect needs a Python, Node or Go project');
    const maxTimeMs = 60_000;
    const request = {
      root: project.paths.root,
      good: args.good,
      bad: args.bad,
      command: args.command,
      benchmark: args.benchmark,
      language: env.language,
      mode: args.mode ?? 'instructions',
      python: env.python?.python,
      maxTimeMs,
      timeoutMs: 300_000,
      setup: args.setup,
      worktreesDir: project.paths.worktreesDir,
    };
    const asCompare = { ...request, base: args.good, head: args.bad };
    checkCompareRequest(asCompare);
    await checkCompareRefs(asCompare, call.signal);
    return runAsJob(call, {
      tool: 'benchmark_bisect',
      project,
      sessionId: session.id,
      // About log2 of the commits in comparisons, each with its budget and room for worktrees and setup.
      timeoutMs: 12 * (maxTimeMs + 5 * 60_000),
      work: async (hooks) => {
        const result = await bisectInProject(project, session.id, request, {
          signal: hooks.signal,
          onProgress: hooks.progress,
          log: hooks.log,
        });
        return {
          outcome: result.outcome,
          benchmark: result.benchmark,
          ...(result.culprit ? { culprit: result.culprit } : {}),
          ...(result.step ? { step: publicChange(result.step) } : {}),
          range: publicChange(result.range),
          candidates: result.candidates,
          skipped: result.skipped,
          commits: result.commits,
          comparisons: result.comparisons,
          markdown: result.markdown,
          summary: describeBisect(result),
          next: [
            result.outcome === 'found'
              ? `Read the culprit (git show ${result.culprit!.sha.slice(0, 12)}) and profile it; its comparison is ${result.step?.comparisonId ?? 'stored'}.`
              : result.outcome === 'ambiguous'
                ? 'Fix or skip the commits that did not run, or compare the candidates one by one with benchmark_compare.'
                : 'bad is not slower than good for this benchmark: check the refs, or use wall mode for an effect instructions do not count.',
          ],
        };
      },
    });
  },
});
