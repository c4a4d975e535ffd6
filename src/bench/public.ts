import { formatChangeInterval, formatPct } from '../format.js';
import type { Comparison, ComparisonRow } from './compare.js';
import { unchangedBoundPct, type Verdict } from './verdict.js';

/** A row in the public (snake_case) fields that benchmark_compare returns and `compare --json` writes. */
export interface PublicRow {
  name: string;
  base: number;
  head: number;
  unit: string;
  change_pct: number;
  ci_low_pct: number;
  ci_high_pct: number;
  p_value: number;
  mde_pct: number;
  verdict: Verdict;
  base_spread?: number;
  head_spread?: number;
  note?: string;
}

export function publicRow(row: ComparisonRow): PublicRow {
  return {
    name: row.name,
    base: row.base,
    head: row.head,
    unit: row.unit,
    change_pct: row.changePct,
    ci_low_pct: row.ciLowPct,
    ci_high_pct: row.ciHighPct,
    p_value: row.pValue,
    mde_pct: row.mdePct,
    verdict: row.verdict,
    base_spread: row.baseSpread,
    head_spread: row.headSpread,
    ...(row.note ? { note: row.note } : {}),
  };
}

/**
 * A comparison in its public fields: what the benchmark_compare tool returns and
 * stores (the codeflash://comparisons/{id} resource), and what `codeflash-mcp
 * compare --json` writes.
 */
export function publicComparison(comparison: Comparison) {
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
    method: comparison.method,
    looks_taken: comparison.looksTaken,
    schedule: comparison.schedule.ran,
    ...(comparison.schedule.note ? { schedule_note: comparison.schedule.note } : {}),
    layout_randomized: comparison.layoutRandomized,
    ...(comparison.timer ? { timer: comparison.timer } : {}),
    ...(comparison.morePairs !== undefined ? { more_pairs: comparison.morePairs } : {}),
    equivalence_pct: comparison.equivalencePct,
    runner: comparison.runner,
    ...(comparison.benchstat ? { benchstat: comparison.benchstat } : {}),
    timings: {
      total_ms: timings.totalMs,
      timed_ms: timings.timedMs,
      warmup_ms: timings.warmupMs,
      worktree_ms: timings.worktreeMs,
      setup_ms: timings.setupMs,
    },
    machine: comparison.machine,
    markdown: comparison.markdown,
  };
}

export type PublicComparison = ReturnType<typeof publicComparison>;

/** One row in one line: verdict, factor, change with its interval, p or the bound `unchanged` proves. */
export function describeRow(row: PublicRow, mode: string, equivalencePct: number): string {
  const change = formatChangeInterval(row.change_pct, row.ci_low_pct, row.ci_high_pct);
  const detectable = `smallest detectable ${formatPct(row.mde_pct)} %`;
  if (row.verdict === 'unchanged') {
    const bound = unchangedBoundPct({ ciLowPct: row.ci_low_pct, ciHighPct: row.ci_high_pct });
    return `${row.name}: unchanged, no change beyond ±${formatPct(bound)} % (${change}; equivalence ±${formatPct(equivalencePct)} %, ${detectable})`;
  }
  if (row.verdict === 'inconclusive') return `${row.name}: inconclusive (${change}, ${row.note ?? detectable})`;
  const ratio = 1 + row.change_pct / 100;
  const factor = row.verdict === 'faster' ? 1 / ratio : ratio;
  return `${row.name}: ${row.verdict} ${factor.toFixed(2)}× (${change}, p ${row.p_value < 0.001 ? '< 0.001' : `= ${row.p_value.toFixed(3)}`}, ${mode})`;
}
