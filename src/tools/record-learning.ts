import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { addLearning } from '../state/notes.js';
import { sessionIdInput } from './shared.js';

export const recordLearning = defineTool({
  name: 'record_learning',
  title: 'Record a learning',
  description: 'Keep a non-obvious fact about the code, with evidence, for later sessions (learnings.md). Not a log.',
  input: {
    title: z.string().min(1).max(200).describe('e.g. "json.loads dominates parse()".'),
    body: z.string().min(1).max(5000).describe('What was tried; why it worked or not.'),
    evidence: z.string().min(1).max(2000).describe('Numbers or an experiment/comparison/profile id.'),
    session_id: sessionIdInput,
  },
  output: { id: z.number(), path: z.string() },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const row = addLearning(project.db, { sessionId: session.id, title: args.title, body: args.body, evidence: args.evidence });
    const path = project.renderLearnings();
    return { id: row.id, path, summary: `Learning ${row.id} "${args.title}" recorded in learnings.md.`, next: [] };
  },
});
