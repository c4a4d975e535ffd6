// Replays the stopping rule on real pair sequences recorded by `compare-quality.mjs --samples-out FILE`: at every
// look a compare took, what the interval, the noise band and the verdict were, so a late verdict shows why the
// earlier looks did not settle (interval too wide, or the band widened by a self-change of one ref).
// A compare stops at its first settled look, so a replay can only ask about looks up to where it stopped.
// Usage: node bench/replay-looks.mjs FILE [--row slow10]   (build first: npx tsc -p tsconfig.json)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compareSamples } from '../dist/bench/stats.js';

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { row: { type: 'string' } } });
if (positionals.length !== 1) throw new Error('usage: node bench/replay-looks.mjs FILE [--row NAME]');
const records = readFileSync(positionals[0], 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .filter((record) => !flags.row || record.row === flags.row);

const fmt = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
const settledAt = {};
for (const record of records) {
  const looks = record.looks.filter((n) => n <= record.pairs);
  if (!looks.includes(record.pairs)) looks.push(record.pairs);
  const lines = looks.map((n) => {
    const row = compareSamples(record.base.slice(0, n), record.head.slice(0, n), { looks: record.looks });
    return `  ${String(n).padStart(3)} pairs: ${row.verdict.padEnd(12)} ${fmt(row.changePct)} % [${fmt(row.ciLowPct)}, ${fmt(row.ciHighPct)}] band ±${row.noiseFloorPct.toFixed(2)} drift ×${row.driftFactor.toFixed(2)}`;
  });
  settledAt[record.row] ??= [];
  settledAt[record.row].push(record.pairs);
  console.log(
    `${record.row} #${record.trial + 1}: ${record.verdict} after ${record.pairs} pairs, ${record.seconds.toFixed(1)} s (looks ${record.looks.join(', ')})`,
  );
  console.log(lines.join('\n'));
}
for (const [row, pairs] of Object.entries(settledAt)) {
  const tally = new Map();
  for (const n of pairs.sort((a, b) => a - b)) tally.set(n, (tally.get(n) ?? 0) + 1);
  const counts = [...tally].map(([n, hits]) => `${hits} at ${n}`);
  console.log(`${row}: stopped ${counts.join(', ')}`);
}
