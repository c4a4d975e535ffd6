// Statistical quality of the comparison rules on synthetic samples with known answers (seeded):
//   fixed n          false calls on A/A, power and coverage of the signed-rank interval at 6..100 pairs;
//   repeated looks   a sequence sampled to 270 pairs: how often any look calls an A/A changed, or any
//                    look's interval misses the truth, on the schedule at Pocock's boundary, at the
//                    union bound (alpha/11 a look), and at 95 % after every pair;
//   sequential stop  pairs to a settled answer and the verdicts, per true change (at a busy day's noise
//                    also by the union bound, and by the earlier rule, a half-width within half the change);
//   drift            coverage when the ratio itself wanders (AR(1)), with and without the block widening;
//   deterministic    the instruction-count rule on 2 runs a side with 0.002 % jitter.
// Noise model: each pair shares a machine state (lognormal 5 %), each run adds lognormal `sigma`, and one
// run in ten stalls by 20 % (on either side) — the heavy tail seen on this machine.
// Usage: node bench/statistics.mjs [--trials 400] [--seed 1]   (build first: npx tsc -p tsconfig.json)
import { parseArgs } from 'node:util';
import { budgetedLookSchedule, FIRST_LOOK, isSettled, lookSchedule } from '../dist/bench/adaptive.js';
import { driftFactor } from '../dist/bench/drift.js';
import { shiftInterval } from '../dist/bench/signed-rank.js';
import { compareDeterministic, compareSamples, mulberry32 } from '../dist/bench/stats.js';
import { lognormalSamples } from './lib/samples.mjs';

const { values: flags } = parseArgs({
  options: { trials: { type: 'string', default: '400' }, seed: { type: 'string', default: '1' } },
});
const trials = Number(flags.trials);
const seed0 = Number(flags.seed);
const started = performance.now();
const LOOKS = lookSchedule();
const pct = (share) => `${(100 * share).toFixed(1)} %`;

/** `n` pairs: head `change` slower; pair state, run noise `sigma`, stalls. */
function pairs(random, n, change, sigma) {
  const base = [];
  const head = [];
  for (let i = 0; i < n; i++) {
    const [state] = lognormalSamples(random, 1, 1, 0.05);
    const stall = random() < 0.1 ? 1.2 : 1;
    const onBase = random() < 0.5;
    base.push(lognormalSamples(random, 1, 100, sigma)[0] * state * (onBase ? stall : 1));
    head.push(lognormalSamples(random, 1, 100 * (1 + change), sigma)[0] * state * (onBase ? 1 : stall));
  }
  return { base, head };
}

function share(count, hit) {
  let hits = 0;
  for (let t = 0; t < count; t++) if (hit(mulberry32(seed0 * 100_003 + t))) hits++;
  return hits / count;
}

function row(cells) {
  console.log(`| ${cells.join(' | ')} |`);
}

console.log(`# Statistics quality — seeded synthetic samples, ${trials} trials per cell`);

console.log('\n## Fixed pairs, one look at 95 %: A/A called changed, 5 % change called slower, interval holds the truth');
row(['noise (per run)', 'pairs', 'A/A called', '+5 % called slower', 'coverage of +5 %']);
row([':--', '--:', '--:', '--:', '--:']);
for (const sigma of [0.01, 0.02]) {
  for (const n of [6, 10, 30, 100]) {
    const aa = share(trials, (r) => ['faster', 'slower'].includes(compareSamples(...Object.values(pairs(r, n, 0, sigma))).verdict));
    const power = share(trials, (r) => compareSamples(...Object.values(pairs(r, n, 0.05, sigma))).verdict === 'slower');
    const coverage = share(trials, (r) => {
      const c = compareSamples(...Object.values(pairs(r, n, 0.05, sigma)));
      return c.ciLowPct <= 5 && 5 <= c.ciHighPct;
    });
    row([`${sigma * 100} %`, n, pct(aa), pct(power), pct(coverage)]);
  }
}

const SEQUENCE_TRIALS = Math.max(40, Math.round(trials / 4));
const maxPairs = 270;
// The tool fits its looks to the budget at the first look; here the budget is counted in pairs.
const FITTED = budgetedLookSchedule(FIRST_LOOK, FIRST_LOOK, maxPairs);
const scheduled = FITTED.filter((n) => n <= maxPairs);
const everyPair = Array.from({ length: maxPairs - 9 }, (_, i) => i + 10);
// How each look's interval is taken: the tool's boundary for the fitted looks, or alpha spent evenly over the
// 11 looks up to 500 pairs (a look alone at alpha / 11), as the tool did before.
const atBoundary = { looks: FITTED };
const atUnionBound = { alpha: 0.05 / LOOKS.length };
function sequence(random, change, sigma, looks, options) {
  const { base, head } = pairs(random, maxPairs, change, sigma);
  return looks.map((n) => compareSamples(base.slice(0, n), head.slice(0, n), options));
}
console.log(`\n## Repeated looks up to ${maxPairs} pairs (1.5 % run noise)`);
row(['looks', 'A/A: any look calls a change', '+3 %: any look misses the truth']);
row([':--', '--:', '--:']);
// Looking after every pair costs 261 intervals a sequence: fewer sequences there.
for (const [label, looks, options, count] of [
  [`schedule (${scheduled.join(', ')}) at Pocock's boundary`, scheduled, atBoundary, SEQUENCE_TRIALS],
  [`schedule at α/${LOOKS.length} a look (union bound)`, scheduled, atUnionBound, SEQUENCE_TRIALS],
  ['every pair from 10 at 95 %', everyPair, {}, Math.min(SEQUENCE_TRIALS, 40)],
]) {
  const called = share(count, (r) => sequence(r, 0, 0.015, looks, options).some((c) => c.verdict === 'faster' || c.verdict === 'slower'));
  const missed = share(count, (r) => sequence(r, 0.03, 0.015, looks, options).some((c) => c.ciLowPct > 3 || c.ciHighPct < 3));
  row([`${label} (${count} sequences)`, pct(called), pct(missed)]);
}

console.log(`\n## Sequential stop (looks at ${scheduled.join(', ')}; budget ${maxPairs} pairs; ${SEQUENCE_TRIALS} sequences)`);
// The rule the tool stops by; at a busy day's noise also at the union bound, and the earlier rule (a half-width within half the change).
const rules = {
  direction: { options: atBoundary, settled: (c) => isSettled(c, {}) },
  'direction, union bound': { options: atUnionBound, settled: (c) => isSettled(c, {}) },
  'half the change': {
    options: atBoundary,
    settled: (c) => isSettled(c, {}) && (c.ciHighPct - c.ciLowPct) / 2 <= Math.max(1, Math.abs(c.changePct) / 2),
  },
};
row([
  'true change',
  'noise',
  'rule',
  'median pairs',
  '90th percentile pairs',
  'faster/slower/unchanged/inconclusive',
  'interval holds truth',
]);
row(['--:', '--:', ':--', '--:', '--:', ':--', '--:']);
for (const [change, sigma, rule] of [
  [0, 0.015, 'direction'],
  [0.03, 0.015, 'direction'],
  [0.1, 0.015, 'direction'],
  [0.25, 0.015, 'direction'],
  [0.1, 0.03, 'direction'],
  // Run noise 5.5 %: a per-pair spread near 9 %, this shared machine on a busy day.
  [0, 0.055, 'direction'],
  [0, 0.055, 'direction, union bound'],
  [0.03, 0.055, 'direction'],
  [0.03, 0.055, 'direction, union bound'],
  [0.03, 0.055, 'half the change'],
  [0.1, 0.055, 'direction'],
  [0.1, 0.055, 'direction, union bound'],
  [0.1, 0.055, 'half the change'],
  [0.3, 0.055, 'direction'],
  [0.3, 0.055, 'direction, union bound'],
  [0.3, 0.055, 'half the change'],
]) {
  const stops = [];
  const verdicts = { faster: 0, slower: 0, unchanged: 0, inconclusive: 0 };
  let held = 0;
  for (let t = 0; t < SEQUENCE_TRIALS; t++) {
    const random = mulberry32(seed0 * 7919 + t);
    const { base, head } = pairs(random, maxPairs, change, sigma);
    const looks = [...new Set([...scheduled, maxPairs])];
    for (const n of looks) {
      const c = compareSamples(base.slice(0, n), head.slice(0, n), rules[rule].options);
      if (rules[rule].settled(c) || n === maxPairs) {
        stops.push(n);
        verdicts[c.verdict]++;
        if (c.ciLowPct <= change * 100 && change * 100 <= c.ciHighPct) held++;
        break;
      }
    }
  }
  stops.sort((a, b) => a - b);
  row([
    `${change * 100} %`,
    `${sigma * 100} %`,
    rule,
    stops[stops.length >> 1],
    stops[Math.floor(stops.length * 0.9)],
    `${verdicts.faster}/${verdicts.slower}/${verdicts.unchanged}/${verdicts.inconclusive}`,
    pct(held / SEQUENCE_TRIALS),
  ]);
}

console.log('\n## Slow drift of the ratio (AR(1) around +3 %, 1 % stationary spread, 1 % pair noise): 95 % interval holds +3 %');
row(['correlation pair to pair', 'pairs', 'plain signed-rank', 'widened by time blocks', 'median widening']);
row(['--:', '--:', '--:', '--:', '--:']);
for (const [rho, n] of [
  [0, 120],
  [0.9, 120],
  [0.97, 120],
  [0.9, 270],
]) {
  const factors = [];
  const hold = (widen) =>
    share(trials, (random) => {
      const d = driftingLogRatios(random, n, rho);
      const factor = driftFactor(d);
      if (widen) factors.push(factor);
      const { low, high } = shiftInterval(d, 0.95, { spreadFactor: widen ? factor : 1 });
      return low <= 0.03 && 0.03 <= high;
    });
  const plain = hold(false);
  const widened = hold(true);
  factors.sort((a, b) => a - b);
  row([rho, n, pct(plain), pct(widened), factors[factors.length >> 1].toFixed(2)]);
}

/** Per-pair log ratios around +3 % whose centre wanders as an AR(1) process with correlation `rho` between pairs. */
function driftingLogRatios(random, n, rho) {
  let level = Math.log(lognormalSamples(random, 1, 1, 0.01)[0]);
  return lognormalSamples(random, n, 1, 0.01).map((x) => {
    level = rho * level + Math.sqrt(1 - rho * rho) * Math.log(lognormalSamples(random, 1, 1, 0.01)[0]);
    return Math.log(x) + 0.03 + level;
  });
}

console.log('\n## Instruction counts (2 runs a side, 0.002 % jitter)');
row(['true change', 'called slower', 'called unchanged']);
row(['--:', '--:', '--:']);
for (const change of [0, 0.0001, 0.002, 0.02]) {
  const results = Array.from({ length: trials }, (_, t) => {
    const random = mulberry32(seed0 * 31 + t);
    return compareDeterministic(lognormalSamples(random, 2, 1e9, 0.00002), lognormalSamples(random, 2, 1e9 * (1 + change), 0.00002))
      .verdict;
  });
  row([
    `${change * 100} %`,
    pct(results.filter((v) => v === 'slower').length / trials),
    pct(results.filter((v) => v === 'unchanged').length / trials),
  ]);
}

console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
