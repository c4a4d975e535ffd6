import { z } from 'zod';
import { inventoryMarkdown, prInventory } from '../pr/inventory.js';
import { defineTool } from '../server/define-tool.js';
import { sessionEnvironment } from '../session/environment.js';
import { PROOFS } from '../state/experiments.js';
import { sessionIdInput } from './shared.js';

export const prInventoryTool = defineTool({
  name: 'pr_inventory',
  title: 'Kept optimizations and their PR status',
  description: 'Kept optimizations as a PR plan: files, commit, domain, benchmark at both refs, proof, PR body written.',
  input: { session_id: sessionIdInput },
  output: {
    rows: z.array(
      z.object({
        n: z.number(),
        optimization: z.string(),
        files: z.array(z.string()),
        commit: z.string().nullable(),
        domain: z.string(),
        benchmark_at_both_refs: z.boolean().nullable(),
        proof: z.enum(PROOFS).nullable(),
        pr_body: z.string().nullable(),
      }),
    ),
    markdown: z.string(),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const rows = await prInventory(project, session, await sessionEnvironment(session, project.paths.root));
    const open = rows.filter((r) => !r.prBody);
    return {
      rows: rows.map((r) => ({
        n: r.n,
        optimization: r.optimization,
        files: r.files,
        commit: r.commit,
        domain: r.domain,
        benchmark_at_both_refs: r.benchmarkAtBothRefs,
        proof: r.proof,
        pr_body: r.prBody,
      })),
      markdown: inventoryMarkdown(rows),
      summary: `${rows.length} kept optimization(s); ${open.length} without a PR body.`,
      next: open.length
        ? [`pr_body with the comparison_id of #${open[0]!.n} (one PR per optimization); mode "stacked" for the cumulative draft.`]
        : rows.length
          ? ['Every kept optimization has a body: write_review, then open the PRs when asked.']
          : ['Nothing kept yet.'],
    };
  },
});
