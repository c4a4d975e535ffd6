import jStat from 'jstat';
import {
  errorFunction,
  max,
  mean,
  medianAbsoluteDeviation,
  medianSorted,
  min,
  quantileSorted,
  sampleStandardDeviation,
} from 'simple-statistics';

export type Verdict = 'faster' | 'slower' | 'unchanged';

export interface SampleSummary {
  n: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  stdev: number;
  q1: number;
  q3: number;
  /** Median absolute deviation from the median, unscaled. */
  mad: number;
}

export interface BootstrapOptions {
  /** Two-sided confidence level of the interval (default 0.95). */
  confidence?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** PRNG seed: the same samples and seed give the same interval. */
  seed?: number;
  /** base[i] and head[i] were measured together (interleaved); default: both sides have as many samples. */
  paired?: boolean;
}

export interface CompareOptions extends BootstrapOptions {
  /** Mann–Whitney significance level (default 0.05). */
  alpha?: number;
}

/**
 * Base against head for a "lower is better" metric (time, instructions, bytes).
 * Percentages are head relative to base: +10 means head takes 10 % more.
 */
export interface RatioComparison {
  base: SampleSummary;
  head: SampleSummary;
  /** median(head) / median(base). */
  ratio: number;
  changePct: number;
  ciLowPct: number;
  ciHighPct: number;
  pValue: number;
  noiseFloorPct: number;
  verdict: Verdict;
  /** Confidence level of [ciLowPct, ciHighPct]. */
  confidence: number;
}

const DEFAULT_CONFIDENCE = 0.95;
const DEFAULT_RESAMPLES = 2000;
const DEFAULT_SEED = 0x5eed;
const DEFAULT_ALPHA = 0.05;
/** Below this many pairs the interval is the range of the per-pair ratios, not a bootstrap. */
const BOOTSTRAP_MIN_PAIRS = 10;
/** Samples are exact for Mann–Whitney when both sides together hold at most this many values. */
const EXACT_U_MAX_TOTAL = 50;
/**
 * The smallest change an instruction count comparison calls. Measured with
 * callgrind on CPython 3 (PYTHONHASHSEED=0): repeated runs in one directory give
 * the identical count, so the spread within a ref is 0, yet the same program run
 * from two directories whose paths differ by 37 characters (as two worktrees do)
 * differs by 0.010 % (216 M instructions) to 0.014 % (a 146 M start-up-bound
 * script). 0.1 % stays 7× clear of that offset and far below any change worth a
 * commit.
 */
export const DETERMINISTIC_FLOOR_PCT = 0.1;
/**
 * The smallest wall-time change ever called: below half a percent, process
 * layout and start-up effects that no resampling sees (a worktree's path length,
 * environment size) are of the same order as the change.
 */
export const MIN_TIMED_FLOOR_PCT = 0.5;

export function summarize(xs: readonly number[]): SampleSummary {
  if (xs.length === 0) throw new Error('cannot summarize an empty sample');
  const sorted = sortedCopy(xs);
  return {
    n: sorted.length,
    median: medianSorted(sorted),
    mean: mean(sorted),
    min: min(sorted),
    max: max(sorted),
    stdev: sorted.length > 1 ? sampleStandardDeviation(sorted) : 0,
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
    mad: medianAbsoluteDeviation(sorted),
  };
}

/**
 * Two-sided Mann–Whitney U test. `u` is the statistic of `a` (the number of
 * (a, b) pairs with a > b, ties counting half). Without ties and with few values
 * the p-value is exact; otherwise it is the normal approximation with tie and
 * continuity correction (what scipy.stats.mannwhitneyu computes).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): { u: number; p: number } {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('Mann–Whitney needs values on both sides');
  const { rankSumA, tieTerm } = rankSum(a, b);
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const p = tieTerm === 0 && n1 + n2 <= EXACT_U_MAX_TOTAL ? exactUPValue(u, n1, n2) : normalUPValue(u, n1, n2, tieTerm);
  return { u, p };
}

/** Rank sum of `a` in the pooled sample (mid-ranks for ties) and Σ(t³ − t) over tie groups. */
function rankSum(a: readonly number[], b: readonly number[]): { rankSumA: number; tieTerm: number } {
  const pooled = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))];
  pooled.sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let start = 0; start < pooled.length; ) {
    let end = start;
    while (end + 1 < pooled.length && pooled[end + 1]!.value === pooled[start]!.value) end++;
    const ties = end - start + 1;
    const midRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (pooled[i]!.fromA) rankSumA += midRank;
    tieTerm += ties ** 3 - ties;
    start = end + 1;
  }
  return { rankSumA, tieTerm };
}

function normalUPValue(u: number, n1: number, n2: number, tieTerm: number): number {
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1;
  const z = Math.max(0, Math.abs(u - (n1 * n2) / 2) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 1 - errorFunction(z / Math.SQRT2));
}

/**
 * Exact two-sided p: twice the smaller tail of the null distribution of U. The
 * number of arrangements giving each U are the coefficients of the Gaussian
 * binomial [n1 + n2 choose n1]_q, built one factor (1 − q^(n2+i)) / (1 − q^i) at
 * a time; every intermediate is an integer polynomial, so doubles stay exact.
 */
function exactUPValue(u: number, n1: number, n2: number): number {
  const maxU = n1 * n2;
  const counts = new Float64Array(maxU + 1);
  counts[0] = 1;
  let degree = 0;
  for (let i = 1; i <= n1; i++) {
    const shift = n2 + i;
    degree += n2;
    for (let k = degree; k >= shift; k--) counts[k]! -= counts[k - shift]!;
    for (let k = i; k <= degree; k++) counts[k]! += counts[k - i]!;
  }
  let total = 0;
  let atMost = 0;
  const lowTail = Math.min(u, maxU - u);
  for (let k = 0; k <= maxU; k++) {
    total += counts[k]!;
    if (k <= lowTail) atMost += counts[k]!;
  }
  return Math.min(1, (2 * atMost) / total);
}

/**
 * Percentile bootstrap interval of the head/base ratio, with a seeded generator
 * so a result can be reproduced.
 *
 * Paired (the default when both sides have one sample per interleaved pair):
 * the ratio is the median of the per-pair ratios head_i / base_i, and pairs are
 * resampled whole. Runs close in time share the machine's state (load, clock,
 * cache), so on a shared machine pairing cancels much of the noise: measured
 * here on an A/A of a 50 ms program, 300 pairs gave ±1.5 % paired against ±4.4 %
 * with the sides resampled independently. Unpaired: median(head) / median(base),
 * each side resampled on its own.
 */
export function bootstrapRatioCI(
  base: readonly number[],
  head: readonly number[],
  opts: BootstrapOptions = {},
): { ratio: number; low: number; high: number } {
  const confidence = opts.confidence ?? DEFAULT_CONFIDENCE;
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const random = mulberry32(opts.seed ?? DEFAULT_SEED);
  const paired = opts.paired ?? base.length === head.length;
  let ratio: number;
  const ratios = new Float64Array(resamples);
  if (paired) {
    const logRatios = sortedCopy(head.map((h, i) => Math.log(h / base[i]!)));
    ratio = Math.exp(medianSorted(logRatios));
    // A bootstrap of a median from a handful of pairs comes out too narrow; the
    // full range of the per-pair ratios covers the median ratio with probability
    // 1 − 2^(1−n) (94 % at 5 pairs) whatever the distribution.
    if (logRatios.length < BOOTSTRAP_MIN_PAIRS) {
      return { ratio, low: Math.exp(logRatios[0]!), high: Math.exp(logRatios[logRatios.length - 1]!) };
    }
    const counts = new Uint32Array(logRatios.length);
    for (let r = 0; r < resamples; r++) ratios[r] = Math.exp(resampledMedian(logRatios, counts, random));
  } else {
    const baseSorted = sortedCopy(base);
    const headSorted = sortedCopy(head);
    ratio = medianSorted(headSorted) / medianSorted(baseSorted);
    const baseCounts = new Uint32Array(base.length);
    const headCounts = new Uint32Array(head.length);
    for (let r = 0; r < resamples; r++) {
      ratios[r] = resampledMedian(headSorted, headCounts, random) / resampledMedian(baseSorted, baseCounts, random);
    }
  }
  const sortedRatios = Array.from(ratios.sort());
  const tail = (1 - confidence) / 2;
  return { ratio, low: quantileSorted(sortedRatios, tail), high: quantileSorted(sortedRatios, 1 - tail) };
}

/**
 * The median of one resample with replacement of `sorted`, in O(n): count how
 * often each position is drawn, then walk the counts to the middle rank(s)
 * instead of sorting the resample.
 */
function resampledMedian(sorted: readonly number[], counts: Uint32Array, random: () => number): number {
  const n = sorted.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(random() * n)]!++;
  const lowRank = (n - 1) >> 1;
  const highRank = n >> 1;
  let seen = 0;
  let position = 0;
  while (seen + counts[position]! <= lowRank) seen += counts[position++]!;
  const low = sorted[position]!;
  while (seen + counts[position]! <= highRank) seen += counts[position++]!;
  return (low + sorted[position]!) / 2;
}

/**
 * The change an A/A comparison shows at this sample size, measured on the data
 * itself: each ref's runs split into alternate halves (runs 0, 2, 4… against
 * 1, 3, 5…, so drift falls on both) and compared with the same paired median
 * ratio. The larger of the two, never under MIN_TIMED_FLOOR_PCT: a change no
 * bigger than what identical code shows against itself is not called.
 */
export function noiseFloorPct(base: readonly number[], head: readonly number[]): number {
  return Math.max(MIN_TIMED_FLOOR_PCT, selfChangePct(base), selfChangePct(head));
}

function selfChangePct(xs: readonly number[]): number {
  const pairs = Math.floor(xs.length / 2);
  if (pairs === 0) return 0;
  const logRatios = sortedCopy(Array.from({ length: pairs }, (_, k) => Math.log(xs[2 * k + 1]! / xs[2 * k]!)));
  return Math.abs(toPct(Math.exp(medianSorted(logRatios))));
}

/**
 * Timed samples (lower is better). `unchanged` when the interval holds 0 %, when
 * the change is under the noise floor, or when Mann–Whitney does not reject at
 * `alpha`; otherwise the sign of the change decides. With paired samples the
 * change is the median per-pair ratio (see bootstrapRatioCI).
 */
export function compareSamples(base: readonly number[], head: readonly number[], opts: CompareOptions = {}): RatioComparison {
  return timedComparison(base, head, bootstrapRatioCI(base, head, opts), opts.confidence ?? DEFAULT_CONFIDENCE, opts.alpha);
}

/**
 * A timed result from a ratio and its interval: a change is called only when
 * the interval excludes 0 %, the change clears the noise floor, and
 * Mann–Whitney rejects at `alpha`.
 */
function timedComparison(
  base: readonly number[],
  head: readonly number[],
  interval: { ratio: number; low: number; high: number },
  confidence: number,
  alpha = DEFAULT_ALPHA,
): RatioComparison {
  const { p } = mannWhitneyU(head, base);
  const changePct = toPct(interval.ratio);
  const ciLowPct = toPct(interval.low);
  const ciHighPct = toPct(interval.high);
  const floor = noiseFloorPct(base, head);
  const called = (ciLowPct > 0 || ciHighPct < 0) && Math.abs(changePct) >= floor && p < alpha;
  return {
    base: summarize(base),
    head: summarize(head),
    ratio: interval.ratio,
    changePct,
    ciLowPct,
    ciHighPct,
    pValue: p,
    noiseFloorPct: floor,
    verdict: called ? verdictOf(changePct) : 'unchanged',
    confidence,
  };
}

/** Samples taken in one process: base[i] and head[i] form the i-th interleaved pair. */
export interface ProcessSamples {
  base: readonly number[];
  head: readonly number[];
}

/** The p-quantile of Student's t distribution with the given degrees of freedom (0.975 bounds a two-sided 95 % interval). */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  return jStat.studentt.inv(p, degreesOfFreedom);
}

/**
 * Pairs taken in several processes, where the process itself may shift one side:
 * two copies of identical code compiled into one V8 isolate can differ by a few
 * percent for as long as that process lives (measured: a within-process bootstrap
 * excluded 0 % on 7 of 30 A/A runs). So the process is the unit: each one gives
 * the median of its per-pair log ratios, the change is their mean, and the
 * interval is Student's t over the processes — it widens exactly as much as the
 * processes disagree. The noise floor and Mann–Whitney p come from all the
 * samples together, as in compareSamples, and all three must agree to call.
 */
export function compareProcessGroups(groups: readonly ProcessSamples[], opts: { alpha?: number } = {}): RatioComparison {
  const k = groups.length;
  if (k < 2) throw new Error(`at least 2 processes are needed, got ${k}`);
  const perProcess = groups.map(({ base, head }) => {
    if (base.length === 0 || base.length !== head.length) throw new Error('each process needs as many base as head samples, at least one');
    return medianSorted(sortedCopy(head.map((h, i) => Math.log(h / base[i]!))));
  });
  const centre = mean(perProcess);
  const t = studentTQuantile(1 - (1 - DEFAULT_CONFIDENCE) / 2, k - 1);
  const halfWidth = (t * sampleStandardDeviation(perProcess)) / Math.sqrt(k);
  const interval = { ratio: Math.exp(centre), low: Math.exp(centre - halfWidth), high: Math.exp(centre + halfWidth) };
  return timedComparison(
    groups.flatMap((group) => group.base),
    groups.flatMap((group) => group.head),
    interval,
    DEFAULT_CONFIDENCE,
    opts.alpha,
  );
}

/**
 * Counts that repeat almost exactly (instructions): a handful of runs per ref.
 * The interval spans every head/base ratio the runs allow, so it excludes 0 %
 * only when the two refs' ranges do not overlap; the noise floor is the larger
 * relative range within one ref, never under 0.1 %. The p-value is Mann–Whitney's
 * for the record: with two runs a side it cannot go under 0.33, so it does not
 * take part in the verdict.
 */
export function compareDeterministic(base: readonly number[], head: readonly number[]): RatioComparison {
  const baseSummary = summarize(base);
  const headSummary = summarize(head);
  const ratio = headSummary.median / baseSummary.median;
  const changePct = toPct(ratio);
  const ciLowPct = toPct(headSummary.min / baseSummary.max);
  const ciHighPct = toPct(headSummary.max / baseSummary.min);
  const floor = Math.max(DETERMINISTIC_FLOOR_PCT, relativeRangePct(baseSummary), relativeRangePct(headSummary));
  const called = (ciLowPct > 0 || ciHighPct < 0) && Math.abs(changePct) >= floor;
  return {
    base: baseSummary,
    head: headSummary,
    ratio,
    changePct,
    ciLowPct,
    ciHighPct,
    pValue: mannWhitneyU(head, base).p,
    noiseFloorPct: floor,
    verdict: called ? verdictOf(changePct) : 'unchanged',
    confidence: 1,
  };
}

function relativeRangePct(summary: SampleSummary): number {
  return summary.median === 0 ? 0 : (100 * (summary.max - summary.min)) / Math.abs(summary.median);
}

function verdictOf(changePct: number): Verdict {
  return changePct > 0 ? 'slower' : 'faster';
}

function toPct(ratio: number): number {
  return (ratio - 1) * 100;
}

function sortedCopy(xs: readonly number[]): number[] {
  return [...xs].sort((x, y) => x - y);
}

/** Small, fast, seedable PRNG (Mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
