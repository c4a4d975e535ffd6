// Statistical quality of the comparison rules on synthetic samples with known answers:
//   false positives  A/A trials (identical lognormal distributions) called faster or slower;
//   power            trials with a true 2 / 5 / 10 % slowdown called `slower`;
//   coverage         how often the 95 % bootstrap interval holds the true ratio;
//   adaptive         pairs the default policy (±1 %, 5..500 pairs) measures before it stops;
//   deterministic    the instruction-count rule on 2 runs a side with 0.002 % jitter.
// Noise is lognormal: "2 %" is a log-space standard deviation of 0.02.
// Usage: node bench/statistics.mjs [--trials 1000] [--seed 1]   (build first: npx tsc -p tsconfig.json)
import { parseArgs } from 'node:util';
import { shouldContinue } from '../dist/bench/adaptive.js';
import { compareDeterministic, compareSamples, mulberry32 } from '../dist/bench/stats.js';
import { lognormalSamples } from './lib/samples.mjs';

const { values: flags } = parseArgs({
  options: { trials: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } },
});
const trials = Number(flags.trials);
const random = mulberry32(Number(flags.seed));
const NOISES = [0.01, 0.02, 0.05];
const SAMPLE_COUNTS = [5, 10, 30, 100];
const CHANGES = [0.02, 0.05, 0.1];
const started = performance.now();

/** Share of the trials (n samples a side, head slower by `change`) for which `hit` holds. */
function rate(n, noise, change, hit, trialCount = trials) {
  let hits = 0;
  for (let t = 0; t < trialCount; t++) {
    const base = lognormalSamples(random, n, 100, noise);
    const head = lognormalSamples(random, n, 100 * (1 + change), noise);
    if (hit(compareSamples(base, head, { seed: t }), 1 + change)) hits++;
  }
  return hits / trialCount;
}

function table(title, rowLabel, columns, cell) {
  console.log(`\n${title}`);
  console.log(`| ${rowLabel} | ${columns.map((c) => c.label).join(' | ')} |`);
  console.log(`|:--|${columns.map(() => '--:').join('|')}|`);
  for (const noise of NOISES) {
    console.log(`| ${noise * 100} % | ${columns.map((c) => cell(noise, c)).join(' | ')} |`);
  }
}

const pct = (share) => `${(100 * share).toFixed(1)} %`;
const perSampleCount = SAMPLE_COUNTS.map((n) => ({ label: `n=${n}`, n }));

console.log(`# Statistics quality — ${trials} seeded trials per cell, lognormal noise around 100`);

table('## A/A false-positive rate (verdict not `unchanged`; target ≤ 5 %)', 'noise', perSampleCount, (noise, { n }) =>
  pct(rate(n, noise, 0, (r) => r.verdict !== 'unchanged')),
);

for (const change of CHANGES) {
  table(`## Power: head ${change * 100} % slower, called \`slower\``, 'noise', perSampleCount, (noise, { n }) =>
    pct(rate(n, noise, change, (r) => r.verdict === 'slower')),
  );
}

table('## 95 % bootstrap CI coverage of the true ratio (1.05)', 'noise', perSampleCount, (noise, { n }) =>
  pct(rate(n, noise, 0.05, (r, truth) => r.ciLowPct / 100 + 1 <= truth && truth <= r.ciHighPct / 100 + 1)),
);

const ADAPTIVE_TRIALS = Math.max(20, Math.round(trials / 20));
const policy = { minPairs: 5, maxPairs: 500, precisionPct: 1, maxTimeMs: Number.POSITIVE_INFINITY };
table(
  `## Adaptive stop (±1 %, 5..500 pairs, ${ADAPTIVE_TRIALS} trials): median pairs, share stopped by precision, A/A false positives at the stop`,
  'noise',
  [{ label: 'pairs' }, { label: 'precision reached' }, { label: 'A/A called' }],
  (() => {
    const cache = new Map();
    return (noise, { label }) => {
      if (!cache.has(noise)) cache.set(noise, adaptiveRun(noise));
      return cache.get(noise)[label];
    };
  })(),
);

function adaptiveRun(noise) {
  const pairs = [];
  let precise = 0;
  let called = 0;
  for (let t = 0; t < ADAPTIVE_TRIALS; t++) {
    const base = [];
    const head = [];
    for (;;) {
      base.push(...lognormalSamples(random, 1, 100, noise));
      head.push(...lognormalSamples(random, 1, 100, noise));
      const decision = shouldContinue(base, head, 0, policy);
      if (decision.more) continue;
      if (decision.reason === 'precision_reached') precise++;
      if (compareSamples(base, head).verdict !== 'unchanged') called++;
      pairs.push(base.length);
      break;
    }
  }
  pairs.sort((a, b) => a - b);
  return {
    pairs: String(pairs[pairs.length >> 1]),
    'precision reached': pct(precise / ADAPTIVE_TRIALS),
    'A/A called': pct(called / ADAPTIVE_TRIALS),
  };
}

console.log('\n## Instruction counts (2 runs a side, 0.002 % jitter)');
console.log('| true change | called slower | called unchanged |');
console.log('|--:|--:|--:|');
for (const change of [0, 0.0001, 0.002, 0.02]) {
  let slower = 0;
  let unchanged = 0;
  for (let t = 0; t < trials; t++) {
    const result = compareDeterministic(
      lognormalSamples(random, 2, 1e9, 0.00002),
      lognormalSamples(random, 2, 1e9 * (1 + change), 0.00002),
    );
    if (result.verdict === 'slower') slower++;
    if (result.verdict === 'unchanged') unchanged++;
  }
  console.log(`| ${change * 100} % | ${pct(slower / trials)} | ${pct(unchanged / trials)} |`);
}

console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
