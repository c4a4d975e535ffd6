// Overhead of benchmark_compare: the measuring phase should cost at most 1.25x the summed time of the
// measured processes (worktree and setup time are reported apart), and its medians should agree with
// hyperfine's on the same two commands within the noise.
// Usage: node bench/compare-overhead.mjs [--runs 30] [--python /path/to/python3]   (build first: npx tsc -p tsconfig.json)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRefs } from '../dist/bench/compare.js';
import { makeRepo, pythonProgram } from '../test/fixtures/bench/repos.mjs';
import { median } from '../test/fixtures/bench/measure.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    python: { type: 'string', default: '/root/.pyenv/versions/3.11.7/bin/python3' },
  },
});
const runs = Number(flags.runs);
const python = flags.python;

const repo = makeRepo('codeflash-overhead-');
try {
  repo.commit({ 'prog.py': pythonProgram(50_000) }, 'base');
  repo.git('tag', 'base');
  repo.commit({ 'prog.py': pythonProgram(80_000) }, 'more work');
  repo.git('tag', 'head');

  const result = await compareRefs({
    root: repo.root,
    worktreesDir: repo.worktreesDir,
    base: 'base',
    head: 'head',
    command: ['python', 'prog.py'],
    language: 'python',
    mode: 'wall',
    python,
    runs,
    timeoutMs: 60_000,
    keepWorktrees: true,
  });
  const { total_ms, timed_ms, warmup_ms, worktree_ms, setup_ms } = result.timings;
  const measuringMs = total_ms - worktree_ms - setup_ms;
  console.log(`compare: ${result.runner}, ${result.pairs} pairs + ${result.warmups} warmup per ref`);
  console.table([
    {
      'total ms': total_ms.toFixed(0),
      'worktree ms': worktree_ms.toFixed(0),
      'setup ms': setup_ms.toFixed(0),
      'measuring ms': measuringMs.toFixed(0),
      'timed ms': timed_ms.toFixed(0),
      'warmup ms': warmup_ms.toFixed(0),
      'measuring / timed': (measuringMs / timed_ms).toFixed(3),
      'measuring / (timed + warmup)': (measuringMs / (timed_ms + warmup_ms)).toFixed(3),
      'limit': 1.25,
    },
  ]);

  const hyperfine = hyperfineMedians([result.base.sha, result.head.sha].map((sha) => join(repo.worktreesDir, sha, 'prog.py')));
  const row = result.rows[0];
  const noisePct = result.precision_reached_pct;
  console.table(
    ['base', 'head'].map((side, i) => {
      const ours = row[side];
      const theirs = hyperfine[i];
      const diffPct = ((ours - theirs.median) / theirs.median) * 100;
      const bound = Math.max(noisePct, theirs.relativeStderrPct * 2);
      return {
        side,
        'compare median ms': ours.toFixed(2),
        'hyperfine median ms': theirs.median.toFixed(2),
        'diff %': diffPct.toFixed(2),
        'noise bound %': bound.toFixed(2),
        agree: Math.abs(diffPct) <= bound,
      };
    }),
  );
  console.log(`change: compare ${row.change_pct.toFixed(2)} % [${row.ci_low_pct.toFixed(2)}, ${row.ci_high_pct.toFixed(2)}] ${row.verdict}; hyperfine ${((hyperfine[1].median / hyperfine[0].median - 1) * 100).toFixed(2)} %`);
} finally {
  repo.dispose();
}

/** hyperfine's medians (ms) and relative standard error of the mean (%) for each script, run without a shell. */
function hyperfineMedians(scripts) {
  const exportFile = join(repo.worktreesDir, 'hyperfine.json');
  execFileSync(
    'hyperfine',
    ['-N', '--warmup', '1', '--runs', String(runs), '--export-json', exportFile, ...scripts.map((s) => `${python} ${s}`)],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PYTHONHASHSEED: '0' } },
  );
  return JSON.parse(readFileSync(exportFile, 'utf8')).results.map((r) => ({
    median: r.median * 1000,
    relativeStderrPct: (r.stddev / r.mean / Math.sqrt(r.times.length)) * 100,
  }));
}
