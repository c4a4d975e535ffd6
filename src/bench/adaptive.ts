import { bootstrapRatioCI } from './stats.js';

export interface AdaptivePolicy {
  /** Never stop before this many base/head pairs (at least 5: no verdict comes from fewer). */
  minPairs: number;
  maxPairs: number;
  /** Stop once the confidence interval of the change is at most ± this many percent (default 1). */
  precisionPct: number;
  /** Stop adding pairs after this much measuring time. */
  maxTimeMs: number;
}

export type StopDecision = {
  more: boolean;
  reason: 'min_pairs' | 'precision_reached' | 'time_budget' | 'max_pairs' | 'need_more';
};

/** Pairs below which no policy may stop, whatever it asks for. */
const FLOOR_MIN_PAIRS = 5;
/**
 * A percentile bootstrap of a median from a handful of pairs comes out too
 * narrow (measured: an A/A stopped at 5 pairs with an interval that excluded
 * 0 %), so precision may end the sampling only from this many pairs on.
 */
const PRECISION_MIN_PAIRS = 10;
/** Fewer resamples than a final result: this runs after every pair, and only its width matters. */
const PRECISION_RESAMPLES = 1000;

/** Half the width of the 95 % bootstrap interval of the change, in percent. */
export function ciHalfWidthPct(base: readonly number[], head: readonly number[], seed?: number): number {
  const { low, high } = bootstrapRatioCI(base, head, { seed, resamples: PRECISION_RESAMPLES });
  return ((high - low) / 2) * 100;
}

/**
 * Whether to measure another pair. The minimum comes first, so even an exhausted
 * time budget yields at least `minPairs` pairs; then the hard limits, then the
 * precision target.
 */
export function shouldContinue(base: readonly number[], head: readonly number[], elapsedMs: number, policy: AdaptivePolicy): StopDecision {
  const pairs = Math.min(base.length, head.length);
  if (pairs < Math.max(FLOOR_MIN_PAIRS, policy.minPairs)) return { more: true, reason: 'min_pairs' };
  if (pairs >= PRECISION_MIN_PAIRS && ciHalfWidthPct(base, head) <= policy.precisionPct)
    return { more: false, reason: 'precision_reached' };
  if (pairs >= policy.maxPairs) return { more: false, reason: 'max_pairs' };
  if (elapsedMs >= policy.maxTimeMs) return { more: false, reason: 'time_budget' };
  return { more: true, reason: 'need_more' };
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
