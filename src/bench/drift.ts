import { mean, medianAbsoluteDeviation, medianSorted, sampleVariance } from 'simple-statistics';

/** Blocks are formed from this many pairs on: fewer give too few blocks to say anything. */
export const DRIFT_MIN_PAIRS = 40;
const MIN_BLOCK_PAIRS = 8;
const MAX_BLOCKS = 10;
/** Winsorizing at 3 robust standard deviations keeps one stalled run from posing as drift. */
const WINSOR_SDS = 3;
const MAD_TO_SD = 1.4826;

/**
 * How much wider an interval from per-pair differences must be because the
 * differences are not independent: on a shared machine the head/base ratio
 * itself moves with slow changes of load, frequency and cache, so pairs close in
 * time agree more than distant ones. Batch means: the pairs are cut into 5–10
 * consecutive time blocks, and the variance of the block means (times the block
 * length) is compared with the variance of single pairs; for independent pairs
 * the two agree. The factor is the square root of that ratio, never below 1,
 * applied to the standard deviation of the test statistic (see signed-rank.ts).
 * Values are winsorized first, so an outlier counts as noise, not as drift.
 */
export function driftFactor(differences: readonly number[]): number {
  const n = differences.length;
  if (n < DRIFT_MIN_PAIRS) return 1;
  const blocks = Math.min(MAX_BLOCKS, Math.floor(n / MIN_BLOCK_PAIRS));
  const size = Math.floor(n / blocks);
  // The earliest pairs make up the remainder: they are the likeliest to still carry start-up effects.
  const used = winsorized(differences.slice(n - blocks * size));
  const total = sampleVariance(used);
  if (!(total > 0)) return 1;
  const means = Array.from({ length: blocks }, (_, b) => mean(used.slice(b * size, (b + 1) * size)));
  return Math.sqrt(Math.max(1, (size * sampleVariance(means)) / total));
}

function winsorized(xs: readonly number[]): number[] {
  const centre = medianSorted([...xs].sort((a, b) => a - b));
  const reach = WINSOR_SDS * MAD_TO_SD * medianAbsoluteDeviation(xs);
  if (reach === 0) return [...xs];
  return xs.map((x) => Math.min(centre + reach, Math.max(centre - reach, x)));
}
