import type { PublicRow } from '../bench/public.js';
import { type Thresholds, thresholdFor } from '../env/thresholds.js';
import { formatChangeInterval, formatPct } from '../format.js';

/** Without a threshold on the command line or in the repository, a row fails past this many percent. */
export const DEFAULT_FAIL_ON_REGRESSION_PCT = 5;

export type RowOutcome = 'pass' | 'fail' | 'inconclusive';

export interface GateRow {
  name: string;
  threshold_pct: number;
  outcome: RowOutcome;
  /** Why, in one line. */
  reason: string;
}

export interface GateDecision {
  passed: boolean;
  exit_code: 0 | 1;
  fail_on_inconclusive: boolean;
  thresholds_from: string[];
  rows: GateRow[];
  summary: string;
}

/**
 * The gate over a comparison's rows. A row fails only when it is a significant
 * slowdown whose whole interval lies past its threshold: a true change right at
 * the threshold fails at most as often as the interval misses (2.5 %), and an
 * identical pair of refs fails only when the verdict itself errs. An
 * inconclusive row passes unless `failOnInconclusive`.
 */
export function decideGate(
  rows: readonly PublicRow[],
  thresholds: Thresholds,
  options: { failOnRegressionPct?: number; failOnInconclusive: boolean },
): GateDecision {
  const judged = rows.map((row): GateRow => {
    const threshold = thresholdFor(thresholds, row.name, options.failOnRegressionPct, DEFAULT_FAIL_ON_REGRESSION_PCT);
    const change = formatChangeInterval(row.change_pct, row.ci_low_pct, row.ci_high_pct);
    const past = `past the ${formatPct(threshold)} % threshold`;
    if (row.verdict === 'slower' && row.ci_low_pct > threshold) {
      return { name: row.name, threshold_pct: threshold, outcome: 'fail', reason: `slower ${change}, ${past}` };
    }
    if (row.verdict === 'inconclusive') {
      return {
        name: row.name,
        threshold_pct: threshold,
        outcome: options.failOnInconclusive ? 'fail' : 'inconclusive',
        reason: `inconclusive ${change}${options.failOnInconclusive ? ' (--fail-on-inconclusive)' : ''}`,
      };
    }
    const within =
      row.verdict === 'slower' && row.change_pct > threshold ? `not shown ${past}` : `within the ${formatPct(threshold)} % threshold`;
    return { name: row.name, threshold_pct: threshold, outcome: 'pass', reason: `${row.verdict} ${change}, ${within}` };
  });
  const failed = judged.filter((row) => row.outcome === 'fail');
  const open = judged.filter((row) => row.outcome === 'inconclusive');
  // A pass with a slowdown says so: the threshold, not the measurement, let it through.
  const slowerWithin = judged.filter((row, i) => row.outcome === 'pass' && rows[i]!.verdict === 'slower');
  const summary = failed.length
    ? `Gate failed: ${failed.map((row) => `${row.name} ${row.reason}`).join('; ')}.`
    : `Gate passed: ${slowerWithin.length ? slowerWithin.map((row) => `${row.name} ${row.reason}`).join('; ') : 'no benchmark slower past its threshold'}${open.length ? `; ${open.length} inconclusive (not failing: pass --fail-on-inconclusive to fail on them)` : ''}.`;
  return {
    passed: failed.length === 0,
    exit_code: failed.length ? 1 : 0,
    fail_on_inconclusive: options.failOnInconclusive,
    thresholds_from: thresholds.sources,
    rows: judged,
    summary,
  };
}
