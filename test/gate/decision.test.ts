import { describe, expect, it } from 'vitest';
import type { PublicRow } from '../../src/bench/public.js';
import { decideGate } from '../../src/gate/decision.js';

/** Rows as a comparison gives them: the gate reads only the verdict and the interval. */
function row(name: string, verdict: PublicRow['verdict'], change: number, low: number, high: number): PublicRow {
  return {
    name,
    base: 1,
    head: 1 + change / 100,
    unit: 's',
    change_pct: change,
    ci_low_pct: low,
    ci_high_pct: high,
    p_value: 0.01,
    mde_pct: 1,
    verdict,
  };
}

const none = { perBenchmark: {}, sources: [] };

describe('decideGate', () => {
  it('fails only a slowdown whose whole interval lies past the threshold', () => {
    const gate = decideGate(
      [row('past', 'slower', 12, 8, 16), row('straddles', 'slower', 6, 2, 10), row('faster', 'faster', -30, -35, -25)],
      none,
      {
        failOnInconclusive: false,
      },
    );
    expect(gate.exit_code).toBe(1);
    expect(gate.rows.map((r) => [r.name, r.outcome, r.threshold_pct])).toEqual([
      ['past', 'fail', 5],
      ['straddles', 'pass', 5],
      ['faster', 'pass', 5],
    ]);
    expect(gate.rows[1]!.reason).toMatch(/not shown past the 5(\.0)? % threshold/);
    expect(gate.summary).toMatch(/^Gate failed: past slower/);
  });

  it('passes an inconclusive row unless asked to fail on it', () => {
    const rows = [row('open', 'inconclusive', 3, -4, 10)];
    expect(decideGate(rows, none, { failOnInconclusive: false })).toMatchObject({ exit_code: 0, rows: [{ outcome: 'inconclusive' }] });
    expect(decideGate(rows, none, { failOnInconclusive: true })).toMatchObject({ exit_code: 1, rows: [{ outcome: 'fail' }] });
  });

  it("takes a benchmark's own threshold first, then the command line's, then the repository's default", () => {
    const thresholds = { defaultPct: 20, perBenchmark: { own: 50 }, sources: ['.codeflash/thresholds.toml'] };
    const rows = [row('own', 'slower', 40, 30, 45), row('other', 'slower', 40, 30, 45)];
    const fromFile = decideGate(rows, thresholds, { failOnInconclusive: false });
    expect(fromFile.rows.map((r) => [r.outcome, r.threshold_pct])).toEqual([
      ['pass', 50],
      ['fail', 20],
    ]);
    expect(fromFile.thresholds_from).toEqual(['.codeflash/thresholds.toml']);
    const flag = decideGate(rows, thresholds, { failOnRegressionPct: 35, failOnInconclusive: false });
    expect(flag.rows.map((r) => [r.outcome, r.threshold_pct])).toEqual([
      ['pass', 50],
      ['pass', 35],
    ]);
    expect(flag.summary).toMatch(/^Gate passed: own slower .*within the 50(\.0)? % threshold; other slower/);
  });
});
