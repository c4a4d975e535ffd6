// Statistical quality of micro_benchmark on this machine, per language:
//   A/A   one snippet against itself: how often a change is called (should be about never);
//   +10 % a snippet doing 10 % more work: how often it is called slower;
// each with the interval's median half-width and the seconds one call takes, for the
// default of 4 processes beside a single process (the interval then comes from one
// process's pairs, as a bootstrap; that is what a process's own bias fools).
// Usage: node bench/micro-quality.mjs [--trials 20] [--python /path/to/python3]   (build first: npm run build)
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { runMicroBenchmark } from '../dist/bench/micro.js';
import { compareSamples } from '../dist/bench/stats.js';

const { values: flags } = parseArgs({ options: { trials: { type: 'string', default: '20' }, python: { type: 'string' } } });
const trials = Number(flags.trials);
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

const snippets = {
  python: { setup: '', base: 'sum(range(10000))', slow: 'sum(range(11000))' },
  node: {
    setup: 'const sink = [];',
    base: 'let s = 0; for (let i = 0; i < 10000; i++) s += i; sink.push(s);',
    slow: 'let s = 0; for (let i = 0; i < 11000; i++) s += i; sink.push(s);',
  },
};

/** The verdict a single process would give: its pairs compared as benchmark_compare compares runs. */
function singleProcess(result) {
  const [only] = result.samples;
  return compareSamples(only.a, only.b);
}

const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const table = [];
for (const language of ['python', 'node']) {
  const { setup, base, slow } = snippets[language];
  for (const [experiment, b] of [
    ['A/A', base],
    ['+10 %', slow],
  ]) {
    for (const processes of [4, 1]) {
      const verdicts = { faster: 0, slower: 0, unchanged: 0, inconclusive: 0 };
      const halfWidths = [];
      const seconds = [];
      for (let trial = 0; trial < trials; trial++) {
        const started = Date.now();
        const result = await runMicroBenchmark({
          language,
          python,
          setup,
          a: base,
          b,
          runs: 20,
          cwd: tmpdir(),
          timeoutMs: 120_000,
          // One process: the same 20 pairs taken in one child, judged by its own bootstrap.
          ...(processes === 1 ? { processes: 2, runs: 40 } : { processes }),
        });
        seconds.push((Date.now() - started) / 1000);
        const verdict =
          processes === 1 ? singleProcess(result) : { verdict: result.verdict, ciLowPct: result.ciLowPct, ciHighPct: result.ciHighPct };
        verdicts[verdict.verdict]++;
        halfWidths.push((verdict.ciHighPct - verdict.ciLowPct) / 2);
      }
      table.push({
        language,
        experiment,
        interval: processes === 1 ? 'one process, bootstrap' : `${processes} processes, t`,
        slower: verdicts.slower,
        faster: verdicts.faster,
        unchanged: verdicts.unchanged,
        inconclusive: verdicts.inconclusive,
        'median ± %': median(halfWidths).toFixed(2),
        'median s/call': median(seconds).toFixed(2),
      });
    }
  }
}
console.log(`host: ${execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim()}, ${trials} trials each, 20 samples a side`);
console.table(table);
