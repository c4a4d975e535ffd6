import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { cleanupSession } from '../session/cleanup.js';
import { sessionIdInput } from './shared.js';

export const sessionCleanup = defineTool({
  name: 'session_cleanup',
  title: 'Clean up the session',
  description:
    'End the session: remove transient .codeflash/ files and stale worktrees; keeps learnings.md, results.tsv, changelog.md and the store.',
  input: {
    dry_run: z.boolean().optional().describe('Only list what would go.'),
    session_id: sessionIdInput,
  },
  output: { removed: z.array(z.string()), kept: z.array(z.string()), dry_run: z.boolean(), session_ended: z.boolean() },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const cleanup = await cleanupSession(project, session, { dryRun: args.dry_run ?? false });
    const { removed, kept, dryRun } = cleanup;
    return {
      removed,
      kept,
      dry_run: dryRun,
      session_ended: !dryRun,
      summary: dryRun
        ? `Would remove ${removed.length} item(s) and keep ${kept.length}.`
        : `Removed ${removed.length} item(s); session ${session.id} ended. learnings.md, results.tsv and changelog.md stay.`,
      next: dryRun ? ['Call again without dry_run to remove them.'] : [],
    };
  },
});
