import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { removeVmHost } from '../state/vm-hosts.js';

export const vmHostRemove = defineTool({
  name: 'vm_host_remove',
  title: 'Remove a benchmark host',
  description: 'Forget a registered host and its pinned key. Its comparisons stay stored.',
  input: { name: z.string().min(1).max(63) },
  output: { removed: z.boolean() },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const removed = removeVmHost(ctx.project().db, args.name);
    return {
      removed,
      summary: removed ? `Host ${args.name} removed.` : `No host named ${args.name.slice(0, 100)}; nothing changed.`,
      next: [],
    };
  },
});
