import { availableParallelism } from 'node:os';
import { displayCommand, type RunContext, type Runner, runChecked } from './runner.js';

export interface GoBenchOptions {
  go: string;
  /** `<package>`, `<pattern>` or `<package>:<pattern>`; package defaults to `./...`, pattern to `.`. */
  benchmark?: string;
  /** Go's `-benchtime`, in seconds per benchmark per invocation. */
  benchTimeS?: number;
}

/** The result lines of go test -bench are read from its whole stdout; a run printing more than this is an error. */
const GO_STDOUT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * One `go test -bench` invocation per run with `-count 1`; each benchmark's ns/op
 * is one sample. Samples are whole invocations interleaved base/head, like the
 * pytest-benchmark runner, so that between-run noise is part of the interval.
 */
export function goBenchRunner(options: GoBenchOptions): Runner {
  const { pkg, pattern } = splitGoBenchmark(options.benchmark);
  // Set explicitly so the name suffix Go appends (-N, absent when N is 1) is known, never guessed.
  const procs = Number(process.env.GOMAXPROCS) || availableParallelism();
  const argv = [
    options.go,
    'test',
    '-run',
    '^$',
    '-bench',
    pattern,
    '-count',
    '1',
    ...(options.benchTimeS !== undefined ? ['-benchtime', `${options.benchTimeS}s`] : []),
    pkg,
  ];
  return {
    unit: 'ns/op',
    deterministic: false,
    describe: () => displayCommand(argv),
    requiredPaths: () => (pkg.includes('...') || !pkg.startsWith('./') ? [] : [pkg]),
    async measure(context: RunContext) {
      const result = await runChecked({ argv, shell: false, env: { GOMAXPROCS: String(procs) } }, context, {
        stdoutMaxBytes: GO_STDOUT_MAX_BYTES,
      });
      const values = parseGoBench(result.stdout, procs);
      if (values.size === 0) {
        throw new Error(
          `go test ran no benchmark matching "${pattern}" in ${pkg} on ${context.label}; if it is newer than this ref, pass inject with its _test.go file`,
        );
      }
      return { values, durationNs: result.durationNs };
    },
  };
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
 * sub-benchmark named size-10 keeps its name. When the run spans several packages
 * (`./...`), each name is prefixed with its package, as two packages may hold
 * benchmarks of the same name.
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
