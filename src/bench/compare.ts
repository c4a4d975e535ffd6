import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine, loadAverage, type MachineRecord, machineRecord, runtimeVersions } from '../env/machine.js';
import { excerpt, UserError } from '../errors.js';
import { shortSha } from '../format.js';
import { parseCommand } from '../proc/command.js';
import type { TimerKind } from '../proc/timer.js';
import { confinedPath, refuseOptionLike } from '../workspace/paths.js';
import { halfWidthPct, pairsToSettle, sequentialMethod } from './adaptive.js';
import {
  type CompareHooks,
  contextFor,
  deterministicRuns,
  type Measured,
  type MeasurePlan,
  MIN_PAIRS,
  measure,
  type PreparedSide,
  type StopReason,
} from './measure.js';
import { installNodeWorktrees, needsNodeInstall } from './node-install.js';
import { offCpuObjection } from './off-cpu.js';
import { pythonEnv } from './python.js';
import { type ComparisonRow, markdownTable } from './report.js';
import { type Runner, runChecked, type Side } from './runners/runner.js';
import { buildRunner } from './runners/select.js';
import { recallSides, rememberSides, type SampleStore, sampleKey } from './sample-cache.js';
import { compareDeterministic, compareSamples, type RatioComparison } from './stats.js';
import { DEFAULT_EQUIVALENCE_PCT } from './verdict.js';
import { copyIntoWorktree, markSetupDone, type ResolvedRef, resolveRef, setupDone, WORKING_TREE_REF, WorktreeSet } from './worktrees.js';

/** wall: spawn to exit; cpu: user + system time of the process tree it waits for; instructions: callgrind; memory: peak RSS. */
export const COMPARE_MODES = ['wall', 'cpu', 'instructions', 'memory'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];
export type CompareLanguage = 'python' | 'node' | 'go';

export interface CompareRequest extends MeasurePlan {
  /** The git repository. */
  root: string;
  /** Commit-ish refs; `WORKTREE` means the working tree as it is now, uncommitted changes included. */
  base: string;
  head: string;
  command?: string | string[];
  /** pytest-benchmark path or node id (Python); a vitest bench file or a tinybench/mitata script (Node); `<package>`, `<pattern>`, `<package>:<pattern>` (Go). */
  benchmark?: string;
  language: CompareLanguage;
  mode: CompareMode;
  /** The interpreter to use; resolved once to the real executable behind any shim. */
  python?: string;
  /** Paths relative to root copied from the working tree into both worktrees. */
  inject?: string[];
  /** Per-worktree build (e.g. `python setup.py build_ext --inplace`), run once per commit. */
  setup?: string | string[];
  /** Parent directory of the worktrees, outside the working tree. */
  worktreesDir: string;
  /** Keep the worktrees for the next compare of the same commits (default: only a Node project's, which hold its installed dependencies). */
  keepWorktrees?: boolean;
  /** Seconds per benchmark per invocation for pytest-benchmark (`--benchmark-max-time`) and Go (`-benchtime`). */
  benchTimeS?: number;
  /** Which clock times wall runs (default: the C helper, else the Python one, else Node's); for measuring them against each other. */
  timer?: TimerKind;
  /** Names shown for base and head when they are shas resolved in another clone (a remote host measuring the user's refs). */
  refNames?: { base: string; head: string };
}

export type { ComparisonRow } from './report.js';

export interface Comparison {
  mode: CompareMode;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  rows: ComparisonRow[];
  samples: Record<string, { base: number[]; head: number[] }>;
  pairs: number;
  warmups: number;
  /** The widest confidence half-width over the rows, in percent. */
  precisionReachedPct: number;
  stopReason: StopReason;
  /** How sampling stopped and how the interval was formed, in one sentence. */
  method: string;
  /** Looks at the data taken, of `looks.length` scheduled. */
  looksTaken: number;
  looks: number[];
  /** Which schedule ran: interleaved pairs, or duet on two pinned cores; `note` says why a requested duet did not run. */
  schedule: Measured['schedule'];
  /** Each timed run got a random environment padding. */
  layoutRandomized: boolean;
  /** How wall runs were clocked; absent for runners that time themselves. */
  timer?: string;
  /** When a row is inconclusive: about how many more pairs the noise seen suggests would settle it. */
  morePairs?: number;
  equivalencePct: number;
  runner: string;
  /** The runs' own output per side, as benchstat reads it (Go benchmarks). */
  benchstat?: { base: string; head: string };
  timings: { totalMs: number; timedMs: number; warmupMs: number; worktreeMs: number; setupMs: number };
  /** The machine the runs ran on, with its load when measuring started and ended. */
  machine: MachineRecord;
  markdown: string;
}

/** What several compares on one repository share (a bisect): the caller's worktrees, and instruction counts by commit. */
export interface CompareReuse {
  /** Worktrees made once per commit and closed by the caller, not by each compare. */
  worktrees?: WorktreeSet;
  samples?: SampleStore;
}

const SETUP_TIMEOUT_MS = 15 * 60_000;

/** The worktrees of a compare; a Node project's are kept, since they hold its installed dependencies. */
export async function worktreeSetFor(
  request: Pick<CompareRequest, 'root' | 'worktreesDir' | 'keepWorktrees' | 'language'>,
  log?: (line: string) => void,
): Promise<WorktreeSet> {
  return new WorktreeSet({
    root: request.root,
    worktreesDir: request.worktreesDir,
    // Installed dependencies are worth keeping: the next compare of the same commits installs nothing.
    keep: request.keepWorktrees ?? (request.language === 'node' && (await needsNodeInstall(request.root))),
    log,
  });
}

/**
 * Measure `command` or `benchmark` at two commits, each in its own worktree,
 * interleaving base and head runs (ABBA) and adding pairs until the change is
 * known to the requested precision, then compare per benchmark.
 */
export async function compareRefs(request: CompareRequest, hooks: CompareHooks = {}, reuse: CompareReuse = {}): Promise<Comparison> {
  const started = performance.now();
  checkCompareRequest(request);
  const machine = await machineRecord(await runtimeVersions(request.language, { ...request, signal: hooks.signal }));
  const baseRef = { ...(await resolveRef(request.root, request.base, hooks.signal)), ...named(request.refNames?.base) };
  const headRef = { ...(await resolveRef(request.root, request.head, hooks.signal)), ...named(request.refNames?.head) };
  const worktrees = reuse.worktrees ?? (await worktreeSetFor(request, hooks.log));
  const scratchDir = await mkdtemp(join(tmpdir(), 'codeflash-compare-'));
  let runner: Runner | undefined;
  try {
    const worktreeStart = performance.now();
    const sides = await prepareSides(request, [baseRef, headRef], worktrees, hooks.signal);
    const worktreeMs = performance.now() - worktreeStart;
    const setupStart = performance.now();
    runner = await buildRunner(request, hooks.signal);
    if (request.language === 'node') {
      const timeoutMs = Math.max(request.timeoutMs, SETUP_TIMEOUT_MS);
      await installNodeWorktrees(sides, { timeoutMs, requiredPaths: runner.requiredPaths() }, hooks);
    }
    await runSetup(request, sides, hooks);
    assertRequiredPaths(request.root, runner, sides);
    await buildRunnerInWorktrees(request, runner, sides, scratchDir, hooks);
    const setupMs = performance.now() - setupStart;
    hooks.log?.(`runner: ${runner.describe()}`);
    const key = reuse.samples && (await sampleKey(request, runner));
    const recalled = key ? recallSides(reuse.samples!, key, sides, deterministicRuns(request)) : {};
    for (const side of Object.keys(recalled)) hooks.log?.(`${side} recalled from an earlier run of its commit`);
    const measured = await measure(request, runner, sides, scratchDir, hooks, recalled);
    if (key) rememberSides(reuse.samples!, key, sides, measured, recalled);
    machine.load_average_end = loadAverage();
    const equivalencePct = request.equivalencePct ?? DEFAULT_EQUIVALENCE_PCT;
    const rows = compareRows(measured, runner, equivalencePct, request.mode);
    const comparison: Comparison = {
      mode: request.mode,
      base: { ref: baseRef.ref, sha: baseRef.sha },
      head: { ref: headRef.ref, sha: headRef.sha },
      rows,
      samples: Object.fromEntries(measured.samples),
      pairs: measured.pairs,
      warmups: measured.warmups,
      precisionReachedPct: rows.length ? Math.max(...rows.map(halfWidthPct)) : Number.NaN,
      stopReason: measured.stopReason,
      method: runner.deterministic ? stoppingOf(measured, runner, recalled) : `${stoppingOf(measured, runner)}; ${PAIRED_INTERVAL}`,
      looksTaken: measured.looksTaken,
      looks: measured.looks,
      schedule: measured.schedule,
      layoutRandomized: measured.layoutRandomized,
      timer: await runner.timer?.(),
      morePairs: morePairs(rows, measured, request, equivalencePct),
      equivalencePct,
      runner: runner.describe(),
      ...(runner.benchstatInput ? { benchstat: runner.benchstatInput() } : {}),
      timings: {
        totalMs: 0,
        timedMs: measured.timedMs,
        warmupMs: measured.warmupMs,
        worktreeMs,
        setupMs,
      },
      machine,
      markdown: '',
    };
    comparison.markdown = markdownTable(rows, {
      mode: request.mode,
      base: comparison.base,
      head: comparison.head,
      pairs: comparison.pairs,
      warmups: comparison.warmups,
      precisionPct: comparison.precisionReachedPct,
      runner: comparison.runner,
      stopping: stoppingOf(measured, runner, recalled),
      stopReason: comparison.stopReason,
      schedule: comparison.schedule,
      layoutRandomized: comparison.layoutRandomized,
      timer: comparison.timer,
      equivalencePct,
      machine: describeMachine(machine),
    });
    comparison.timings.totalMs = performance.now() - started;
    return comparison;
  } finally {
    await runner?.close?.().catch((error: Error) => hooks.log?.(`runner cleanup: ${error.message}`));
    if (!reuse.worktrees) await worktrees.close();
    await rm(scratchDir, { recursive: true, force: true });
  }
}

const named = (ref: string | undefined) => (ref === undefined ? {} : { ref });

/**
 * The checks that need no process or git. With neither command nor benchmark,
 * Go compares every benchmark in ./...; Python and Node need one of them.
 * Throws UserError, so a caller can refuse a request before starting any work.
 */
export function checkCompareRequest(request: CompareRequest): void {
  refuseOptionLike('base ref', request.base);
  refuseOptionLike('head ref', request.head);
  refuseOptionLike('benchmark', request.benchmark);
  for (const path of request.inject ?? []) confinedPath(request.root, path, 'inject path');
  if (request.command !== undefined && request.benchmark !== undefined) throw new UserError('pass either command or benchmark, not both');
  if (request.command === undefined && request.benchmark === undefined && request.language !== 'go') {
    throw new UserError(`pass command, or benchmark for a benchmark suite, to compare ${request.language} code`);
  }
  if (request.command === undefined && request.mode !== 'wall') {
    throw new UserError(`${request.mode} mode measures a whole process: pass command instead of benchmark`);
  }
  if (!(request.timeoutMs > 0)) throw new UserError('timeoutMs must be positive');
  if (request.runs !== undefined && !(Number.isInteger(request.runs) && request.runs >= 1))
    throw new UserError('runs must be a positive integer');
  if (request.warmup !== undefined && !(Number.isInteger(request.warmup) && request.warmup >= 0))
    throw new UserError('warmup must be a non-negative integer');
  if (request.equivalencePct !== undefined && !(request.equivalencePct > 0)) throw new UserError('equivalencePct must be positive');
  if (request.schedule === 'duet' && (request.mode !== 'wall' || request.command === undefined)) {
    throw new UserError('schedule "duet" times whole commands in wall mode: pass command, and mode wall');
  }
}

/**
 * Refuse (UserError) a ref that names no commit, so a caller can check before
 * it starts a job. WORKTREE passes as it is: its snapshot is made when the
 * compare runs, and making it writes a commit object.
 */
export async function checkCompareRefs(request: Pick<CompareRequest, 'root' | 'base' | 'head'>, signal?: AbortSignal): Promise<void> {
  for (const ref of [request.base, request.head]) if (ref !== WORKING_TREE_REF) await resolveRef(request.root, ref, signal);
}

/** One worktree per commit; a working-tree snapshot gets its own, with its untracked files copied in. */
async function prepareSides(
  request: CompareRequest,
  refs: [ResolvedRef, ResolvedRef],
  worktrees: WorktreeSet,
  signal?: AbortSignal,
): Promise<PreparedSide[]> {
  const sides: PreparedSide[] = [];
  for (const [side, ref] of [
    ['base', refs[0]],
    ['head', refs[1]],
  ] as const) {
    const snapshot = ref.ref === WORKING_TREE_REF;
    const worktree = await worktrees.acquire(ref.sha, { signal, shared: !snapshot });
    if (snapshot) await copyIntoWorktree(request.root, worktree.dir, ref.untracked);
    await copyIntoWorktree(request.root, worktree.dir, request.inject ?? []);
    sides.push({
      side,
      ref,
      worktree,
      label: `${side} (${ref.ref}, ${shortSha(ref.sha)})`,
      env: languageEnv(request.language, worktree.dir),
    });
  }
  return sides;
}

function languageEnv(language: CompareLanguage, dir: string): Record<string, string> {
  if (language === 'python') return pythonEnv(dir);
  if (language === 'go') return { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
  return {};
}

async function runSetup(request: CompareRequest, sides: PreparedSide[], hooks: CompareHooks): Promise<void> {
  if (request.setup === undefined) return;
  const parsed = parseCommand(request.setup);
  const key = Array.isArray(request.setup) ? JSON.stringify(request.setup) : request.setup;
  const done = new Set<string>();
  for (const side of sides) {
    if (done.has(side.worktree.dir)) continue;
    done.add(side.worktree.dir);
    if (await setupDone(side.worktree, key)) {
      hooks.log?.(`setup already done for ${side.label}`);
      continue;
    }
    hooks.log?.(`setup on ${side.label}`);
    await runChecked(
      { argv: parsed.argv, shell: parsed.needsShell, env: {} },
      {
        ...contextFor(side, {
          scratchDir: '',
          warmup: false,
          timeoutMs: Math.max(request.timeoutMs, SETUP_TIMEOUT_MS),
          signal: hooks.signal,
        }),
        label: `${side.label} during setup`,
      },
    );
    await markSetupDone(side.worktree, key);
  }
}

/** The runner's once-per-worktree work (a Go test binary), after setup and before the first run. */
async function buildRunnerInWorktrees(
  request: CompareRequest,
  runner: Runner,
  sides: PreparedSide[],
  scratchDir: string,
  hooks: CompareHooks,
) {
  if (!runner.build) return;
  const done = new Set<string>();
  for (const side of sides) {
    if (done.has(side.worktree.dir)) continue;
    done.add(side.worktree.dir);
    await runner.build(
      contextFor(side, { scratchDir, warmup: true, timeoutMs: Math.max(request.timeoutMs, SETUP_TIMEOUT_MS), signal: hooks.signal }),
    );
  }
}

function assertRequiredPaths(root: string, runner: Runner, sides: PreparedSide[]): void {
  for (const path of runner.requiredPaths()) {
    for (const side of sides) {
      if (existsSync(join(side.worktree.dir, path))) continue;
      const hint = existsSync(join(root, path))
        ? `it exists in the working tree: pass inject: ["${path}"] to copy it into both worktrees`
        : 'it does not exist in the working tree either';
      throw new Error(`${excerpt(path)} does not exist at ${side.label}; ${hint}`);
    }
  }
}

function compareRows(measured: Measured, runner: Runner, equivalencePct: number, mode: CompareMode): ComparisonRow[] {
  return [...measured.samples].map(([name, { base, head }]) => {
    const result: RatioComparison = runner.deterministic
      ? compareDeterministic(base, head, { equivalencePct })
      : compareSamples(base, head, { looks: measured.looks, equivalencePct });
    // A benchmark missing from some invocations on both sides has fewer pairs than the run; no verdict below the minimum.
    if (!runner.deterministic && base.length < MIN_PAIRS) result.verdict = 'inconclusive';
    const objection =
      mode === 'cpu' && result.verdict === 'faster'
        ? offCpuObjection({ base: result.base.median, head: result.head.median }, measured.offCpuMs)
        : undefined;
    if (objection) result.verdict = 'inconclusive';
    return {
      name,
      base: result.base.median,
      head: result.head.median,
      unit: runner.unit,
      changePct: result.changePct,
      ciLowPct: result.ciLowPct,
      ciHighPct: result.ciHighPct,
      pValue: result.pValue,
      noiseFloorPct: result.noiseFloorPct,
      mdePct: result.mdePct,
      verdict: result.verdict,
      baseSpread: result.base.mad,
      headSpread: result.head.mad,
      ...(objection ? { note: objection } : {}),
    };
  });
}

const PAIRED_INTERVAL =
  'change = Hodges–Lehmann estimate of the per-pair log ratios, interval from the Wilcoxon signed-rank test, widened when time blocks of pairs disagree more than single pairs';

function stoppingOf(measured: Measured, runner: Runner, recalled: Partial<Record<Side, unknown>> = {}): string {
  if (runner.deterministic) {
    const known = Object.keys(recalled);
    return `fixed: ${measured.pairs} runs per ref${known.length ? ` (${known.join(' and ')} recalled from an earlier run of the same commit, command and machine)` : ''}`;
  }
  return measured.stopReason === 'fixed_runs' ? `fixed: ${measured.pairs} pairs` : sequentialMethod(measured.looks, 0.05);
}

/** For inconclusive rows: the most more pairs any of them needs at the noise seen; undefined when nothing is left open. */
function morePairs(rows: ComparisonRow[], measured: Measured, request: CompareRequest, equivalencePct: number): number | undefined {
  const open = rows.filter((row) => row.verdict === 'inconclusive');
  if (open.length === 0) return undefined;
  const needed = open.map((row) => pairsToSettle(row, measured.pairs, equivalencePct, request));
  if (needed.some((n) => n === undefined)) return undefined;
  return Math.max(0, ...needed.map((n) => n! - measured.pairs));
}
