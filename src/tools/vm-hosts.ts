import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { HOST_AUTHS, listVmHosts } from '../state/vm-hosts.js';

const vmHostOutput = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number(),
  user: z.string(),
  auth: z.enum(HOST_AUTHS),
  key_path: z.string().optional(),
  fingerprint: z.string(),
});

export const vmHosts = defineTool({
  name: 'vm_hosts',
  title: 'List benchmark hosts',
  description: 'The hosts vm_bench can measure on, with their pinned host keys.',
  input: {},
  output: { hosts: z.array(vmHostOutput) },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(_args, { ctx }) {
    const hosts = listVmHosts(ctx.project().db).map(({ created_at, key_path, ...host }) => ({
      ...host,
      ...(key_path ? { key_path } : {}),
    }));
    return {
      hosts,
      summary: hosts.length ? `${hosts.length} host(s): ${hosts.map((h) => h.name).join(', ')}.` : 'No host registered.',
      next: hosts.length ? [] : ['vm_host_add registers one.'],
    };
  },
});
