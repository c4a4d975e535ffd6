import { mean } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { lognormalSamples } from '../../bench/lib/samples.mjs';
import {
  abbaOrder,
  budgetedLookSchedule,
  halfWidthPct,
  isSettled,
  lookSchedule,
  pairsToSettle,
  sequentialMethod,
} from '../../src/bench/adaptive.js';
import { pocockBoundary } from '../../src/bench/boundary.js';
import { driftFactor } from '../../src/bench/drift.js';
import { machineDescription, markdownTable } from '../../src/bench/report.js';
import { shiftInterval, signedRankTest } from '../../src/bench/signed-rank.js';
import {
  compareDeterministic,
  compareProcessGroups,
  compareSamples,
  mulberry32,
  noiseFloorPct,
  type RatioComparison,
  studentTQuantile,
  summarize,
} from '../../src/bench/stats.js';

/** `n` timings a side around 100, head `change` slower, lognormal noise `sigma`. */
function pair(seed: number, n: number, change: number, sigma: number): { base: number[]; head: number[] } {
  const random = mulberry32(seed);
  return { base: lognormalSamples(random, n, 100, sigma), head: lognormalSamples(random, n, 100 * (1 + change), sigma) };
}

function shareOfSeeds(seeds: number, test: (seed: number) => boolean): number {
  let hits = 0;
  for (let seed = 1; seed <= seeds; seed++) if (test(seed)) hits++;
  return hits / seeds;
}

describe('summarize', () => {
  it('gives order statistics, moments and the unscaled MAD', () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ n: 5, median: 3, mean: 3, min: 1, max: 5, stdev: Math.sqrt(2.5), q1: 2, q3: 4, mad: 1 });
    expect(summarize([7])).toMatchObject({ n: 1, median: 7, stdev: 0, mad: 0 });
    expect(() => summarize([])).toThrow(/empty/);
  });
});

describe('signedRankTest', () => {
  // Reference p-values from scipy 1.17.1, scipy.stats.wilcoxon(d, method='exact') without ties and
  // wilcoxon(d, correction=True, method='approx') with ties, zeros or more than 50 differences.
  it('is exact without ties, up to 50 differences', () => {
    expect(signedRankTest([0.5, -0.2, 1.3, 0.8, 2.1, -0.4, 0.9, 1.7, 0.3, 1.1])).toMatchObject({ statistic: 51, exact: true });
    expect(signedRankTest([0.5, -0.2, 1.3, 0.8, 2.1, -0.4, 0.9, 1.7, 0.3, 1.1]).p).toBeCloseTo(0.013671875, 12);
    expect(signedRankTest([1, 2, 3, -4, 5, 6, -7, 8, 9, 10, 11, -12]).p).toBeCloseTo(0.2333984375, 12);
  });

  it('uses the tie- and continuity-corrected normal approximation with ties, zeros or many differences', () => {
    expect(signedRankTest([1, 2, 2, -3, 3, 3, 4, -5, 6, 6]).p).toBeCloseTo(0.151970858343946, 10);
    expect(signedRankTest([1.5, 0, 2, 2, -1, 3.5, 0, 4, 4, 4, -2, 5, 6]).p).toBeCloseTo(0.014097470068287873, 10);
    const many = Array.from({ length: 60 }, (_, i) => Math.sin(i * 1.7) + 0.3);
    expect(signedRankTest(many)).toMatchObject({ exact: false });
    expect(signedRankTest(many).p).toBeCloseTo(0.0031197694647672265, 10);
  });

  it('matches the null distribution enumerated over every sign pattern', () => {
    const magnitudes = [0.3, 1.1, 0.7, 2.5, 1.9, 0.2, 3.1, 1.4];
    const n = magnitudes.length;
    const sums: number[] = [];
    for (let mask = 0; mask < 2 ** n; mask++) {
      let sum = 0;
      for (let rank = 1; rank <= n; rank++) if (mask & (1 << (rank - 1))) sum += rank;
      sums.push(sum);
    }
    const d = magnitudes.map((m, i) => (i % 3 === 0 ? -m : m));
    const { statistic, p } = signedRankTest(d);
    const tail = Math.min(sums.filter((s) => s <= statistic).length, sums.filter((s) => s >= statistic).length) / sums.length;
    expect(p).toBeCloseTo(Math.min(1, 2 * tail), 12);
  });

  it('gives 1 for all-zero differences and a larger p when the spread is widened', () => {
    expect(signedRankTest([0, 0, 0]).p).toBe(1);
    const d = Array.from({ length: 30 }, (_, i) => 0.2 + Math.sin(i));
    expect(signedRankTest(d, { spreadFactor: 2 }).p).toBeGreaterThan(signedRankTest(d).p);
  });
});

describe('shiftInterval', () => {
  const walsh = (d: number[]) => d.flatMap((x, i) => d.slice(i).map((y) => (x + y) / 2)).sort((a, b) => a - b);

  it('is the Hodges–Lehmann estimate with the 9th smallest and largest Walsh averages for 10 differences at 95 %', () => {
    // Published tables: for n = 10 the two-sided 5 % critical value of T is 8, so k = 9 of 55 Walsh averages.
    const d = [0.5, -0.2, 1.3, 0.8, 2.1, -0.4, 0.9, 1.7, 0.3, 1.1];
    const averages = walsh(d);
    const interval = shiftInterval(d, 0.95);
    expect(interval.estimate).toBe(averages[27]);
    expect(interval.low).toBe(averages[8]);
    expect(interval.high).toBe(averages[46]);
  });

  it('covers a symmetric shift as often as it says with 10 pairs, where a bootstrap of the median falls short', () => {
    const coverage = shareOfSeeds(1000, (seed) => {
      const random = mulberry32(seed);
      const d = lognormalSamples(random, 10, 1, 0.5).map((x) => Math.log(x) + 0.02);
      const { low, high } = shiftInterval(d, 0.95);
      return low <= 0.02 && 0.02 <= high;
    });
    // Exact level 1 − 2·25/1024 = 95.1 %; 1000 seeds carry ±1.4 % of chance.
    expect(coverage).toBeGreaterThanOrEqual(0.93);
    expect(coverage).toBeLessThanOrEqual(0.975);
  });

  it('is the whole range of the Walsh averages when the level cannot be reached (5 differences at 95 %)', () => {
    const d = [1, -2, 3, 4, 5];
    expect(shiftInterval(d, 0.95)).toMatchObject({ low: -2, high: 5 });
  });
});

describe('driftFactor', () => {
  it('is 1 below 40 pairs and stays near 1 for independent pairs', () => {
    expect(driftFactor(Array.from({ length: 39 }, (_, i) => i))).toBe(1);
    const factors = Array.from({ length: 200 }, (_, seed) =>
      driftFactor(lognormalSamples(mulberry32(seed + 1), 100, 1, 0.02).map(Math.log)),
    );
    expect(mean(factors)).toBeLessThan(1.2);
  });

  it('widens the interval when the ratio drifts slowly, restoring much of its coverage', () => {
    // The true ratio wanders around +3 % as an AR(1) process (correlation 0.9 from pair to pair, 1 % spread),
    // what other tenants do to a shared machine, under 1 % pair noise.
    const trial = (seed: number) => {
      const random = mulberry32(seed);
      let level = Math.log(lognormalSamples(random, 1, 1, 0.01)[0]!);
      const d = lognormalSamples(random, 120, 1, 0.01).map((x) => {
        level = 0.9 * level + Math.sqrt(1 - 0.81) * Math.log(lognormalSamples(random, 1, 1, 0.01)[0]!);
        return Math.log(x) + 0.03 + level;
      });
      const factor = driftFactor(d);
      const covers = (spreadFactor: number) => {
        const { low, high } = shiftInterval(d, 0.95, { spreadFactor });
        return low <= 0.03 && 0.03 <= high;
      };
      return { plain: covers(1), widened: covers(factor), factor };
    };
    const plain = shareOfSeeds(300, (seed) => trial(seed).plain);
    const widened = shareOfSeeds(300, (seed) => trial(seed).widened);
    // Measured over these seeds: 52 % plain, 80 % widened; no interval from one compare can see all of a drift this slow.
    expect(plain).toBeLessThan(0.7);
    expect(widened).toBeGreaterThan(plain + 0.15);
    expect(trial(7).factor).toBeGreaterThan(1.3);
  });
});

/** `k` processes of `n` pairs: each process slows head by its own lognormal bias `between`, on top of `change`. */
function processes(seed: number, k: number, n: number, change: number, between: number, within: number) {
  const random = mulberry32(seed);
  return Array.from({ length: k }, () => {
    const [bias] = lognormalSamples(random, 1, 1, between);
    return { base: lognormalSamples(random, n, 100, within), head: lognormalSamples(random, n, 100 * (1 + change) * bias!, within) };
  });
}

describe('studentTQuantile', () => {
  // Two-sided 95 % critical values of Student's t (scipy.stats.t.ppf(0.975, df), as in published tables).
  it.each([
    [1, 12.706204736],
    [4, 2.7764451052],
    [9, 2.2621571628],
    [30, 2.0422724563],
  ])('gives the 97.5 %% quantile for %i degrees of freedom', (df, expected) => {
    expect(studentTQuantile(0.975, df) / expected).toBeCloseTo(1, 7);
    expect(studentTQuantile(0.025, df) / -expected).toBeCloseTo(1, 7);
  });
});

describe('compareProcessGroups', () => {
  it('centres on the mean of the per-process median log ratios, with a Student t interval over processes', () => {
    const groups = [1.02, 0.99, 1.04, 1.01].map((r) => ({ base: [100, 100, 100], head: [100 * r, 100 * r * 1.001, 100 * r * 0.999] }));
    const logs = [1.02, 0.99, 1.04, 1.01].map(Math.log);
    const centre = logs.reduce((x, y) => x + y) / 4;
    const sd = Math.sqrt(logs.reduce((acc, x) => acc + (x - centre) ** 2, 0) / 3);
    const result = compareProcessGroups(groups);
    expect(result.ratio).toBeCloseTo(Math.exp(centre), 12);
    const t = 3.1824463053; // 97.5 % quantile, 3 degrees of freedom
    expect(result.ciLowPct).toBeCloseTo((Math.exp(centre - (t * sd) / 2) - 1) * 100, 6);
    expect(result.ciHighPct).toBeCloseTo((Math.exp(centre + (t * sd) / 2) - 1) * 100, 6);
    expect(result.base.n).toBe(12);
    expect(result.confidence).toBe(0.95);
  });

  it('calls no change on A/A when each process biases one side, where pooling the pairs calls it', () => {
    const called = (result: RatioComparison) => result.verdict === 'faster' || result.verdict === 'slower';
    const pooledCalls = shareOfSeeds(200, (seed) => {
      const groups = processes(seed, 4, 5, 0, 0.03, 0.01);
      return called(
        compareSamples(
          groups.flatMap((g) => g.base),
          groups.flatMap((g) => g.head),
        ),
      );
    });
    const groupedCalls = shareOfSeeds(200, (seed) => called(compareProcessGroups(processes(seed, 4, 5, 0, 0.03, 0.01))));
    expect(pooledCalls).toBeGreaterThan(0.2);
    // A 95 % interval errs on 5 % of A/A runs; over 200 seeds that share carries ±1.5 %.
    expect(groupedCalls).toBeLessThanOrEqual(0.075);
  });

  it('calls a 20 % slowdown through that bias, and a 20 % speedup faster', () => {
    expect(
      shareOfSeeds(200, (seed) => compareProcessGroups(processes(seed, 4, 5, 0.2, 0.03, 0.01)).verdict === 'slower'),
    ).toBeGreaterThanOrEqual(0.95);
    expect(compareProcessGroups(processes(5, 4, 5, -0.2, 0.01, 0.01)).verdict).toBe('faster');
  });

  it('takes any number of processes from two up, and more of them narrow the interval', () => {
    const few = compareProcessGroups(processes(7, 4, 5, 0, 0.03, 0.01));
    const many = compareProcessGroups(processes(7, 32, 5, 0, 0.03, 0.01));
    expect(many.base.n).toBe(160);
    expect(many.ciHighPct - many.ciLowPct).toBeLessThan(few.ciHighPct - few.ciLowPct);
  });

  it('refuses one process and uneven sides', () => {
    expect(() => compareProcessGroups([{ base: [1], head: [1] }])).toThrow(/at least 2 processes/);
    expect(() =>
      compareProcessGroups([
        { base: [1, 2], head: [1] },
        { base: [1], head: [1] },
      ]),
    ).toThrow(/as many/);
  });
});

describe('compareSamples', () => {
  const called = (result: RatioComparison) => result.verdict === 'faster' || result.verdict === 'slower';

  it('calls a change between identical distributions in at most 5 % of seeds, at any sample size', () => {
    for (const n of [6, 10, 30, 100]) {
      const calls = shareOfSeeds(300, (seed) => called(compareSamples(pair(seed, n, 0, 0.02).base, pair(seed, n, 0, 0.02).head)));
      // A 95 % interval clears the ±0.5 % band on A/A at most 5 % of the time; 300 seeds carry ±1.3 % of chance.
      expect(calls, `n=${n}`).toBeLessThanOrEqual(0.065);
    }
  });

  it('says unchanged for identical distributions once the interval fits inside ±1 %, and inconclusive before', () => {
    const few = compareSamples(pair(3, 10, 0, 0.03).base, pair(3, 10, 0, 0.03).head);
    expect(few.verdict).toBe('inconclusive');
    const many = compareSamples(pair(3, 300, 0, 0.01).base, pair(3, 300, 0, 0.01).head);
    expect(many.verdict).toBe('unchanged');
    expect(Math.max(-many.ciLowPct, many.ciHighPct)).toBeLessThanOrEqual(1);
  });

  it('calls a 10 % slowdown under 5 % noise with 30 pairs slower', () => {
    const slower = shareOfSeeds(100, (seed) => {
      const { base, head } = pair(seed, 30, 0.1, 0.05);
      const result = compareSamples(base, head);
      return result.verdict === 'slower' && result.changePct > 0 && result.ciLowPct > 0;
    });
    expect(slower).toBeGreaterThanOrEqual(0.98);
  });

  it('calls a 10 % speedup faster, with the change and interval negative, and states the smallest detectable change', () => {
    const { base, head } = pair(11, 30, -0.1, 0.02);
    const result = compareSamples(base, head);
    expect(result.verdict).toBe('faster');
    expect(result.changePct).toBeCloseTo(-10, 0);
    expect(result.ciHighPct).toBeLessThan(0);
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.confidence).toBe(0.95);
    expect(result.mdePct).toBeGreaterThan(result.noiseFloorPct);
    expect(result.mdePct).toBeLessThan(5);
  });

  it('takes each look of a schedule at its boundary: a wider interval, a larger p-value, the same overall confidence', () => {
    const { base, head } = pair(4, 40, 0.03, 0.02);
    const once = compareSamples(base, head);
    const scheduled = compareSamples(base, head, { looks: lookSchedule() });
    // Between one look alone and the union bound over 11 looks.
    const unionBound = compareSamples(base, head, { alpha: 0.05 / 11 });
    const width = (r: RatioComparison) => r.ciHighPct - r.ciLowPct;
    expect(width(scheduled)).toBeGreaterThan(width(once));
    expect(width(scheduled)).toBeLessThanOrEqual(width(unionBound));
    expect(scheduled.pValue).toBeGreaterThan(once.pValue);
    expect(scheduled.pValue).toBeLessThan(Math.min(1, once.pValue * 11));
    expect(scheduled.confidence).toBe(0.95);
    expect(compareSamples(base, head, { looks: [40] })).toEqual(once);
  });

  it('does not call a change below half a percent, however many samples pin it down', () => {
    const { base, head } = pair(5, 1500, 0.003, 0.01);
    const result = compareSamples(base, head);
    expect(result.ciLowPct).toBeGreaterThan(0);
    expect(result.noiseFloorPct).toBe(0.5);
    expect(result.verdict).toBe('unchanged');
  });

  it('does not call a change smaller than what a ref shows against itself', () => {
    // Alternate runs of each ref differ by 3 % (a machine that flips state every run): a 2 % change is within that.
    const flip = (level: number) => Array.from({ length: 40 }, (_, i) => level * (i % 2 ? 1.03 : 1));
    const result = compareSamples(flip(100), flip(102));
    expect(result.noiseFloorPct).toBeCloseTo(3, 6);
    expect(called(result)).toBe(false);
  });

  it('widens the noise band only for a self-change its own interval shows, never under 0.5 %', () => {
    const steady = (level: number, step: number) => Array.from({ length: 12 }, (_, i) => level * (i % 2 ? 1 + step : 1));
    expect(noiseFloorPct(steady(100, 0.02), steady(200, 0.01))).toBeCloseTo(2, 12);
    expect(noiseFloorPct(steady(100, 0), steady(100, 0))).toBe(0.5);
    // Plain noise between alternate runs is already in the interval of the change.
    expect(noiseFloorPct(pair(9, 40, 0, 0.02).base, pair(9, 40, 0, 0.02).head)).toBe(0.5);
    // Too few runs to show a self-change at all.
    expect(noiseFloorPct([100, 102, 100, 102], [200, 201, 200, 201])).toBe(0.5);
  });
});

describe('compareDeterministic', () => {
  const counts = (median: number) => [median * (1 - 2e-6), median * (1 + 3e-6)];

  it('calls a 2 % instruction increase slower and a decrease faster', () => {
    const slower = compareDeterministic(counts(1e9), counts(1.02e9));
    expect(slower.verdict).toBe('slower');
    expect(slower.changePct).toBeCloseTo(2, 3);
    expect(slower.ciLowPct).toBeGreaterThan(1.99);
    expect(compareDeterministic(counts(1e9), counts(0.98e9)).verdict).toBe('faster');
  });

  it('calls a 0.01 % difference unchanged: under the 0.1 % floor', () => {
    const result = compareDeterministic(counts(1e9), counts(1.0001e9));
    expect(result.noiseFloorPct).toBe(0.1);
    expect(result.verdict).toBe('unchanged');
  });

  it('raises the floor to the spread seen within one ref, and calls ranges too wide to rule out 1 % inconclusive', () => {
    const result = compareDeterministic([1e9, 1.01e9], [1.005e9, 1.015e9]);
    expect(result.noiseFloorPct).toBeCloseTo(1, 2);
    expect(result.verdict).toBe('inconclusive');
  });
});

/** A sequence of `maxPairs` pairs, looked at on the schedule (or after every pair); what each look would conclude. */
function sequentialRun(
  seed: number,
  change: number,
  sigma: number,
  options: { looks: number[]; schedule?: readonly number[]; maxPairs: number },
) {
  const random = mulberry32(seed);
  const base: number[] = [];
  const head: number[] = [];
  const results: RatioComparison[] = [];
  for (let n = 1; n <= options.maxPairs; n++) {
    // Both runs of a pair share the machine's state; a stalled run hits one pair in ten.
    const [state] = lognormalSamples(random, 1, 1, 0.05);
    const stall = random() < 0.1 ? 1.2 : 1;
    const stallsBase = random() < 0.5;
    base.push(lognormalSamples(random, 1, 100, sigma)[0]! * state! * (stallsBase ? stall : 1));
    head.push(lognormalSamples(random, 1, 100 * (1 + change), sigma)[0]! * state! * (stallsBase ? 1 : stall));
    if (options.looks.includes(n)) results.push(compareSamples(base, head, options.schedule ? { looks: options.schedule } : {}));
  }
  return results;
}

describe('sequential stopping', () => {
  const looks = lookSchedule();
  const settling = {};

  it('looks at 10, 15, 23, … pairs, each 1.5× the last, up to the pair cap', () => {
    expect(looks).toEqual([10, 15, 23, 35, 53, 80, 120, 180, 270, 405, 500]);
    expect(lookSchedule(100)).toEqual([10, 15, 23, 35, 53, 80, 100]);
    // A look just below the cap is dropped; the first look always stays.
    expect(lookSchedule(54)).toEqual([10, 15, 23, 35, 54]);
    expect(lookSchedule(11)).toEqual([10, 11]);
  });

  it('fits the looks to the pairs the time budget buys, judged at the first look from how long its pairs took', () => {
    // 10 pairs of a 2 s program in 40 s of a 120 s budget: about 30 pairs, and a quarter more room.
    expect(budgetedLookSchedule(10, 40_000, 120_000)).toEqual([10, 15, 23, 38]);
    expect(pocockBoundary([10, 15, 23, 38], 0.05)).toBeLessThan(pocockBoundary(looks, 0.05) - 0.25);
    expect(budgetedLookSchedule(10, 5_000, 120_000)).toEqual([10, 15, 23, 35, 53, 80, 120, 180, 300]);
    expect(budgetedLookSchedule(10, 1_000, 120_000)).toEqual(looks);
    // The budget already spent: the first look is the only one.
    expect(budgetedLookSchedule(10, 130_000, 120_000)).toEqual([10]);
    expect(sequentialMethod(looks, 0.05)).toBe(
      "sequential: looks at 10, 15, 23, 35, … 500 pairs, each at Pocock's boundary z = 2.68 (α = 0.05 over all 11 looks)",
    );
  });

  it('keeps the chance that any look misses the true change under 5 %, where a 95 % look after every pair misses far more often', () => {
    // The schedule's first 7 looks (10 to 120 pairs) at its boundary, against a 95 % interval after every pair from 10 to 120.
    const scheduled = (seed: number) => sequentialRun(seed, 0.03, 0.015, { looks: looks.slice(0, 7), schedule: looks, maxPairs: 120 });
    const everyPair = Array.from({ length: 111 }, (_, i) => i + 10);
    const naive = (seed: number) => sequentialRun(seed, 0.03, 0.015, { looks: everyPair, maxPairs: 120 });
    const misses = (results: RatioComparison[]) => results.some((r) => r.ciLowPct > 3 || r.ciHighPct < 3);
    // Measured over these seeds: 3 % against 20 %.
    expect(shareOfSeeds(200, (seed) => misses(scheduled(seed)))).toBeLessThanOrEqual(0.05);
    expect(shareOfSeeds(40, (seed) => misses(naive(seed)))).toBeGreaterThan(0.15);
  });

  it('calls no change on A/A at any look in at least 98 % of sequences', () => {
    const falseCall = (seed: number) =>
      sequentialRun(seed, 0, 0.015, { looks: looks.slice(0, 7), schedule: looks, maxPairs: 120 }).some(
        (r) => r.verdict === 'faster' || r.verdict === 'slower',
      );
    expect(shareOfSeeds(200, falseCall)).toBeLessThanOrEqual(0.02);
  });

  it('settles a 25 % change at the first look in most sequences, a 3 % one later, and A/A as unchanged within ±1 %', () => {
    const firstSettled = (change: number, seed: number, maxPairs = 500) => {
      const results = sequentialRun(seed, change, 0.01, { looks: looks.filter((n) => n <= maxPairs), schedule: looks, maxPairs });
      const at = results.findIndex((r) => isSettled(r, settling));
      return { look: at, result: results[at]! };
    };
    // Measured over these seeds: all 50 settle at 10 pairs (a stalled run in one of the ten could keep the interval inside the band).
    expect(shareOfSeeds(50, (seed) => firstSettled(0.25, seed, 10).look === 0)).toBeGreaterThanOrEqual(0.9);
    expect(firstSettled(0.25, 2, 23).result.verdict).toBe('slower');
    const small = firstSettled(0.03, 2);
    expect(small.look).toBeGreaterThan(0);
    expect(small.result.verdict).toBe('slower');
    expect(halfWidthPct(small.result)).toBeLessThanOrEqual(1.5);
    const same = firstSettled(0, 2);
    expect(same.result.verdict).toBe('unchanged');
  });

  it('settles a directional verdict at once, or once within precision_pct when asked; inconclusive never settles', () => {
    const row = (verdict: RatioComparison['verdict'], changePct: number, half: number) => ({
      verdict,
      changePct,
      ciLowPct: changePct - half,
      ciHighPct: changePct + half,
      noiseFloorPct: 0.5,
    });
    expect(isSettled(row('slower', 10, 9), settling)).toBe(true);
    expect(isSettled(row('faster', -10, 9), settling)).toBe(true);
    expect(isSettled(row('slower', 10, 1.1), { precisionPct: 1 })).toBe(false);
    expect(isSettled(row('slower', 10, 0.9), { precisionPct: 1 })).toBe(true);
    expect(isSettled(row('unchanged', 0.1, 0.8), { precisionPct: 0.5 })).toBe(true);
    expect(isSettled(row('inconclusive', 0.3, 2), settling)).toBe(false);
  });

  it('estimates the pairs that would settle an inconclusive row from the noise seen', () => {
    const open = { verdict: 'inconclusive' as const, changePct: 0.2, ciLowPct: -1.8, ciHighPct: 2.2, noiseFloorPct: 0.5 };
    // Unchanged needs a half-width of 0.8 (1 % − 0.2 %): (2 / 0.8)² × 100 pairs.
    expect(pairsToSettle(open, 100, 1, settling)).toBe(625);
    expect(pairsToSettle({ ...open, verdict: 'unchanged', ciLowPct: -0.5, ciHighPct: 0.9 }, 100, 1, settling)).toBe(100);
  });

  it('interleaves ABBA BAAB', () => {
    const sequence = Array.from({ length: 8 }, (_, i) =>
      abbaOrder(i)
        .map((side) => (side === 'base' ? 'A' : 'B'))
        .join(''),
    ).join('');
    expect(sequence).toBe('ABBABAABBAABABBA');
  });
});

describe('report', () => {
  it('renders a table with spreads and intervals, and says how, where and when it was measured', () => {
    const table = markdownTable(
      [
        {
          name: 'bench_sort',
          base: 123.456,
          head: 111.1,
          unit: 'ms',
          changePct: -10.01,
          ciLowPct: -11.2,
          ciHighPct: -8.7,
          pValue: 0.0001,
          noiseFloorPct: 0.5,
          mdePct: 2.31,
          verdict: 'faster',
          baseSpread: 1.2,
          headSpread: 0.9,
        },
        {
          name: 'a|b',
          base: 1_234_567_890,
          head: 1_234_600_000,
          unit: 'instructions',
          changePct: 0.0026,
          ciLowPct: 0.001,
          ciHighPct: 0.004,
          pValue: 0.33,
          noiseFloorPct: 0.1,
          mdePct: 0.1015,
          verdict: 'unchanged',
        },
        {
          name: 'parse',
          base: 50,
          head: 50.4,
          unit: 'ms',
          changePct: 0.8,
          ciLowPct: -0.9,
          ciHighPct: 2.5,
          pValue: 0.6,
          noiseFloorPct: 0.5,
          mdePct: 3.4,
          verdict: 'inconclusive',
        },
      ],
      {
        mode: 'wall',
        base: { ref: 'main', sha: 'abcdef0123456789' },
        head: { ref: 'HEAD', sha: '0123456789abcdef' },
        pairs: 20,
        warmups: 1,
        runner: 'python bench.py',
        machine: 'Test CPU, 4 cores, Linux',
        date: new Date('2025-01-02T03:04:05Z'),
        stopping: "sequential: looks at 10, 15, 23, 35, … 500 pairs, each at Pocock's boundary z = 2.68 (α = 0.05 over all 11 looks)",
        stopReason: 'time_budget',
        schedule: { ran: 'interleaved', note: 'duet not run (it needs two free cores; 0.9 of 2 were idle); ran interleaved' },
        layoutRandomized: true,
        timer: 'posix_spawn timing helper (C)',
      },
    );
    expect(table).toContain('| benchmark | base | head | change (95 % CI) | smallest detectable | p | verdict |');
    expect(table).toContain('| `bench_sort` | 123.5 ms ± 1.2 | 111.1 ms ± 0.90 | −10.0 % [−11.2, −8.7] | ±2.3 % | < 0.001 | **faster** |');
    expect(table).toContain(
      '| `a\\|b` | 1.23457 G instr | 1.23460 G instr | +0.003 % [+0.001, +0.004] | ±0.10 % | 0.330 | unchanged (within ±0.004 %) |',
    );
    expect(table).toContain('| `parse` | 50.00 ms | 50.40 ms | +0.80 % [−0.90, +2.50] | ±3.4 % | 0.600 | inconclusive |');
    expect(table).toContain(
      "Stopping: sequential: looks at 10, 15, 23, 35, … 500 pairs, each at Pocock's boundary z = 2.68 (α = 0.05 over all 11 looks); stopped: time budget.",
    );
    expect(table).toContain(
      'Schedule: interleaved ABBA pairs (duet not run (it needs two free cores; 0.9 of 2 were idle); ran interleaved); random environment padding per run',
    );
    expect(table).toContain('Timer: posix_spawn timing helper (C).');
    expect(table).toContain('Runs: 20 base/head pairs after 1 warmup run per ref.');
    expect(table).toContain('base `main` (abcdef012345) → head `HEAD` (0123456789ab)');
    expect(table).toContain('Machine: Test CPU, 4 cores, Linux');
    expect(table).toContain('Date: 2025-01-02 03:04 UTC');
    expect(table).toMatch(/Mode: wall — .*Hodges–Lehmann.*Wilcoxon signed-rank interval.*unchanged when it lies within ±1\.0 %/);
  });

  it('states the range of runs, not a confidence level, for instruction counts', () => {
    const table = markdownTable(
      [
        {
          name: 'prog',
          base: 1e9,
          head: 1.02e9,
          unit: 'instructions',
          changePct: 2,
          ciLowPct: 1.99,
          ciHighPct: 2.01,
          pValue: 0.33,
          noiseFloorPct: 0.1,
          mdePct: 0.11,
          verdict: 'slower',
        },
      ],
      { mode: 'instructions', pairs: 2, runner: 'valgrind --tool=callgrind python prog.py' },
    );
    expect(table).toContain('| benchmark | base | head | change (range of runs) | smallest detectable | p | verdict |');
    expect(table).toContain('| `prog` | 1.000 G instr | 1.020 G instr | +2.000 % [+1.990, +2.010] | ±0.11 % | 0.330 | **slower** |');
    expect(table).toContain('(at least 0.1 %)');
  });

  it('describes this machine by CPU, cores and OS', () => {
    expect(machineDescription()).toMatch(/, \d+ cores?, .+/);
    expect(machineDescription({ cpu_model: 'M2', cpu_cores: 8, os: 'macOS 15', arch: 'arm64' })).toBe('M2, 8 cores, macOS 15, arm64');
  });
});
