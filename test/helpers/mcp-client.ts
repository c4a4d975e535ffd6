import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));

export interface Connected {
  client: Client;
  transport: StdioClientTransport;
  stderr: string[];
  pid: number;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Spawn the built server (`node dist/bin/cli.js serve`, or another copy's `cli`) and connect a real SDK client over stdio. */
export async function connectStdio(
  serveArgs: string[],
  env: Record<string, string> = {},
  options: { cwd?: string; cli?: string } = {},
): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [options.cli ?? CLI, 'serve', ...serveArgs],
    env: { ...(process.env as Record<string, string>), ...env },
    cwd: options.cwd,
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const client = new Client({ name: 'codeflash-test', version: '0.0.0' });
  await client.connect(transport);
  return {
    client,
    transport,
    stderr,
    pid: transport.pid!,
    call: (name, args = {}) =>
      client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 }) as Promise<
        CallToolResult & { structuredContent?: Record<string, unknown> }
      >,
    close: () => client.close(),
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
