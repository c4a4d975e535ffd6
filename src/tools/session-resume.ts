import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { resumeSession } from '../session/resume.js';
import { DOMAINS } from '../state/sessions.js';
import { MAX_PATH_CHARS, statsOutput } from './shared.js';

export const sessionResume = defineTool({
  name: 'session_resume',
  title: 'Resume a session',
  description:
    'Continue the last session: checks the branch against HANDOFF.md; returns handoff, recent experiments, conventions, learnings.',
  input: {
    root: z.string().max(MAX_PATH_CHARS).optional().describe('Default: the active project.'),
    checkout: z.boolean().optional().describe('Check out the handoff branch.'),
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
    ctx.setActiveRoot(project.paths.root);
    const resumed = await resumeSession(project, { checkout: args.checkout });
    const { session, branch, stats } = resumed;
    return {
      session_id: session.id,
      root: project.paths.root,
      branch,
      handoff_branch: resumed.handoffBranch,
      branch_matches: resumed.branchMatches,
      checked_out: resumed.checkedOut,
      domain: resumed.domain,
      handoff: resumed.handoff,
      recent_experiments: resumed.recent.map((r) => ({
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
      guard: resumed.guard,
      conventions: resumed.conventions,
      learnings: resumed.learnings,
      summary: `Resumed ${session.id} on ${branch ?? 'no branch'} (domain ${resumed.domain}); ${stats.experiments} experiments, ${stats.keeps} kept${resumed.branchMatches ? '' : `; branch differs from the handoff's ${resumed.handoffBranch}`}.`,
      next: resumed.next,
    };
  },
});
