// Statistical quality of benchmark_compare on this machine:
//   A/A        a ref against an identical commit: wall mode should call at most 1 of 20 changed, instructions none;
//   sensitivity a 10 % wall slowdown called `slower` in >= 19/20 with default settings,
//               a 2 % instruction slowdown called `slower` 20/20.
// Usage: node bench/compare-quality.mjs [--trials 20] [--only aa-wall,aa-instructions,slow-wall,slow-instructions]
//        [--max-time-ms N] [--python /path/to/python3]     (build first: npx tsc -p tsconfig.json)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRefs } from '../dist/bench/compare.js';
import { calibrateExtraIterations, instructionsOf, loopStepNs, median, wallMsOf } from '../test/fixtures/bench/measure.mjs';
import { makeRepo, pythonProgram } from '../test/fixtures/bench/repos.mjs';

const { values: flags } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    only: { type: 'string', default: 'aa-wall,aa-instructions,slow-wall,slow-instructions' },
    'max-time-ms': { type: 'string' },
    python: { type: 'string' },
  },
});
const trials = Number(flags.trials);
// The real interpreter behind python3, as the server resolves it: a version-manager shim adds a shell start to every run.
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const BASE_ITERATIONS = 50_000;

/** The slow-wall program against base, timed without the compare machinery: alternating direct runs. */
function directChangePct(python, extraIterations) {
  const dir = mkdtempSync(join(tmpdir(), 'codeflash-direct-'));
  try {
    writeFileSync(join(dir, 'base.py'), pythonProgram(BASE_ITERATIONS));
    writeFileSync(join(dir, 'slow.py'), pythonProgram(BASE_ITERATIONS + extraIterations));
    const times = { base: [], slow: [] };
    for (let i = 0; i < 41; i++) {
      times.base.push(...wallMsOf(python, dir, 'base.py', 1));
      times.slow.push(...wallMsOf(python, dir, 'slow.py', 1));
    }
    return (median(times.slow) / median(times.base) - 1) * 100;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const repo = makeRepo('codeflash-quality-');
try {
  repo.commit({ 'prog.py': pythonProgram(BASE_ITERATIONS), README: 'a\n' }, 'base');
  repo.git('tag', 'base');
  repo.commit({ README: 'b\n' }, 'same code');
  repo.git('tag', 'same');

  // +10 % of the program's unloaded (fastest) wall time, in loop steps timed inside one interpreter:
  // a fit from whole-process timings swings threefold on a loaded machine.
  const baseWallMs = Math.min(...wallMsOf(python, repo.root, 'prog.py', 31));
  const wallExtra = Math.round((0.1 * baseWallMs * 1e6) / loopStepNs(python));
  const instructionExtra = calibrateExtraIterations(python, repo.root, BASE_ITERATIONS, 0.02, instructionsOf);
  repo.commit({ 'prog.py': pythonProgram(BASE_ITERATIONS + wallExtra) }, '10 % more wall time');
  repo.git('tag', 'slow-wall');
  repo.commit({ 'prog.py': pythonProgram(BASE_ITERATIONS + instructionExtra) }, '2 % more instructions');
  repo.git('tag', 'slow-instructions');
  repo.git('checkout', '-q', 'base');
  console.log(
    `program: ${python} prog.py, ${baseWallMs.toFixed(1)} ms fastest wall; +${wallExtra} iterations = +10 % wall, +${instructionExtra} = +2 % instructions`,
  );
  const direct = directChangePct(python, wallExtra);
  console.log(`slow-wall measured directly (medians of 41 alternating runs each): ${direct.toFixed(1)} %`);

  const experiments = {
    'aa-wall': { head: 'same', mode: 'wall', expect: 'at most 1 changed' },
    'aa-instructions': { head: 'same', mode: 'instructions', expect: 'none changed' },
    'slow-wall': { head: 'slow-wall', mode: 'wall', expect: `slower in >= ${trials - 1}` },
    'slow-instructions': { head: 'slow-instructions', mode: 'instructions', expect: `slower in ${trials}` },
  };
  const table = [];
  for (const name of flags.only.split(',')) {
    const experiment = experiments[name];
    if (!experiment) throw new Error(`unknown experiment ${name}`);
    const verdicts = { faster: 0, slower: 0, unchanged: 0 };
    const changes = [];
    const pairs = [];
    const precisions = [];
    const seconds = [];
    for (let trial = 0; trial < trials; trial++) {
      const result = await compareRefs({
        root: repo.root,
        worktreesDir: repo.worktreesDir,
        base: 'base',
        head: experiment.head,
        command: ['python', 'prog.py'],
        language: 'python',
        mode: experiment.mode,
        python,
        timeoutMs: 60_000,
        ...(flags['max-time-ms'] ? { maxTimeMs: Number(flags['max-time-ms']) } : {}),
      });
      const row = result.rows[0];
      verdicts[row.verdict]++;
      changes.push(row.changePct);
      pairs.push(result.pairs);
      precisions.push(result.precisionReachedPct);
      seconds.push(result.timings.totalMs / 1000);
      process.stderr.write(
        `${name} ${trial + 1}/${trials}: ${row.verdict} ${row.changePct.toFixed(2)} % [${row.ciLowPct.toFixed(2)}, ${row.ciHighPct.toFixed(2)}] p=${row.pValue.toFixed(3)} pairs=${result.pairs} ±${result.precisionReachedPct.toFixed(2)} % ${result.stopReason}\n`,
      );
    }
    table.push({
      experiment: name,
      expected: experiment.expect,
      slower: verdicts.slower,
      faster: verdicts.faster,
      unchanged: verdicts.unchanged,
      'median change %': median(changes).toFixed(2),
      'median pairs': median(pairs),
      'median ±precision %': median(precisions).toFixed(2),
      'median s/compare': median(seconds).toFixed(1),
    });
  }
  console.log(`host: ${execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim()}, ${trials} trials each`);
  console.table(table);
} finally {
  repo.dispose();
}
