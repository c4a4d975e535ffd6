import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { type CreateServerOptions, createServer } from './create-server.js';
import { installShutdown } from './lifecycle.js';

export async function serveStdio(options: CreateServerOptions): Promise<void> {
  const app = createServer(options);
  const transport = new StdioServerTransport();
  const shutdown = installShutdown(() => app.close(), app.ctx.logger, { watchStdin: true });
  transport.onclose = () => void shutdown();
  await app.server.connect(transport);
  app.ctx.logger.info(`serving on stdio; default root ${app.ctx.roots.describeDefault()}`);
}
