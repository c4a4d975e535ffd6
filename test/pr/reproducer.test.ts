import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredRequest } from '../../src/state/comparisons.js';
import { goModule, jsSuite, pytestBenchmarkSuite } from '../fixtures/bench/repos.mjs';
import { type SyntheticRow, storeComparison } from '../helpers/comparisons.js';
import { commitAll, gitIn, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { connectInMemory, type InMemory } from '../helpers/in-memory.js';
import { realPython, requirePythonModule, requireTool } from '../helpers/requires.js';
import { BENCH } from './support.js';

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** benchstat, when `go install` put it in the usual place: the Go reproducer uses it if it is on PATH. */
const GO_BIN = join(homedir(), 'go', 'bin');
const PATH = [process.env.PATH, '/usr/local/go/bin', ...(existsSync(GO_BIN) ? [GO_BIN] : [])].join(delimiter);

/**
 * A project at two commits, a session in it, a comparison of the two stored
 * with the given inputs, and the reproducer pr_body writes for it, run as a
 * maintainer would: `sh` from the repository root, with only the project's
 * own tools on PATH besides git.
 */
async function runReproducer(
  files: Record<string, string>,
  change: Record<string, string>,
  request: StoredRequest,
  row: SyntheticRow,
  env: Record<string, string> = {},
) {
  const root = makeRepo(files);
  const base = gitIn(root, 'rev-parse', 'HEAD').trim();
  writeFiles(root, change);
  const head = commitAll(root, 'the change');
  open = await connectInMemory({ root });
  const start = await open.call('session_start', {});
  expect(start.isError, JSON.stringify(start.content)).toBeFalsy();
  const id = storeComparison(open.app.ctx.project().db, {
    sessionId: start.structuredContent!.session_id as string,
    base: { ref: 'main', sha: base },
    head: { ref: 'HEAD', sha: head },
    rows: [row],
    mode: request.mode,
    request,
  });
  const body = await open.call('pr_body', { comparison_id: id });
  expect(body.isError, JSON.stringify(body.content)).toBeFalsy();
  const markdown = (body.structuredContent as { markdown: string }).markdown;
  const script = /```sh\n([\s\S]*?)\n```/.exec(markdown)![1]!;
  const run = spawnSync('sh', ['-c', script], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH, ...env }, timeout: 240_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.status, `${script}\n---\n${output}`).toBe(0);
  // The script cleaned up after itself: no worktree is left registered.
  expect(gitIn(root, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  return { script, output };
}

const PY = { 'pyproject.toml': '[project]\nname = "shop"\nversion = "0"\n', 'shop/__init__.py': '', 'bench.py': BENCH };
const SLOW = 'def total(prices):\n    result = 0\n    for p in prices:\n        result = result + p\n    return result\n';
const FAST = 'def total(prices):\n    return sum(prices)\n';

describe('the reproducers in PR bodies run with the project’s own tools and nothing of ours', () => {
  const hyperfine = requireTool('hyperfine');

  it.skipIf(!hyperfine.ok)('Python command: hyperfine at both commits', async () => {
    const { script, output } = await runReproducer(
      { ...PY, 'shop/cart.py': SLOW },
      { 'shop/cart.py': FAST },
      { mode: 'wall', command: 'bench.py' },
      { base: 60, head: 30, verdict: 'faster' },
    );
    expect(script).toContain('hyperfine --warmup 1 --runs 12');
    expect(output).toMatch(/Benchmark 1: base[\s\S]*Benchmark 2: head[\s\S]*ran[\s\S]*times faster than/);
  });

  it.skipIf(!hyperfine.ok)('Python import time: hyperfine on `-c "import …"`', async () => {
    const { script, output } = await runReproducer(
      { ...PY, 'shop/cart.py': `import json\n${SLOW}` },
      { 'shop/cart.py': FAST },
      { mode: 'wall', command: ['-c', 'import shop.cart'] },
      { name: 'import shop.cart', base: 30, head: 25, verdict: 'faster' },
    );
    expect(script).toMatch(/^# Import time with hyperfine/);
    expect(script).toContain(`'cd "$WORK/head" && PYTHONPATH=. $RUNNER -c '\\''import shop.cart'\\'''`);
    expect(output).toMatch(/times faster than|±/);
  });

  const pytestBenchmark = requirePythonModule(realPython(), 'pytest_benchmark');
  it.skipIf(!pytestBenchmark.ok)('Python suite: pytest-benchmark at base, then at head compared against it', async () => {
    const { script, output } = await runReproducer(
      pytestBenchmarkSuite(20_000),
      pytestBenchmarkSuite(2_000),
      { mode: 'wall', benchmark: 'tests/test_bench.py' },
      { name: 'tests/test_bench.py::test_changed', base: 900, head: 95, unit: 'us', verdict: 'faster' },
    );
    expect(script).toContain('--benchmark-compare=0001');
    expect(output).toMatch(/test_changed \(0001_base\)/);
    expect(output).toMatch(/test_changed \(NOW\)/);
  });

  const time = requireTool('/usr/bin/time', ['--version']);
  it.skipIf(!time.ok)('Python peak memory: GNU time, five runs per side', async () => {
    const { output } = await runReproducer(
      { ...PY, 'shop/cart.py': SLOW },
      { 'shop/cart.py': FAST },
      { mode: 'memory', command: 'bench.py' },
      { base: 20_000_000, head: 12_000_000, unit: 'bytes', verdict: 'faster' },
    );
    expect(output.match(/^base: \d+ KiB$/gm)).toHaveLength(5);
    expect(output.match(/^head: \d+ KiB$/gm)).toHaveLength(5);
  });

  const valgrind = requireTool('valgrind');
  it.skipIf(!valgrind.ok)(
    'Python instructions: callgrind totals per side',
    async () => {
      const { output } = await runReproducer(
        { ...PY, 'shop/cart.py': SLOW, 'bench.py': 'from shop.cart import total\n\nprint(total(list(range(20_000))))\n' },
        { 'shop/cart.py': FAST },
        { mode: 'instructions', command: 'bench.py' },
        { base: 40_000_000, head: 30_000_000, unit: 'instructions', verdict: 'faster' },
        // The script's own override: a version manager's shim would have callgrind trace its shell scripts too.
        { RUNNER: realPython() },
      );
      const counts = [...output.matchAll(/^(base|head): (\d+) instructions$/gm)].map((m) => Number(m[2]));
      expect(counts).toHaveLength(2);
      expect(counts[1]).toBeLessThan(counts[0]!);
    },
    180_000,
  );

  it.skipIf(!hyperfine.ok)('Node command: hyperfine with node', async () => {
    const pkg = JSON.stringify({ name: 'n', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } });
    const slow = 'let s = 0; for (let i = 0; i < 3e6; i++) s += i % 7; console.log(s);\n';
    const { script, output } = await runReproducer(
      { 'package.json': pkg, 'bench.js': slow },
      { 'bench.js': 'console.log(0);\n' },
      { mode: 'wall', command: 'bench.js' },
      { name: 'node bench.js', base: 40, head: 30, verdict: 'faster' },
    );
    expect(script).toContain(`'cd "$WORK/base" && node bench.js'`);
    expect(script).not.toContain('RUNNER');
    expect(output).toMatch(/times faster than/);
  });

  const go = requireTool(existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go', ['version']);
  it.skipIf(!go.ok)(
    'Go benchmarks: go test -bench at both commits, benchstat when installed',
    async () => {
      const { script, output } = await runReproducer(
        goModule(200_000),
        goModule(20_000),
        { mode: 'wall', benchmark: '.:Changed' },
        {
          name: 'Changed',
          base: 100_000,
          head: 10_000,
          unit: 'ns/op',
          verdict: 'faster',
        },
      );
      expect(script).toContain("go test -run '^$' -bench 'Changed' -benchtime 100ms -count 10 .");
      expect(output.match(/^BenchmarkChanged\S*\s+\d+\s+[\d.]+ ns\/op/gm)).toHaveLength(20);
      if (existsSync(join(GO_BIN, 'benchstat'))) expect(output).toMatch(/sec\/op/);
    },
    180_000,
  );

  it('vitest bench: base saved, head compared against it, each worktree installed from the lockfile', async () => {
    const { script, output } = await runReproducer(
      jsSuite(200_000),
      jsSuite(20_000),
      { mode: 'wall', benchmark: 'bench/work.bench.js' },
      {
        name: 'bench/work.bench.js > changed',
        base: 500,
        head: 50,
        unit: 'us',
        verdict: 'faster',
      },
    );
    expect(script, script).toContain('for side in base head; do (cd "$WORK/$side" && npm ci --no-audit --no-fund); done');
    expect(script).toContain('npx vitest bench --run bench/work.bench.js --compare "$WORK/base.json"');
    expect(output).toMatch(/changed/);
  }, 300_000);

  it('tinybench script: the script itself at each side', async () => {
    const { script, output } = await runReproducer(
      jsSuite(200_000),
      jsSuite(20_000),
      { mode: 'wall', benchmark: 'bench/work.tinybench.mjs' },
      {
        name: 'work > changed',
        base: 500,
        head: 50,
        unit: 'us',
        verdict: 'faster',
      },
    );
    expect(script).toMatch(/^# The tinybench script at each side/);
    expect(output.match(/changed/g)!.length).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
