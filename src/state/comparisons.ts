import { excerpt, UserError } from '../errors.js';
import { getArtifact } from './artifacts.js';
import type { Db } from './database.js';

/** One benchmark row of a stored comparison, in the public snake_case fields benchmark_compare returns. */
export interface StoredRow {
  name: string;
  base: number;
  head: number;
  unit: string;
  change_pct: number;
  ci_low_pct: number;
  ci_high_pct: number;
  p_value: number;
  /** faster, slower, unchanged; later also inconclusive. */
  verdict: string;
  base_spread?: number;
  head_spread?: number;
  /** Why the verdict is not what the interval alone would give. */
  note?: string;
}

/** The inputs a comparison ran with, kept so a pull request can name the exact flags and a maintainer rerun it. */
export interface StoredRequest {
  command?: string | string[];
  benchmark?: string;
  mode: string;
  language?: string;
  runs?: number;
  warmup?: number;
  precision_pct?: number;
  equivalence_pct?: number;
  schedule?: string;
  max_time_s?: number;
  inject?: string[];
  setup?: string | string[];
}

/**
 * A comparison as stored (`codeflash://comparisons/{id}`): local from
 * benchmark_compare, or from a remote host, which adds the machine it ran on.
 */
export interface StoredComparison {
  id: string;
  session_id: string | null;
  created_at: string;
  mode: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  rows: StoredRow[];
  pairs: number;
  warmups: number;
  precision_reached_pct: number;
  stop_reason: string;
  runner: string;
  markdown: string;
  request?: StoredRequest;
  /** The machine it ran on (env/machine.ts MachineRecord): cpu_model, cpu_cores, memory_bytes, os, kernel, arch, runtimes, host_name. */
  machine?: Record<string, unknown>;
  /** The vm_bench host it ran on; absent when it ran here. */
  host?: string;
}

export function getComparison(db: Db, id: string): StoredComparison | undefined {
  const artifact = getArtifact<unknown, Omit<StoredComparison, 'id' | 'session_id' | 'created_at'>>(db, id, 'comparison');
  if (!artifact) return undefined;
  return { ...artifact.data, id: artifact.id, session_id: artifact.session_id, created_at: artifact.created_at };
}

/** A stored comparison, or a UserError that says where comparison ids come from. */
export function requireComparison(db: Db, id: string): StoredComparison {
  const comparison = getComparison(db, id);
  if (!comparison) throw new UserError(`unknown comparison ${excerpt(id, 60)}; pass the comparison_id a benchmark_compare returned`);
  return comparison;
}

/** The row an experiment rests on: the only one, or the one named; several rows and no name is an error listing them. */
export function comparisonRow(comparison: StoredComparison, name?: string): StoredRow {
  if (name !== undefined) {
    const row = comparison.rows.find((r) => r.name === name);
    if (!row) throw new UserError(`comparison ${comparison.id} has no row ${excerpt(name, 100)}; its rows: ${rowNames(comparison)}`);
    return row;
  }
  if (comparison.rows.length === 1) return comparison.rows[0]!;
  throw new UserError(`comparison ${comparison.id} has ${comparison.rows.length} rows: pass row, one of ${rowNames(comparison)}`);
}

function rowNames(comparison: StoredComparison): string {
  return comparison.rows
    .slice(0, 10)
    .map((r) => JSON.stringify(r.name))
    .join(', ');
}

/** The ledger metric of a comparison row: its mode and unit, e.g. `wall_ms`, `wall_ns_per_op`, `instructions`, `peak_rss_bytes`. */
/** The ledger metric of a comparison's row; a remote host's numbers carry its name (`wall_ms@bench-1`), so they never meet local ones. */
export function comparisonMetric(mode: string, unit: string, host?: string): string {
  const metric =
    mode === 'instructions'
      ? 'instructions'
      : mode === 'memory'
        ? `peak_rss_${unit}`
        : `${mode}_${unit.replace('/', '_per_').replace('µ', 'u')}`;
  return host ? `${metric}@${host}` : metric;
}

/** Units where a smaller number is the better one: times, bytes, instruction counts. */
const LOWER_IS_BETTER = new Set(['s', 'ms', 'us', 'µs', 'ns', 'ns/op', 'bytes', 'B', 'instructions']);

export function lowerIsBetter(unit: string): boolean {
  return LOWER_IS_BETTER.has(unit);
}
