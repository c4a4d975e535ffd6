import { pocockBoundary } from './boundary.js';
import type { RatioComparison } from './stats.js';

/**
 * Sequential stopping: the pairs are looked at only on a geometric schedule
 * (10, 15, 23, 35, … pairs, each look 1.5× the last, up to the pair cap the
 * time budget allows), and every look's interval is taken at Pocock's constant
 * boundary for that schedule (boundary.ts), so all the intervals the sampling
 * could stop at hold at once with probability 1 − alpha, whatever rule picks
 * the look. Looking after every pair at a fixed 95 % would not: an A/A
 * sampled to 100 pairs crosses a 95 % boundary at some look far more often
 * than 5 % of the time. The price is a wider interval per look (z 2.68 instead
 * of 1.96 for the 11 looks up to 500), paid back by stopping as soon as the
 * answer is settled instead of at a fixed precision. Spending alpha / 11 on
 * each look (a union bound, z 2.84) would also hold, but ignores how much
 * successive looks share their pairs.
 */
export const FIRST_LOOK = 10;
const LOOK_GROWTH = 1.5;
/** A scheduled look closer than this factor below the cap is dropped: it would cost a look and add few pairs. */
const LAST_LOOK_GAP = 1.2;
/** The most pairs a compare takes, whatever its budget. */
export const MAX_PAIRS = 500;
/** Room for pairs that go faster than the first ones, when the looks are fitted to the budget. */
const BUDGET_HEADROOM = 1.25;

/** Pair counts at which the data are looked at; the last is the pair cap. */
export function lookSchedule(maxPairs = MAX_PAIRS): number[] {
  const looks: number[] = [];
  for (let n = FIRST_LOOK; n < maxPairs; n = Math.round(n * LOOK_GROWTH)) {
    if (n > FIRST_LOOK && n * LAST_LOOK_GAP > maxPairs) break;
    looks.push(n);
  }
  looks.push(maxPairs);
  return looks;
}

/**
 * The schedule fitted to the time budget, fixed at the first look from how long
 * the pairs so far took: looks up to about the pairs the budget buys (with some
 * room), never past MAX_PAIRS. Looks the budget could never reach would only
 * raise the boundary: a 2 s program in 120 s gets looks at 10, 15, 23 and 38
 * pairs (z 2.36) instead of 11 looks up to 500 (z 2.68). The schedule depends
 * on run times alone, not on the ratios the looks judge, so the boundary holds.
 */
export function budgetedLookSchedule(pairs: number, elapsedMs: number, budgetMs: number): number[] {
  if (elapsedMs >= budgetMs) return [pairs];
  const affordable = (pairs * budgetMs) / elapsedMs;
  return lookSchedule(Math.min(MAX_PAIRS, Math.ceil(affordable * BUDGET_HEADROOM)));
}

/** The stopping rule in one sentence, for results and reports. */
export function sequentialMethod(looks: readonly number[], alpha: number): string {
  const shown = looks.length > 5 ? `${looks.slice(0, 4).join(', ')}, … ${looks.at(-1)}` : looks.join(', ');
  return `sequential: looks at ${shown} pairs, each at Pocock's boundary z = ${pocockBoundary(looks, alpha).toFixed(2)} (α = ${alpha} over all ${looks.length} looks)`;
}

/**
 * What a directional verdict waits for. By default nothing more: once the
 * interval (valid at whichever look stops) clears the noise band, the direction
 * is proven and more pairs only narrow the magnitude. Asking for that precision
 * was tried twice: a half-width within a tenth of the change, then within half
 * of it. At this machine's usual noise (per-pair spread 6–9 %) the half rule
 * kept a +10 % change sampling for a median 120 pairs, a minute of a 250 ms
 * program, for a direction proven after 15 (seeded runs of the same rule at
 * that spread: 35 pairs against 15, with the same verdicts and coverage).
 */
export interface Settling {
  /** When set, `faster`/`slower` also need the interval's half-width within this many percent. */
  precisionPct?: number;
}

/**
 * Whether a row's answer is settled: `unchanged` (the interval lies inside
 * ±equivalence) and `faster`/`slower` at once, the latter also within the
 * precision when one is asked for. `inconclusive` never is.
 */
type Judged = Pick<RatioComparison, 'verdict' | 'changePct' | 'ciLowPct' | 'ciHighPct' | 'noiseFloorPct'>;

export function isSettled(row: Judged, settling: Settling): boolean {
  if (row.verdict === 'unchanged') return true;
  if (row.verdict === 'inconclusive') return false;
  return settling.precisionPct === undefined || halfWidthPct(row) <= settling.precisionPct;
}

export function halfWidthPct(row: Pick<RatioComparison, 'ciLowPct' | 'ciHighPct'>): number {
  return (row.ciHighPct - row.ciLowPct) / 2;
}

/**
 * About how many pairs in all would settle an unsettled row at the noise seen so
 * far (the half-width shrinking as 1/√pairs): enough for the interval to clear
 * the noise band, or to fit inside ±equivalence, whichever comes first.
 */
export function pairsToSettle(row: Judged, pairs: number, equivalencePct: number, settling: Settling): number | undefined {
  if (isSettled(row, settling)) return pairs;
  const change = Math.abs(row.changePct);
  const width = halfWidthPct(row);
  const direction = Math.min(change - row.noiseFloorPct, settling.precisionPct ?? Number.POSITIVE_INFINITY);
  const targets = [direction, equivalencePct - change].filter((target) => target > 0);
  if (targets.length === 0 || !(width > 0)) return undefined;
  return Math.ceil(pairs * (width / Math.max(...targets)) ** 2);
}

/**
 * Which ref runs first in pair `pairIndex`: the Thue–Morse sequence, ABBA BAAB
 * BAAB ABBA…, so machine drift falls equally on both refs: a linear drift
 * cancels over every two pairs, a quadratic one over every four.
 */
export function abbaOrder(pairIndex: number): ['base', 'head'] | ['head', 'base'] {
  return popcountParity(pairIndex) === 0 ? ['base', 'head'] : ['head', 'base'];
}

function popcountParity(n: number): number {
  let parity = 0;
  for (let bits = n; bits > 0; bits &= bits - 1) parity ^= 1;
  return parity;
}
