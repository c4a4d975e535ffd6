import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { keptExperiments } from '../state/experiments.js';
import { sessionIdInput } from './shared.js';

export const writeChangelog = defineTool({
  name: 'write_changelog',
  title: 'Write changelog.md',
  description: "Write .codeflash/changelog.md from the session's kept experiments.",
  input: { session_id: sessionIdInput },
  output: { path: z.string(), kept: z.number() },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const kept = keptExperiments(project.db, session.id).length;
    const path = project.renderChangelog(session.id);
    return { path, kept, summary: `changelog.md lists ${kept} kept optimization(s).`, next: [] };
  },
});
