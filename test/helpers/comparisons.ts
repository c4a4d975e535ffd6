import { type ComparisonRow, markdownTable } from '../../src/bench/report.js';
import { saveArtifact } from '../../src/state/artifacts.js';
import type { StoredRequest } from '../../src/state/comparisons.js';
import type { Db } from '../../src/state/database.js';

export interface SyntheticRow {
  name?: string;
  base: number;
  head: number;
  unit?: string;
  verdict: string;
  /** Interval half-width in percent; default 1. */
  halfWidth?: number;
}

/**
 * A comparison stored exactly as benchmark_compare stores one (public fields,
 * the report's own markdown table), with numbers chosen by the test: verdict
 * rules and documents are checked on known values instead of timing noise.
 */
export function storeComparison(
  db: Db,
  input: {
    sessionId: string | null;
    base: { ref: string; sha: string };
    head: { ref: string; sha: string };
    rows: SyntheticRow[];
    mode?: string;
    request?: StoredRequest | null;
    machine?: Record<string, unknown>;
    host?: string;
    pairs?: number;
  },
): string {
  const mode = input.mode ?? 'wall';
  const pairs = input.pairs ?? 12;
  const rows: ComparisonRow[] = input.rows.map((r) => {
    const change = ((r.head - r.base) / r.base) * 100;
    const half = r.halfWidth ?? 1;
    return {
      name: r.name ?? 'bench.py',
      base: r.base,
      head: r.head,
      unit: r.unit ?? 'ms',
      changePct: change,
      ciLowPct: change - half,
      ciHighPct: change + half,
      pValue: r.verdict === 'unchanged' || r.verdict === 'inconclusive' ? 0.4 : 0.0001,
      noiseFloorPct: 1,
      mdePct: 2 * half,
      verdict: r.verdict as ComparisonRow['verdict'],
    };
  });
  const markdown = markdownTable(rows, {
    mode,
    base: input.base,
    head: input.head,
    pairs,
    warmups: 1,
    precisionPct: 1,
    runner: 'python3 bench.py',
  });
  const data = {
    ...(input.request === null ? {} : { request: input.request ?? { mode, command: 'bench.py' } }),
    mode,
    base: input.base,
    head: input.head,
    rows: rows.map((r) => ({
      name: r.name,
      base: r.base,
      head: r.head,
      unit: r.unit,
      change_pct: r.changePct,
      ci_low_pct: r.ciLowPct,
      ci_high_pct: r.ciHighPct,
      p_value: r.pValue,
      mde_pct: r.mdePct,
      verdict: r.verdict,
    })),
    samples: {},
    pairs,
    warmups: 1,
    precision_reached_pct: 1,
    stop_reason: 'precision_reached',
    runner: 'python3 bench.py',
    timings: { total_ms: 1, timed_ms: 1, warmup_ms: 0, worktree_ms: 0, setup_ms: 0 },
    markdown,
    ...(input.machine ? { machine: input.machine } : {}),
    ...(input.host ? { host: input.host } : {}),
  };
  return saveArtifact(db, 'comparison', input.sessionId, { mode, rows: data.rows }, data);
}
