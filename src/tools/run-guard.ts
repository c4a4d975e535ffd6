import { z } from 'zod';
import { UserError } from '../errors.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob, waitInput } from '../server/jobs.js';
import { guardFailures } from '../session/check-tests.js';
import { GUARD_TOPIC, getConvention } from '../state/notes.js';
import { isGitRepo, revertToHead } from '../workspace/git.js';
import { type GuardRun, runGuardCommand } from '../workspace/guard.js';
import { sessionIdInput } from './shared.js';

const DEFAULT_TIMEOUT_S = 900;

/** A guard run in the tool's public (snake_case) fields. */
function publicRun(run: GuardRun) {
  return { passed: run.passed, exit_code: run.exitCode, duration_ms: run.durationMs, output_tail: run.outputTail };
}

export const runGuard = defineTool({
  name: 'run_guard',
  title: 'Run the guard',
  description:
    'Run the guard (set_convention "guard"); new failures vs those failing before. revert_on_failure: a new failure restores tracked files to HEAD (diff in .codeflash/reverts/); a timeout reverts nothing.',
  input: {
    revert_on_failure: z.boolean().optional(),
    timeout_s: z.number().int().min(1).max(7200).optional().describe(`Default ${DEFAULT_TIMEOUT_S}.`),
    wait_s: waitInput,
    session_id: sessionIdInput,
  },
  output: {
    ...jobFields,
    command: z.string().optional(),
    passed: z.boolean().optional(),
    exit_code: z.number().nullable().optional(),
    duration_ms: z.number().optional(),
    output_tail: z.string().optional(),
    new_failures: z.array(z.string()).optional(),
    pre_existing_failures: z.array(z.string()).optional(),
    reverted: z
      .object({
        files: z.array(z.object({ status: z.string(), path: z.string() })),
        patch: z.string().nullable().describe('undone diff; git apply restores it'),
        untracked_kept: z.array(z.string()),
      })
      .nullable()
      .optional(),
  },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run(args, call) {
    const { ctx } = call;
    const { project, session } = ctx.current(args.session_id);
    const command = getConvention(project.db, GUARD_TOPIC)?.rule;
    if (!command) throw new UserError('no guard is set: call set_convention with topic "guard" and the command that must keep passing');
    const root = project.paths.root;
    if (args.revert_on_failure && !(await isGitRepo(root))) throw new UserError('revert_on_failure needs a git repository');
    const timeoutMs = (args.timeout_s ?? DEFAULT_TIMEOUT_S) * 1000;
    return runAsJob(call, {
      tool: 'run_guard',
      project,
      sessionId: session.id,
      // The guard's own timeout fires first; the job limit only backs it up.
      timeoutMs: timeoutMs + 60_000,
      work: async (hooks) => {
        const run = await runGuardCommand(root, command, { timeoutMs, signal: hooks.signal, onLine: hooks.log });
        // A hang says nothing about the change, so it is an error and never a reason to revert.
        if (run.timedOut) {
          throw new UserError(
            `the guard "${command}" did not finish within ${timeoutMs / 1000} s: its process group was killed and nothing was reverted. ` +
              `Raise timeout_s or fix what hangs. Output tail:\n${run.outputTail || '(none)'}`,
          );
        }
        const failures = run.passed ? undefined : guardFailures(project, command, run.tests);
        // Reverting cannot fix a test that failed before the session: only a failure the change may have caused reverts.
        const onlyOld = failures?.onlyPreExisting === true;
        const reverted =
          !run.passed && args.revert_on_failure && !onlyOld
            ? await revertToHead(root, { stateDir: project.paths.stateDir, patchDir: project.paths.revertsDir })
            : null;
        const oldNote = onlyOld
          ? ` Only tests that failed before the session failed (${failures.preExisting.length}); nothing was reverted.`
          : '';
        const revertNote = reverted
          ? reverted.reverted.length
            ? ` Reverted ${reverted.reverted.length} file(s) to HEAD; the change is saved in ${reverted.patch}.`
            : ' Nothing tracked had changed, so nothing was reverted.'
          : '';
        return {
          command,
          ...publicRun(run),
          new_failures: failures?.new,
          pre_existing_failures: failures?.preExisting,
          reverted: reverted && { files: reverted.reverted, patch: reverted.patch, untracked_kept: reverted.untracked_kept },
          summary: `Guard ${run.passed ? 'passed' : `failed (exit ${run.exitCode})`} in ${(run.durationMs / 1000).toFixed(1)} s.${oldNote}${revertNote}`,
          next:
            run.passed || onlyOld
              ? ['Measure the change with benchmark_compare.']
              : reverted
                ? ['Record the attempt with record_result status "crash" or "discard", then try another hypothesis.']
                : ['Fix the failure shown in output_tail, or call run_guard with revert_on_failure to drop the change.'],
        };
      },
    });
  },
});
