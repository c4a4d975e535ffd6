import { runProcess, tail } from '../../proc/run.js';
import type { TimedRunResult, TimedSpawner } from '../../proc/spawner.js';

export type Side = 'base' | 'head';

export interface RunContext {
  /** The worktree the run happens in. */
  cwd: string;
  side: Side;
  /** How errors name this side, e.g. `head (HEAD, 1a2b3c4d5e6f)`. */
  label: string;
  /** A warmup run: its numbers are dropped, so runners may skip costly instrumentation. */
  warmup: boolean;
  /** A private directory for output files, removed after the compare. */
  scratchDir: string;
  /** Environment for this side (e.g. its own PYTHONPATH), over the command's own. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Pin the run to this CPU (duet schedule; only runners with `pinnable` honour it). */
  cpu?: number;
}

export interface Measurement {
  /** One sample per benchmark name. */
  values: Map<string, number>;
  /** Wall time of the measured process(es). */
  durationNs: bigint;
  /** CPU time the process used, when the timer can tell. */
  cpuNs?: number;
}

export interface Runner {
  /** The unit of every value this runner reports. */
  unit: string;
  /** Whether repeated runs give (nearly) the same number, as instruction counts do. */
  deterministic: boolean;
  /** The exact command line, formatted for the report. */
  describe(): string;
  /** Paths relative to the project root that must exist in each worktree. */
  requiredPaths(): string[];
  /** Work done once per worktree before any run, such as building a test binary; counted as setup time. */
  build?(context: RunContext): Promise<void>;
  measure(context: RunContext): Promise<Measurement>;
  /** The measured runs' own output per side in the format benchstat reads, for runners whose tools have one. */
  benchstatInput?(): { base: string; head: string };
  /** Release what the runner holds between runs (a timing helper); called once after the last run. */
  close?(): Promise<void>;
  /** Whether runs can be pinned to a CPU and report their CPU time, as a duet needs. */
  pinnable?(): Promise<boolean>;
  /** How each run is clocked, for the report. */
  timer?(): Promise<string>;
}

export interface CommandSpec {
  argv: string[];
  /** Run `argv[0]` through `/bin/sh -c`; only when the user's command text needs a shell. */
  shell: boolean;
  env: Record<string, string>;
}

/**
 * Run one measured process and turn every way it can go wrong into an error that
 * names the side, the exit code and the end of stderr. A runner that parses
 * stdout passes `stdoutMaxBytes` (not with a spawner, which keeps only tails)
 * and gets an error, never a partial read, when the run printed more.
 */
export async function runChecked(
  command: CommandSpec,
  context: RunContext,
  extra: { onSpawn?: (pid: number) => void; acceptExitCodes?: number[]; spawner?: TimedSpawner; stdoutMaxBytes?: number } = {},
): Promise<TimedRunResult> {
  const options = {
    cwd: context.cwd,
    env: { ...command.env, ...context.env },
    shell: command.shell,
    timeoutMs: context.timeoutMs,
    signal: context.signal,
  };
  const result = extra.spawner
    ? await extra.spawner.run(command.argv, options)
    : await runProcess(command.argv, { ...options, onSpawn: extra.onSpawn, stdoutMaxBytes: extra.stdoutMaxBytes });
  if (result.cancelled) throw new Error(`cancelled while running on ${context.label}`);
  if (result.timedOut) {
    throw new Error(`the command timed out after ${context.timeoutMs} ms on ${context.label}; its process group was killed`);
  }
  if (result.spawnError) throw new Error(`could not start ${command.argv[0]} on ${context.label}: ${result.spawnError}`);
  const accepted = extra.acceptExitCodes ?? [0];
  if (result.exitCode === null || !accepted.includes(result.exitCode)) {
    const how = result.exitCode === null ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
    const output = tail(result.stderr.trim() || result.stdout.trim(), 1500);
    throw new Error(`the command failed on ${context.label} with ${how}${output ? `:\n${output}` : ''}`);
  }
  if (extra.stdoutMaxBytes !== undefined && result.stdoutCut) {
    throw new Error(
      `the command printed more than ${extra.stdoutMaxBytes / 1024 / 1024} MiB on ${context.label}, more than is read to find its results; make it print less`,
    );
  }
  return result;
}

export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** argv as one shell line, quoting only the words that need it (so `--flag=value` stays readable). */
export function displayCommand(argv: readonly string[]): string {
  return argv.map((word) => (/^[\w./=:,@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}
