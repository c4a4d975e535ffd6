// Overhead of benchmark_compare: the measuring phase should cost at most 1.25x the summed time of the
// measured processes (worktree and setup time are reported apart), and its medians should agree with
// hyperfine's on the same two commands within the noise.
// Usage: node bench/compare-overhead.mjs [--runs 30] [--rounds 3] [--python /path/to/python3]   (build first: npx tsc -p tsconfig.json)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRefs } from '../dist/bench/compare.js';
import { compareSamples } from '../dist/bench/stats.js';
import { median } from '../test/fixtures/bench/measure.mjs';
import { makeRepo, pythonProgram } from '../test/fixtures/bench/repos.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string' },
  },
});
const runs = Number(flags.runs);
// The real interpreter behind python3, as the server resolves it: a version-manager shim adds a shell start to every run.
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

const repo = makeRepo('codeflash-overhead-');
try {
  repo.commit({ 'prog.py': pythonProgram(50_000) }, 'base');
  repo.git('tag', 'base');
  repo.commit({ 'prog.py': pythonProgram(80_000) }, 'more work');
  repo.git('tag', 'head');

  const request = {
    root: repo.root,
    worktreesDir: repo.worktreesDir,
    base: 'base',
    head: 'head',
    command: ['python', 'prog.py'],
    language: 'python',
    mode: 'wall',
    python,
    timeoutMs: 60_000,
    keepWorktrees: true,
  };
  // Overhead from one whole compare of `runs` pairs, as a user runs it.
  const whole = await compareRefs({ ...request, runs });
  // Agreement: rounds alternate a compare and hyperfine on the same two scripts, so a
  // phase of the shared machine falls on both tools instead of on whichever ran then.
  const rounds = Number(flags.rounds);
  const pairsPerRound = Math.max(5, Math.round(runs / rounds));
  const ours = { base: [], head: [] };
  const theirs = [[], []];
  for (let round = 0; round < rounds; round++) {
    const result = await compareRefs({ ...request, runs: pairsPerRound });
    const samples = Object.values(result.samples)[0];
    ours.base.push(...samples.base);
    ours.head.push(...samples.head);
    const times = hyperfineTimes(
      [result.base.sha, result.head.sha].map((sha) => join(repo.worktreesDir, sha, 'prog.py')),
      pairsPerRound,
    );
    for (const [i, xs] of times.entries()) theirs[i].push(...xs);
  }
  const { totalMs, timedMs, warmupMs, worktreeMs, setupMs } = whole.timings;
  const measuringMs = totalMs - worktreeMs - setupMs;
  console.log(`compare: ${whole.runner}, ${whole.pairs} pairs + ${whole.warmups} warmup per ref`);
  console.table([
    {
      'total ms': totalMs.toFixed(0),
      'worktree ms': worktreeMs.toFixed(0),
      'setup ms': setupMs.toFixed(0),
      'measuring ms': measuringMs.toFixed(0),
      'timed ms': timedMs.toFixed(0),
      'warmup ms': warmupMs.toFixed(0),
      'measuring / timed': (measuringMs / timedMs).toFixed(3),
      'measuring / (timed + warmup)': (measuringMs / (timedMs + warmupMs)).toFixed(3),
      limit: 1.25,
    },
  ]);

  console.log(`agreement: ${rounds} rounds of a ${pairsPerRound}-pair compare, each followed by hyperfine on the same two scripts`);
  const mine = [ours.base, ours.head].map(medianWithError);
  const hyperfine = theirs.map(medianWithError);
  console.table(
    ['base', 'head'].map((side, i) => {
      const diffPct = ((mine[i].median - hyperfine[i].median) / hyperfine[i].median) * 100;
      // Two standard errors of the difference of the two medians.
      const bound = 2 * Math.hypot(mine[i].stderrPct, hyperfine[i].stderrPct);
      return {
        side,
        'compare median ms': mine[i].median.toFixed(2),
        'hyperfine median ms': hyperfine[i].median.toFixed(2),
        'diff %': diffPct.toFixed(2),
        'noise bound %': bound.toFixed(2),
        agree: Math.abs(diffPct) <= bound,
      };
    }),
  );
  const change = compareSamples(ours.base, ours.head);
  const theirChange = (hyperfine[1].median / hyperfine[0].median - 1) * 100;
  const inside = theirChange >= change.ciLowPct && theirChange <= change.ciHighPct;
  console.log(
    `change: compare ${change.changePct.toFixed(2)} % [${change.ciLowPct.toFixed(2)}, ${change.ciHighPct.toFixed(2)}] ${change.verdict} over all ${ours.base.length} pairs; hyperfine ${theirChange.toFixed(2)} % (${inside ? 'inside' : 'outside'} the compare's interval)`,
  );
} finally {
  repo.dispose();
}

/** The median (ms) and its relative standard error (%): 1.2533 σ/√n, with σ ≈ 1.4826 MAD (robust to the VM's outliers). */
function medianWithError(xs) {
  const mid = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - mid)));
  return { median: mid, stderrPct: ((1.2533 * 1.4826 * mad) / Math.sqrt(xs.length) / mid) * 100 };
}

/**
 * hyperfine's times (ms) for `count` runs of each script, run without a shell,
 * as hyperfine is used: one block per script after one warmup run. (Blocks of
 * two runs, each in a fresh hyperfine, came out ~10 % slower than blocks of
 * ten on this VM: hyperfine's own numbers depend on how it is called here.)
 */
function hyperfineTimes(scripts, count) {
  const exportFile = join(repo.worktreesDir, 'hyperfine.json');
  return scripts.map((script) => {
    execFileSync('hyperfine', ['-N', '--warmup', '1', '--runs', String(count), '--export-json', exportFile, `${python} ${script}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PYTHONHASHSEED: '0' },
    });
    return JSON.parse(readFileSync(exportFile, 'utf8')).results[0].times.map((t) => t * 1000);
  });
}
