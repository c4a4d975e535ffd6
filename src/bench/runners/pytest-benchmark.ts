import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { displayCommand, type RunContext, type Runner, runChecked } from './runner.js';

export interface PytestBenchmarkOptions {
  python: string;
  /** A test path or node id, e.g. `tests/bench_x.py` or `tests/bench_x.py::test_sort`. */
  benchmark: string;
  /** pytest-benchmark's `--benchmark-max-time`, seconds per benchmark per invocation. */
  benchTimeS?: number;
}

let runCounter = 0;

/**
 * One pytest invocation per run; each benchmark's median over the rounds of
 * that invocation is one sample, in microseconds.
 *
 * Samples are whole invocations on purpose, not the rounds inside one: rounds
 * of one process share its memory layout, hash seeds and CPU state, so their
 * spread understates how much a fresh run differs from the last one, and
 * treating them as independent would give confidence intervals that are too
 * narrow. Invocations interleaved base/head carry that between-run noise.
 */
export function pytestBenchmarkRunner(options: PytestBenchmarkOptions): Runner {
  const argv = (jsonFile: string) => [
    options.python,
    '-m',
    'pytest',
    options.benchmark,
    '--benchmark-only',
    `--benchmark-json=${jsonFile}`,
    '-q',
    '-p',
    'no:cacheprovider',
    ...(options.benchTimeS !== undefined ? [`--benchmark-max-time=${options.benchTimeS}`] : []),
  ];
  return {
    unit: 'us',
    deterministic: false,
    describe: () => displayCommand(argv('<scratch>/run.json')),
    requiredPaths: () => [options.benchmark.split('::')[0]!],
    async measure(context: RunContext) {
      const jsonFile = join(context.scratchDir, `pytest-benchmark.${++runCounter}.json`);
      const command = { argv: argv(jsonFile), shell: false, env: {} };
      const result = await runChecked(command, context, { acceptExitCodes: [0, 5] });
      if (result.exitCode === 5) {
        throw new Error(
          `pytest collected no benchmark for ${options.benchmark} on ${context.label}; if the benchmark is newer than this ref, pass inject: ["${options.benchmark.split('::')[0]}"]`,
        );
      }
      try {
        const values = parsePytestBenchmarkJson(await readFile(jsonFile, 'utf8'));
        if (values.size === 0) throw new Error(`pytest-benchmark reported no benchmark on ${context.label}`);
        return { values, durationNs: result.durationNs };
      } finally {
        await rm(jsonFile, { force: true });
      }
    },
  };
}

interface PytestBenchmarkJson {
  benchmarks?: { fullname?: string; name?: string; stats?: { median?: number } }[];
}

/** Median seconds per benchmark, as microseconds, keyed by the benchmark's node id. */
export function parsePytestBenchmarkJson(text: string): Map<string, number> {
  const report = JSON.parse(text) as PytestBenchmarkJson;
  const values = new Map<string, number>();
  for (const bench of report.benchmarks ?? []) {
    const name = bench.fullname ?? bench.name;
    const median = bench.stats?.median;
    if (name && typeof median === 'number') values.set(name, median * 1e6);
  }
  return values;
}
