import { displayCommand, runChecked, type RunContext, type Runner } from './runner.js';

export interface GoBenchOptions {
  go: string;
  /** `<package>`, `<pattern>` or `<package>:<pattern>`; package defaults to `./...`, pattern to `.`. */
  benchmark?: string;
  /** Go's `-benchtime`, in seconds per benchmark per invocation. */
  benchTimeS?: number;
}

/**
 * One `go test -bench` invocation per run with `-count 1`; each benchmark's ns/op
 * is one sample. Samples are whole invocations interleaved base/head, like the
 * pytest-benchmark runner, so that between-run noise is part of the interval.
 */
export function goBenchRunner(options: GoBenchOptions): Runner {
  const { pkg, pattern } = splitGoBenchmark(options.benchmark);
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
      const result = await runChecked({ argv, shell: false, env: {} }, context);
      const values = parseGoBench(result.stdout);
      if (values.size === 0) {
        throw new Error(`go test ran no benchmark matching "${pattern}" in ${pkg} on ${context.label}; if it is newer than this ref, pass inject with its _test.go file`);
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

/** `BenchmarkSum/n=10-2   1234   567.8 ns/op` → Sum/n=10 → 567.8, without the GOMAXPROCS suffix. */
export function parseGoBench(stdout: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of stdout.matchAll(/^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+(?:e[+-]?\d+)?) ns\/op/gm)) {
    values.set(match[1]!, Number(match[2]));
  }
  return values;
}
