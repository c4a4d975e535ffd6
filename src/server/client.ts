import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export interface ToolAnswer {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
}

export interface StdioClient {
  callTool(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<ToolAnswer>;
  close(): Promise<void>;
}

/** A real MCP client that starts a server program and talks to it over stdio; for the demo and scripted use. */
export async function connectStdioClient(command: string, args: string[], clientName: string): Promise<StdioClient> {
  const client = new Client({ name: clientName, version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  return {
    async callTool(name, toolArgs, timeoutMs) {
      const result = await client.callTool({ name, arguments: toolArgs }, undefined, { timeout: timeoutMs });
      const content = (result.content ?? []) as { type: string; text?: string }[];
      return {
        isError: result.isError === true,
        text: content.map((c) => c.text ?? '').join('\n'),
        structured: result.structuredContent as Record<string, unknown> | undefined,
      };
    },
    close: () => client.close(),
  };
}
