// The gate and bisect through the built CLI, as a CI job runs them, in instructions mode:
// - false alarms: `codeflash-mcp compare` on two commits whose code is identical (they differ by a
//   comment), N times; each exit 1 is a false alarm (expected 0 of 20: counts do not move with load);
// - bisect: wall time and comparisons on the 16-commit fixture with one planted 10 % step, cold
//   (every commit measured) and again on the same store (every count recalled).
// Usage: npm run build && node bench/gate.mjs [--aa 20]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bisectHistory, makeRepo } from '../test/fixtures/bench/repos.mjs';

const CLI = fileURLToPath(new URL('../dist/bin/cli.js', import.meta.url));
const { values: flags } = parseArgs({ options: { aa: { type: 'string', default: '20' } } });
const COMMAND = ['--', 'python', '-S', 'bench.py'];

function cli(args) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: run.status, stderr: run.stderr, seconds: (performance.now() - started) / 1000 };
}

const repo = makeRepo('codeflash-bench-gate-');
try {
  const shas = bisectHistory(repo, { commits: 16, stepAt: 11 });
  // Commits 1, 2 and 3 only rewrite the revision comment: identical code.
  const counts = { 0: 0, 1: 0, 2: 0 };
  let seconds = 0;
  for (let i = 0; i < Number(flags.aa); i++) {
    const run = cli(['compare', '--root', repo.root, shas[1], shas[2], '--mode', 'instructions', ...COMMAND]);
    counts[run.code] = (counts[run.code] ?? 0) + 1;
    if (run.code === 2) console.error(run.stderr.trim());
    seconds += run.seconds;
  }
  console.log(
    `A/A gate, instructions mode: ${counts[1]} false alarms (exit 1) of ${flags.aa}; exit 0: ${counts[0]}, exit 2: ${counts[2]}; ${(seconds / Number(flags.aa)).toFixed(1)} s a compare`,
  );

  const json = join(repo.root, '..', 'bisect.json');
  for (const label of ['cold', 'warm (counts recalled from the store)']) {
    const run = cli(['bisect', '--root', repo.root, shas[0], shas[16], '--json', json, ...COMMAND]);
    if (run.code !== 0) throw new Error(run.stderr);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    const right = result.culprit?.sha === shas[11] ? 'the planted commit' : `NOT the planted commit (${result.outcome})`;
    console.log(
      `bisect ${label}: ${run.seconds.toFixed(1)} s, ${result.comparisons} comparisons over ${result.commits} commits, found ${right}, step ${result.step?.changePct.toFixed(1)} %`,
    );
  }
} finally {
  repo.dispose();
}
