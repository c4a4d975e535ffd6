// Cost of running git through the server's git module (a process group per call, as every child)
// against a bare execFile of the same command, side by side in one run: interleaved calls (ABBA
// order) after one warm-up pair, so the first load is reported apart. A compare makes a handful of
// git calls, never inside a timed run. The quiet command prints nothing: simple-git, tried for this
// module, answered those only after a fixed 50 ms wait (+51 ms a call), which is why it is not used.
// Usage: npm run build && node bench/git-overhead.mjs [--runs 50]
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { git } from '../dist/workspace/git.js';
import { median } from '../test/fixtures/bench/measure.mjs';
import { makeRepo } from '../test/fixtures/bench/repos.mjs';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '50' } } });
const runs = Number(flags.runs);
const run = promisify(execFile);

const COMMANDS = {
  'rev-parse HEAD': ['rev-parse', 'HEAD'],
  'show-ref --quiet (prints nothing)': ['show-ref', '--verify', '--quiet', 'refs/heads/main'],
};

async function msOf(call) {
  const started = process.hrtime.bigint();
  await call();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const repo = makeRepo('codeflash-git-overhead-');
try {
  repo.commit({ 'a.txt': 'one\n' }, 'first');
  const viaModule = (args) => () => git(repo.root, args, { readOnly: true });
  const bare = (args) => () => run('git', args, { cwd: repo.root });
  const firstCall = await msOf(viaModule(COMMANDS['rev-parse HEAD']));
  console.log(`git module, first call (loads execa): ${firstCall.toFixed(1)} ms`);
  console.log(`${runs} calls each, interleaved; per call, median (mean) in ms:\n`);
  console.log(`${'command'.padEnd(36)}${'execFile'.padStart(16)}${'git module'.padStart(16)}${'added'.padStart(10)}`);
  for (const [name, args] of Object.entries(COMMANDS)) {
    const times = { bare: [], module: [] };
    await bare(args)();
    await viaModule(args)();
    for (let i = 0; i < runs; i++) {
      const order = i % 4 === 0 || i % 4 === 3 ? ['bare', 'module'] : ['module', 'bare'];
      for (const side of order) times[side].push(await msOf(side === 'bare' ? bare(args) : viaModule(args)));
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const cell = (xs) => `${median(xs).toFixed(2)} (${mean(xs).toFixed(2)})`.padStart(16);
    const added = median(times.module) - median(times.bare);
    console.log(`${name.padEnd(36)}${cell(times.bare)}${cell(times.module)}${added.toFixed(2).padStart(10)}`);
  }
} finally {
  repo.dispose();
}
