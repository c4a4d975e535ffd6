import { rm } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { type RunOptions, type RunResult, runProcess } from '../proc/run.js';
import type { Profile, ProfileLanguage, ProfileMode } from './model.js';

export interface ProfileRequest {
  /** An argv array, or one string split with shell word rules. For Python, what follows the interpreter. */
  command: string | string[];
  /** Project root; the command runs here. */
  cwd: string;
  mode: ProfileMode;
  language: ProfileLanguage;
  /** A profiler name; the default depends on mode and language. */
  profiler?: string;
  timeoutMs: number;
  /** How many hotspots to return (default 20). */
  top?: number;
  /** A path prefix (relative to cwd) or a module name to rank inside; default the project's own code; `*` every frame. */
  focus?: string;
  /** The real interpreter (sys.executable), never a version-manager shim. */
  python?: string;
  /** Sample native (C/C++/Rust extension) frames too; py-spy only. */
  native?: boolean;
  /** Raw profiler output and the speedscope file go here. */
  outDir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** What an adapter works from: the request with the command split and defaults filled in. */
export interface ProfileJob {
  argv: string[];
  /** The command holds shell syntax and runs under `sh -c` (only adapters that profile every child allow it). */
  needsShell: boolean;
  cwd: string;
  mode: ProfileMode;
  timeoutMs: number;
  outDir: string;
  python?: string;
  native?: boolean;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export interface AdapterOutcome {
  /** Absent when the profiler wrote nothing (the program died before it could). */
  profile?: Profile;
  /** The profiled program's run. */
  run: RunResult;
  /** The profiler's own output file, for other tools. */
  raw?: string;
}

export interface ProfilerAdapter {
  name: string;
  language: ProfileLanguage;
  modes: readonly ProfileMode[];
  /** One sentence on what the profiler measures and what it costs. */
  overheadNote: string;
  run(job: ProfileJob): Promise<AdapterOutcome>;
}

/** Milliseconds a profiled program gets after SIGTERM to write its profile before SIGKILL. */
export const PROFILE_WRITE_GRACE_MS = 3000;

/** Run the program being profiled: output lines go to the job's log, timeout and abort end its whole group. */
export function runProfiled(job: ProfileJob, argv: string[], options: Partial<RunOptions> = {}): Promise<RunResult> {
  return runProcess(argv, {
    cwd: job.cwd,
    timeoutMs: job.timeoutMs,
    signal: job.signal,
    killGraceMs: PROFILE_WRITE_GRACE_MS,
    onLine: (line) => job.log(line),
    ...options,
  });
}

/** A program that could not be started at all is a setup problem the caller can fix. */
export function assertStarted(run: RunResult, fix: string): void {
  if (run.spawnError !== undefined) {
    throw new UserError(`could not start ${run.argv[0]}: ${run.spawnError}; ${fix}`);
  }
}

/** Remove what an earlier run left at these paths, so a profile is never read from a stale file. */
export async function clearOutputs(...paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}
