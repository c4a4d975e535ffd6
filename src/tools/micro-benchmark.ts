import { z } from 'zod';
import { MAX_PROCESSES, type MicroResult, runMicroBenchmark } from '../bench/micro.js';
import { VERDICTS } from '../bench/verdict.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob, waitInput } from '../server/jobs.js';
import { sessionEnvironment } from '../session/environment.js';
import { latestSession } from '../state/sessions.js';

const snippet = (what: string) => z.string().min(1).max(20_000).describe(what);

/** A result in the tool's public (snake_case) fields. */
function publicResult(result: MicroResult) {
  return {
    a_median_ns: result.a.median,
    b_median_ns: result.b.median,
    ratio: result.ratio,
    change_pct: result.changePct,
    ci_low_pct: result.ciLowPct,
    ci_high_pct: result.ciHighPct,
    p_value: result.pValue,
    noise_floor_pct: result.noiseFloorPct,
    mde_pct: result.mdePct,
    verdict: result.verdict,
    loops: result.loops,
    runs: result.runs,
    processes: result.processes,
  };
}

export const microBenchmark = defineTool({
  name: 'micro_benchmark',
  title: 'A/B two snippets',
  description:
    'Quick A/B pre-screen of two snippets (Python, Node, Go) in child processes: ratio with CI, verdict. Go: setup holds imports and declarations. Confirm with benchmark_compare.',
  input: {
    language: z.enum(['python', 'node', 'go']),
    package: z.string().max(500).optional().describe('Go: package dir to join; default the module root.'),
    setup: z.string().max(20_000).optional().describe('Untimed; may import project code.'),
    a: snippet('Current code.'),
    b: snippet('Proposed code.'),
    runs: z.number().int().min(5).max(500).optional().describe('Samples per variant; default 20.'),
    processes: z.number().int().min(2).max(MAX_PROCESSES).optional().describe('Default 4.'),
    timeout_s: z.number().min(1).max(1800).optional().describe('Default 120.'),
    wait_s: waitInput,
  },
  output: {
    ...jobFields,
    a_median_ns: z.number().optional(),
    b_median_ns: z.number().optional(),
    ratio: z.number().optional().describe('median(b)/median(a)'),
    change_pct: z.number().optional(),
    ci_low_pct: z.number().optional(),
    ci_high_pct: z.number().optional(),
    p_value: z.number().optional(),
    noise_floor_pct: z.number().optional(),
    mde_pct: z.number().optional().describe('Smallest difference this run could have called'),
    verdict: z.enum(VERDICTS).optional().describe('b against a'),
    loops: z.number().optional().describe('Loops per sample, same for a and b'),
    runs: z.number().optional(),
    processes: z.number().optional(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, call) {
    const project = call.ctx.project();
    const session = latestSession(project.db, 'active');
    const env = args.language === 'python' ? await sessionEnvironment(session, project.paths.root) : undefined;
    const timeoutMs = (args.timeout_s ?? 120) * 1000;
    return runAsJob(call, {
      tool: 'micro_benchmark',
      project,
      sessionId: session?.id ?? null,
      timeoutMs: timeoutMs + 10_000,
      work: async (hooks) => {
        const result = await runMicroBenchmark({
          language: args.language,
          setup: args.setup,
          a: args.a,
          b: args.b,
          runs: args.runs,
          processes: args.processes,
          python: env?.python?.python,
          dir: args.package,
          cwd: project.paths.root,
          timeoutMs,
          signal: hooks.signal,
          onProgress: hooks.progress,
        });
        return {
          ...publicResult(result),
          summary: `${result.summary.charAt(0).toUpperCase()}${result.summary.slice(1)}; ${result.runs} interleaved samples each in ${result.processes} processes.`,
          next:
            result.verdict === 'faster'
              ? ['Promising: make the change in the code, run_guard, then confirm end to end with benchmark_compare.']
              : result.verdict === 'inconclusive'
                ? [`Not settled (smallest detectable ±${result.mdePct.toFixed(1)} %): raise runs or processes, or try another idea.`]
                : ['b does not win in isolation: try another idea before editing the code.'],
        };
      },
    });
  },
});
