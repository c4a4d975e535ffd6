import type { ProjectEnvironment } from '../env/index.js';
import { UserError } from '../errors.js';
import { formatCommand, parseCommand } from '../proc/command.js';
import type { Project } from '../state/project.js';
import { latestTestBaseline, saveTestBaseline, type TestBaseline } from '../state/test-baselines.js';
import { changedPaths, headSha, isGitRepo } from '../workspace/git.js';
import { runGuardCommand } from '../workspace/guard.js';
import { machineReadableTestCommand, splitFailures, stopsAtFirstFailure, type TestOutcome } from '../workspace/test-output.js';

/** The command the tests-first step runs: the project's detected test command, else the guard. */
export function testCommandFor(env: ProjectEnvironment, guard: string | null): string[] | undefined {
  const detected = env.python?.test_command ?? env.node?.test_command ?? env.go?.test_command;
  if (detected) return detected;
  if (!guard) return undefined;
  const parsed = parseCommand(guard);
  return parsed.needsShell ? undefined : parsed.argv;
}

export interface TestCheck {
  baseline: TestBaseline;
  /** True when an earlier run of the same command on the same clean commit was reused. */
  reused: boolean;
}

/**
 * Run the test suite once before any change and store which tests already
 * fail, so every later guard run can say which failures are new. The command
 * runs in its machine-readable form where the runner has one. A clean tree at
 * a commit already checked reuses that run.
 */
export async function checkTests(
  project: Project,
  sessionId: string,
  argv: readonly string[],
  options: { timeoutMs: number; signal?: AbortSignal; log?: (line: string) => void },
): Promise<TestCheck> {
  const root = project.paths.root;
  const run = machineReadableTestCommand(argv);
  const command = formatCommand(run);
  const git = await isGitRepo(root);
  const head = git ? ((await headSha(root)) ?? null) : null;
  if (head) {
    const { tracked, untracked } = await changedPaths(root, project.paths.stateDir);
    const clean = tracked.length === 0 && untracked.length === 0;
    const earlier = clean ? latestTestBaseline(project.db, { command, headSha: head }) : undefined;
    if (earlier) return { baseline: earlier, reused: true };
  }
  options.log?.(`running the tests once before any change: ${command}`);
  const result = await runGuardCommand(root, run, { timeoutMs: options.timeoutMs, signal: options.signal, onLine: options.log });
  options.signal?.throwIfAborted();
  if (result.timedOut) {
    throw new UserError(`the tests (${command}) did not finish within ${options.timeoutMs / 1000} s; their process group was killed`);
  }
  const baseline = saveTestBaseline(project.db, {
    sessionId,
    command,
    headSha: head,
    exitCode: result.exitCode,
    framework: result.tests.framework ?? null,
    failed: result.tests.failed,
    passed: result.tests.passed,
    // A failing exit with no failure named means the output could not be read.
    complete: result.tests.complete || (result.passed && result.tests.failed.length === 0),
    durationMs: result.durationMs,
  });
  return { baseline, reused: false };
}

export interface GuardFailures {
  new: string[];
  preExisting: string[];
  /** Every failure is one that was there before the session, and the output named every failure. */
  onlyPreExisting: boolean;
}

/**
 * The failing tests of a guard run held against those that failed before the
 * session. Only a run whose output names every failure, and that did not stop
 * at its first one, can be said to have failed on old failures alone.
 */
export function guardFailures(project: Project, guard: string, tests: TestOutcome): GuardFailures {
  const baseline = latestTestBaseline(project.db);
  const split = splitFailures(tests.failed, baseline?.failed ?? []);
  const parsed = parseCommand(guard);
  const trusted = tests.complete && !stopsAtFirstFailure(parsed.argv.join(' ').split(/\s+/));
  return { ...split, onlyPreExisting: trusted && split.new.length === 0 && split.preExisting.length > 0 };
}
