import { z } from 'zod';
import { COMPARE_MODES, type CompareRequest, checkCompareRefs, checkCompareRequest, compareRefs } from '../bench/compare.js';
import { describeRow, type PublicRow } from '../bench/public.js';
import { VERDICTS } from '../bench/verdict.js';
import { WORKING_TREE_REF } from '../bench/worktrees.js';
import { UserError } from '../errors.js';
import { formatPct } from '../format.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob, waitInput } from '../server/jobs.js';
import { recordComparison } from '../session/comparisons.js';
import { sessionEnvironment } from '../session/environment.js';
import type { StoredRequest } from '../state/comparisons.js';
import { changedPaths, isGitRepo } from '../workspace/git.js';
import { refuseOptionLike } from '../workspace/paths.js';
import { sessionIdInput } from './shared.js';

/** Rows shown inline; a suite with more keeps them all in the comparison resource. */
export const MAX_ROWS = 40;

const commandInput = z
  .union([z.string().min(1).max(4000), z.array(z.string().max(4000)).min(1).max(200)])
  .describe('Run in each worktree (argv or string); a script gets its runtime first: "bench.py", "-m pkg", "bench.js", "bench.ts".');

export const rowOutput = z.object({
  name: z.string(),
  base: z.number(),
  head: z.number(),
  unit: z.string(),
  change_pct: z.number().describe('negative: head faster'),
  ci_low_pct: z.number(),
  ci_high_pct: z.number(),
  p_value: z.number(),
  mde_pct: z.number().describe('smallest change this run could have called'),
  verdict: z.enum(VERDICTS),
  base_spread: z.number().optional().describe('median absolute deviation'),
  head_spread: z.number().optional(),
  note: z.string().optional().describe('why the verdict is not what the interval alone gives'),
}) satisfies z.ZodType<PublicRow>;

const REQUEST_INPUTS = [
  'command',
  'benchmark',
  'language',
  'runs',
  'warmup',
  'precision_pct',
  'equivalence_pct',
  'schedule',
  'max_time_s',
  'inject',
  'setup',
] as const;

/** The inputs a compare was given (defaults left out), as its stored comparison keeps them. */
export function storedRequest(args: Partial<Record<(typeof REQUEST_INPUTS)[number], unknown>>, mode: string): StoredRequest {
  const given = REQUEST_INPUTS.filter((key) => args[key] !== undefined).map((key) => [key, args[key]]);
  return { mode, ...Object.fromEntries(given) };
}

export const benchmarkCompare = defineTool({
  name: 'benchmark_compare',
  title: 'Compare base and head',
  description:
    'Compare a command or benchmark suite at two git refs (own worktrees, interleaved, sequential looks until settled). Rows: change_pct, CI, p_value, verdict (faster, slower, unchanged, inconclusive); PR markdown; comparison_id for record_result. Runs as a job.',
  input: {
    base: z.string().min(1).max(200).describe('e.g. main, HEAD~1.'),
    head: z.string().min(1).max(200).describe('Ref, or WORKTREE (uncommitted).'),
    command: commandInput.optional(),
    benchmark: z
      .string()
      .max(500)
      .optional()
      .describe('Instead of command: pytest-benchmark path; vitest bench or tinybench/mitata file; Go package[:pattern].'),
    mode: z
      .enum(COMPARE_MODES)
      .optional()
      .describe(
        'Default wall; cpu: user+system time (single-threaded CPU-bound code on a shared machine); instructions: callgrind; memory: peak RSS.',
      ),
    language: z.enum(['python', 'node', 'go']).optional().describe('Default: detected.'),
    runs: z.number().int().min(1).max(500).optional().describe('Fixed pairs (at least 6); omit to stop once settled.'),
    warmup: z.number().int().min(0).max(20).optional().describe('Dropped runs per ref; default 1.'),
    precision_pct: z
      .number()
      .min(0.1)
      .max(50)
      .optional()
      .describe('faster/slower also wait for the CI half-width to be within this; default: the direction settles it.'),
    equivalence_pct: z.number().min(0.1).max(50).optional().describe('unchanged = CI inside ± this; default 1.'),
    schedule: z.enum(['interleaved', 'duet']).optional().describe('duet: both refs at once on two pinned cores. Default interleaved.'),
    max_time_s: z.number().min(5).max(3600).optional().describe('Measuring budget; default 120.'),
    timeout_s: z.number().min(1).max(3600).optional().describe('Per run; default 300.'),
    inject: z.array(z.string().min(1).max(500)).max(50).optional().describe('Copied into both worktrees (benchmarks newer than base).'),
    setup: z
      .union([z.string().max(2000), z.array(z.string().max(2000)).max(50)])
      .optional()
      .describe('Per-worktree build step; pure Python needs none.'),
    wait_s: waitInput,
    session_id: sessionIdInput,
  },
  output: {
    ...jobFields,
    comparison_id: z.string().optional(),
    mode: z.string().optional(),
    base: z.object({ ref: z.string(), sha: z.string() }).optional(),
    head: z.object({ ref: z.string(), sha: z.string() }).optional(),
    rows: z.array(rowOutput).optional(),
    rows_omitted: z.number().optional(),
    pairs: z.number().optional(),
    warmups: z.number().optional(),
    precision_reached_pct: z.number().optional(),
    stop_reason: z.string().optional(),
    method: z.string().optional().describe('stopping rule and interval'),
    looks_taken: z.number().optional(),
    schedule: z.enum(['interleaved', 'duet']).optional().describe('the schedule that ran'),
    schedule_note: z.string().optional(),
    layout_randomized: z.boolean().optional(),
    timer: z.string().optional(),
    more_pairs: z.number().optional().describe('inconclusive: pairs the measured noise suggests would settle it'),
    equivalence_pct: z.number().optional(),
    runner: z.string().optional(),
    timings: z.record(z.string(), z.number()).optional().describe('total_ms, timed_ms, warmup_ms, worktree_ms, setup_ms'),
    markdown: z.string().optional(),
    uri: z.string().optional(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, call) {
    const { ctx } = call;
    const { project, session } = ctx.current(args.session_id);
    refuseOptionLike('base', args.base);
    refuseOptionLike('head', args.head);
    refuseOptionLike('benchmark', args.benchmark);
    for (const path of args.inject ?? []) refuseOptionLike('inject path', path);
    const env = await sessionEnvironment(session, project.paths.root);
    const language = args.language ?? (env.language === 'unknown' ? undefined : env.language);
    if (!language) throw new UserError('the project language is unknown: pass language python, node or go');
    const mode = args.mode ?? 'wall';
    const timeoutMs = (args.timeout_s ?? 300) * 1000;
    const maxTimeMs = (args.max_time_s ?? 120) * 1000;
    const request: CompareRequest = {
      root: project.paths.root,
      base: args.base,
      head: args.head,
      command: args.command,
      benchmark: args.benchmark,
      language,
      mode,
      python: env.python?.python,
      runs: args.runs,
      warmup: args.warmup,
      precisionPct: args.precision_pct,
      equivalencePct: args.equivalence_pct,
      schedule: args.schedule,
      maxTimeMs,
      timeoutMs,
      inject: args.inject,
      setup: args.setup,
      worktreesDir: project.paths.worktreesDir,
    };
    checkCompareRequest(request);
    await checkCompareRefs(request, call.signal);
    const unmeasured = await unmeasuredChanges(project.paths.root, project.paths.stateDir, [args.base, args.head]);
    return runAsJob(call, {
      tool: 'benchmark_compare',
      project,
      sessionId: session.id,
      // Measuring budget plus room for worktrees, setup, warmups and the last pairs.
      timeoutMs: maxTimeMs + 20 * 60_000,
      work: async (hooks) => {
        const measured = await compareRefs(request, { signal: hooks.signal, onProgress: hooks.progress, log: hooks.log });
        const { id, record: comparison } = recordComparison(project, session.id, measured, storedRequest(args, mode));
        const rows = comparison.rows.slice(0, MAX_ROWS);
        const changed = comparison.rows.filter((r) => r.verdict === 'faster' || r.verdict === 'slower');
        const open = comparison.rows.filter((r) => r.verdict === 'inconclusive');
        const dirtyNote = unmeasured
          ? [
              `The working tree has ${unmeasured} uncommitted change(s) to tracked files that neither ref holds: commit them, or pass head "WORKTREE" to measure them.`,
            ]
          : [];
        const { method, looks_taken, schedule, schedule_note, layout_randomized, timer, more_pairs, equivalence_pct } = comparison;
        return {
          comparison_id: id,
          mode: comparison.mode,
          base: comparison.base,
          head: comparison.head,
          rows,
          ...(comparison.rows.length > rows.length ? { rows_omitted: comparison.rows.length - rows.length } : {}),
          pairs: comparison.pairs,
          warmups: comparison.warmups,
          precision_reached_pct: comparison.precision_reached_pct,
          stop_reason: comparison.stop_reason,
          method,
          looks_taken,
          schedule,
          ...(schedule_note ? { schedule_note } : {}),
          layout_randomized,
          ...(timer ? { timer } : {}),
          ...(more_pairs !== undefined ? { more_pairs } : {}),
          equivalence_pct,
          runner: comparison.runner,
          timings: comparison.timings,
          markdown: comparison.markdown,
          uri: `codeflash://comparisons/${id}`,
          summary:
            comparison.rows.length === 1
              ? `${describeRow(comparison.rows[0]!, mode, equivalence_pct)}; ${comparison.pairs} pairs, ${schedule}.`
              : `${comparison.rows.length} benchmarks: ${changed.length} changed (${changed.filter((r) => r.verdict === 'faster').length} faster), ${open.length} inconclusive, ${comparison.pairs} pairs, ${mode} mode.`,
          next: [
            ...dirtyNote,
            nextStep(comparison.rows, id, {
              precision: comparison.precision_reached_pct,
              morePairs: more_pairs,
              timings: comparison.timings,
              pairs: comparison.pairs,
            }),
          ],
        };
      },
    });
  },
});

/** What to do with the result: only `faster` everywhere supports a keep; `inconclusive` says how far it got and what would settle it. */
function nextStep(
  rows: PublicRow[],
  id: string,
  reached: { precision: number; morePairs?: number; timings: { timed_ms: number }; pairs: number },
): string {
  if (rows.some((r) => r.verdict === 'slower'))
    return `A slowdown is shown: record_result status "discard" with comparison_id ${id}, or investigate the slower rows.`;
  const objected = rows.find((r) => r.note !== undefined);
  if (objected) return `${objected.name} is not shown faster: ${objected.note}. Do not keep on this result.`;
  if (rows.some((r) => r.verdict === 'inconclusive')) {
    const perPairS = reached.timings.timed_ms / 1000 / Math.max(1, reached.pairs);
    const more =
      reached.morePairs === undefined
        ? ''
        : ` About ${reached.morePairs} more pairs (~${Math.ceil(reached.morePairs * perPairS)} s of runs) would settle it at the noise seen.`;
    return `Inconclusive: the budget ran out at ±${formatPct(reached.precision)} %.${more} Raise max_time_s, try schedule "duet", mode "cpu" (single-threaded CPU-bound code) or instructions mode; do not keep on this result.`;
  }
  if (rows.some((r) => r.verdict === 'faster')) return `record_result status "keep" with comparison_id ${id}.`;
  return 'No change beyond the equivalence bound: record_result "discard", or try instructions mode for a smaller effect.';
}

/** Tracked changes in the working tree that a compare of two committed refs does not see. */
async function unmeasuredChanges(root: string, stateDir: string, refs: string[]): Promise<number> {
  if (refs.includes(WORKING_TREE_REF) || !(await isGitRepo(root))) return 0;
  return (await changedPaths(root, stateDir)).tracked.length;
}
