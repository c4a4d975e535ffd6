import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { goModule, jsSuite, makeRepo } from '../fixtures/bench/repos.mjs';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';
import { linkJsSuiteDependencies } from '../helpers/js-suite.js';
import { connectStdio } from '../helpers/mcp-client.js';
import { requireTool } from '../helpers/requires.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const go = requireTool('go', ['version']);

type Repo = ReturnType<typeof makeRepo>;
type Row = { name: string; verdict: string; unit: string; change_pct: number };

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** An example project committed on main; `fix()` commits its optimization on top. */
function exampleRepo(language: 'node' | 'go', file: string, fix: string): Repo & { fix(): void } {
  const repo = makeRepo(`cf-${language}-example-`);
  cpSync(join(EXAMPLES, `${language}-demo`), repo.root, { recursive: true });
  repo.commit({}, 'first version');
  return Object.assign(repo, { fix: () => void repo.commit({ [file]: readFileSync(join(EXAMPLES, fix), 'utf8') }, 'the fix') });
}

/** The directory of the worktree a compare kept at this commit. */
function keptWorktree(repo: Repo, sha: string): string {
  const entries = repo.git('worktree', 'list', '--porcelain').split('\n\n');
  const entry = entries.find((text) => text.includes(`HEAD ${sha}`) && !text.startsWith(`worktree ${repo.root}\n`));
  if (!entry) throw new Error(`no kept worktree at ${sha}`);
  return entry.split('\n')[0]!.slice('worktree '.length);
}

async function session(root: string): Promise<InMemory> {
  open = await connectInMemory({ root, jobStartWaitMs: 30_000 });
  const started = await open.call('session_start', {});
  expect(started.isError, errorText(started)).toBeFalsy();
  return open;
}

/** Call a tool and follow its job with job_status until it ends, as a host does; the finished result. */
async function succeeded(mcp: Pick<InMemory, 'call'>, tool: string, args: Record<string, unknown>): Promise<Record<string, any>> {
  let result = await mcp.call(tool, args);
  expect(result.isError, errorText(result)).toBeFalsy();
  while (result.structuredContent!.state === 'running') {
    result = await mcp.call('job_status', { job_id: result.structuredContent!.job_id, wait_s: 45 });
  }
  const out = result.structuredContent!;
  // Tools that never run as a job answer without a state.
  expect(out.state ?? 'succeeded', JSON.stringify(out.error ?? out)).toBe('succeeded');
  return { ...out, ...(out.result ?? {}) };
}

function byName(rows: Row[]): Record<string, Row> {
  return Object.fromEntries(rows.map((row) => [row.name, row]));
}

// An untouched benchmark's verdict is chance at ten pairs on a loaded machine (bench/compare-quality.mjs measures
// such rates); its change is not: nowhere near the planted one.
function expectUntouched(untouched: Row, planted: Row) {
  expect(Math.abs(untouched.change_pct), JSON.stringify(untouched)).toBeLessThan(planted.change_pct / 2);
}

describe('a Node project, with the command form a Python one uses', () => {
  let repo: ReturnType<typeof exampleRepo>;
  beforeAll(() => {
    repo = exampleRepo('node', 'src/dedupe.js', 'node-demo.optimized.js');
  });
  afterAll(() => repo.dispose());

  it('profile "bench.js" ranks the planted hotspot first by default, and benchmark_compare "bench.js" calls the fix faster', async () => {
    const mcp = await session(repo.root);
    const profile = await succeeded(mcp, 'profile', { command: 'bench.js', top: 5 });
    repo.fix();
    expect(profile.profiler).toBe('node-cpu');
    expect(profile.hotspots[0]).toMatchObject({ function: 'uniqueSkus', file: join(repo.root, 'src', 'dedupe.js') });
    // Project code comes first: no Node internals among the top entries.
    expect(profile.hotspots.slice(0, 3).every((h: { file: string }) => h.file.startsWith(repo.root))).toBe(true);

    const compare = await succeeded(mcp, 'benchmark_compare', { base: 'HEAD~1', head: 'HEAD', command: 'bench.js', runs: 10 });
    expect(compare.runner).toMatch(/node bench\.js$/);
    expect(compare.rows).toHaveLength(1);
    expect(compare.rows[0]).toMatchObject({ verdict: 'faster', unit: 'ms' });
  });
});

describe('the same string command form over stdio, against the built server', () => {
  it('profile and benchmark_compare both take "bench.js" in the Node example', async () => {
    const repo = exampleRepo('node', 'src/dedupe.js', 'node-demo.optimized.js');
    const mcp = await connectStdio(['--root', repo.root]);
    try {
      await succeeded(mcp, 'session_start', {});
      const profile = await succeeded(mcp, 'profile', { command: 'bench.js', top: 3 });
      expect(profile.hotspots[0].function).toBe('uniqueSkus');
      repo.fix();
      const compare = await succeeded(mcp, 'benchmark_compare', { base: 'HEAD~1', head: 'HEAD', command: 'bench.js', runs: 10 });
      expect(compare.rows[0].verdict).toBe('faster');
    } finally {
      await mcp.close();
      repo.dispose();
    }
  }, 120_000);
});

describe.skipIf(!go.ok)('a Go module', () => {
  it('profile "." ranks the project function first even when runtime map code does the work', async () => {
    const repo = exampleRepo('go', 'dedupe.go', 'go-demo.optimized.go');
    try {
      repo.fix();
      const mcp = await session(repo.root);
      // The fixed version spends its time in runtime map functions, on behalf of UniqueSKUs.
      const profile = await succeeded(mcp, 'profile', { command: '.', top: 5 });
      expect(profile.hotspots[0]).toMatchObject({ function: 'example.com/inventory.UniqueSKUs', file: join(repo.root, 'dedupe.go') });
      const raw = await succeeded(mcp, 'profile', { command: '.', top: 5, focus: '*' });
      expect(raw.hotspots[0].function).not.toBe('example.com/inventory.UniqueSKUs');
    } finally {
      repo.dispose();
    }
  }, 120_000);

  it('micro_benchmark compiles two snippets into a benchmark of the package and calls the one doing less work faster', async () => {
    const repo = exampleRepo('go', 'dedupe.go', 'go-demo.optimized.go');
    try {
      const mcp = await session(repo.root);
      // Unexported names of the package (makeOrders, from its _test.go) are in reach, as in a Go benchmark.
      const setup = 'var microOrders = makeOrders(400, 600)\nvar microSink []string';
      const micro = await succeeded(mcp, 'micro_benchmark', {
        language: 'go',
        setup,
        a: 'microSink = UniqueSKUs(microOrders)',
        b: 'microSink = UniqueSKUs(microOrders[:100])',
        runs: 8,
      });
      expect(micro).toMatchObject({ verdict: 'faster', processes: 4 });
      expect(micro.ratio).toBeLessThan(0.6);
      expect(repo.git('status', '--porcelain')).toBe('');
      const broken = await mcp.call('micro_benchmark', {
        language: 'go',
        setup,
        a: 'microSink = UniqueSKUs(microOrders)',
        b: 'unused := 1',
      });
      expect(broken.isError).toBe(true);
      expect(errorText(broken)).toMatch(/snippet b does not compile: declared and not used: unused/);
    } finally {
      repo.dispose();
    }
  }, 120_000);

  it('benchmark_compare of a package with two benchmarks calls the planted slowdown slower and leaves the other alone', async () => {
    const repo = makeRepo('cf-go-two-');
    try {
      repo.commit(goModule(20_000), 'base');
      repo.commit(goModule(80_000), 'Changed does four times the work');
      const mcp = await session(repo.root);
      const started = performance.now();
      const compare = await succeeded(mcp, 'benchmark_compare', { base: 'HEAD~1', head: 'HEAD', benchmark: '.', runs: 10 });
      const rows = byName(compare.rows);
      expect(Object.keys(rows).sort()).toEqual(['BenchmarkChanged', 'BenchmarkUnchanged']);
      expect(rows.BenchmarkChanged).toMatchObject({ verdict: 'slower', unit: 'ns/op' });
      expect(rows.BenchmarkChanged!.change_pct).toBeGreaterThan(100);
      expectUntouched(rows.BenchmarkUnchanged!, rows.BenchmarkChanged!);
      expect(compare.runner).toMatch(/go test -c .*-test\.benchtime 100ms/);
      // benchstat input per side: every measured run's benchmark lines.
      const stored = JSON.parse((await mcp.call('read_artifact', { uri: compare.uri })).structuredContent!.text).data;
      expect(stored.benchstat.base.match(/^BenchmarkChanged-?\d*\s+\d+\s+[\d.]+ ns\/op/gm)).toHaveLength(10);
      expect(stored.benchstat.head).toContain('pkg: example.com/benchfixture');
      // Seconds, not tens of seconds: each sample is one short run of a binary built once.
      expect(performance.now() - started).toBeLessThan(60_000);
    } finally {
      repo.dispose();
    }
  }, 180_000);
});

describe('a JavaScript project with vitest bench and tinybench suites, installed per worktree', () => {
  let repo: Repo;
  const nodeModules = (sha: string) => statSync(join(keptWorktree(repo, sha), 'node_modules')).ino;
  beforeAll(() => {
    repo = makeRepo('cf-js-suite-');
    repo.commit(jsSuite(2_000), 'base');
    repo.commit(jsSuite(8_000), 'changed does four times the work');
    linkJsSuiteDependencies(repo.root);
  }, 300_000);
  afterAll(() => repo.dispose());

  it('vitest bench: one row per benchmark, the planted slowdown slower, the other not', async () => {
    const mcp = await session(repo.root);
    const compare = await succeeded(mcp, 'benchmark_compare', {
      base: 'HEAD~1',
      head: 'HEAD',
      benchmark: 'bench/work.bench.js',
      runs: 10,
    });
    const rows = byName(compare.rows);
    expect(Object.keys(rows).sort()).toEqual(['bench/work.bench.js > work > changed', 'bench/work.bench.js > work > unchanged']);
    expect(rows['bench/work.bench.js > work > changed']).toMatchObject({ verdict: 'slower', unit: 'us' });
    expectUntouched(rows['bench/work.bench.js > work > unchanged']!, rows['bench/work.bench.js > work > changed']!);
    expect(compare.runner).toContain('vitest bench --run --outputJson');
  }, 300_000);

  it('tinybench and a TypeScript command on the same refs reuse the installed worktrees, with no second install', async () => {
    const mcp = await session(repo.root);
    const [base, head] = [repo.git('rev-parse', 'HEAD~1'), repo.git('rev-parse', 'HEAD')];
    const installed = [nodeModules(base), nodeModules(head)];
    const tiny = await succeeded(mcp, 'benchmark_compare', {
      base: 'HEAD~1',
      head: 'HEAD',
      benchmark: 'bench/work.tinybench.mjs',
      runs: 10,
    });
    const rows = byName(tiny.rows);
    expect(Object.keys(rows).sort()).toEqual(['work > changed', 'work > unchanged']);
    expect(rows['work > changed']!.verdict).toBe('slower');
    expectUntouched(rows['work > unchanged']!, rows['work > changed']!);

    const ts = await succeeded(mcp, 'benchmark_compare', { base: 'HEAD~1', head: 'HEAD', command: 'bench/work.ts', runs: 10 });
    expect(ts.runner).toMatch(/node --import tsx bench\/work\.ts$/);
    expect(ts.rows[0].verdict).toBe('slower');
    expect([nodeModules(base), nodeModules(head)]).toEqual(installed);

    const profile = await succeeded(mcp, 'profile', { command: 'bench/work.ts', top: 3 });
    // V8 may inline changed() into its TypeScript caller; either way the project's code is first.
    expect(profile.hotspots[0].function).toMatch(/^(changed|hotPath)$/);
    expect(profile.hotspots[0].file).toMatch(/\/(src\/work\.js|bench\/work\.ts)$/);
  }, 300_000);
});

describe('the command form is checked before any work', () => {
  it('a TypeScript script with neither tsx nor type stripping says what to install', async () => {
    const repo = makeRepo('cf-ts-');
    try {
      repo.commit({ 'package.json': '{"name": "x", "type": "module"}\n', 'main.ts': 'console.log(1 as number);\n' }, 'ts');
      const mcp = await session(repo.root);
      const nodeMajor = Number(process.versions.node.split('.')[0]);
      const minor = Number(process.versions.node.split('.')[1]);
      const result = await mcp.call('profile', { command: 'main.ts' });
      if (nodeMajor > 22 || (nodeMajor === 22 && minor >= 6)) {
        expect(result.isError, errorText(result)).toBeFalsy();
      } else {
        expect(result.isError).toBe(true);
        expect(errorText(result)).toMatch(/main\.ts is TypeScript: add tsx to the project \(npm install -D tsx\)/);
      }
    } finally {
      repo.dispose();
    }
  });
});
