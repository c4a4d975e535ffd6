import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { displayCommand, type RunContext, type Runner, runChecked, type Side } from './runner.js';

export interface GoBenchOptions {
  go: string;
  /** `<package>`, `<pattern>` or `<package>:<pattern>`; package defaults to `./...`, pattern to `.`. */
  benchmark?: string;
  /** `-test.benchtime` in seconds per benchmark per run (default DEFAULT_BENCH_TIME_S). */
  benchTimeS?: number;
}

/** The result lines of go test -bench are read from its whole stdout; a run printing more than this is an error. */
const GO_STDOUT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Seconds each benchmark runs per sample. Go's own default (1 s) is meant for
 * one run; here a sample is one of many interleaved runs, and the spread between
 * runs, not within one, sets the interval.
 */
export const DEFAULT_BENCH_TIME_S = 0.1;

/** A package of one worktree whose test binary holds benchmarks. */
interface TestBinary {
  importPath: string;
  /** The package directory in the worktree: Go runs a test binary there. */
  dir: string;
  binary: string;
}

/**
 * Go benchmarks from test binaries built once per worktree (`go test -c`, with
 * -trimpath so the same source compiles to the same binary in both worktrees),
 * then run once per sample with a short `-test.benchtime`: each benchmark's
 * ns/op in one run is one sample. Samples are whole runs interleaved base/head,
 * like the pytest-benchmark runner, so that between-run noise is part of the
 * interval. The benchmark lines of every run are kept as benchstat input.
 */
export function goBenchRunner(options: GoBenchOptions): Runner {
  const { pkg, pattern } = splitGoBenchmark(options.benchmark);
  // Set explicitly so the name suffix Go appends (-N, absent when N is 1) is known, never guessed.
  const procs = Number(process.env.GOMAXPROCS) || availableParallelism();
  const benchTime = `${Math.round((options.benchTimeS ?? DEFAULT_BENCH_TIME_S) * 1000)}ms`;
  const runArgs = ['-test.run', '^$', '-test.bench', pattern, '-test.count', '1', '-test.benchtime', benchTime];
  const built = new Map<string, Promise<TestBinary[]>>();
  const transcript: Record<Side, string[]> = { base: [], head: [] };
  let binaries = 0;
  const binariesFor = (context: RunContext): Promise<TestBinary[]> => {
    let pending = built.get(context.cwd);
    if (!pending) {
      pending = buildTestBinaries(options.go, pkg, context, () => join(context.scratchDir, `go-bench-${++binaries}.test`));
      built.set(context.cwd, pending);
    }
    return pending;
  };
  return {
    unit: 'ns/op',
    deterministic: false,
    describe: () =>
      `${displayCommand([options.go, 'test', '-c', '-trimpath', '-vet=off', '-o', 'pkg.test', pkg])}, then per sample ${displayCommand(['pkg.test', ...runArgs])}`,
    requiredPaths: () => (pkg.includes('...') || !pkg.startsWith('./') ? [] : [pkg]),
    build: async (context) => void (await binariesFor(context)),
    async measure(context: RunContext) {
      const tests = await binariesFor(context);
      const env = { GOMAXPROCS: String(procs) };
      const values = new Map<string, number>();
      let durationNs = 0n;
      for (const test of tests) {
        const result = await runChecked(
          { argv: [test.binary, ...runArgs], shell: false, env },
          { ...context, cwd: test.dir },
          {
            stdoutMaxBytes: GO_STDOUT_MAX_BYTES,
          },
        );
        durationNs += result.durationNs;
        const found = parseGoBench(result.stdout, procs);
        for (const [name, value] of found) values.set(tests.length > 1 ? `${test.importPath}.${name}` : name, value);
        if (!context.warmup) transcript[context.side].push(benchmarkLines(result.stdout));
      }
      if (values.size === 0) {
        throw new Error(
          `no benchmark matching "${pattern}" ran in ${pkg} on ${context.label}; if it is newer than this ref, pass inject with its _test.go file`,
        );
      }
      return { values, durationNs };
    },
    benchstatInput: () => ({ base: transcript.base.join(''), head: transcript.head.join('') }),
  };
}

/**
 * Build one test binary per package that has benchmarks. `go list` names the
 * packages and their test files; a package whose test files hold no
 * `func Benchmark` is skipped, so a large module builds only what runs.
 */
async function buildTestBinaries(go: string, pkg: string, context: RunContext, outFile: () => string): Promise<TestBinary[]> {
  const listed = await runChecked(
    {
      argv: [go, 'list', '-f', '{{.ImportPath}}\t{{.Dir}}\t{{join .TestGoFiles ","}},{{join .XTestGoFiles ","}}', pkg],
      shell: false,
      env: {},
    },
    { ...context, label: `${context.label} (go list)` },
  );
  const binaries: TestBinary[] = [];
  for (const line of listed.stdout.split('\n').filter(Boolean)) {
    const [importPath, dir, files] = line.split('\t') as [string, string, string];
    const testFiles = files.split(',').filter(Boolean);
    if (!(await anyHasBenchmark(dir, testFiles))) continue;
    const binary = outFile();
    await runChecked(
      { argv: [go, 'test', '-c', '-trimpath', '-vet=off', '-o', binary, importPath], shell: false, env: {} },
      { ...context, label: `${context.label} (go test -c ${importPath})` },
    );
    binaries.push({ importPath, dir, binary });
  }
  if (binaries.length === 0) {
    throw new Error(`no package in ${pkg} has a Benchmark function on ${context.label}; pass the package that holds them (./pkg)`);
  }
  return binaries;
}

const BENCHMARK_FUNCTION = /^func Benchmark\w*\s*\(/m;

async function anyHasBenchmark(dir: string, files: string[]): Promise<boolean> {
  for (const file of files) {
    if (BENCHMARK_FUNCTION.test(await readFile(join(dir, file), 'utf8').catch(() => ''))) return true;
  }
  return false;
}

/** The header (goos, goarch, pkg, cpu) and result lines of a run: what benchstat reads. */
function benchmarkLines(stdout: string): string {
  const lines = stdout.split('\n').filter((line) => /^(goos|goarch|pkg|cpu): /.test(line) || /^Benchmark\S+\s+\d+\s/.test(line));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function splitGoBenchmark(benchmark: string | undefined): { pkg: string; pattern: string } {
  if (!benchmark) return { pkg: './...', pattern: '.' };
  const colon = benchmark.lastIndexOf(':');
  if (colon >= 0) return { pkg: benchmark.slice(0, colon) || './...', pattern: benchmark.slice(colon + 1) || '.' };
  const looksLikePackage = benchmark.startsWith('.') || benchmark.includes('/');
  return looksLikePackage ? { pkg: benchmark, pattern: '.' } : { pkg: './...', pattern: benchmark };
}

/**
 * ns/op per benchmark: `BenchmarkSum/n=10-2   1234   567.8 ns/op` with GOMAXPROCS 2
 * → BenchmarkSum/n=10 → 567.8. Only the suffix Go adds for `procs` is cut, so a
 * sub-benchmark named size-10 keeps its name. When the output spans several
 * packages (`go test ./...`), each name is prefixed with its package, as two
 * packages may hold benchmarks of the same name.
 */
export function parseGoBench(stdout: string, procs: number): Map<string, number> {
  const suffix = procs === 1 ? '' : `-${procs}`;
  const found: Array<{ pkg: string; name: string; value: number }> = [];
  let pkg = '';
  for (const line of stdout.split('\n')) {
    const header = /^pkg: (\S+)/.exec(line);
    if (header) pkg = header[1]!;
    const match = /^(Benchmark\S+)\s+\d+\s+([\d.]+(?:e[+-]?\d+)?) ns\/op/.exec(line);
    if (!match) continue;
    const name = suffix && match[1]!.endsWith(suffix) ? match[1]!.slice(0, -suffix.length) : match[1]!;
    found.push({ pkg, name, value: Number(match[2]) });
  }
  const manyPackages = new Set(found.map((f) => f.pkg)).size > 1;
  return new Map(found.map(({ pkg: from, name, value }) => [manyPackages ? `${from}.${name}` : name, value]));
}
