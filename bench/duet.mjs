// Duet against interleaved pairs on the same two commits (+10 % work, a Python program of ~200 ms):
// the interval's half-width each reaches, and that half-width carried to equal wall time
// (half-width × √(wall / interleaved wall), as the interval narrows with the square root of the pairs).
// Quiet, then under load (`--load-procs` busy loops for the whole compare). Duet runs with the free-core
// check off, so that it runs under load too; the idle cores seen before each compare are printed.
// Rounds alternate the schedules, so a phase of the shared machine falls on both.
// Usage: node bench/duet.mjs [--rounds 5] [--pairs 30] [--load-procs 1] [--python /path/to/python3]   (build first)
import { execFileSync, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { compareRefs } from '../dist/bench/compare.js';
import { idleCpus } from '../dist/env/cpus.js';
import { loopStepNs, median, wallMsOf } from '../test/fixtures/bench/measure.mjs';
import { makeRepo, pythonProgram } from '../test/fixtures/bench/repos.mjs';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    pairs: { type: 'string', default: '30' },
    'load-procs': { type: 'string', default: '1' },
    python: { type: 'string' },
  },
});
const rounds = Number(flags.rounds);
const pairs = Number(flags.pairs);
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const started = new Date();
const startLoad = loadavg()[0].toFixed(2);

const repo = makeRepo('codeflash-duet-');
try {
  const stepNs = loopStepNs(python);
  const iterations = Math.round((180 * 1e6) / stepNs);
  repo.commit({ 'prog.py': pythonProgram(iterations) }, 'base');
  repo.git('tag', 'base');
  const baseWallMs = Math.min(...wallMsOf(python, repo.root, 'prog.py', 11));
  repo.commit({ 'prog.py': pythonProgram(iterations + Math.round((0.1 * baseWallMs * 1e6) / stepNs)) }, '10 % more work');
  repo.git('tag', 'head');
  console.log(`program: ${python} prog.py, ${baseWallMs.toFixed(1)} ms fastest wall; head +10 % work`);

  const table = [];
  for (const condition of ['quiet', 'load']) {
    const runs = { interleaved: [], duet: [] };
    for (let round = 0; round < rounds; round++) {
      for (const schedule of ['interleaved', 'duet']) {
        const load =
          condition === 'load'
            ? Array.from({ length: Number(flags['load-procs']) }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }))
            : [];
        try {
          const idle = (await idleCpus(300)).reduce((sum, cpu) => sum + cpu.idle, 0);
          const begun = performance.now();
          const result = await compareRefs({
            root: repo.root,
            worktreesDir: repo.worktreesDir,
            base: 'base',
            head: 'head',
            command: ['python', 'prog.py'],
            language: 'python',
            mode: 'wall',
            python,
            timeoutMs: 60_000,
            // Equal wall time: a duet pair takes one run's time, an interleaved pair two.
            runs: schedule === 'duet' ? 2 * pairs : pairs,
            schedule,
            duetNeedsIdleCores: false,
          });
          const row = result.rows[0];
          const entry = {
            halfWidth: (row.ciHighPct - row.ciLowPct) / 2,
            seconds: (performance.now() - begun) / 1000,
            change: row.changePct,
            ran: result.schedule.ran,
            idle,
          };
          runs[schedule].push(entry);
          process.stderr.write(
            `${condition} ${schedule} ${round + 1}/${rounds}: ran ${entry.ran}, ${row.verdict} ${row.changePct.toFixed(2)} % ±${entry.halfWidth.toFixed(2)}, ${entry.seconds.toFixed(1)} s, ${idle.toFixed(2)} cores idle before\n`,
          );
        } finally {
          for (const child of load) child.kill('SIGKILL');
        }
      }
    }
    const reference = median(runs.interleaved.map((r) => r.seconds));
    for (const schedule of ['interleaved', 'duet']) {
      const xs = runs[schedule];
      const halfWidth = median(xs.map((r) => r.halfWidth));
      const seconds = median(xs.map((r) => r.seconds));
      table.push({
        condition,
        schedule,
        ran: [...new Set(xs.map((r) => r.ran))].join('/'),
        pairs: schedule === 'duet' ? 2 * pairs : pairs,
        'median ± %': halfWidth.toFixed(2),
        'median s': seconds.toFixed(1),
        '± % at the interleaved wall time': (halfWidth * Math.sqrt(seconds / reference)).toFixed(2),
        'median change %': median(xs.map((r) => r.change)).toFixed(2),
        'median idle cores before': median(xs.map((r) => r.idle)).toFixed(2),
      });
    }
  }
  console.log(
    `host: ${execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim()}, ${rounds} rounds, started ${started.toISOString()} (load average ${startLoad}), ended ${new Date().toISOString()} (load average ${loadavg()[0].toFixed(2)})`,
  );
  console.table(table);
} finally {
  repo.dispose();
}
