import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, RootsListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TOOLS } from '../tools/index.js';
import { ServerContext, type ServerOptions } from './context.js';
import { INSTRUCTIONS } from './instructions.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { rootsFromUris } from './roots.js';
import { VERSION } from './version.js';

export interface CodeflashServer {
  server: McpServer;
  ctx: ServerContext;
  /** Stop watching files; unless the context is shared, also end jobs (and their process groups) and close the stores. */
  close(): Promise<void>;
}

/**
 * Build a server with every tool, resource and prompt; the caller connects a
 * transport. HTTP sessions pass one shared context so jobs outlive a request.
 */
export function createServer(options: ServerOptions = {}, sharedCtx?: ServerContext): CodeflashServer {
  const ctx = sharedCtx ?? new ServerContext(options);
  const server = new McpServer(
    { name: 'codeflash-mcp', title: 'codeflash', version: VERSION },
    { instructions: INSTRUCTIONS, capabilities: { logging: {}, completions: {} } },
  );
  ctx.logger.attach(server);
  for (const tool of TOOLS) tool.register(server, ctx);
  // The SDK validates calls against the registered schemas; the listing is built
  // once from the same zod shapes, without a $schema line per tool, to keep
  // tools/list small (hosts defer tools past a size budget).
  const listing = { tools: TOOLS.map((tool) => tool.listing()) };
  server.server.setRequestHandler(ListToolsRequestSchema, () => listing);
  const resources = registerResources(server, ctx);
  registerPrompts(server);

  const refreshRoots = async () => {
    if (!server.server.getClientCapabilities()?.roots) return;
    try {
      const { roots } = await server.server.listRoots();
      ctx.roots.setClientRoots(rootsFromUris(roots.map((r) => r.uri)));
    } catch (error) {
      ctx.logger.debug('could not list client roots', { error: (error as Error).message });
    }
  };
  server.server.oninitialized = () => ctx.setRootsLoading(refreshRoots());
  server.server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    ctx.setRootsLoading(refreshRoots());
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    ctx,
    close() {
      closing ??= (async () => {
        resources.close();
        if (!sharedCtx) await ctx.close();
        await server.close().catch(() => {});
      })();
      return closing;
    },
  };
}
