import { parseCommand } from '../proc/command.js';
import { runProcess, tail } from '../proc/run.js';
import { parseTestOutput, type TestOutcome } from './test-output.js';

export interface GuardRun {
  passed: boolean;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  /** The end of stdout and stderr, with a note when the guard could not start or timed out. */
  outputTail: string;
  /** Whether it ran under /bin/sh (shell syntax in the command). */
  shell: boolean;
  /** The failing tests its output names, read from the whole output (not only the tail). */
  tests: TestOutcome;
}

/**
 * Run the guard command (or a test command) in the project root. Plain commands run without a
 * shell; a guard written with shell syntax (`&&`, pipes) runs under /bin/sh,
 * which the result reports.
 */
export async function runGuardCommand(
  root: string,
  command: string | string[],
  options: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void },
): Promise<GuardRun> {
  const parsed = parseCommand(command);
  const result = await runProcess(parsed.argv, {
    cwd: root,
    shell: parsed.needsShell,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onLine: options.onLine ? (line) => options.onLine!(line) : undefined,
  });
  const output = [result.stdout, result.stderr].filter(Boolean).join('\n');
  const note = result.spawnError
    ? `could not start: ${result.spawnError}`
    : result.timedOut
      ? `timed out after ${Math.round(options.timeoutMs / 1000)} s; its process group was killed`
      : '';
  return {
    passed: !result.timedOut && !result.cancelled && result.exitCode === 0,
    exitCode: result.exitCode,
    durationMs: Math.round(Number(result.durationNs) / 1e6),
    timedOut: result.timedOut,
    outputTail: tail([output, note].filter(Boolean).join('\n'), 3000),
    shell: parsed.needsShell,
    tests: parseTestOutput(output),
  };
}
