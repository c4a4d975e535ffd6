import { runProcess } from '../proc/run.js';

/** Detection never waits longer than this on one program. */
export const PROBE_TIMEOUT_MS = 10_000;

/** An answer longer than this is no version or path: not known. */
const PROBE_STDOUT_MAX_BYTES = 1024 * 1024;

export interface ProbeOptions {
  cwd: string;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
}

/**
 * Run a read-only query program and return its trimmed stdout, or undefined when
 * it is missing, fails, times out or is cancelled. Detection treats every such
 * case as "not known" rather than as an error.
 */
export async function probe(argv: string[], options: ProbeOptions): Promise<string | undefined> {
  const result = await runProcess(argv, {
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    timeoutMs: PROBE_TIMEOUT_MS,
    stdoutMaxBytes: PROBE_STDOUT_MAX_BYTES,
  });
  if (result.exitCode !== 0 || result.timedOut || result.cancelled || result.stdoutCut) return undefined;
  return result.stdout.trim();
}
