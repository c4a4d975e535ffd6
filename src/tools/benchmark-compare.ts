import { z } from 'zod';
import { type CompareRequest, type Comparison, type ComparisonRow, checkCompareRequest, compareRefs } from '../bench/compare.js';
import { WORKING_TREE_REF } from '../bench/worktrees.js';
import { UserError } from '../errors.js';
import { formatChangeInterval, formatPct } from '../format.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob, waitInput } from '../server/jobs.js';
import { sessionEnvironment } from '../session/environment.js';
import { saveArtifact } from '../state/artifacts.js';
import { changedPaths, isGitRepo } from '../workspace/git.js';
import { refuseOptionLike } from '../workspace/paths.js';
import { sessionIdInput } from './shared.js';

/** Rows shown inline; a suite with more keeps them all in the comparison resource. */
const MAX_ROWS = 40;

const commandInput = z
  .union([z.string().min(1).max(4000), z.array(z.string().max(4000)).min(1).max(200)])
  .describe('Run in each worktree; Python "bench.py" or "-m pkg".');

const rowOutput = z.object({
  name: z.string(),
  base: z.number(),
  head: z.number(),
  unit: z.string(),
  change_pct: z.number().describe('negative: head faster'),
  ci_low_pct: z.number(),
  ci_high_pct: z.number(),
  p_value: z.number(),
  verdict: z.enum(['faster', 'slower', 'unchanged']),
  base_spread: z.number().optional().describe('median absolute deviation'),
  head_spread: z.number().optional(),
});

type PublicRow = z.infer<typeof rowOutput>;

/** A row in the tool's public (snake_case) fields. */
function publicRow(row: ComparisonRow): PublicRow {
  return {
    name: row.name,
    base: row.base,
    head: row.head,
    unit: row.unit,
    change_pct: row.changePct,
    ci_low_pct: row.ciLowPct,
    ci_high_pct: row.ciHighPct,
    p_value: row.pValue,
    verdict: row.verdict,
    base_spread: row.baseSpread,
    head_spread: row.headSpread,
  };
}

/** A comparison in the tool's public fields, as it is returned and stored (the codeflash://comparisons/{id} resource). */
function publicComparison(comparison: Comparison) {
  const { timings } = comparison;
  return {
    mode: comparison.mode,
    base: comparison.base,
    head: comparison.head,
    rows: comparison.rows.map(publicRow),
    samples: comparison.samples,
    pairs: comparison.pairs,
    warmups: comparison.warmups,
    precision_reached_pct: comparison.precisionReachedPct,
    stop_reason: comparison.stopReason,
    runner: comparison.runner,
    timings: {
      total_ms: timings.totalMs,
      timed_ms: timings.timedMs,
      warmup_ms: timings.warmupMs,
      worktree_ms: timings.worktreeMs,
      setup_ms: timings.setupMs,
    },
    markdown: comparison.markdown,
  };
}

function describeRow(row: PublicRow, mode: string): string {
  const change = formatChangeInterval(row.change_pct, row.ci_low_pct, row.ci_high_pct);
  if (row.verdict === 'unchanged') return `${row.name}: no change shown (${change})`;
  const factor = row.verdict === 'faster' ? row.base / row.head : row.head / row.base;
  return `${row.name}: ${row.verdict} ${factor.toFixed(2)}× (${change}, p ${row.p_value < 0.001 ? '< 0.001' : `= ${row.p_value.toFixed(3)}`}, ${mode})`;
}

export const benchmarkCompare = defineTool({
  name: 'benchmark_compare',
  title: 'Compare base and head',
  description:
    'Compare a command or benchmark suite at two git refs (own worktrees, interleaved until precision_pct). Rows: change_pct, CI, p_value, verdict; PR markdown; comparison_id for record_result. Runs as a job.',
  input: {
    base: z.string().min(1).max(200).describe('e.g. main, HEAD~1.'),
    head: z.string().min(1).max(200).describe('Ref, or WORKTREE (uncommitted).'),
    command: commandInput.optional(),
    benchmark: z.string().max(500).optional().describe('Instead of command: pytest-benchmark path or Go package[:pattern].'),
    mode: z.enum(['wall', 'instructions', 'memory']).optional().describe('Default wall; instructions: callgrind; memory: peak RSS.'),
    language: z.enum(['python', 'node', 'go']).optional().describe('Default: detected.'),
    runs: z.number().int().min(1).max(500).optional().describe('Fixed pairs; omit for adaptive.'),
    warmup: z.number().int().min(0).max(20).optional().describe('Dropped runs per ref; default 1.'),
    precision_pct: z.number().min(0.1).max(50).optional().describe('Target CI half-width; default 1.'),
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
      maxTimeMs,
      timeoutMs,
      inject: args.inject,
      setup: args.setup,
      worktreesDir: project.paths.worktreesDir,
    };
    checkCompareRequest(request);
    const unmeasured = await unmeasuredChanges(project.paths.root, project.paths.stateDir, [args.base, args.head]);
    return runAsJob(call, {
      tool: 'benchmark_compare',
      project,
      sessionId: session.id,
      // Measuring budget plus room for worktrees, setup, warmups and the last pairs.
      timeoutMs: maxTimeMs + 20 * 60_000,
      work: async (hooks) => {
        const measured = await compareRefs(request, { signal: hooks.signal, onProgress: hooks.progress, log: hooks.log });
        const comparison = publicComparison(measured);
        const rows = comparison.rows.slice(0, MAX_ROWS);
        const id = saveArtifact(
          project.db,
          'comparison',
          session.id,
          { mode, base: comparison.base, head: comparison.head, rows: comparison.rows },
          comparison,
        );
        const changed = comparison.rows.filter((r) => r.verdict !== 'unchanged');
        const dirtyNote = unmeasured
          ? [
              `The working tree has ${unmeasured} uncommitted change(s) to tracked files that neither ref holds: commit them, or pass head "WORKTREE" to measure them.`,
            ]
          : [];
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
          runner: comparison.runner,
          timings: comparison.timings,
          markdown: comparison.markdown,
          uri: `codeflash://comparisons/${id}`,
          summary:
            comparison.rows.length === 1
              ? `${describeRow(comparison.rows[0]!, mode)}; ${comparison.pairs} pairs.`
              : `${comparison.rows.length} benchmarks: ${changed.length} changed (${changed.filter((r) => r.verdict === 'faster').length} faster), ${comparison.pairs} pairs, ${mode} mode.`,
          next: [
            ...dirtyNote,
            ...(changed.length && changed.every((r) => r.verdict === 'faster')
              ? [`record_result status "keep" with comparison_id ${id}.`]
              : changed.some((r) => r.verdict === 'slower')
                ? [`A slowdown is shown: record_result status "discard" with comparison_id ${id}, or investigate the slower rows.`]
                : [
                    comparison.stop_reason === 'precision_reached'
                      ? `No change beyond the noise at ±${formatPct(comparison.precision_reached_pct)} %: record_result "discard", or try instructions mode for a small effect.`
                      : `Not resolved (±${formatPct(comparison.precision_reached_pct)} % reached): raise max_time_s, or use instructions mode.`,
                  ]),
          ],
        };
      },
    });
  },
});

/** Tracked changes in the working tree that a compare of two committed refs does not see. */
async function unmeasuredChanges(root: string, stateDir: string, refs: string[]): Promise<number> {
  if (refs.includes(WORKING_TREE_REF) || !(await isGitRepo(root))) return 0;
  return (await changedPaths(root, stateDir)).tracked.length;
}
