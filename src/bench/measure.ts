import { abbaOrder, budgetedLookSchedule, FIRST_LOOK, isSettled, lookSchedule, MAX_PAIRS } from './adaptive.js';
import { type DuetPlan, planDuet, singleThreadedNote } from './duet.js';
import { type Measurement, nsToMs, type RunContext, type Runner, type Side } from './runners/runner.js';
import { compareSamples } from './stats.js';
import { DEFAULT_EQUIVALENCE_PCT } from './verdict.js';
import type { ResolvedRef, Worktree } from './worktrees.js';

export type StopReason = 'fixed_runs' | 'settled' | 'time_budget' | 'max_pairs';
export type Schedule = 'interleaved' | 'duet';

/** How long and how to measure. */
export interface MeasurePlan {
  /** Fixed number of base/head pairs (at least MIN_PAIRS for timed modes); omitted = sequential. */
  runs?: number;
  /** Dropped runs per ref before measuring (default 1). */
  warmup?: number;
  /** A faster/slower verdict also waits for its half-width to be within this many percent (default: the direction settles it). */
  precisionPct?: number;
  /** `unchanged` needs the interval inside ± this (default 1 %). */
  equivalencePct?: number;
  /** Budget for the measuring phase (default 120 s); never stops before the first look. */
  maxTimeMs?: number;
  /** Per-run timeout. */
  timeoutMs: number;
  /** Interleaved ABBA pairs (default), or both refs at once on two pinned cores. */
  schedule?: Schedule;
  /** A fresh random environment padding for every timed run (default true). */
  randomizeLayout?: boolean;
  /** A duet first checks that two cores are idle (default true); benchmarks of the duet itself turn this off. */
  duetNeedsIdleCores?: boolean;
}

export interface CompareHooks {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined, message: string) => void;
  log?: (line: string) => void;
}

/** One side of a compare: its commit checked out in a worktree, with the environment its runs get. */
export interface PreparedSide {
  side: Side;
  ref: ResolvedRef;
  worktree: Worktree;
  label: string;
  env: Record<string, string>;
}

/** The measuring phase's budget when a request sets none. */
export const DEFAULT_MAX_TIME_MS = 120_000;
/** Fixed runs never give a verdict from fewer pairs: with 5 the signed-rank test cannot reach p < 0.05. */
export const MIN_PAIRS = 6;
/** Instruction counts repeat almost exactly; a few runs per ref show the residual spread. */
const DEFAULT_DETERMINISTIC_PAIRS = 2;
/** The environment variable whose random length moves the program's stack and heap start (Mytkowicz et al., ASPLOS 2009). */
export const LAYOUT_PADDING_VAR = 'CODEFLASH_LAYOUT_PADDING';
const MAX_PADDING = 4096;

/** What a runner needs to run once on this side. */
export function contextFor(
  side: PreparedSide,
  options: { scratchDir: string; warmup: boolean; timeoutMs: number; signal?: AbortSignal; cpu?: number; padding?: boolean },
): RunContext {
  const { padding, ...rest } = options;
  const env = padding ? { ...side.env, [LAYOUT_PADDING_VAR]: 'x'.repeat(Math.floor(Math.random() * MAX_PADDING)) } : side.env;
  return { cwd: side.worktree.dir, side: side.side, label: side.label, env, ...rest };
}

export interface Measured {
  samples: Map<string, { base: number[]; head: number[] }>;
  pairs: number;
  warmups: number;
  stopReason: StopReason;
  /** The pair counts at which the data were (or would have been) looked at; one entry for fixed runs. */
  looks: number[];
  /** Looks actually taken; the last one decided. */
  looksTaken: number;
  schedule: { ran: Schedule; cpus?: [number, number]; note?: string };
  layoutRandomized: boolean;
  /** Per side, each timed run's wall time not spent on a CPU (waits, sleeps, the machine's other tenants), when the timer saw CPU time. */
  offCpuMs: Record<Side, number[]>;
  timedMs: number;
  warmupMs: number;
}

/**
 * Warmups, then base/head pairs — in ABBA order, or both at once in duet —
 * until the plan's fixed count or, sequentially, until every benchmark's answer
 * is settled at one of the scheduled looks or the budget runs out.
 */
export async function measure(
  request: MeasurePlan,
  runner: Runner,
  sides: PreparedSide[],
  scratchDir: string,
  hooks: CompareHooks,
  recalled: Partial<Record<Side, Record<string, number[]>>> = {},
): Promise<Measured> {
  const bySide = { base: sides[0]!, head: sides[1]! };
  const padding = request.randomizeLayout !== false && !runner.deterministic;
  const timedRuns = { base: 0, head: 0 };
  const run = (side: Side, warmup: boolean, cpu?: number): Promise<Measurement> => {
    const known = recalled[side];
    // A side recalled from an earlier run of its commit (deterministic runners only) is not run again.
    if (known) return Promise.resolve(recall(known, warmup ? undefined : timedRuns[side]++));
    return runner.measure(
      contextFor(bySide[side], { scratchDir, warmup, timeoutMs: request.timeoutMs, signal: hooks.signal, cpu, padding }),
    );
  };
  let duet: DuetPlan = request.schedule === 'duet' ? await planDuet(runner, request.duetNeedsIdleCores !== false) : { ran: 'interleaved' };
  // A duet needs a warmup to see how many cores the benchmark keeps busy.
  const warmups = Math.max(request.warmup ?? 1, duet.cpus ? 1 : 0);
  const fixedPairs = fixedPairCount(request, runner, hooks.log);
  const total = fixedPairs === undefined ? undefined : 2 * (warmups + fixedPairs);
  const maxTimeMs = request.maxTimeMs ?? DEFAULT_MAX_TIME_MS;
  let done = 0;
  let measuringStart: number | undefined;
  // Fixed runs count runs; an adaptive compare counts seconds of its measuring budget, the longest it can take.
  const progress = (message: string) => {
    done++;
    if (total !== undefined) return hooks.onProgress?.(done, total, message);
    const elapsedS = measuringStart === undefined ? 0 : Math.round((performance.now() - measuringStart) / 100) / 10;
    hooks.onProgress?.(elapsedS, maxTimeMs / 1000, message);
  };
  const { warmupMs, cpuShare } = await warmUp(warmups, (side) => run(side, true), progress);
  if (duet.cpus) {
    const note = singleThreadedNote(cpuShare);
    if (note) duet = { ran: 'interleaved', note };
  }
  if (duet.note) hooks.log?.(duet.note);
  const samples = new Map<string, { base: number[]; head: number[] }>();
  let looks = fixedPairs === undefined ? lookSchedule(MAX_PAIRS) : [fixedPairs];
  measuringStart = performance.now();
  let timedMs = 0;
  const offCpuMs: Record<Side, number[]> = { base: [], head: [] };
  let pairs = 0;
  let looksTaken = 0;
  for (;;) {
    const pair: Partial<Record<Side, Map<string, number>>> = {};
    const order = abbaOrder(pairs);
    const record = (side: Side, measurement: Awaited<ReturnType<Runner['measure']>>) => {
      timedMs += nsToMs(measurement.durationNs);
      if (measurement.cpuNs !== undefined) offCpuMs[side].push(nsToMs(measurement.durationNs) - measurement.cpuNs / 1e6);
      pair[side] = measurement.values;
      progress(`pair ${pairs + 1} ${side}`);
    };
    if (duet.cpus) {
      // Both at once, each on its own core; which side gets which core (and starts first) alternates like ABBA.
      // Both settle before a failure is passed on, so no run is left going when the compare ends.
      const settled = await Promise.allSettled(order.map((side, i) => run(side, false, duet.cpus![i])));
      for (const [i, side] of order.entries()) {
        const outcome = settled[i]!;
        if (outcome.status === 'rejected') throw outcome.reason;
        record(side, outcome.value);
      }
    } else {
      for (const side of order) record(side, await run(side, false));
    }
    addPair(samples, pair.base!, pair.head!, bySide);
    pairs++;
    if (fixedPairs === undefined && pairs === FIRST_LOOK)
      looks = budgetedLookSchedule(pairs, performance.now() - measuringStart, maxTimeMs);
    const stop = stopReason(samples, pairs, fixedPairs, performance.now() - measuringStart, { request, looks, maxTimeMs });
    if (stop.looked) looksTaken++;
    if (stop.reason) {
      hooks.log?.(`stopped after ${pairs} pairs at look ${looksTaken} of ${looks.length}: ${stop.reason}`);
      return {
        samples,
        pairs,
        warmups,
        stopReason: stop.reason,
        looks,
        looksTaken,
        schedule: duet.cpus ? { ran: 'duet', cpus: duet.cpus } : { ran: 'interleaved', note: duet.note },
        layoutRandomized: padding,
        offCpuMs,
        timedMs,
        warmupMs,
      };
    }
  }
}

/** Warmup runs in ABBA order; their numbers are dropped, except how much of a core each kept busy. */
async function warmUp(
  warmups: number,
  run: (side: Side) => ReturnType<Runner['measure']>,
  progress: (message: string) => void,
): Promise<{ warmupMs: number; cpuShare: number[] }> {
  let warmupMs = 0;
  const cpuShare: number[] = [];
  for (let i = 0; i < warmups; i++) {
    for (const side of abbaOrder(i)) {
      const warm = await run(side);
      warmupMs += nsToMs(warm.durationNs);
      if (warm.cpuNs !== undefined && warm.durationNs > 0n) cpuShare.push(warm.cpuNs / Number(warm.durationNs));
      progress(`warmup ${i + 1}/${warmups} on ${side}`);
    }
  }
  return { warmupMs, cpuShare };
}

function recall(samples: Record<string, number[]>, index: number | undefined): Measurement {
  const values = new Map(index === undefined ? [] : Object.entries(samples).map(([name, values]) => [name, values[index]!]));
  return { values, durationNs: 0n };
}

/** Runs per ref of a deterministic runner. */
export function deterministicRuns(request: MeasurePlan): number {
  return Math.max(request.runs ?? DEFAULT_DETERMINISTIC_PAIRS, 2);
}

function fixedPairCount(request: MeasurePlan, runner: Runner, log?: (line: string) => void): number | undefined {
  if (runner.deterministic) return deterministicRuns(request);
  if (request.runs === undefined) return undefined;
  if (request.runs < MIN_PAIRS) log?.(`runs raised from ${request.runs} to ${MIN_PAIRS}: no verdict comes from fewer pairs`);
  return Math.max(request.runs, MIN_PAIRS);
}

function addPair(
  samples: Map<string, { base: number[]; head: number[] }>,
  base: Map<string, number>,
  head: Map<string, number>,
  sides: Record<Side, PreparedSide>,
): void {
  for (const name of new Set([...base.keys(), ...head.keys()])) {
    const baseValue = base.get(name);
    const headValue = head.get(name);
    if (baseValue === undefined || headValue === undefined) {
      const missing = baseValue === undefined ? sides.base : sides.head;
      throw new Error(`benchmark ${name} did not run on ${missing.label}; if it is newer than that ref, pass inject with its file`);
    }
    const entry = samples.get(name) ?? { base: [], head: [] };
    entry.base.push(baseValue);
    entry.head.push(headValue);
    samples.set(name, entry);
  }
}

/**
 * Whether this pair is a look, and whether sampling stops here. Sequentially,
 * the data are looked at only at the scheduled pair counts, and at the pair that
 * spends the budget (which takes the place of the next scheduled look, so no
 * more looks are taken than the error rate was split over).
 */
function stopReason(
  samples: Map<string, { base: number[]; head: number[] }>,
  pairs: number,
  fixedPairs: number | undefined,
  elapsedMs: number,
  plan: { request: MeasurePlan; looks: number[]; maxTimeMs: number },
): { looked: boolean; reason?: StopReason } {
  if (fixedPairs !== undefined) return pairs >= fixedPairs ? { looked: true, reason: 'fixed_runs' } : { looked: false };
  const budget = budgetSpent(pairs, elapsedMs, plan);
  if (!budget && !plan.looks.includes(pairs)) return { looked: false };
  const equivalencePct = plan.request.equivalencePct ?? DEFAULT_EQUIVALENCE_PCT;
  const settled = [...samples.values()].every(({ base, head }) =>
    isSettled(compareSamples(base, head, { looks: plan.looks, equivalencePct }), plan.request),
  );
  return { looked: true, reason: settled ? 'settled' : budget };
}

function budgetSpent(pairs: number, elapsedMs: number, plan: { looks: number[]; maxTimeMs: number }): StopReason | undefined {
  const cap = plan.looks.at(-1)!;
  // A cap below MAX_PAIRS is the time budget's, counted in pairs.
  if (pairs >= cap) return cap === MAX_PAIRS ? 'max_pairs' : 'time_budget';
  return elapsedMs >= plan.maxTimeMs && pairs >= FIRST_LOOK ? 'time_budget' : undefined;
}
