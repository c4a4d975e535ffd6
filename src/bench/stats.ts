import jStat from 'jstat';
import { max, mean, medianAbsoluteDeviation, medianSorted, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { crossingProbability, pocockBoundary } from './boundary.js';
import { driftFactor } from './drift.js';
import { shiftInterval, signedRankTest } from './signed-rank.js';
import { DEFAULT_EQUIVALENCE_PCT, type Verdict, verdictOf } from './verdict.js';

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

export interface CompareOptions {
  /** Overall two-sided error rate of the interval (default 0.05). */
  alpha?: number;
  /**
   * The pair counts the sampling is scheduled to look at (default: this
   * comparison is the only look). Every look's interval is taken at Pocock's
   * boundary for that schedule, so the interval at whichever look the sampling
   * stopped holds with 1 − alpha overall.
   */
  looks?: readonly number[];
  /** `unchanged` needs the interval inside ± this many percent (default 1). */
  equivalencePct?: number;
}

/**
 * Base against head for a "lower is better" metric (time, instructions, bytes).
 * Percentages are head relative to base: +10 means head takes 10 % more.
 */
export interface RatioComparison {
  base: SampleSummary;
  head: SampleSummary;
  /** The estimated head/base ratio. */
  ratio: number;
  changePct: number;
  ciLowPct: number;
  ciHighPct: number;
  /** Two-sided p-value of the paired test, adjusted for the looks. */
  pValue: number;
  noiseFloorPct: number;
  /** The smallest change this comparison would have called (80 % of the time), at the noise it measured. */
  mdePct: number;
  verdict: Verdict;
  /** Confidence level of [ciLowPct, ciHighPct], over all looks together. */
  confidence: number;
  /** How much the time blocks widened the interval (1: pairs far apart in time agree as well as near ones). */
  driftFactor: number;
}

const DEFAULT_ALPHA = 0.05;
/** The power the smallest detectable change is stated at. */
const MDE_POWER = 0.8;
/**
 * The smallest change an instruction count comparison calls. Measured with
 * callgrind on CPython 3 (PYTHONHASHSEED=0): repeated runs in one directory give
 * the identical count, so the spread within a ref is 0, yet the same program run
 * from two directories whose paths differ by 37 characters (as two worktrees did
 * before their paths were made equally long) differs by 0.010 % (216 M
 * instructions) to 0.014 % (a 146 M start-up-bound script). 0.1 % stays 7× clear
 * of that offset and far below any change worth a commit.
 */
export const DETERMINISTIC_FLOOR_PCT = 0.1;
/**
 * The smallest wall-time change ever called: below half a percent, process
 * layout and start-up effects that no interval over pairs sees are of the same
 * order as the change.
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
 * The band a timed change must clear: never under MIN_TIMED_FLOOR_PCT, and
 * wider when a ref shows a change against itself. Each ref's runs are split
 * into alternate halves (runs 0, 2, 4… against 1, 3, 5…; in ABBA order these
 * sit first and second in their pairs, so an order effect shows here) and
 * compared like base and head; only a self-change whose own 95 % interval
 * excludes 0 widens the band, to the interval's near end. Plain noise is in
 * the interval of the change already, and counting it twice would only delay
 * every verdict.
 */
export function noiseFloorPct(base: readonly number[], head: readonly number[]): number {
  return Math.max(MIN_TIMED_FLOOR_PCT, selfChangePct(base), selfChangePct(head));
}

/** Fewer alternate pairs than this show no self-change (the signed-rank test needs 6 to reach 95 %). */
const SELF_CHANGE_MIN_PAIRS = 6;

function selfChangePct(xs: readonly number[]): number {
  const pairs = Math.floor(xs.length / 2);
  if (pairs < SELF_CHANGE_MIN_PAIRS) return 0;
  const { low, high } = shiftInterval(
    Array.from({ length: pairs }, (_, k) => Math.log(xs[2 * k + 1]! / xs[2 * k]!)),
    0.95,
  );
  if (low <= 0 && high >= 0) return 0;
  return Math.abs(toPct(Math.exp(low > 0 ? low : high)));
}

/**
 * Timed samples taken in interleaved pairs (lower is better): base[i] and
 * head[i] ran back to back (or at once, in duet), so they share the machine's
 * state and their log ratio cancels it. The change is the Hodges–Lehmann
 * estimate of the per-pair log ratios, its interval the signed-rank interval at
 * the looks' boundary, widened when time blocks of pairs disagree more than
 * single pairs do (driftFactor). The p-value is the signed-rank test's, read
 * through the boundary: the chance that some look of the schedule would have
 * gone as far by luck alone.
 */
export function compareSamples(base: readonly number[], head: readonly number[], opts: CompareOptions = {}): RatioComparison {
  if (base.length === 0 || base.length !== head.length) throw new Error('paired samples need as many base as head values, at least one');
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  // One look is a plain interval and a plain p-value.
  const looks = opts.looks && opts.looks.length > 1 ? opts.looks : undefined;
  const critical = looks ? pocockBoundary(looks, alpha) : jStat.normal.inv(1 - alpha / 2, 0, 1);
  const lookAlpha = 2 * jStat.normal.cdf(-critical, 0, 1);
  const logRatios = head.map((h, i) => Math.log(h / base[i]!));
  const spreadFactor = driftFactor(logRatios);
  const interval = shiftInterval(logRatios, 1 - lookAlpha, { spreadFactor });
  const { p } = signedRankTest(logRatios, { spreadFactor });
  return comparison(base, head, {
    logInterval: interval,
    pValue: looks ? crossingProbability(looks, jStat.normal.inv(1 - p / 2, 0, 1)) : p,
    noiseFloorPct: noiseFloorPct(base, head),
    powerFactor: 1 + jStat.normal.inv(MDE_POWER, 0, 1) / critical,
    confidence: 1 - alpha,
    equivalencePct: opts.equivalencePct,
    driftFactor: spreadFactor,
  });
}

/** Student's t two-sided p-value of a mean `estimate` with standard error `se` on `df` degrees of freedom. */
function tTestP(estimate: number, se: number, df: number): number {
  if (se === 0) return estimate === 0 ? 1 : 0;
  return Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(estimate / se), df));
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
 * interval and p-value are Student's t over the processes — it widens exactly as
 * much as the processes disagree.
 */
export function compareProcessGroups(groups: readonly ProcessSamples[], opts: Omit<CompareOptions, 'looks'> = {}): RatioComparison {
  const k = groups.length;
  if (k < 2) throw new Error(`at least 2 processes are needed, got ${k}`);
  const perProcess = groups.map(({ base, head }) => {
    if (base.length === 0 || base.length !== head.length) throw new Error('each process needs as many base as head samples, at least one');
    return medianSorted(sortedCopy(head.map((h, i) => Math.log(h / base[i]!))));
  });
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const centre = mean(perProcess);
  const se = sampleStandardDeviation(perProcess) / Math.sqrt(k);
  const critical = studentTQuantile(1 - alpha / 2, k - 1);
  const halfWidth = critical * se;
  return comparison(
    groups.flatMap((group) => group.base),
    groups.flatMap((group) => group.head),
    {
      logInterval: { estimate: centre, low: centre - halfWidth, high: centre + halfWidth },
      pValue: tTestP(centre, se, k - 1),
      noiseFloorPct: noiseFloorPct(
        groups.flatMap((group) => group.base),
        groups.flatMap((group) => group.head),
      ),
      powerFactor: 1 + studentTQuantile(MDE_POWER, k - 1) / critical,
      confidence: 1 - alpha,
      equivalencePct: opts.equivalencePct,
      driftFactor: 1,
    },
  );
}

/**
 * Counts that repeat almost exactly (instructions): a handful of runs per ref.
 * The interval spans every head/base ratio the runs allow, so it clears the
 * noise band only when the two refs' ranges do not overlap; the noise floor is
 * the larger relative range within one ref, never under 0.1 %. The p-value is
 * the signed-rank test's for the record: with two pairs it cannot go under 0.5,
 * so it does not take part in the verdict.
 */
export function compareDeterministic(
  base: readonly number[],
  head: readonly number[],
  opts: Pick<CompareOptions, 'equivalencePct'> = {},
): RatioComparison {
  const baseSummary = summarize(base);
  const headSummary = summarize(head);
  const logs = (ratio: number) => Math.log(ratio);
  return comparison(base, head, {
    logInterval: {
      estimate: logs(headSummary.median / baseSummary.median),
      low: logs(headSummary.min / baseSummary.max),
      high: logs(headSummary.max / baseSummary.min),
    },
    pValue: signedRankTest(head.map((h, i) => Math.log(h / base[i]!))).p,
    noiseFloorPct: Math.max(DETERMINISTIC_FLOOR_PCT, relativeRangePct(baseSummary), relativeRangePct(headSummary)),
    powerFactor: 1,
    confidence: 1,
    equivalencePct: opts.equivalencePct,
    driftFactor: 1,
  });
}

interface ComparisonParts {
  /** Estimate and interval of the log ratio. */
  logInterval: { estimate: number; low: number; high: number };
  pValue: number;
  noiseFloorPct: number;
  /** The smallest detectable change is the noise floor plus this many half-widths. */
  powerFactor: number;
  confidence: number;
  equivalencePct?: number;
  driftFactor: number;
}

function comparison(base: readonly number[], head: readonly number[], parts: ComparisonParts): RatioComparison {
  const { logInterval } = parts;
  const ratio = Math.exp(logInterval.estimate);
  const ciLowPct = toPct(Math.exp(logInterval.low));
  const ciHighPct = toPct(Math.exp(logInterval.high));
  const interval = { ciLowPct, ciHighPct };
  return {
    base: summarize(base),
    head: summarize(head),
    ratio,
    changePct: toPct(ratio),
    ciLowPct,
    ciHighPct,
    pValue: parts.pValue,
    noiseFloorPct: parts.noiseFloorPct,
    mdePct: parts.noiseFloorPct + parts.powerFactor * ((ciHighPct - ciLowPct) / 2),
    verdict: verdictOf(interval, parts.noiseFloorPct, parts.equivalencePct ?? DEFAULT_EQUIVALENCE_PCT),
    confidence: parts.confidence,
    driftFactor: parts.driftFactor,
  };
}

function relativeRangePct(summary: SampleSummary): number {
  return summary.median === 0 ? 0 : (100 * (summary.max - summary.min)) / Math.abs(summary.median);
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
