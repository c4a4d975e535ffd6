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
  console.table(
    ['base', 'head'].map((side, i) => {
      const ours = row[side];
      const theirs = hyperfine[i];
      const diffPct = ((ours - theirs.median) / theirs.median) * 100;
      // Standard error of a median ≈ 1.2533 σ/√n, with σ ≈ 1.4826 MAD: the compare's own uncertainty on this side.
      const oursStderrPct = ((1.2533 * 1.4826 * row[`${side}_spread`]) / Math.sqrt(result.pairs) / ours) * 100;
      // Two standard errors of the difference of the two medians: both tools' runs were taken interleaved in time.
      const bound = 2 * Math.hypot(oursStderrPct, theirs.medianStderrPct);
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
  const theirChange = (hyperfine[1].median / hyperfine[0].median - 1) * 100;
  const inside = theirChange >= row.ci_low_pct && theirChange <= row.ci_high_pct;
  console.log(
    `change: compare ${row.change_pct.toFixed(2)} % [${row.ci_low_pct.toFixed(2)}, ${row.ci_high_pct.toFixed(2)}] ${row.verdict}; hyperfine ${theirChange.toFixed(2)} % (${inside ? 'inside' : 'outside'} the compare's interval)`,
  );
} finally {
  repo.dispose();
}

/**
 * hyperfine's medians (ms) and the relative standard error of each median (%) per
 * script, run without a shell. hyperfine times one command's runs in a block and
 * then the next; on this VM the machine's state changes between blocks (a block
 * can be 30 % off), so it is called in alternating blocks of two runs, base then
 * head — as finely interleaved as the compare — and the times of all blocks are pooled.
 */
function hyperfineMedians(scripts) {
  const exportFile = join(repo.worktreesDir, 'hyperfine.json');
  const perBlock = 2;
  const blocks = Math.ceil(runs / perBlock);
  const times = scripts.map(() => []);
  for (let block = 0; block < blocks; block++) {
    scripts.forEach((script, i) => {
      execFileSync(
        'hyperfine',
        ['-N', '--warmup', block === 0 ? '1' : '0', '--runs', String(perBlock), '--export-json', exportFile, `${python} ${script}`],
        { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PYTHONHASHSEED: '0' } },
      );
      times[i].push(...JSON.parse(readFileSync(exportFile, 'utf8')).results[0].times.map((t) => t * 1000));
    });
  }
  return times.map((xs) => {
    const mid = median(xs);
    const mad = median(xs.map((x) => Math.abs(x - mid)));
    // Standard error of a median ≈ 1.2533 σ/√n, with σ ≈ 1.4826 MAD (robust to the VM's outliers).
    return { median: mid, medianStderrPct: ((1.2533 * 1.4826 * mad) / Math.sqrt(xs.length) / mid) * 100 };
  });
}
