import { z } from 'zod';
import { UserError } from '../errors.js';
import { formatCommand } from '../proc/command.js';
import { defineTool, type ToolCall } from '../server/define-tool.js';
import { runAsJob } from '../server/jobs.js';
import { checkTests, testCommandFor } from '../session/check-tests.js';
import type { AskUser, SetupQuestion } from '../session/setup-questions.js';
import { type StartedSession, startSession } from '../session/start.js';
import type { Project } from '../state/project.js';
import { DOMAINS } from '../state/sessions.js';
import { MAX_PATH_CHARS } from './shared.js';

/** How many already-failing tests a result names; the rest are in the job result. */
const LISTED_FAILURES = 20;
const TESTS_TIMEOUT_MS = 900_000;

/** A question as the chat asks it: `domain: Which kind of cost…? (cpu | memory | …) [default: deep]`. */
function questionText(q: SetupQuestion): string {
  return `${q.name}: ${q.question}${q.options ? ` (${q.options.join(' | ')})` : ''}${q.suggested ? ` [default: ${q.suggested}]` : ''}`;
}

/** Setup questions go to the user as one form; a client without forms or a declined form leaves them for the chat. */
function askThrough(call: ToolCall): AskUser {
  return async (message, questions) => {
    const reply = await call.elicit(
      message,
      questions.map((q) => ({ name: q.name, title: q.name, description: q.question, options: q.options, default: q.suggested })),
    );
    return reply.action === 'accept' ? reply.values : undefined;
  };
}

/** Run the tests once before any change, as a job: the result when it ends within the start wait, else its job id. */
async function testsFirst(call: ToolCall, project: Project, started: StartedSession) {
  const argv = testCommandFor(started.env, started.guard);
  if (!argv) return null;
  try {
    const answer = await runAsJob(call, {
      tool: 'session_start tests',
      project,
      sessionId: started.session.id,
      timeoutMs: TESTS_TIMEOUT_MS,
      work: async (hooks) => {
        const { baseline, reused } = await checkTests(project, started.session.id, argv, { ...hooks, timeoutMs: TESTS_TIMEOUT_MS });
        const failing = baseline.failed;
        const unread = !baseline.complete && baseline.exitCode !== 0;
        return {
          command: baseline.command,
          failing,
          passed: baseline.passed,
          note: unread
            ? 'the output did not name every failure; run_guard compares by exit code only'
            : reused
              ? 'reused the run at this commit'
              : undefined,
          summary: failing.length
            ? `${failing.length} test(s) already fail before any change: ${failing.slice(0, 5).join(', ')}${failing.length > 5 ? ', …' : ''}.`
            : unread
              ? `The tests exit with ${baseline.exitCode} before any change, naming no failure.`
              : 'Every test passes before any change.',
          next: [],
        };
      },
    });
    return {
      job_id: answer.job_id,
      state: answer.state,
      command: answer.command ?? formatCommand(argv),
      failing: answer.failing?.slice(0, LISTED_FAILURES),
      note: answer.note ?? (answer.state === 'succeeded' ? answer.summary : undefined),
    };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { job_id: '', state: 'failed', command: formatCommand(argv), note: error.message };
  }
}

export const sessionStart = defineTool({
  name: 'session_start',
  title: 'Start an optimization session',
  description:
    'Call first: picks the domain, asks open setup questions, detects the environment (setup.md), sets guard and scope, makes or checks out a perf/<marker>-<slug> branch, notes tests already failing.',
  input: {
    root: z.string().max(MAX_PATH_CHARS).optional().describe('Default: --root, the client root, or cwd.'),
    goal: z.string().max(2000).optional().describe("The user's aim, in their words."),
    domain: z.enum(DOMAINS).optional().describe('Default: from the goal, else the branch marker, else deep.'),
    guard: z.string().max(2000).optional().describe('Command that must keep passing, e.g. "pytest -q".'),
    scope: z.string().max(300).optional().describe('Path or module the work stays in.'),
    branch: z.string().max(200).optional().describe('Slug (perf/<marker>-<slug>) or full name; made from HEAD if missing.'),
    autonomous: z.boolean().optional().describe('Ask nothing; decide from the signals.'),
  },
  output: {
    session_id: z.string(),
    root: z.string(),
    branch: z.string().nullable(),
    branch_created: z.boolean(),
    domain: z.enum(DOMAINS),
    domain_reason: z.string(),
    language: z.string(),
    runner: z.string().nullable(),
    python: z.string().nullable(),
    test_command: z.string().nullable(),
    benchmarks_root: z.string().nullable(),
    guard: z.string().nullable(),
    choices: z.array(z.string()),
    questions: z.array(z.string()).describe('open setup questions to ask in chat'),
    tests: z
      .object({
        job_id: z.string(),
        state: z.string(),
        command: z.string(),
        failing: z.array(z.string()).optional(),
        note: z.string().optional(),
      })
      .nullable(),
    files_written: z.array(z.string()),
    imported: z.object({ experiments: z.number(), learnings: z.number(), conventions: z.number(), handoff: z.boolean() }).nullable(),
    ended_sessions: z.array(z.string()),
    warnings: z.array(z.string()),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, call) {
    const { ctx } = call;
    const root = ctx.roots.resolve(args.root);
    const project = ctx.project(root);
    ctx.setActiveRoot(root);
    const started = await startSession(
      project,
      { goal: args.goal, domain: args.domain, guard: args.guard, scope: args.scope, branch: args.branch, autonomous: args.autonomous },
      { ask: askThrough(call) },
    );
    const tests = await testsFirst(call, project, started);
    const { session, env, branch, guard, imported, questions } = started;
    const testArgv = env.python?.test_command ?? env.node?.test_command ?? env.go?.test_command;
    const next: string[] = [];
    if (questions.length) {
      next.push(`Ask the user the ${questions.length} questions in one message, then call session_start again with the answers.`);
    }
    if (tests?.state === 'running') next.push(`The tests are still running: job_status job_id ${tests.job_id} gives which already fail.`);
    if (tests?.failing?.length)
      next.push('Those tests already failed before any change: leave them; run_guard names new failures apart from them.');
    next.push(
      guard
        ? `Run run_guard once now to learn whether "${guard}" passes before any change.`
        : 'Set a guard with set_convention topic "guard" (the command that must keep passing), then run_guard.',
      'Run scan on the workload to rank targets across cpu, memory, import and async; then record_result status "baseline".',
    );
    return {
      session_id: session.id,
      root,
      branch,
      branch_created: started.branchCreated,
      domain: started.domain,
      domain_reason: started.domainReason,
      language: env.language,
      runner: env.python?.runner_display ?? null,
      python: env.python?.python ?? null,
      test_command: testArgv ? formatCommand(testArgv) : null,
      benchmarks_root: env.python?.benchmarks_root ?? null,
      guard,
      choices: started.choices,
      questions: questions.map(questionText),
      tests,
      files_written: started.filesWritten,
      imported: imported
        ? { experiments: imported.experiments, learnings: imported.learnings, conventions: imported.conventions, handoff: imported.handoff }
        : null,
      ended_sessions: started.endedSessions,
      warnings: [...env.warnings, ...(imported?.warnings ?? [])],
      summary: `Session ${session.id} started on ${branch ?? 'a non-git directory'} (${env.language}, domain ${started.domain}: ${started.domainReason})${started.branchCreated ? `; created branch ${branch}` : ''}.${tests?.state === 'succeeded' && tests.note ? ` ${tests.note}` : ''}${questions.length ? ` ${questions.length} setup question(s) are open.` : ''}`,
      next,
    };
  },
});
