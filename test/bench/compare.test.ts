import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompareRequest, compareRefs } from '../../src/bench/compare.js';
import { planDuet, singleThreadedNote } from '../../src/bench/duet.js';
import { contextFor, LAYOUT_PADDING_VAR, type PreparedSide } from '../../src/bench/measure.js';
import { listWorktrees } from '../../src/bench/worktrees.js';
import { goModule, makeRepo, pytestBenchmarkSuite, pythonProgram } from '../fixtures/bench/repos.mjs';
import { processesWith } from '../helpers/processes.js';
import { realPython, requirePythonModule, requireTool } from '../helpers/requires.js';

type Repo = ReturnType<typeof makeRepo>;

// A Python start can take 80 to 300 ms where site-packages hold import-time .pth hooks, and shared cores swing
// single runs by ±20 % besides: the slowed program adds about 200 ms of work, more than those swings.
const BASE_ITERATIONS = 100_000;
const SLOW_ITERATIONS = 2_000_000;
/** A duet on a shared machine may get one busy core, which slows whichever side it holds by 2× or more: tiny against slow is 3× apart or more. */
const TINY_ITERATIONS = 10_000;
/** Unique per test run, so the process check never sees another run's sleeper. */
const HANG_SECONDS = `37.${process.pid}`;

function request(repo: Repo, overrides: Partial<CompareRequest>): CompareRequest {
  return {
    root: repo.root,
    worktreesDir: repo.worktreesDir,
    base: 'v1',
    head: 'slow',
    language: 'python',
    mode: 'wall',
    python: realPython(),
    timeoutMs: 30_000,
    ...overrides,
  };
}

async function expectNothingLeft(repo: Repo, marker?: string): Promise<void> {
  expect(await listWorktrees(repo.root)).toEqual([repo.root]);
  if (marker) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(processesWith(marker)).toEqual([]);
  }
}

describe('compareRefs with a command', () => {
  let repo: Repo;
  beforeAll(() => {
    repo = makeRepo();
    repo.commit({ 'prog.py': pythonProgram(BASE_ITERATIONS) }, 'base');
    repo.git('tag', 'v1');
    repo.commit({ 'prog.py': pythonProgram(SLOW_ITERATIONS) }, 'more work');
    repo.git('tag', 'slow');
    repo.commit({ 'prog.py': pythonProgram(TINY_ITERATIONS) }, 'almost no work');
    repo.git('tag', 'tiny');
    repo.commit({ 'prog.py': 'import sys\nsys.stderr.write("boom: bad input\\n")\nsys.exit(3)\n' }, 'broken');
    repo.git('tag', 'broken');
    repo.commit(
      { 'prog.py': `import subprocess\nsubprocess.run(["sleep", "${HANG_SECONDS}"])\n`, 'small.py': pythonProgram(20_000) },
      'hangs',
    );
    repo.git('tag', 'hangs');
    repo.git('checkout', '-q', 'v1');
  });
  afterAll(() => repo.dispose());

  it('calls a commit with clearly more work slower, from interleaved pairs', async () => {
    const progress: number[] = [];
    const result = await compareRefs(request(repo, { command: 'python prog.py', runs: 10 }), {
      onProgress: (done) => progress.push(done),
    });
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ unit: 'ms', verdict: 'slower' });
    expect(result.rows[0]!.changePct).toBeGreaterThan(20);
    expect(result.pairs).toBe(10);
    expect(result.warmups).toBe(1);
    expect(result.stopReason).toBe('fixed_runs');
    expect(result.looks).toEqual([10]);
    expect(result.method).toMatch(/^fixed: 10 pairs; change = Hodges–Lehmann/);
    expect(result.schedule).toEqual({ ran: 'interleaved' });
    expect(result.layoutRandomized).toBe(true);
    expect(result.timer).toMatch(/posix_spawn timing helper/);
    expect(result.rows[0]!.mdePct).toBeGreaterThan(0);
    expect(Object.values(result.samples)[0]!.base).toHaveLength(10);
    expect(result.runner).toContain(realPython());
    expect(result.timings.timedMs).toBeGreaterThan(0);
    expect(result.timings.totalMs).toBeGreaterThan(result.timings.timedMs);
    expect(result.markdown).toContain('slower');
    expect(progress.at(-1)).toBe(2 * (10 + 1));
    await expectNothingLeft(repo);
  });

  it('reports an adaptive compare as seconds of its measuring budget, so progress has a total', async () => {
    const seen: { done: number; total: number | undefined }[] = [];
    await compareRefs(request(repo, { command: 'python prog.py', head: 'v1', maxTimeMs: 6000 }), {
      onProgress: (done, total) => seen.push({ done, total }),
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((p) => p.total === 6)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    // The budget bounds measuring only; the last pair may end a little after it.
    expect(seen.at(-1)!.done).toBeLessThan(6 + 5);
    await expectNothingLeft(repo);
  });

  it('samples sequentially: looks on the schedule until the answer is settled or the budget is spent, never before 10 pairs', async () => {
    const result = await compareRefs(
      request(repo, { head: 'v1', command: ['python', 'prog.py'], precisionPct: 3, equivalencePct: 3, maxTimeMs: 3000 }),
    );
    expect(result.pairs).toBeGreaterThanOrEqual(10);
    expect(['settled', 'time_budget']).toContain(result.stopReason);
    expect(result.looksTaken).toBeGreaterThanOrEqual(1);
    expect(result.looks.slice(0, 2)).toEqual([10, 15]);
    // Fitted at the first look to the pairs 3 s can buy, not the 500 it never reaches.
    expect(result.looks.at(-1)).toBeLessThan(500);
    expect(result.method).toMatch(/^sequential: looks at 10, 15, \d+.* pairs, each at Pocock's boundary z = 2\.\d\d/);
    expect(result.precisionReachedPct).toBeGreaterThan(0);
    // The verdict of a real A/A is left to bench/compare-quality.mjs: it is a matter of chance here. The table names it.
    expect(result.markdown).toContain(result.rows[0]!.verdict);
    if (result.rows[0]!.verdict === 'inconclusive') expect(result.morePairs).toBeGreaterThanOrEqual(0);
  });

  it.skipIf(availableParallelism() < 2)('runs base and head at once on two pinned cores in duet, and says so', async () => {
    // Sixteen pairs: the 95 % signed-rank interval then still excludes 0 with two pairs reversed by a stalled start,
    // which duets pinned beside other busy processes do see.
    const result = await compareRefs(
      request(repo, { base: 'tiny', command: 'python prog.py', runs: 16, schedule: 'duet', duetNeedsIdleCores: false }),
    );
    expect(result.schedule.ran).toBe('duet');
    expect(new Set(result.schedule.cpus).size).toBe(2);
    expect(result.rows[0]).toMatchObject({ verdict: 'slower' });
    expect(result.markdown).toContain('Schedule: duet, base and head at once on cores');
  });

  it('runs interleaved when a duet cannot run, and says why', async () => {
    const noHelper = { pinnable: async () => false } as unknown as Parameters<typeof planDuet>[0];
    expect(await planDuet(noHelper, true)).toMatchObject({ ran: 'interleaved', note: expect.stringMatching(/posix_spawn helper/) });
    expect(singleThreadedNote([0.98, 1.02])).toBeUndefined();
    expect(singleThreadedNote([0.98, 1.9])).toMatch(/kept 1\.90 cores busy.*single-threaded/);
    await expect(compareRefs(request(repo, { benchmark: 'x.py', schedule: 'duet' }))).rejects.toThrow(/duet" times whole commands/);
  });

  it('gives each timed run a fresh random environment padding of at most 4 KiB', () => {
    const side = { side: 'base', label: 'base', env: { A: '1' }, worktree: { dir: '/tmp' } } as unknown as PreparedSide;
    const lengths = Array.from({ length: 20 }, () => {
      const env = contextFor(side, { scratchDir: '', warmup: false, timeoutMs: 1, padding: true }).env;
      expect(env.A).toBe('1');
      return env[LAYOUT_PADDING_VAR]!.length;
    });
    expect(Math.max(...lengths)).toBeLessThan(4096);
    expect(new Set(lengths).size).toBeGreaterThan(1);
    expect(contextFor(side, { scratchDir: '', warmup: false, timeoutMs: 1 }).env).toEqual({ A: '1' });
  });

  it('measures the uncommitted working tree as head', async () => {
    repo.write({ 'prog.py': pythonProgram(SLOW_ITERATIONS) });
    try {
      // Ten pairs: below that the interval is the whole range of per-pair ratios, which one stalled run on a busy machine can stretch over 0 %.
      const result = await compareRefs(request(repo, { head: 'WORKTREE', command: 'python prog.py', runs: 10 }));
      expect(result.head.ref).toBe('WORKTREE');
      expect(result.rows[0]!.verdict).toBe('slower');
    } finally {
      repo.git('checkout', '--', 'prog.py');
    }
  });

  it.skipIf(!requireTool('valgrind').ok)(
    'counts the same instructions for a ref against itself',
    async () => {
      const result = await compareRefs(
        request(repo, { base: 'hangs', head: 'hangs', command: 'python -S small.py', mode: 'instructions', runs: 2 }),
      );
      expect(result.rows[0]).toMatchObject({ unit: 'instructions', verdict: 'unchanged' });
      const { base, head } = Object.values(result.samples)[0]!;
      const all = [...base, ...head];
      expect(all).toHaveLength(4);
      expect((Math.max(...all) - Math.min(...all)) / Math.min(...all)).toBeLessThan(0.001);
      expect(result.runner).toMatch(/^valgrind --tool=callgrind/);
    },
    120_000,
  );

  it('compares CPU time in cpu mode, and calls less work faster', async () => {
    const result = await compareRefs(request(repo, { base: 'slow', head: 'v1', command: 'python prog.py', mode: 'cpu', runs: 8 }));
    expect(result.rows[0]).toMatchObject({ unit: 'ms', verdict: 'faster' });
    expect(result.rows[0]!.note).toBeUndefined();
    expect(result.rows[0]!.changePct).toBeLessThan(-20);
    expect(result.timer).toMatch(/CPU time \(user \+ system\) from wait4/);
    expect(result.markdown).toMatch(/Mode: cpu — user \+ system CPU time/);
  });

  it('does not let cpu mode call work that became a sleep faster', async () => {
    repo.commit({ 'prog.py': 'import time\ntime.sleep(1.0)\n' }, 'sleeps instead');
    repo.git('tag', 'sleeps');
    repo.git('checkout', '-q', 'v1');
    const result = await compareRefs(request(repo, { base: 'slow', head: 'sleeps', command: 'python prog.py', mode: 'cpu', runs: 8 }));
    // CPU time fell by the work's 200 ms; the head's time off the CPU grew by the 1 s sleep.
    expect(result.rows[0]!.changePct).toBeLessThan(-20);
    expect(result.rows[0]!.verdict).toBe('inconclusive');
    expect(result.rows[0]!.note).toMatch(/time off the CPU grew by \d+(\.\d)? ms.*compare in wall mode/);
    expect(result.markdown).toContain('Note on `python3 prog.py`: CPU time fell by');
  });

  it("refuses cpu mode on Node's clock, which cannot see CPU time", async () => {
    await expect(compareRefs(request(repo, { command: 'python prog.py', mode: 'cpu', timer: 'node', runs: 6 }))).rejects.toThrow(
      /Node's clock cannot see it/,
    );
    await expectNothingLeft(repo);
  });

  it('reports peak memory of the process tree in bytes', async () => {
    repo.commit({ 'mem.py': 'x = b"x" * 10_000_000\n' }, 'small memory');
    repo.git('tag', 'mem-small');
    repo.commit({ 'mem.py': 'x = b"x" * 60_000_000\n' }, 'large memory');
    repo.git('tag', 'mem-large');
    repo.git('checkout', '-q', 'v1');
    const result = await compareRefs(
      request(repo, { base: 'mem-small', head: 'mem-large', command: 'python mem.py', mode: 'memory', runs: 6 }),
    );
    expect(result.rows[0]).toMatchObject({ unit: 'bytes', verdict: 'slower' });
    expect(result.rows[0]!.head - result.rows[0]!.base).toBeGreaterThan(40_000_000);
  });

  it('runs setup once in each worktree before measuring', async () => {
    repo.write({ 'needs_setup.py': 'import pathlib, sys\nsys.exit(0 if pathlib.Path("built.txt").exists() else 9)\n' });
    try {
      const result = await compareRefs(
        request(repo, {
          command: 'python needs_setup.py',
          inject: ['needs_setup.py'],
          setup: ['python3', '-c', 'open("built.txt", "w").write("ok")'],
          runs: 6,
        }),
      );
      expect(result.pairs).toBe(6);
      expect(result.timings.setupMs).toBeGreaterThan(0);
    } finally {
      repo.git('clean', '-fq', '--', 'needs_setup.py');
    }
  });

  it('names head, its exit code and its stderr when the command fails there', async () => {
    await expect(compareRefs(request(repo, { head: 'broken', command: 'python prog.py', runs: 6 }))).rejects.toThrow(
      /head \(broken, [0-9a-f]{12}\) with exit code 3[\s\S]*boom: bad input/,
    );
    await expectNothingLeft(repo);
  });

  it('kills the whole process group on timeout and leaves no worktree behind', async () => {
    await expect(compareRefs(request(repo, { head: 'hangs', command: 'python prog.py', runs: 6, timeoutMs: 1500 }))).rejects.toThrow(
      /timed out after 1500 ms on head/,
    );
    await expectNothingLeft(repo, `sleep ${HANG_SECONDS}`);
  });

  it('stops and cleans up when cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    await expect(
      compareRefs(request(repo, { head: 'hangs', command: 'python prog.py', runs: 6 }), { signal: controller.signal }),
    ).rejects.toThrow(/cancelled/);
    await expectNothingLeft(repo, `sleep ${HANG_SECONDS}`);
  });

  it('names an unknown ref and refuses option-like refs before calling git', async () => {
    await expect(compareRefs(request(repo, { head: 'no-such-ref', command: 'python prog.py' }))).rejects.toThrow(
      /unknown git ref "no-such-ref"/,
    );
    await expect(compareRefs(request(repo, { base: '-x', command: 'python prog.py' }))).rejects.toThrow(/"-x" is refused/);
  });

  it('asks for inject when the benchmark is newer than base, and runs with it', async () => {
    repo.write({ 'bench_new.py': pythonProgram(50_000) });
    try {
      const base = request(repo, { head: 'slow', command: 'python bench_new.py', runs: 6 });
      await expect(compareRefs(base)).rejects.toThrow(
        /bench_new\.py does not exist at base \(v1, [0-9a-f]{12}\).*pass inject: \["bench_new\.py"\]/,
      );
      const result = await compareRefs({ ...base, inject: ['bench_new.py'] });
      expect(result.rows[0]!.name).toContain('bench_new.py');
      expect(result.pairs).toBe(6);
      await expectNothingLeft(repo);
    } finally {
      repo.git('clean', '-fq', '--', 'bench_new.py');
    }
  });
});

describe('compareRefs with pytest-benchmark', () => {
  let repo: Repo;
  beforeAll(() => {
    repo = makeRepo();
    repo.commit(pytestBenchmarkSuite(2000), 'base');
    repo.git('tag', 'v1');
    repo.commit(pytestBenchmarkSuite(6000), 'changed is slower');
    repo.git('tag', 'slow');
  });
  afterAll(() => repo.dispose());

  it.skipIf(!requirePythonModule(realPython(), 'pytest_benchmark').ok)(
    'compares each benchmark on its own row',
    async () => {
      const result = await compareRefs(request(repo, { benchmark: 'tests/test_bench.py', runs: 10, benchTimeS: 0.05 }));
      const byName = Object.fromEntries(result.rows.map((row) => [row.name, row]));
      expect(Object.keys(byName).sort()).toEqual(['tests/test_bench.py::test_changed', 'tests/test_bench.py::test_unchanged']);
      expect(byName['tests/test_bench.py::test_changed']).toMatchObject({ unit: 'us', verdict: 'slower' });
      // The unchanged benchmark's verdict is chance at ten pairs (bench/compare-quality.mjs measures such rates); its
      // change is not: nowhere near the planted one.
      expect(Math.abs(byName['tests/test_bench.py::test_unchanged']!.changePct)).toBeLessThan(
        byName['tests/test_bench.py::test_changed']!.changePct / 2,
      );
      expect(result.runner).toContain('--benchmark-only');
    },
    120_000,
  );
});

describe('compareRefs with go test -bench', () => {
  let repo: Repo;
  beforeAll(() => {
    repo = makeRepo();
    repo.commit(goModule(20_000), 'base');
    repo.git('tag', 'v1');
    repo.commit(goModule(60_000), 'changed is slower');
    repo.git('tag', 'slow');
  });
  afterAll(() => repo.dispose());

  it.skipIf(!requireTool('go', ['version']).ok)(
    'compares each Go benchmark on its own row',
    async () => {
      const result = await compareRefs(request(repo, { language: 'go', benchmark: '.', runs: 10, benchTimeS: 0.05 }));
      const byName = Object.fromEntries(result.rows.map((row) => [row.name, row]));
      expect(Object.keys(byName).sort()).toEqual(['BenchmarkChanged', 'BenchmarkUnchanged']);
      expect(byName.BenchmarkChanged).toMatchObject({ unit: 'ns/op', verdict: 'slower' });
      expect(byName.BenchmarkChanged!.changePct).toBeGreaterThan(100);
      expect(Math.abs(byName.BenchmarkUnchanged!.changePct)).toBeLessThan(byName.BenchmarkChanged!.changePct / 2);
    },
    120_000,
  );
});
