import { describe, expect, it } from 'vitest';
import { lookSchedule } from '../../src/bench/adaptive.js';
import { crossingProbability, pocockBoundary } from '../../src/bench/boundary.js';
import { mulberry32 } from '../../src/bench/stats.js';

const equallySpaced = (looks: number) => Array.from({ length: looks }, (_, i) => i + 1);

describe('pocockBoundary', () => {
  it("matches Pocock's published constants for equally spaced looks at α = 0.05 to three decimals", () => {
    // Jennison & Turnbull (2000), table 2.1.
    const published: Record<number, number> = { 1: 1.96, 2: 2.178, 3: 2.289, 4: 2.361, 5: 2.413, 10: 2.555, 20: 2.672 };
    for (const [looks, z] of Object.entries(published)) expect(pocockBoundary(equallySpaced(Number(looks)), 0.05)).toBeCloseTo(z, 3);
  });

  it('lies between one look at α and the union bound at α / K for the compare schedule', () => {
    const looks = lookSchedule();
    const z = pocockBoundary(looks, 0.05);
    expect(z).toBeCloseTo(2.676, 3);
    expect(z).toBeGreaterThan(1.96);
    expect(z).toBeLessThan(2.838);
    expect(crossingProbability(looks, z)).toBeCloseTo(0.05, 5);
  });

  it('refuses a schedule that is not increasing', () => {
    expect(() => pocockBoundary([10, 10, 15], 0.05)).toThrow(/increasing positive pair counts/);
    expect(() => crossingProbability([], 2)).toThrow(/increasing positive pair counts/);
  });
});

describe('crossingProbability', () => {
  it('agrees with simulated random walks read at the looks', () => {
    const looks = lookSchedule();
    const random = mulberry32(7);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const paths = 40_000;
    let crossed = 0;
    for (let p = 0; p < paths; p++) {
      let sum = 0;
      let previous = 0;
      for (const n of looks) {
        sum += Math.sqrt(n - previous) * normal();
        previous = n;
        if (Math.abs(sum) / Math.sqrt(n) >= 2.5) {
          crossed++;
          break;
        }
      }
    }
    // Three standard errors of a share near 0.08 over 40,000 paths.
    expect(Math.abs(crossed / paths - crossingProbability(looks, 2.5))).toBeLessThan(0.0041);
  });

  it('falls as the boundary rises, and a look taken early (a spent time budget) never raises it', () => {
    const looks = lookSchedule();
    expect(crossingProbability(looks, 2)).toBeGreaterThan(crossingProbability(looks, 2.5));
    expect(crossingProbability(looks, 0)).toBe(1);
    expect(crossingProbability(looks, Number.POSITIVE_INFINITY)).toBe(0);
    const budgetAt130 = [...looks.slice(0, 7), 130];
    expect(crossingProbability(budgetAt130, 2.676)).toBeLessThan(crossingProbability(looks, 2.676));
  });
});
