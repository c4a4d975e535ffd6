import { z } from 'zod';
import { pruneWorktrees } from '../bench/worktrees.js';
import { detectEnvironment, domainFromBranch, perfBranchName, renderSetupMarkdown, validateBranchName } from '../env/index.js';
import { UserError } from '../errors.js';
import { formatCommand, parseCommand } from '../proc/command.js';
import { defineTool } from '../server/define-tool.js';
import { GUARD_TOPIC, setConvention } from '../state/notes.js';
import { adoptOrphanRows, createSession, DOMAINS, type Domain, endOtherSessions } from '../state/sessions.js';
import { currentBranch, headSha, isGitRepo, switchToBranch } from '../workspace/git.js';
import { refuseOptionLike } from '../workspace/paths.js';

/** A bare slug becomes `perf/<marker>-<slug>`; a name with a slash is taken as the full branch name. */
async function resolveBranchName(branch: string, domain: Domain): Promise<string> {
  refuseOptionLike('branch', branch);
  const name = branch.includes('/') ? branch : perfBranchName(domain, branch);
  const problem = validateBranchName(name);
  if (problem) throw new UserError(`branch ${JSON.stringify(branch)} is not usable: ${problem}`);
  return name;
}

export const sessionStart = defineTool({
  name: 'session_start',
  title: 'Start an optimization session',
  description:
    'Call first. Detects language, the real interpreter for timing, test command and benchmarks root; writes .codeflash/setup.md; optionally sets the guard and creates or checks out a perf/<marker>-<slug> branch. Imports existing .codeflash/ files once.',
  input: {
    root: z.string().optional().describe('Default: --root, the client root, or cwd.'),
    goal: z.string().max(2000).optional().describe('What the user wants, in their words, e.g. "cut p50 of /process".'),
    domain: z.enum(DOMAINS).optional().describe('Default: from the branch name, else deep.'),
    guard: z.string().max(2000).optional().describe('Command that must pass after every change, e.g. "pytest -q tests/".'),
    branch: z.string().max(200).optional().describe('A slug (becomes perf/<marker>-<slug>) or a full name; created from HEAD if missing.'),
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
    if (args.guard !== undefined) {
      refuseOptionLike('guard', args.guard);
      parseCommand(args.guard);
    }
    const git = await isGitRepo(root);
    const startBranch = git ? await currentBranch(root) : undefined;
    // A full branch name asked for carries its own marker; else the branch we are on may.
    const named = args.branch?.includes('/') ? domainFromBranch(args.branch) : undefined;
    const domain: Domain = args.domain ?? named ?? domainFromBranch(startBranch ?? '') ?? 'deep';
    const branchName = args.branch !== undefined ? await resolveBranchName(args.branch, domain) : undefined;
    if (branchName && !git) throw new UserError(`${root} is not a git repository, so no branch can be made; omit branch or run git init`);

    let branchCreated = false;
    if (branchName && branchName !== startBranch) {
      try {
        branchCreated = (await switchToBranch(root, branchName)).created;
      } catch (error) {
        throw new UserError(`could not check out ${branchName}: ${(error as Error).message}`);
      }
    }
    const project = ctx.project(root);
    ctx.setActiveRoot(root);
    // Worktrees left by a server that was killed mid-compare are removed here.
    if (git) await pruneWorktrees(root, project.paths.worktreesDir);
    const env = await detectEnvironment(root);
    const branch = git ? ((await currentBranch(root)) ?? null) : null;
    const session = createSession(project.db, {
      root,
      goal: args.goal,
      domain,
      branch: branch ?? undefined,
      headSha: git ? await headSha(root) : undefined,
      environment: env,
    });
    const ended = endOtherSessions(project.db, session.id);
    adoptOrphanRows(project.db, session.id);
    const files = [project.writeFile('setup.md', renderSetupMarkdown(env))];
    if (args.guard !== undefined) {
      setConvention(project.db, GUARD_TOPIC, args.guard);
      files.push(project.renderConventions());
    }
    const imported = project.takeImportReport();
    if (imported) files.push(project.renderResults());
    const guard = args.guard ?? null;
    const testArgv = env.python?.test_command ?? env.node?.test_command ?? env.go?.test_command;
    const testCommand = testArgv ? formatCommand(testArgv) : null;
    const next = [
      guard
        ? `Run run_guard once now to learn whether "${guard}" passes before any change.`
        : 'Set a guard with set_convention topic "guard" (the command that must keep passing), then run_guard.',
      'Profile the workload (profile) to find where the time or memory goes.',
      'Record the starting measurement with record_result status "baseline".',
    ];
    return {
      session_id: session.id,
      root,
      branch,
      branch_created: branchCreated,
      domain,
      language: env.language,
      runner: env.python?.runner_display ?? null,
      python: env.python?.python ?? null,
      test_command: testCommand,
      benchmarks_root: env.python?.benchmarks_root ?? null,
      guard,
      files_written: files,
      imported: imported
        ? {
            experiments: imported.experiments,
            learnings: imported.learnings,
            conventions: imported.conventions,
            handoff: imported.handoff,
          }
        : null,
      ended_sessions: ended,
      warnings: [...env.warnings, ...(imported?.warnings ?? [])],
      summary: `Session ${session.id} started on ${branch ?? 'a non-git directory'} (${env.language}, domain ${domain})${branchCreated ? `; created branch ${branch}` : ''}.`,
      next,
    };
  },
});
