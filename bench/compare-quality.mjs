// Statistical quality of benchmark_compare on this machine, side by side with hyperfine in the same run.
// A Python program of about 200 ms (150–250 ms), default settings, `--trials` compares per row; after each
// compare, hyperfine with its defaults times the same two programs.
//   aa         identical code: at most 1 of 20 called faster/slower; every unchanged states its bound;
//   aa-load    identical code with a CPU load step (busy loops) starting halfway through the compare;
//   slow10     +10 % work: slower in >= 19 of 20, median wall per compare <= 12 s;
//   slow3      +3 % work: slower in >= 18 of 20 within the 120 s budget, the rest inconclusive;
//   big        +30 % work: a verdict within 10 pairs;
//   aa-fixed   identical code with layout randomization off (equal-length paths stay), to compare with aa.
// Calibration: per row, how many of the reported intervals hold the median of that row's estimates.
// --modes wall,cpu: each trial runs one compare per mode, in alternating order, and each mode gets rows of its own.
// Usage: node bench/compare-quality.mjs [--trials 20] [--rows aa,aa-load,slow10,slow3,big,aa-fixed] [--modes wall,cpu] [--target-ms 200]
//        [--max-time-ms N] [--load-procs 2] [--load-at-s S] [--no-hyperfine] [--python /path/to/python3] [--samples-out FILE]
//        (build first: npx tsc -p tsconfig.json). --samples-out writes every compare's pairs, looks and verdict as JSON
//        lines, for replaying other stopping rules on real sequences (bench/replay-looks.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import jStat from 'jstat';
import { compareRefs } from '../dist/bench/compare.js';
import { DEFAULT_MAX_TIME_MS } from '../dist/bench/measure.js';
import { loopStepNs, median, wallMsOf } from '../test/fixtures/bench/measure.mjs';
import { makeRepo, pythonProgram } from '../test/fixtures/bench/repos.mjs';

const { values: flags } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    rows: { type: 'string', default: 'aa,aa-load,slow10,slow3,big,aa-fixed' },
    'target-ms': { type: 'string', default: '200' },
    'max-time-ms': { type: 'string' },
    'load-procs': { type: 'string', default: '2' },
    'no-hyperfine': { type: 'boolean', default: false },
    python: { type: 'string' },
    modes: { type: 'string', default: 'wall' },
    'samples-out': { type: 'string' },
    'load-at-s': { type: 'string' },
  },
});
const trials = Number(flags.trials);
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const withHyperfine = !flags['no-hyperfine'];
const started = new Date();
const startLoad = loadavg()[0].toFixed(2);
const STARTUP_MS = 20;

/** The noise of the moment: robust standard deviation of the per-pair log ratios (1.4826 MAD), in percent. */
function pairSpreadPct({ base, head }) {
  const d = head.map((h, i) => Math.log(h / base[i]));
  const centre = median(d);
  return 1.4826 * median(d.map((x) => Math.abs(x - centre))) * 100;
}

/** CPU load: `procs` busy loops, started after `delayMs`; stop() ends them. */
function loadStep(delayMs, procs) {
  const children = [];
  const timer = setTimeout(() => {
    for (let i = 0; i < procs; i++) children.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  }, delayMs);
  return {
    stop() {
      clearTimeout(timer);
      for (const child of children) child.kill('SIGKILL');
    },
  };
}

/**
 * When a load row's step begins: halfway through the compare, taken as half the median wall of identical code (the
 * aa row), or without an aa row half the budget, which identical code mostly runs to the end. On a quiet machine
 * identical code may settle `unchanged` before that; --load-at-s starts it at a moment every compare reaches.
 */
function loadStartMs(aaWallS) {
  if (flags['load-at-s']) return Number(flags['load-at-s']) * 1000;
  return (aaWallS === undefined ? Number(flags['max-time-ms'] ?? DEFAULT_MAX_TIME_MS) : aaWallS * 1000) / 2;
}

/** hyperfine with its defaults on two scripts; its ± rule, a Welch t-test, the change and its wall time. */
function hyperfine(dir, baseScript, headScript, load) {
  const exportFile = join(dir, 'hyperfine.json');
  const step = load ? loadStep(load.delayMs, load.procs) : undefined;
  const begun = performance.now();
  try {
    execFileSync(
      'hyperfine',
      ['-N', '--style', 'none', '--export-json', exportFile, `${python} ${baseScript}`, `${python} ${headScript}`],
      {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, PYTHONHASHSEED: '0' },
      },
    );
  } finally {
    step?.stop();
  }
  const seconds = (performance.now() - begun) / 1000;
  const [b, h] = JSON.parse(readFileSync(exportFile, 'utf8')).results;
  const ratio = h.mean / b.mean;
  const ratioSd = ratio * Math.hypot(b.stddev / b.mean, h.stddev / h.mean);
  const direction = ratio > 1 ? 'slower' : 'faster';
  const plusMinus = Math.abs(ratio - 1) > ratioSd ? direction : 'same';
  const [nb, nh] = [b.times.length, h.times.length];
  const [vb, vh] = [b.stddev ** 2 / nb, h.stddev ** 2 / nh];
  const t = (h.mean - b.mean) / Math.sqrt(vb + vh);
  const df = (vb + vh) ** 2 / (vb ** 2 / (nb - 1) + vh ** 2 / (nh - 1));
  const welch = 2 * jStat.studentt.cdf(-Math.abs(t), df) < 0.05 ? direction : 'same';
  return { plusMinus, welch, changePct: (ratio - 1) * 100, seconds };
}

const repo = makeRepo('codeflash-quality-');
const scripts = mkdtempSync(join(tmpdir(), 'codeflash-quality-hf-'));
try {
  // Size the program from loop steps timed inside one interpreter (a fit from whole-process timings
  // swings threefold on a loaded machine), to about target-ms unloaded with CPython's ~20 ms start-up.
  const stepNs = loopStepNs(python);
  const iterations = Math.round(((Number(flags['target-ms']) - STARTUP_MS) * 1e6) / stepNs);
  repo.commit({ 'prog.py': pythonProgram(iterations), README: 'a\n' }, 'base');
  repo.git('tag', 'base');
  repo.commit({ README: 'b\n' }, 'same code');
  repo.git('tag', 'same');
  const baseWallMs = Math.min(...wallMsOf(python, repo.root, 'prog.py', 21));
  // A share of the unloaded wall time (start-up plus loop steps), not of the fastest run seen under load.
  const plannedMs = STARTUP_MS + (iterations * stepNs) / 1e6;
  const extra = (fraction) => Math.round((fraction * plannedMs * 1e6) / stepNs);
  const heads = { slow10: 0.1, slow3: 0.03, big: 0.3 };
  writeFileSync(join(scripts, 'base.py'), pythonProgram(iterations));
  for (const [tag, fraction] of Object.entries(heads)) {
    repo.git('checkout', '-q', 'base');
    repo.commit({ 'prog.py': pythonProgram(iterations + extra(fraction)) }, `${fraction * 100} % more work`);
    repo.git('tag', tag);
    writeFileSync(join(scripts, `${tag}.py`), pythonProgram(iterations + extra(fraction)));
  }
  writeFileSync(join(scripts, 'same.py'), pythonProgram(iterations));
  repo.git('checkout', '-q', 'base');
  console.log(
    `program: ${python} prog.py, ${iterations} loop steps, ${plannedMs.toFixed(1)} ms planned, ${baseWallMs.toFixed(1)} ms fastest wall seen`,
  );

  const experiments = {
    aa: { head: 'same', expect: '≤ 1 of 20 faster/slower' },
    'aa-load': { head: 'same', expect: '≤ 1 of 20 faster/slower', load: true },
    slow10: { head: 'slow10', expect: 'slower ≥ 19/20, median ≤ 12 s' },
    slow3: { head: 'slow3', expect: 'slower ≥ 18/20, rest inconclusive' },
    big: { head: 'big', expect: 'verdict within 10 pairs' },
    'aa-fixed': { head: 'same', expect: 'as aa (layout not randomized)', fixedLayout: true },
  };
  const table = [];
  const calibration = [];
  const wallOf = {};
  const modes = flags.modes.split(',');
  for (const name of flags.rows.split(',')) {
    const experiment = experiments[name];
    if (!experiment) throw new Error(`unknown row ${name}`);
    const label = (mode) => (modes.length === 1 ? name : `${name}@${mode}`);
    const rowsByMode = Object.fromEntries(
      modes.map((mode) => [mode, { verdicts: { faster: 0, slower: 0, unchanged: 0, inconclusive: 0 }, results: [] }]),
    );
    const hf = { plusMinus: { faster: 0, slower: 0, same: 0 }, welch: { faster: 0, slower: 0, same: 0 }, seconds: [], changes: [] };
    for (let trial = 0; trial < trials; trial++) {
      // With several modes each trial runs one compare per mode, the order alternating, so all meet the same moments.
      for (const mode of trial % 2 ? [...modes].reverse() : modes) {
        const { verdicts, results } = rowsByMode[mode];
        const load = experiment.load ? { procs: Number(flags['load-procs']) } : undefined;
        const step = load ? loadStep(loadStartMs(wallOf[label('aa')]), load.procs) : undefined;
        let result;
        try {
          result = await compareRefs({
            root: repo.root,
            worktreesDir: repo.worktreesDir,
            base: 'base',
            head: experiment.head,
            command: ['python', 'prog.py'],
            language: 'python',
            mode,
            python,
            timeoutMs: 60_000,
            ...(experiment.fixedLayout ? { randomizeLayout: false } : {}),
            ...(flags['max-time-ms'] ? { maxTimeMs: Number(flags['max-time-ms']) } : {}),
          });
        } finally {
          step?.stop();
        }
        const row = result.rows[0];
        verdicts[row.verdict]++;
        const seconds = result.timings.totalMs / 1000;
        const spread = pairSpreadPct(Object.values(result.samples)[0]);
        results.push({ row, pairs: result.pairs, seconds, spread, bound: Math.max(-row.ciLowPct, row.ciHighPct) });
        if (flags['samples-out']) {
          const record = {
            row: label(mode),
            trial,
            verdict: row.verdict,
            pairs: result.pairs,
            seconds,
            looks: result.looks,
            ...Object.values(result.samples)[0],
          };
          appendFileSync(flags['samples-out'], `${JSON.stringify(record)}\n`);
        }
        let line = `${label(mode)} ${trial + 1}/${trials}: ${row.verdict} ${row.changePct.toFixed(2)} % [${row.ciLowPct.toFixed(2)}, ${row.ciHighPct.toFixed(2)}] mde ${row.mdePct.toFixed(2)} spread ${spread.toFixed(1)} % pairs=${result.pairs} ${seconds.toFixed(1)} s ${result.stopReason}`;
        // hyperfine runs once a trial, after the first mode's compare.
        if (withHyperfine && mode === modes[0]) {
          const hfLoad = load ? { procs: load.procs, delayMs: ((wallOf['aa-hyperfine'] ?? 7) * 1000) / 2 } : undefined;
          const theirs = hyperfine(scripts, 'base.py', `${experiment.head}.py`, hfLoad);
          hf.plusMinus[theirs.plusMinus]++;
          hf.welch[theirs.welch]++;
          hf.seconds.push(theirs.seconds);
          hf.changes.push(theirs.changePct);
          line += ` | hyperfine ${theirs.changePct.toFixed(2)} % ±rule ${theirs.plusMinus} welch ${theirs.welch} ${theirs.seconds.toFixed(1)} s`;
        }
        process.stderr.write(`${line}\n`);
      }
    }
    for (const mode of modes) {
      const { verdicts, results } = rowsByMode[mode];
      const withTheirs = withHyperfine && mode === modes[0];
      const changes = results.map((r) => r.row.changePct);
      const centre = median(changes);
      const holding = results.filter((r) => r.row.ciLowPct <= centre && centre <= r.row.ciHighPct).length;
      const unchanged = results.filter((r) => r.row.verdict === 'unchanged');
      wallOf[label(mode)] = median(results.map((r) => r.seconds));
      if (withTheirs && name === 'aa') wallOf['aa-hyperfine'] = median(hf.seconds);
      table.push({
        row: label(mode),
        expected: experiment.expect,
        'faster/slower/unch./inconcl.': `${verdicts.faster}/${verdicts.slower}/${verdicts.unchanged}/${verdicts.inconclusive}`,
        'median pairs': median(results.map((r) => r.pairs)),
        'max pairs to verdict': Math.max(...results.filter((r) => r.row.verdict !== 'inconclusive').map((r) => r.pairs), 0),
        'median s': wallOf[label(mode)].toFixed(1),
        'median change %': centre.toFixed(2),
        'median mde %': median(results.map((r) => r.row.mdePct)).toFixed(2),
        'median pair spread %': median(results.map((r) => r.spread)).toFixed(1),
        'unchanged bound % (max)': unchanged.length ? Math.max(...unchanged.map((r) => r.bound)).toFixed(2) : '—',
        ...(withTheirs
          ? {
              'hf ± rule f/s': `${hf.plusMinus.faster}/${hf.plusMinus.slower}`,
              'hf Welch f/s': `${hf.welch.faster}/${hf.welch.slower}`,
              'hf median s': median(hf.seconds).toFixed(1),
              'hf median change %': median(hf.changes).toFixed(2),
            }
          : {}),
      });
      const sd = Math.sqrt(changes.reduce((acc, x) => acc + (x - centre) ** 2, 0) / Math.max(1, changes.length - 1));
      calibration.push({
        row: label(mode),
        'intervals holding the median estimate': `${holding} of ${results.length}`,
        'sd of estimates (points)': sd.toFixed(2),
        'median claimed half-width': median(results.map((r) => (r.row.ciHighPct - r.row.ciLowPct) / 2)).toFixed(2),
        ...(withTheirs
          ? {
              'hf sd of estimates': Math.sqrt(
                hf.changes.reduce((a, x) => a + (x - median(hf.changes)) ** 2, 0) / Math.max(1, hf.changes.length - 1),
              ).toFixed(2),
            }
          : {}),
      });
    }
  }
  console.log(
    `host: ${execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim()}, ${trials} compares per row, started ${started.toISOString()} (load average ${startLoad}), ended ${new Date().toISOString()} (load average ${loadavg()[0].toFixed(2)})`,
  );
  console.table(table);
  console.log('calibration');
  console.table(calibration);
} finally {
  repo.dispose();
  rmSync(scripts, { recursive: true, force: true });
}
