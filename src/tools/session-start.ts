import { z } from 'zod';
import { formatCommand } from '../proc/command.js';
import { defineTool } from '../server/define-tool.js';
import { startSession } from '../session/start.js';
import { DOMAINS } from '../state/sessions.js';

export const sessionStart = defineTool({
  name: 'session_start',
  title: 'Start an optimization session',
  description:
    'Call first: detects language, interpreter, tests, benchmarks (setup.md); sets the guard; makes or checks out a perf/<marker>-<slug> branch.',
  input: {
    root: z.string().optional().describe('Default: --root or the client root.'),
    goal: z.string().max(2000).optional().describe("The user's aim, in their words."),
    domain: z.enum(DOMAINS).optional().describe('Default: from the branch name, else deep.'),
    guard: z.string().max(2000).optional().describe('Command that must keep passing, e.g. "pytest -q".'),
    branch: z.string().max(200).optional().describe('Slug (perf/<marker>-<slug>) or full name; made from HEAD if missing.'),
  },
  output: {
    session_id: z.string(),
    root: z.string(),
    branch: z.string().nullable(),
    branch_created: z.boolean(),
    domain: z.enum(DOMAINS),
    language: z.string(),
    runner: z.string().nullable(),
    python: z.string().nullable().describe('real interpreter for timing'),
    test_command: z.string().nullable(),
    benchmarks_root: z.string().nullable(),
    guard: z.string().nullable(),
    files_written: z.array(z.string()),
    imported: z.object({ experiments: z.number(), learnings: z.number(), conventions: z.number(), handoff: z.boolean() }).nullable(),
    ended_sessions: z.array(z.string()),
    warnings: z.array(z.string()),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const root = ctx.roots.resolve(args.root);
    const project = ctx.project(root);
    ctx.setActiveRoot(root);
    const started = await startSession(project, { goal: args.goal, domain: args.domain, guard: args.guard, branch: args.branch });
    const { session, env, branch, guard, imported } = started;
    const testArgv = env.python?.test_command ?? env.node?.test_command ?? env.go?.test_command;
    return {
      session_id: session.id,
      root,
      branch,
      branch_created: started.branchCreated,
      domain: started.domain,
      language: env.language,
      runner: env.python?.runner_display ?? null,
      python: env.python?.python ?? null,
      test_command: testArgv ? formatCommand(testArgv) : null,
      benchmarks_root: env.python?.benchmarks_root ?? null,
      guard,
      files_written: started.filesWritten,
      imported: imported
        ? { experiments: imported.experiments, learnings: imported.learnings, conventions: imported.conventions, handoff: imported.handoff }
        : null,
      ended_sessions: started.endedSessions,
      warnings: [...env.warnings, ...(imported?.warnings ?? [])],
      summary: `Session ${session.id} started on ${branch ?? 'a non-git directory'} (${env.language}, domain ${started.domain})${started.branchCreated ? `; created branch ${branch}` : ''}.`,
      next: [
        guard
          ? `Run run_guard once now to learn whether "${guard}" passes before any change.`
          : 'Set a guard with set_convention topic "guard" (the command that must keep passing), then run_guard.',
        'Profile the workload (profile) to find where the time or memory goes.',
        'Record the starting measurement with record_result status "baseline".',
      ],
    };
  },
});
