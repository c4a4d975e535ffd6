import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult, type ElicitRequest, ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { ServerOptions } from '../../src/server/context.js';
import { type CodeflashServer, type CreateServerOptions, createServer } from '../../src/server/create-server.js';
import { TOOLS } from '../../src/tools/index.js';

export interface InMemory {
  app: CodeflashServer;
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent?: Record<string, any> }>;
  close(): Promise<void>;
}

export interface ClientSetup {
  /** Declare the elicitation capability and answer every `elicitation/create` with this. */
  elicit?: (request: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>;
  tools?: CreateServerOptions['tools'];
}

/** The real server and a real SDK client joined by the SDK's in-memory transport pair. */
export async function connectInMemory(options: ServerOptions, setup: ClientSetup = {}): Promise<InMemory> {
  const app = createServer({ ...options, tools: setup.tools ?? TOOLS });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client(
    { name: 'codeflash-test', version: '0.0.0' },
    { capabilities: setup.elicit ? { elicitation: { form: {} } } : {} },
  );
  const answer = setup.elicit;
  if (answer) client.setRequestHandler(ElicitRequestSchema, (request) => answer(request.params));
  await Promise.all([app.server.connect(serverSide), client.connect(clientSide)]);
  return {
    app,
    client,
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as never,
    async close() {
      await client.close();
      await app.close();
    },
  };
}

/** The text of a tool result's first content block: an isError result's message. */
export function errorText(result: { content: unknown }): string {
  return (result.content as { text: string }[])[0]!.text;
}
