import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { addHandoff } from '../state/notes.js';
import { currentBranch } from '../workspace/git.js';
import { sessionIdInput } from './shared.js';

const lines = (max: number) => z.array(z.string().min(1).max(1000)).max(max);

export const writeHandoff = defineTool({
  name: 'write_handoff',
  title: 'Write HANDOFF.md',
  description: 'Write HANDOFF.md for the next session from the store, plus the next steps, discoveries and blockers given.',
  input: {
    next_steps: lines(20).min(1).describe('Most important first.'),
    discoveries: lines(30).optional(),
    blockers: lines(20).optional(),
    summary: z.string().max(4000).optional().describe('Where things stand.'),
    session_id: sessionIdInput,
  },
  output: { path: z.string(), branch: z.string().nullable() },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const branch = (await currentBranch(project.paths.root)) ?? session.branch;
    addHandoff(project.db, {
      sessionId: session.id,
      branch,
      summary: args.summary,
      nextSteps: args.next_steps,
      discoveries: args.discoveries,
      blockers: args.blockers,
    });
    const path = project.renderHandoff(session.id);
    return {
      path,
      branch,
      summary: `HANDOFF.md written for ${branch ?? 'this session'} with ${args.next_steps.length} next step(s).`,
      next: ['A later session continues with session_resume.'],
    };
  },
});
