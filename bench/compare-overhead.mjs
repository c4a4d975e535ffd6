// Overhead and clocks of benchmark_compare:
//   overhead   the measuring phase should cost at most 1.25x the summed time of the measured processes
//              (worktree and setup time are reported apart);
//   clocks     each timer — the C posix_spawn helper, the Python one, Node's own spawn — against hyperfine
//              on the same two programs: rounds alternate a compare per timer and hyperfine, so a phase of
//              the shared machine falls on all of them; medians should agree within the noise;
//   thinness   what each clock adds to every run, on a program that does nothing (/bin/true): the fastest
//              and the median of many runs per clock against hyperfine's, in interleaved rounds. Load only
//              ever adds time, so the fastest runs show the clock's own cost even on a busy machine.
// Usage: node bench/compare-overhead.mjs [--runs 30] [--rounds 3] [--true-runs 300] [--python /path/to/python3]   (build first: npx tsc -p tsconfig.json)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRefs } from '../dist/bench/compare.js';
import { runProcess } from '../dist/proc/run.js';
import { TimedSpawner } from '../dist/proc/spawner.js';
import { timingHelper } from '../dist/proc/timer.js';
import { median } from '../test/fixtures/bench/measure.mjs';
import { makeRepo, pythonProgram } from '../test/fixtures/bench/repos.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    'true-runs': { type: 'string', default: '300' },
    python: { type: 'string' },
  },
});
const runs = Number(flags.runs);
// The real interpreter behind python3, as the server resolves it: a version-manager shim adds a shell start to every run.
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const started = new Date();
const startLoad = loadavg()[0].toFixed(2);
const TIMERS = ['c', 'python', 'node'];
const TRUE_ROUND = 50;

const repo = makeRepo('codeflash-overhead-');
const scripts = mkdtempSync(join(tmpdir(), 'codeflash-overhead-hf-'));
try {
  repo.commit({ 'prog.py': pythonProgram(50_000) }, 'base');
  repo.git('tag', 'base');
  repo.commit({ 'prog.py': pythonProgram(80_000) }, 'more work');
  repo.git('tag', 'head');
  writeFileSync(join(scripts, 'base.py'), pythonProgram(50_000));
  writeFileSync(join(scripts, 'head.py'), pythonProgram(80_000));

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
  const rounds = Number(flags.rounds);
  const pairsPerRound = Math.max(6, Math.round(runs / rounds));
  const ours = Object.fromEntries(TIMERS.map((timer) => [timer, { base: [], head: [], described: '' }]));
  const theirs = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const timer of TIMERS) {
      const result = await compareRefs({ ...request, runs: pairsPerRound, timer });
      const samples = Object.values(result.samples)[0];
      ours[timer].base.push(...samples.base);
      ours[timer].head.push(...samples.head);
      ours[timer].described = result.timer;
    }
    for (const [i, xs] of hyperfineTimes(['base.py', 'head.py'], pairsPerRound).entries()) theirs[i].push(...xs);
  }
  const { totalMs, timedMs, warmupMs, worktreeMs, setupMs } = whole.timings;
  const measuringMs = totalMs - worktreeMs - setupMs;
  console.log(`compare: ${whole.runner}, ${whole.pairs} pairs + ${whole.warmups} warmup per ref, timer: ${whole.timer}`);
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

  console.log(`clocks: ${rounds} rounds, each a ${pairsPerRound}-pair compare per timer, then hyperfine -N on the same two programs`);
  const hyperfine = theirs.map(medianWithError);
  const rows = [];
  for (const timer of TIMERS) {
    const mine = [ours[timer].base, ours[timer].head].map(medianWithError);
    for (const [i, side] of ['base', 'head'].entries()) {
      const diffPct = ((mine[i].median - hyperfine[i].median) / hyperfine[i].median) * 100;
      // Two standard errors of the difference of the two medians.
      const bound = 2 * Math.hypot(mine[i].stderrPct, hyperfine[i].stderrPct);
      rows.push({
        timer: ours[timer].described,
        side,
        'compare median ms': mine[i].median.toFixed(2),
        'hyperfine median ms': hyperfine[i].median.toFixed(2),
        'diff ms': (mine[i].median - hyperfine[i].median).toFixed(2),
        'diff %': diffPct.toFixed(2),
        'noise bound %': bound.toFixed(2),
        agree: Math.abs(diffPct) <= bound,
      });
    }
  }
  console.table(rows);

  const trueRuns = Number(flags['true-runs']);
  console.log(`thinness: /bin/true, ${trueRuns} runs per clock in rounds of ${TRUE_ROUND}, interleaved with hyperfine`);
  console.table(await thinness(trueRuns));
  console.log(
    `started ${started.toISOString()} (load average ${startLoad}), ended ${new Date().toISOString()} (load average ${loadavg()[0].toFixed(2)})`,
  );
} finally {
  repo.dispose();
  rmSync(scripts, { recursive: true, force: true });
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
function hyperfineTimes(names, count) {
  const exportFile = join(scripts, 'hyperfine.json');
  return names.map((name) => {
    execFileSync('hyperfine', ['-N', '--warmup', '1', '--runs', String(count), '--export-json', exportFile, `${python} ${name}`], {
      cwd: scripts,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PYTHONHASHSEED: '0' },
    });
    return JSON.parse(readFileSync(exportFile, 'utf8')).results[0].times.map((t) => t * 1000);
  });
}

/** Microseconds each clock measures for /bin/true: fastest and median, beside hyperfine's. */
async function thinness(total) {
  const helpers = { c: await timingHelper({ prefer: 'c' }), python: await timingHelper({ python, prefer: 'python' }) };
  const spawners = Object.fromEntries(
    await Promise.all(Object.entries(helpers).map(async ([kind, helper]) => [kind, await TimedSpawner.start(helper)])),
  );
  const times = { c: [], python: [], node: [], hyperfine: [] };
  try {
    for (let done = 0; done < total; done += TRUE_ROUND) {
      for (const kind of ['c', 'python']) {
        for (let i = 0; i < TRUE_ROUND; i++)
          times[kind].push(Number((await spawners[kind].run(['/bin/true'], { cwd: scripts })).durationNs) / 1e3);
      }
      for (let i = 0; i < TRUE_ROUND; i++) times.node.push(Number((await runProcess(['/bin/true'], { cwd: scripts })).durationNs) / 1e3);
      const exportFile = join(scripts, 'true.json');
      execFileSync('hyperfine', ['-N', '--runs', String(TRUE_ROUND), '--export-json', exportFile, '/bin/true'], { stdio: 'ignore' });
      times.hyperfine.push(...JSON.parse(readFileSync(exportFile, 'utf8')).results[0].times.map((t) => t * 1e6));
    }
  } finally {
    for (const spawner of Object.values(spawners)) await spawner.close();
  }
  const hyperfineMin = Math.min(...times.hyperfine);
  const hyperfineMedian = median(times.hyperfine);
  return Object.entries(times).map(([clock, xs]) => ({
    clock,
    runs: xs.length,
    'fastest µs': Math.min(...xs).toFixed(0),
    'median µs': median(xs).toFixed(0),
    'fastest − hyperfine µs': (Math.min(...xs) - hyperfineMin).toFixed(0),
    'median − hyperfine µs': (median(xs) - hyperfineMedian).toFixed(0),
  }));
}
