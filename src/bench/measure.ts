import { type AdaptivePolicy, abbaOrder, shouldContinue } from './adaptive.js';
import { nsToMs, type RunContext, type Runner, type Side } from './runners/runner.js';
import type { ResolvedRef, Worktree } from './worktrees.js';

export type StopReason = 'fixed_runs' | 'min_pairs' | 'precision_reached' | 'time_budget' | 'max_pairs' | 'need_more';

/** How long to measure. */
export interface MeasurePlan {
  /** Fixed number of base/head pairs (at least 5 for timed modes); omitted = adaptive. */
  runs?: number;
  /** Dropped runs per ref before measuring (default 1). */
  warmup?: number;
  /** Adaptive target: stop once the ratio's confidence half-width is at most this (default 1 %). */
  precisionPct?: number;
  /** Adaptive budget for the measuring phase (default 120 s). */
  maxTimeMs?: number;
  /** Per-run timeout. */
  timeoutMs: number;
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

const DEFAULT_MAX_TIME_MS = 120_000;
const MAX_PAIRS = 500;
/** Timed modes never give a verdict from fewer pairs than this. */
export const MIN_PAIRS = 5;
/** Instruction counts repeat almost exactly; a few runs per ref show the residual spread. */
const DEFAULT_DETERMINISTIC_PAIRS = 2;

/** What a runner needs to run once on this side. */
export function contextFor(
  side: PreparedSide,
  options: { scratchDir: string; warmup: boolean; timeoutMs: number; signal?: AbortSignal },
): RunContext {
  return { cwd: side.worktree.dir, side: side.side, label: side.label, env: side.env, ...options };
}

export interface Measured {
  samples: Map<string, { base: number[]; head: number[] }>;
  pairs: number;
  warmups: number;
  stopReason: StopReason;
  timedMs: number;
  warmupMs: number;
}

/**
 * Warmups, then base/head pairs in ABBA order until the plan's fixed count or,
 * adaptively, until every benchmark's change is known to the target precision
 * or the budget runs out.
 */
export async function measure(
  request: MeasurePlan,
  runner: Runner,
  sides: PreparedSide[],
  scratchDir: string,
  hooks: CompareHooks,
): Promise<Measured> {
  const bySide = { base: sides[0]!, head: sides[1]! };
  const run = (side: Side, warmup: boolean) =>
    runner.measure(contextFor(bySide[side], { scratchDir, warmup, timeoutMs: request.timeoutMs, signal: hooks.signal }));
  const warmups = request.warmup ?? 1;
  const fixedPairs = fixedPairCount(request, runner, hooks.log);
  const total = fixedPairs === undefined ? undefined : 2 * (warmups + fixedPairs);
  const policy: AdaptivePolicy = {
    minPairs: MIN_PAIRS,
    maxPairs: MAX_PAIRS,
    precisionPct: request.precisionPct ?? 1,
    maxTimeMs: request.maxTimeMs ?? DEFAULT_MAX_TIME_MS,
  };
  let done = 0;
  let measuringStart: number | undefined;
  // Fixed runs count runs; an adaptive compare counts seconds of its measuring budget, the longest it can take.
  const progress = (message: string) => {
    done++;
    if (total !== undefined) return hooks.onProgress?.(done, total, message);
    const elapsedS = measuringStart === undefined ? 0 : Math.round((performance.now() - measuringStart) / 100) / 10;
    hooks.onProgress?.(elapsedS, policy.maxTimeMs / 1000, message);
  };
  let warmupMs = 0;
  for (let i = 0; i < warmups; i++) {
    for (const side of abbaOrder(i)) {
      warmupMs += nsToMs((await run(side, true)).durationNs);
      progress(`warmup ${i + 1}/${warmups} on ${side}`);
    }
  }
  const samples = new Map<string, { base: number[]; head: number[] }>();
  measuringStart = performance.now();
  let timedMs = 0;
  let pairs = 0;
  for (;;) {
    const pair: Partial<Record<Side, Map<string, number>>> = {};
    for (const side of abbaOrder(pairs)) {
      const measurement = await run(side, false);
      timedMs += nsToMs(measurement.durationNs);
      pair[side] = measurement.values;
      progress(`pair ${pairs + 1} ${side}`);
    }
    addPair(samples, pair.base!, pair.head!, bySide);
    pairs++;
    const stop = stopReason(samples, pairs, fixedPairs, performance.now() - measuringStart, policy);
    if (stop) {
      hooks.log?.(`stopped after ${pairs} pairs: ${stop}`);
      return { samples, pairs, warmups, stopReason: stop, timedMs, warmupMs };
    }
  }
}

function fixedPairCount(request: MeasurePlan, runner: Runner, log?: (line: string) => void): number | undefined {
  if (runner.deterministic) return Math.max(request.runs ?? DEFAULT_DETERMINISTIC_PAIRS, 2);
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

function stopReason(
  samples: Map<string, { base: number[]; head: number[] }>,
  pairs: number,
  fixedPairs: number | undefined,
  elapsedMs: number,
  policy: AdaptivePolicy,
): StopReason | undefined {
  if (fixedPairs !== undefined) return pairs >= fixedPairs ? 'fixed_runs' : undefined;
  const outOfBudget = elapsedMs >= policy.maxTimeMs || pairs >= policy.maxPairs;
  if (!outOfBudget && !isCheckpoint(pairs)) return undefined;
  const decisions = [...samples.values()].map(({ base, head }) => shouldContinue(base, head, elapsedMs, policy));
  const final = decisions.find((d) => d.reason === 'time_budget' || d.reason === 'max_pairs');
  if (final) return final.reason;
  return decisions.every((d) => !d.more) ? 'precision_reached' : undefined;
}

/**
 * Pairs after which the (bootstrap) precision is checked: every pair at first,
 * then about every tenth of the pairs so far, so the statistics never cost a
 * noticeable share of the measuring time as samples grow.
 */
function isCheckpoint(pairs: number): boolean {
  return pairs < 20 || pairs % Math.ceil(pairs / 10) === 0;
}
