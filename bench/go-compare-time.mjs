// How long a Go benchmark compare takes: one `go test -bench` per sample (every sample builds the
// test binary and runs each benchmark for Go's default 1 s, as compares did before), the same with
// a 100 ms -benchtime (so the build's share is seen apart from the benchtime's), and the test binary
// built once per worktree and run per sample with a 100 ms -test.benchtime (benchmark_compare now).
// All three measure the same pairs of the same two commits of a one-benchmark package, in rounds
// that alternate them, so a busy phase of the shared machine falls on each.
// Usage: node bench/go-compare-time.mjs [--pairs 10] [--rounds 1]   (build first: npx tsc -p tsconfig.json)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRefs } from '../dist/bench/compare.js';
import { measure } from '../dist/bench/measure.js';
import { parseGoBench } from '../dist/bench/runners/go-bench.js';
import { runChecked } from '../dist/bench/runners/runner.js';
import { resolveRef, WorktreeSet } from '../dist/bench/worktrees.js';
import { goExecutable } from '../dist/env/go.js';
import { makeRepo } from '../test/fixtures/bench/repos.mjs';

const { values: flags } = parseArgs({ options: { pairs: { type: 'string', default: '10' }, rounds: { type: 'string', default: '1' } } });
const pairs = Number(flags.pairs);
const go = goExecutable();
const examples = new URL('../examples/', import.meta.url);
const procs = Number(process.env.GOMAXPROCS) || (await import('node:os')).availableParallelism();
const goEnv = { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };

/** What a compare did per sample before: a whole `go test -bench`, which builds the test binary first. */
function goTestPerSample(benchtime) {
  const argv = [go, 'test', '-run', '^$', '-bench', '.', '-count', '1', ...(benchtime ? ['-benchtime', benchtime] : []), '.'];
  return {
    unit: 'ns/op',
    deterministic: false,
    describe: () => argv.join(' '),
    requiredPaths: () => [],
    async measure(context) {
      const result = await runChecked({ argv, shell: false, env: { GOMAXPROCS: String(procs) } }, context);
      return { values: parseGoBench(result.stdout, procs), durationNs: result.durationNs };
    },
  };
}

/** The same loop compareRefs runs, around a given runner, with the worktrees made the same way. */
async function compareWith(repo, runner) {
  const started = performance.now();
  const worktrees = new WorktreeSet({ root: repo.root, worktreesDir: repo.worktreesDir });
  const scratch = mkdtempSync(join(tmpdir(), 'codeflash-go-time-'));
  try {
    const sides = [];
    for (const [side, ref] of [
      ['base', 'base'],
      ['head', 'head'],
    ]) {
      const resolved = await resolveRef(repo.root, ref);
      sides.push({ side, ref: resolved, worktree: await worktrees.acquire(resolved.sha), label: side, env: goEnv });
    }
    await measure({ runs: pairs, warmup: 1, timeoutMs: 120_000 }, runner, sides, scratch, {});
    return performance.now() - started;
  } finally {
    await worktrees.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const repo = makeRepo('codeflash-go-time-');
try {
  repo.commit(
    Object.fromEntries(
      ['go.mod', 'dedupe.go', 'dedupe_test.go'].map((file) => [file, readFileSync(new URL(`go-demo/${file}`, examples), 'utf8')]),
    ),
    'base',
  );
  repo.git('tag', 'base');
  repo.commit({ 'dedupe.go': readFileSync(new URL('go-demo.optimized.go', examples), 'utf8') }, 'map');
  repo.git('tag', 'head');
  const times = {
    'go test -bench per sample (1 s benchtime)': [],
    'go test -bench per sample (100 ms)': [],
    'binary built once (100 ms)': [],
  };
  for (let round = 0; round < Number(flags.rounds); round++) {
    times['go test -bench per sample (1 s benchtime)'].push(await compareWith(repo, goTestPerSample()));
    times['go test -bench per sample (100 ms)'].push(await compareWith(repo, goTestPerSample('100ms')));
    const now = performance.now();
    await compareRefs({
      root: repo.root,
      worktreesDir: repo.worktreesDir,
      base: 'base',
      head: 'head',
      benchmark: '.',
      language: 'go',
      mode: 'wall',
      runs: pairs,
      warmup: 1,
      timeoutMs: 120_000,
    });
    times['binary built once (100 ms)'].push(performance.now() - now);
  }
  console.log(
    `Go compare of a one-benchmark package (examples/go-demo, base against its fix): ${pairs} pairs + 1 warmup per ref, ${flags.rounds} round(s)`,
  );
  const after = Math.min(...times['binary built once (100 ms)']);
  console.table(
    Object.entries(times).map(([how, ms]) => ({
      how,
      'compare s (best round)': (Math.min(...ms) / 1000).toFixed(1),
      'rounds s': ms.map((t) => (t / 1000).toFixed(1)).join(' '),
      'vs built once': `${(Math.min(...ms) / after).toFixed(1)}×`,
    })),
  );
} finally {
  repo.dispose();
}
