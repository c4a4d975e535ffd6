import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { nodeExecutable, resolveCommand } from '../../env/command.js';
import { UserError } from '../../errors.js';
import { harnessPath } from '../../package.js';
import { displayCommand, type RunContext, type Runner, runChecked } from './runner.js';

/** How a JavaScript/TypeScript benchmark suite runs: vitest's bench mode, or a script using tinybench or mitata. */
export type JsSuite = 'vitest' | 'tinybench' | 'mitata';

const LIBRARY_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](tinybench|mitata)['"]/;

/**
 * Which suite a `benchmark` names: a script that imports tinybench or mitata
 * runs as a script; anything else (a `*.bench.*` file, a directory, a name
 * filter) goes to `vitest bench` when the project depends on vitest.
 */
export async function chooseJsSuite(root: string, benchmark: string): Promise<JsSuite> {
  const path = join(root, benchmark);
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  const library = isFile ? LIBRARY_IMPORT.exec(await readFile(path, 'utf8'))?.[1] : undefined;
  if (library === 'tinybench' || library === 'mitata') return library;
  if (existsSync(join(root, 'node_modules', 'vitest')) || (await dependsOn(root, 'vitest'))) return 'vitest';
  throw new UserError(
    `${benchmark} is neither a script importing tinybench or mitata nor a vitest bench file in a project that depends on vitest; pass command to time a whole script`,
  );
}

async function dependsOn(root: string, name: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    return [manifest.dependencies, manifest.devDependencies].some((deps) => deps !== undefined && name in deps);
  } catch {
    return false;
  }
}

let runCounter = 0;

/** The runner for a Node `benchmark`: vitest bench, or the script under the runtime the command resolver picks. */
export async function jsSuiteRunner(root: string, benchmark: string, signal?: AbortSignal): Promise<Runner> {
  const suite = await chooseJsSuite(root, benchmark);
  if (suite === 'vitest') return vitestBenchRunner(benchmark);
  const resolved = await resolveCommand([benchmark], { language: 'node', root, signal });
  const node = resolved.runtime === undefined ? [await nodeExecutable()] : resolved.argv.slice(0, -1);
  return scriptBenchRunner(node, benchmark, suite);
}

/**
 * `vitest bench --run --outputJson` once per sample, in each worktree with its
 * own installed vitest; each benchmark's median over that run's iterations is
 * one sample, in microseconds. As with pytest-benchmark, the samples are whole
 * runs interleaved base/head, never the iterations of one run, which share
 * one process's JIT state and memory layout.
 */
export function vitestBenchRunner(benchmark: string): Runner {
  const vitest = './node_modules/.bin/vitest';
  const argv = (jsonFile: string) => [vitest, 'bench', '--run', '--outputJson', jsonFile, benchmark];
  return {
    unit: 'us',
    deterministic: false,
    describe: () => displayCommand(argv('<scratch>/run.json')),
    requiredPaths: () => [benchmark],
    async measure(context: RunContext) {
      if (!existsSync(join(context.cwd, vitest))) {
        throw new Error(`vitest is not installed at ${context.label}: add it to the project's devDependencies`);
      }
      const jsonFile = join(context.scratchDir, `vitest-bench.${++runCounter}.json`);
      try {
        const result = await runChecked({ argv: argv(jsonFile), shell: false, env: {} }, context);
        const values = parseVitestBenchJson(await readFile(jsonFile, 'utf8'), context.cwd);
        if (values.size === 0) throw new Error(`vitest bench ran no benchmark for ${benchmark} on ${context.label}`);
        return { values, durationNs: result.durationNs };
      } finally {
        await rm(jsonFile, { force: true });
      }
    },
  };
}

interface VitestBenchJson {
  files?: { filepath?: string; groups?: { fullName?: string; benchmarks?: { name?: string; median?: number }[] }[] }[];
}

/**
 * Median milliseconds per benchmark, as microseconds, keyed `<file> > <suite> > <name>`
 * with the file relative to the worktree, so the same benchmark has the same key on both sides.
 */
export function parseVitestBenchJson(text: string, cwd: string): Map<string, number> {
  const report = JSON.parse(text) as VitestBenchJson;
  const values = new Map<string, number>();
  for (const file of report.files ?? []) {
    const path = file.filepath && isAbsolute(file.filepath) ? relative(cwd, file.filepath) : (file.filepath ?? '');
    for (const group of file.groups ?? []) {
      // The group of a file's top-level benchmarks is named after the file itself.
      const suite = (group.fullName ?? '').split(' > ').slice(1).join(' > ');
      for (const bench of group.benchmarks ?? []) {
        if (!bench.name || typeof bench.median !== 'number') continue;
        values.set([path, suite, bench.name].filter(Boolean).join(' > '), bench.median * 1000);
      }
    }
  }
  return values;
}

/**
 * A script that runs tinybench or mitata benchmarks, once per sample under
 * `node --import` of a small preload (harness/js_bench_register.mjs) that
 * records each benchmark's median as the library computes it and writes them
 * to a file at exit, whatever the script prints. `node` is the command as the
 * resolver gave it (a TypeScript runner included).
 */
export function scriptBenchRunner(node: string[], script: string, suite: JsSuite): Runner {
  const [program, ...flags] = node;
  const argv = [program!, '--import', harnessPath('js_bench_register.mjs'), ...flags, script];
  return {
    unit: 'us',
    deterministic: false,
    describe: () => `${displayCommand(argv)} (${suite} medians read by a preload)`,
    requiredPaths: () => [script],
    async measure(context: RunContext) {
      const outFile = join(context.scratchDir, `js-bench.${++runCounter}.json`);
      try {
        const result = await runChecked({ argv, shell: false, env: { CODEFLASH_BENCH_OUT: outFile } }, context);
        const values = await readRecorded(outFile);
        if (values.size === 0) {
          throw new Error(`${script} reported no ${suite} result on ${context.label}: does it import ${suite} and run its benchmarks?`);
        }
        return { values, durationNs: result.durationNs };
      } finally {
        await rm(outFile, { force: true });
      }
    },
  };
}

/** The preload's file: {"benchmarks": [{"name", "median_ns"}]}, as microseconds by name. */
async function readRecorded(path: string): Promise<Map<string, number>> {
  const text = await readFile(path, 'utf8').catch(() => '{}');
  const recorded = JSON.parse(text) as { benchmarks?: { name?: string; median_ns?: number }[] };
  const values = new Map<string, number>();
  for (const bench of recorded.benchmarks ?? []) {
    if (bench.name && typeof bench.median_ns === 'number') values.set(bench.name, bench.median_ns / 1000);
  }
  return values;
}
