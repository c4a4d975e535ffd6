import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BENCH_TIME_S, splitGoBenchmark } from '../bench/runners/go-bench.js';
import type { JsSuite } from '../bench/runners/js-bench.js';
import { isBarePythonName } from '../env/interpreter.js';
import type { Language } from '../env/types.js';
import { formatCommand, parseCommand } from '../proc/command.js';
import type { StoredRequest } from '../state/comparisons.js';

export interface ReproduceContext {
  root: string;
  language: Language;
  /** How the project runs Python (`uv run python`, `poetry run python`, `python3`): the default of `$RUNNER`. */
  pythonRunner: string;
  baseSha: string;
  headSha: string;
  /** Files that exist at head but not at base (a benchmark newer than base), copied from the head commit into the base worktree. */
  copyToBase: string[];
  /** The project's frozen install (`npm ci`, then its build if it has one), run in each worktree of a Node project. */
  nodeInstall?: string;
  /** Which runner a Node benchmark suite uses. */
  jsSuite?: JsSuite;
  pairs: number;
  warmups: number;
}

export interface Reproducer {
  /** A POSIX shell script, run from the repository root. */
  script: string;
  /** What it needs besides git and the project's runtime. */
  tools: string[];
  /** What it measures, in a few words. */
  what: string;
}

/**
 * Shell-quote text for one more level of shell (hyperfine and the subshells
 * run it again): POSIX single quotes, which keep `$RUNNER` and `$WORK` for the
 * inner shell to expand from the environment.
 */
function word(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const NODE_SCRIPT = /\.[cm]?js$/;
const TYPESCRIPT_SCRIPT = /\.[cm]?ts$/;

/**
 * The command as a person types it: a Python script or `-m` module behind
 * `$RUNNER`, a JavaScript file behind `node`, TypeScript behind `npx tsx`, a
 * project binary (vitest) behind `npx`; anything else as written.
 */
export function personCommand(command: string | string[], context: Pick<ReproduceContext, 'root' | 'language'>): string {
  const parsed = parseCommand(command);
  if (parsed.needsShell) return parsed.argv[0]!;
  const [first, ...rest] = parsed.argv as [string, ...string[]];
  const all = formatCommand(parsed.argv);
  if (isBarePythonName(first)) return `$RUNNER${rest.length ? ` ${formatCommand(rest)}` : ''}`;
  if (first.endsWith('.py') || (context.language === 'python' && (first === '-m' || first === '-c'))) return `$RUNNER ${all}`;
  if (NODE_SCRIPT.test(first)) return `node ${all}`;
  if (TYPESCRIPT_SCRIPT.test(first)) return `npx tsx ${all}`;
  if (!first.includes('/') && existsSync(join(context.root, 'node_modules', '.bin', first))) return `npx ${all}`;
  return all;
}

/** Each side's code first on Python's import path, as the compare ran it. */
function pythonPathPrefix(context: ReproduceContext): string {
  if (context.language !== 'python') return '';
  return existsSync(join(context.root, 'src')) ? 'PYTHONPATH=.:src ' : 'PYTHONPATH=. ';
}

/** `cd` into one side's worktree and run `command` there. */
const inSide = (side: 'base' | 'head', command: string) => `cd "$WORK/${side}" && ${command}`;

const clamp = (value: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, value));

/**
 * A script that repeats a comparison with the project's own tools and nothing
 * of ours: two worktrees at the compared commits, then hyperfine for a command
 * (import time included), pytest-benchmark for a Python suite, `go test -bench`
 * with benchstat for Go, vitest bench or the suite script for JavaScript, GNU
 * time for peak memory and callgrind for instruction counts.
 */
export function reproducer(request: StoredRequest, context: ReproduceContext): Reproducer {
  const measure = request.benchmark !== undefined ? suiteLines(request.benchmark, context) : commandLines(request, context);
  const setup = [
    ...context.copyToBase.map(
      (path) => `mkdir -p "$(dirname "$WORK/base/${path}")" && git show ${context.headSha}:${word(path)} > "$WORK/base/${path}"`,
    ),
    ...(context.nodeInstall ? [`for side in base head; do (cd "$WORK/$side" && ${context.nodeInstall}); done`] : []),
    ...(request.setup !== undefined ? [`for side in base head; do (cd "$WORK/$side" && ${setupText(request.setup)}); done`] : []),
  ];
  const script = [
    `# ${measure.what}: base ${context.baseSha.slice(0, 12)} against head ${context.headSha.slice(0, 12)}.`,
    'set -eu',
    ...(context.language === 'python' ? [`export RUNNER="\${RUNNER:-${context.pythonRunner}}"`] : []),
    'export WORK="$(mktemp -d)"',
    `trap 'git worktree remove --force "$WORK/base" 2>/dev/null; git worktree remove --force "$WORK/head" 2>/dev/null; rm -rf "$WORK"' EXIT`,
    `git worktree add --quiet --detach "$WORK/base" ${context.baseSha}`,
    `git worktree add --quiet --detach "$WORK/head" ${context.headSha}`,
    ...setup,
    ...measure.lines,
  ].join('\n');
  return { script, tools: measure.tools, what: measure.what };
}

function setupText(setup: string | string[]): string {
  return Array.isArray(setup) ? formatCommand(setup) : setup;
}

interface Measure {
  lines: string[];
  tools: string[];
  what: string;
}

function commandLines(request: StoredRequest, context: ReproduceContext): Measure {
  const env = pythonPathPrefix(context);
  const command = personCommand(request.command ?? [], context);
  if (request.mode === 'memory') {
    return {
      what: 'Peak resident memory, five runs per side',
      tools: ['GNU time (/usr/bin/time)'],
      lines: [
        'for side in base head; do',
        '  for run in 1 2 3 4 5; do',
        `    (cd "$WORK/$side" && ${env}/usr/bin/time -v ${command} 2>&1 >/dev/null) | awk -v side="$side" '/Maximum resident set size/ {print side ": " $NF " KiB"}'`,
        '  done',
        'done',
      ],
    };
  }
  if (request.mode === 'instructions') {
    return {
      what: 'Instruction counts under callgrind, summed over the process tree',
      tools: ['valgrind'],
      lines: [
        'for side in base head; do',
        `  (cd "$WORK/$side" && PYTHONHASHSEED=0 ${env}valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=/dev/null ${command} 2>&1 >/dev/null) | awk -v side="$side" '/Collected :/ {n += $NF} END {print side ": " n " instructions"}'`,
        'done',
      ],
    };
  }
  const importTime = /(^|\s)-c\s+\S*import\s|(^|\s)-X\s+importtime/.test(command);
  const runs = clamp(context.pairs, 10, 60);
  return {
    what:
      request.mode === 'cpu'
        ? 'CPU time with hyperfine: compare the User plus System figures of base and head'
        : importTime
          ? 'Import time with hyperfine'
          : 'Wall time with hyperfine',
    tools: ['hyperfine'],
    lines: [
      `hyperfine --warmup ${Math.max(1, context.warmups)} --runs ${runs} \\`,
      `  --command-name base ${word(inSide('base', env + command))} \\`,
      `  --command-name head ${word(inSide('head', env + command))}`,
    ],
  };
}

function suiteLines(benchmark: string, context: ReproduceContext): Measure {
  if (context.language === 'go') {
    const { pkg, pattern } = splitGoBenchmark(benchmark);
    const go = `go test -run '^$' -bench ${word(pattern)} -benchtime ${DEFAULT_BENCH_TIME_S * 1000}ms -count 10 ${formatCommand([pkg])}`;
    return {
      what: 'Go benchmarks, ten runs per side, compared by benchstat',
      tools: ['benchstat (go install golang.org/x/perf/cmd/benchstat@latest), optional'],
      lines: [
        `(${inSide('base', go)}) | tee "$WORK/base.txt"`,
        `(${inSide('head', go)}) | tee "$WORK/head.txt"`,
        'if command -v benchstat >/dev/null; then benchstat "$WORK/base.txt" "$WORK/head.txt";',
        'else echo "compare the two with: benchstat base.txt head.txt (go install golang.org/x/perf/cmd/benchstat@latest)"; fi',
      ],
    };
  }
  if (context.language === 'node') {
    if (context.jsSuite === 'vitest') {
      const bench = `npx vitest bench --run ${formatCommand([benchmark])}`;
      return {
        what: 'vitest bench at base, then at head compared against it',
        tools: [],
        lines: [
          `(${inSide('base', `${bench} --outputJson "$WORK/base.json"`)})`,
          `(${inSide('head', `${bench} --compare "$WORK/base.json"`)})`,
        ],
      };
    }
    const script = personCommand([benchmark], context);
    return {
      what: `The ${context.jsSuite ?? 'benchmark'} script at each side`,
      tools: [],
      lines: [`(${inSide('base', script)})`, `(${inSide('head', script)})`],
    };
  }
  const pytest = `${pythonPathPrefix(context)}$RUNNER -m pytest ${formatCommand([benchmark])} --benchmark-only -q -p no:cacheprovider --benchmark-storage="file://$WORK/results"`;
  return {
    what: 'pytest-benchmark at base, then at head compared against it',
    tools: ['pytest-benchmark'],
    lines: [
      `(${inSide('base', `${pytest} --benchmark-save=base`)})`,
      `(${inSide('head', `${pytest} --benchmark-save=head --benchmark-compare=0001`)})`,
    ],
  };
}
