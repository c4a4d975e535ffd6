import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { HOST_AUTHS } from '../state/vm-hosts.js';
import { addHost } from '../vm/hosts.js';

export const vmHostAdd = defineTool({
  name: 'vm_host_add',
  title: 'Register a benchmark host',
  description: 'Register an SSH host for vm_bench. Without fingerprint: shows the host key, stores nothing; repeat with it.',
  input: {
    name: z.string().min(1).max(63),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).optional().describe('Default 22.'),
    user: z.string().min(1).max(64),
    auth: z.enum(HOST_AUTHS).describe('agent: SSH_AUTH_SOCK, forwarded'),
    key_path: z.string().max(4096).optional(),
    fingerprint: z.string().max(100).optional().describe('SHA256:…'),
  },
  output: {
    stored: z.boolean(),
    fingerprint: z.string().describe('pinned, or seen when not stored'),
    key_type: z.string().optional(),
    warning: z.string().optional(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, call) {
    const db = call.ctx.project().db;
    const input = { ...args, port: args.port ?? 22, keyPath: args.key_path };
    const outcome = await addHost(db, input, call.signal);
    if (!outcome.stored) {
      const { fingerprint, keyType } = outcome.seen;
      return {
        stored: false,
        fingerprint,
        key_type: keyType,
        summary: `${args.name} shows host key ${fingerprint} (${keyType}); nothing stored.`,
        next: [
          `Check it on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) or with its owner, then call vm_host_add again with fingerprint "${fingerprint}".`,
        ],
      };
    }
    const { host } = outcome;
    return {
      stored: true,
      fingerprint: host.fingerprint,
      ...(outcome.warning ? { warning: outcome.warning } : {}),
      summary: `Host ${host.name} (${host.user}@${host.host}:${host.port}) registered with key ${host.fingerprint}${outcome.node ? `; node ${outcome.node}, ${outcome.git}` : ''}.`,
      next: [outcome.warning ? `Fix on the host before vm_bench: ${outcome.warning}` : `vm_bench with host "${host.name}" measures there.`],
    };
  },
});
