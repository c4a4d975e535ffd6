import { z } from 'zod';
import { domainFromBranch } from '../env/index.js';
import { UserError } from '../errors.js';
import { defineTool } from '../server/define-tool.js';
import { listExperiments, sessionStats } from '../state/experiments.js';
import { GUARD_TOPIC, getConvention, latestHandoff } from '../state/notes.js';
import { adoptOrphanRows, createSession, DOMAINS, latestSession } from '../state/sessions.js';
import { currentBranch, headSha, isGitRepo, switchToBranch } from '../workspace/git.js';
import { nextSteps } from './session-status.js';
import { statsOutput } from './shared.js';

const RECENT_ROWS = 15;

export const sessionResume = defineTool({
  name: 'session_resume',
  title: 'Resume a session',
  description:
    'Continue the last session in one bundle: branch checked against HANDOFF.md (optional checkout), domain from branch markers ds/mem/async/struct, the handoff, recent ledger, conventions and learnings.',
  input: {
    root: z.string().optional().describe('Default: the active project.'),
    checkout: z.boolean().optional().describe('Check out the handoff branch if another is checked out.'),
  },
  output: {
    session_id: z.string(),
    root: z.string(),
    branch: z.string().nullable(),
    handoff_branch: z.string().nullable(),
    branch_matches: z.boolean(),
    checked_out: z.boolean(),
    domain: z.enum(DOMAINS),
    handoff: z.string().nullable(),
    recent_experiments: z.array(
      z.object({
        n: z.number(),
        status: z.string(),
        target: z.string(),
        metric: z.string(),
        baseline: z.number(),
        value: z.number(),
        improvement_pct: z.number().nullable(),
        hypothesis: z.string(),
      }),
    ),
    stats: statsOutput,
    guard: z.string().nullable(),
    conventions: z.string().nullable(),
    learnings: z.string().nullable(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const project = ctx.project(args.root);
    const root = project.paths.root;
    ctx.setActiveRoot(root);
    const handoff = latestHandoff(project.db);
    const git = await isGitRepo(root);
    let branch = git ? ((await currentBranch(root)) ?? null) : null;
    const handoffBranch = handoff?.branch ?? latestSession(project.db)?.branch ?? null;
    let checkedOut = false;
    if (args.checkout && handoffBranch && branch !== handoffBranch) {
      try {
        await switchToBranch(root, handoffBranch);
      } catch (error) {
        throw new UserError(`could not check out ${handoffBranch}: ${(error as Error).message}`);
      }
      branch = handoffBranch;
      checkedOut = true;
    }
    const domain = domainFromBranch(branch ?? handoffBranch ?? '') ?? latestSession(project.db)?.domain ?? 'deep';
    const session =
      latestSession(project.db, 'active') ??
      createSession(project.db, { root, domain, branch: branch ?? undefined, headSha: git ? await headSha(root) : undefined });
    adoptOrphanRows(project.db, session.id);
    const stats = sessionStats(project.db, session.id);
    const guard = getConvention(project.db, GUARD_TOPIC)?.rule ?? null;
    const matches = !handoffBranch || handoffBranch === branch;
    const rows = listExperiments(project.db, session.id).slice(-RECENT_ROWS);
    const next = matches
      ? nextSteps(stats, guard !== null)
      : [
          `The handoff was written on ${handoffBranch} but ${branch ?? 'no branch'} is checked out: call session_resume with checkout true, or git switch ${handoffBranch}.`,
        ];
    return {
      session_id: session.id,
      root,
      branch,
      handoff_branch: handoffBranch,
      branch_matches: matches,
      checked_out: checkedOut,
      domain,
      handoff: project.readFile('HANDOFF.md') ?? handoff?.imported_markdown ?? null,
      recent_experiments: rows.map((r) => ({
        n: r.n,
        status: r.status,
        target: r.target,
        metric: r.metric,
        baseline: r.baseline,
        value: r.value,
        improvement_pct: r.improvement_pct,
        hypothesis: r.hypothesis,
      })),
      stats,
      guard,
      conventions: project.readFile('conventions.md') ?? null,
      learnings: project.readFile('learnings.md') ?? null,
      summary: `Resumed ${session.id} on ${branch ?? 'no branch'} (domain ${domain}); ${stats.experiments} experiments, ${stats.keeps} kept${matches ? '' : `; branch differs from the handoff's ${handoffBranch}`}.`,
      next,
    };
  },
});
