/**
 * What a comparison concludes about head against base, for every mode, tool and
 * report: `faster` / `slower` when the interval lies beyond the noise band on
 * one side, `unchanged` when it lies inside ±equivalence (no change larger than
 * that), `inconclusive` when it does neither (the budget ran out first).
 */
export const VERDICTS = ['faster', 'slower', 'unchanged', 'inconclusive'] as const;

export type Verdict = (typeof VERDICTS)[number];

/** `unchanged` means no change larger than this many percent, unless a request asks for another bound. */
export const DEFAULT_EQUIVALENCE_PCT = 1;

export interface ChangeInterval {
  ciLowPct: number;
  ciHighPct: number;
}

/**
 * The verdict an interval supports. A direction comes first: an interval that
 * clears the noise band is a change even when it also lies within ±equivalence
 * (a proven 0.7 % is still a change).
 */
export function verdictOf(interval: ChangeInterval, noiseFloorPct: number, equivalencePct: number): Verdict {
  if (interval.ciLowPct > noiseFloorPct) return 'slower';
  if (interval.ciHighPct < -noiseFloorPct) return 'faster';
  if (interval.ciLowPct >= -equivalencePct && interval.ciHighPct <= equivalencePct) return 'unchanged';
  return 'inconclusive';
}

/** The bound an `unchanged` verdict proves: the interval's farther end from 0, in percent. */
export function unchangedBoundPct(interval: ChangeInterval): number {
  return Math.max(Math.abs(interval.ciLowPct), Math.abs(interval.ciHighPct));
}
