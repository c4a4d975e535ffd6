import { describe, expect, it } from 'vitest';
import { lognormalSamples } from '../../bench/lib/samples.mjs';
import { type AdaptivePolicy, abbaOrder, ciHalfWidthPct, shouldContinue } from '../../src/bench/adaptive.js';
import { machineDescription, markdownTable } from '../../src/bench/report.js';
import {
  bootstrapRatioCI,
  compareDeterministic,
  compareProcessGroups,
  compareSamples,
  mannWhitneyU,
  mulberry32,
  noiseFloorPct,
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

describe('mannWhitneyU', () => {
  // Reference p-values from scipy 1.17.1, scipy.stats.mannwhitneyu(a, b, alternative='two-sided'),
  // method='exact' for the tie-free cases and the default (asymptotic, tie- and continuity-corrected) otherwise.
  it('is exact without ties', () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6])).toEqual({ u: 0, p: 0.1 });
    const spread = mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5], [2.5, 6.1, 7.2, 8.3, 9.4]);
    expect(spread.u).toBe(3);
    expect(spread.p).toBeCloseTo(0.05555555555555555, 12);
    const overlap = mannWhitneyU([10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [15.5, 16.5, 17.5, 18.5, 19.5, 20.5, 21.5, 22.5, 23.5, 24.5]);
    expect(overlap.u).toBe(10);
    expect(overlap.p).toBeCloseTo(0.0015046872632011952, 12);
    const a = Array.from({ length: 25 }, (_, i) => i + 1);
    expect(
      mannWhitneyU(
        a,
        a.map((x) => x + 12.5),
      ).p,
    ).toBeCloseTo(1.1340229593043728e-6, 15);
  });

  it('uses the tie- and continuity-corrected normal approximation with ties', () => {
    const small = mannWhitneyU([1, 2, 2, 3, 4, 5], [3, 3, 4, 6, 7, 8, 9]);
    expect(small.u).toBe(6.5);
    expect(small.p).toBeCloseTo(0.043727859914373765, 6);
    const digits = mannWhitneyU([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9]);
    expect(digits.u).toBe(60);
    expect(digits.p).toBeCloseTo(0.5200007496800839, 6);
  });

  it('is symmetric in its p-value and gives 1 when every value is equal', () => {
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3])).toEqual({ u: 9, p: 0.1 });
    expect(mannWhitneyU([2, 2, 2], [2, 2]).p).toBe(1);
  });
});

describe('bootstrapRatioCI', () => {
  it('is reproducible for a seed and brackets the median per-pair ratio (paired) or the ratio of medians (unpaired)', () => {
    const { base, head } = pair(7, 20, 0.05, 0.02);
    const ci = bootstrapRatioCI(base, head, { seed: 3 });
    expect(bootstrapRatioCI(base, head, { seed: 3 })).toEqual(ci);
    expect(ci.ratio).toBeCloseTo(Math.exp(summarize(head.map((h, i) => Math.log(h / base[i]!))).median), 12);
    expect(ci.low).toBeLessThan(ci.ratio);
    expect(ci.high).toBeGreaterThan(ci.ratio);
    const unpaired = bootstrapRatioCI(base, head, { seed: 3, paired: false });
    expect(unpaired.ratio).toBeCloseTo(summarize(head).median / summarize(base).median, 12);
  });

  it('with fewer than 10 pairs the interval is the whole range of the per-pair ratios', () => {
    const base = [100, 100, 100, 100, 100];
    const head = [101, 99.5, 103, 100.2, 102];
    const ci = bootstrapRatioCI(base, head);
    expect(ci.low).toBeCloseTo(0.995, 12);
    expect(ci.high).toBeCloseTo(1.03, 12);
    expect(compareSamples(base, head).verdict).toBe('unchanged');
  });

  it('pairing cancels noise that the two runs of a pair share (machine state), narrowing the interval', () => {
    // Each pair runs under its own machine state (±8 %); the runs themselves add ±1 %; head is 3 % slower.
    const random = mulberry32(21);
    const state = lognormalSamples(random, 60, 1, 0.08);
    const base = lognormalSamples(random, 60, 100, 0.01).map((x, i) => x * state[i]!);
    const head = lognormalSamples(random, 60, 103, 0.01).map((x, i) => x * state[i]!);
    const paired = bootstrapRatioCI(base, head);
    const unpaired = bootstrapRatioCI(base, head, { paired: false });
    expect(paired.high - paired.low).toBeLessThan((unpaired.high - unpaired.low) / 3);
    expect(paired.low).toBeGreaterThan(1.01);
    expect(compareSamples(base, head).verdict).toBe('slower');
  });

  it('covers the true ratio about 95 % of the time', () => {
    const coverage = shareOfSeeds(400, (seed) => {
      const { base, head } = pair(seed, 30, 0.05, 0.03);
      const { low, high } = bootstrapRatioCI(base, head, { seed, resamples: 1000 });
      return low <= 1.05 && 1.05 <= high;
    });
    expect(coverage).toBeGreaterThanOrEqual(0.92);
    expect(coverage).toBeLessThanOrEqual(0.98);
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

  it('stays unchanged on A/A when each process biases one side, where pooling the pairs calls it', () => {
    const pooledCalls = shareOfSeeds(200, (seed) => {
      const groups = processes(seed, 4, 5, 0, 0.03, 0.01);
      return (
        compareSamples(
          groups.flatMap((g) => g.base),
          groups.flatMap((g) => g.head),
        ).verdict !== 'unchanged'
      );
    });
    const groupedCalls = shareOfSeeds(200, (seed) => compareProcessGroups(processes(seed, 4, 5, 0, 0.03, 0.01)).verdict !== 'unchanged');
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
  it('calls identical distributions unchanged in at least 95 % of seeds', () => {
    for (const n of [5, 10, 30]) {
      const unchanged = shareOfSeeds(200, (seed) => {
        const { base, head } = pair(seed, n, 0, 0.02);
        return compareSamples(base, head).verdict === 'unchanged';
      });
      expect(unchanged, `n=${n}`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('calls a 10 % slowdown under 5 % noise with 30 samples slower', () => {
    const slower = shareOfSeeds(100, (seed) => {
      const { base, head } = pair(seed, 30, 0.1, 0.05);
      const result = compareSamples(base, head);
      return result.verdict === 'slower' && result.changePct > 0 && result.ciLowPct > 0;
    });
    expect(slower).toBeGreaterThanOrEqual(0.98);
  });

  it('calls a 10 % speedup faster, with the change and interval negative', () => {
    const { base, head } = pair(11, 30, -0.1, 0.02);
    const result = compareSamples(base, head);
    expect(result.verdict).toBe('faster');
    expect(result.changePct).toBeCloseTo(-10, 0);
    expect(result.ciHighPct).toBeLessThan(0);
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.confidence).toBe(0.95);
  });

  it('does not call a change below half a percent, however many samples make it significant', () => {
    const { base, head } = pair(5, 4000, 0.003, 0.02);
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
    expect(result.verdict).toBe('unchanged');
  });

  it('measures the noise floor as the larger self-change of the two refs, at least 0.5 %', () => {
    expect(noiseFloorPct([100, 102, 100, 102], [200, 201, 200, 201])).toBeCloseTo(2, 12);
    expect(noiseFloorPct([100, 100, 100, 100], [100, 100, 100, 100])).toBe(0.5);
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

  it('raises the floor to the spread seen within one ref', () => {
    const result = compareDeterministic([1e9, 1.01e9], [1.005e9, 1.015e9]);
    expect(result.noiseFloorPct).toBeCloseTo(1, 2);
    expect(result.verdict).toBe('unchanged');
  });
});

describe('adaptive stopping', () => {
  const policy: AdaptivePolicy = { minPairs: 5, maxPairs: 500, precisionPct: 1, maxTimeMs: 60_000 };

  it('interleaves ABBA BAAB', () => {
    const sequence = Array.from({ length: 8 }, (_, i) =>
      abbaOrder(i)
        .map((side) => (side === 'base' ? 'A' : 'B'))
        .join(''),
    ).join('');
    expect(sequence).toBe('ABBABAABBAABABBA');
  });

  it('never stops before 5 pairs, whatever the policy or the budget says, and not for precision before 10', () => {
    const same = [100, 100, 100, 100];
    expect(shouldContinue(same, same, 1e9, { ...policy, minPairs: 1 })).toEqual({ more: true, reason: 'min_pairs' });
    expect(shouldContinue([...same, 100], [...same, 100], 0, policy)).toEqual({ more: true, reason: 'need_more' });
    expect(shouldContinue([...same, 100], [...same, 100], 1e9, policy)).toEqual({ more: false, reason: 'time_budget' });
    const ten = Array.from({ length: 10 }, () => 100);
    expect(shouldContinue(ten, ten, 0, policy)).toEqual({ more: false, reason: 'precision_reached' });
  });

  it('adds pairs until the interval is within the precision, then stops', () => {
    const random = mulberry32(42);
    const base: number[] = [];
    const head: number[] = [];
    let decision = shouldContinue(base, head, 0, policy);
    while (decision.more) {
      base.push(...lognormalSamples(random, 1, 100, 0.02));
      head.push(...lognormalSamples(random, 1, 103, 0.02));
      decision = shouldContinue(base, head, 0, policy);
    }
    expect(decision.reason).toBe('precision_reached');
    expect(base.length).toBeGreaterThan(5);
    expect(ciHalfWidthPct(base, head)).toBeLessThanOrEqual(1);
    expect(ciHalfWidthPct(base.slice(0, -1), head.slice(0, -1))).toBeGreaterThan(1);
  });

  it('stops at the time budget or the pair limit when precision is out of reach', () => {
    const { base, head } = pair(3, 10, 0, 0.2);
    expect(shouldContinue(base, head, 1000, policy)).toEqual({ more: true, reason: 'need_more' });
    expect(shouldContinue(base, head, 60_000, policy)).toEqual({ more: false, reason: 'time_budget' });
    expect(shouldContinue(base, head, 0, { ...policy, maxPairs: 10 })).toEqual({ more: false, reason: 'max_pairs' });
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
          verdict: 'unchanged',
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
      },
    );
    expect(table).toContain('| `bench_sort` | 123.5 ms ± 1.2 | 111.1 ms ± 0.90 | −10.0 % [−11.2, −8.7] | < 0.001 | **faster** |');
    expect(table).toContain('| `a\\|b` | 1.23457 G instr | 1.23460 G instr | +0.003 % [+0.001, +0.004] | 0.330 | unchanged |');
    expect(table).toContain('Runs: 20 base/head pairs after 1 warmup run per ref.');
    expect(table).toContain('base `main` (abcdef012345) → head `HEAD` (0123456789ab)');
    expect(table).toContain('Machine: Test CPU, 4 cores, Linux');
    expect(table).toContain('Date: 2025-01-02 03:04 UTC');
    expect(table).toMatch(/Mode: wall — .*bootstrap.*Mann–Whitney/);
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
          verdict: 'slower',
        },
      ],
      { mode: 'instructions', pairs: 2, runner: 'valgrind --tool=callgrind python prog.py' },
    );
    expect(table).toContain('| benchmark | base | head | change (range of runs) | p | verdict |');
    expect(table).toContain('| `prog` | 1.000 G instr | 1.020 G instr | +2.000 % [+1.990, +2.010] | 0.330 | **slower** |');
    expect(table).toContain('(at least 0.1 %)');
  });

  it('describes this machine by CPU, cores and OS', () => {
    expect(machineDescription()).toMatch(/, \d+ cores?, .+/);
    expect(machineDescription({ cpu_model: 'M2', cpu_cores: 8, os: 'macOS 15', arch: 'arm64' })).toBe('M2, 8 cores, macOS 15, arm64');
  });
});
