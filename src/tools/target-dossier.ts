import { z } from 'zod';
import { formatPct } from '../format.js';
import { dossierFor } from '../scan/target.js';
import { defineTool } from '../server/define-tool.js';
import { sessionIdInput } from './shared.js';

export const targetDossier = defineTool({
  name: 'target_dossier',
  title: 'Target dossier',
  description:
    'One target from stored profiles (nothing re-run): source with cost per line, callers/callees, allocation sites, argument sizes, earlier experiments and learnings.',
  input: {
    rank: z.number().int().min(1).max(100).optional().describe('Default 1.'),
    target: z.string().max(300).optional().describe('Function or file:line, instead of rank.'),
    profile_id: z.string().max(40).optional().describe('Profile or scan id; default the latest scan.'),
    session_id: sessionIdInput,
  },
  output: {
    function: z.string(),
    where: z.string(),
    dossier: z.string(),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project } = ctx.current(args.session_id);
    const dossier = dossierFor(project, { target: args.target, profileId: args.profile_id, rank: args.rank });
    const { target } = dossier;
    const where = target.file ? `${target.file}:${target.at ?? target.line}` : '';
    return {
      function: target.function,
      where,
      dossier: dossier.markdown,
      summary: `Dossier of ${target.function}${where ? ` at ${where}` : ''}${target.share !== undefined ? ` (${formatPct(target.share * 100)} % of its cost)` : ''}, from stored profiles ${dossier.sources.join(', ')}.`,
      next: ['Hand the dossier to a research teammate, or read it before forming a hypothesis about this target.'],
    };
  },
});
