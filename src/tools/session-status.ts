import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { statusReport } from '../session/status-report.js';
import { DOMAINS } from '../state/sessions.js';
import { sessionIdInput, statsOutput } from './shared.js';

export const sessionStatus = defineTool({
  name: 'session_status',
  title: 'Session status',
  description: 'Status report: counts, keeps vs discards, plateau, baseline, best result and how it was measured, branch, next steps.',
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
    best_measured: z.string().nullable(),
    planned: z.array(z.string()),
    failing_before: z.number().nullable().describe('tests failing before any change'),
    scan: z.string().nullable(),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const report = await statusReport(project, session);
    return {
      session_id: session.id,
      root: project.paths.root,
      goal: session.goal,
      domain: session.domain,
      branch: report.branch,
      session_branch: session.branch,
      guard: report.guard,
      stats: report.stats,
      best_measured: report.bestMeasured,
      planned: report.planned,
      failing_before: report.failingBefore,
      scan: report.scan,
      summary: report.summary,
      next: report.next,
    };
  },
});
