import { z } from 'zod';
import { formatChangePct } from '../format.js';
import { defineTool } from '../server/define-tool.js';
import { nextSteps } from '../session/next-steps.js';
import { sessionStats } from '../state/experiments.js';
import { GUARD_TOPIC, getConvention } from '../state/notes.js';
import { DOMAINS } from '../state/sessions.js';
import { currentBranch } from '../workspace/git.js';
import { sessionIdInput, statsOutput } from './shared.js';

export const sessionStatus = defineTool({
  name: 'session_status',
  title: 'Session status',
  description: 'Where the session stands: counts, plateau, baseline, best result, branch, next steps.',
  input: { session_id: sessionIdInput },
  output: {
    session_id: z.string(),
    root: z.string(),
    goal: z.string().nullable(),
    domain: z.enum(DOMAINS),
    branch: z.string().nullable(),
    session_branch: z.string().nullable(),
    guard: z.string().nullable(),
    stats: statsOutput,
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const stats = sessionStats(project.db, session.id);
    const guard = getConvention(project.db, GUARD_TOPIC)?.rule ?? null;
    const branch = (await currentBranch(project.paths.root)) ?? null;
    const best = stats.best ? `best #${stats.best.n} ${formatChangePct(stats.best.improvement_pct)} vs baseline` : 'nothing kept yet';
    return {
      session_id: session.id,
      root: project.paths.root,
      goal: session.goal,
      domain: session.domain,
      branch,
      session_branch: session.branch,
      guard,
      stats,
      summary: `${stats.experiments} experiments (${stats.keeps} kept, ${stats.discards} discarded, ${stats.crashes} crashed); ${best}${stats.plateau ? '; plateau reached' : ''}.`,
      next: nextSteps(stats, guard !== null),
    };
  },
});
