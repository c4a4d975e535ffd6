import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, InitializeRequestSchema, McpError, RootsListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../package.js';
import { ServerContext, type ServerOptions } from './context.js';
import type { ToolDefinition } from './define-tool.js';
import { INSTRUCTIONS } from './instructions.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { rootsFromUris } from './roots.js';
import { registerTools } from './tool-handlers.js';

export interface CodeflashServer {
  server: Server;
  ctx: ServerContext;
  /** Stop watching files; unless the context is shared, also end jobs (and their process groups) and close the stores. */
  close(): Promise<void>;
}

export interface CreateServerOptions extends ServerOptions {
  /** The tools to offer; the composition root (the CLI) hands them in. */
  tools: readonly ToolDefinition[];
  /** Why the server cannot work (its SQLite binding does not load): initialize fails with this, so the host shows it at once. */
  startupError?: string;
}

/**
 * Build a server over the given tools, with every resource and prompt; the
 * caller connects a transport. HTTP sessions pass one shared context so jobs
 * outlive a request.
 */
export function createServer(options: CreateServerOptions, sharedCtx?: ServerContext): CodeflashServer {
  const ctx = sharedCtx ?? new ServerContext(options);
  const server = new Server(
    { name: 'codeflash-mcp', title: 'codeflash', version: VERSION },
    {
      instructions: INSTRUCTIONS,
      capabilities: { tools: {}, resources: { subscribe: true, listChanged: true }, prompts: {}, logging: {}, completions: {} },
    },
  );
  ctx.logger.attach((level, data) => {
    if (server.transport) server.sendLoggingMessage({ level, logger: 'codeflash-mcp', data }).catch(() => {});
  });
  if (options.startupError) {
    const message = options.startupError;
    server.setRequestHandler(InitializeRequestSchema, () => {
      throw new McpError(ErrorCode.InternalError, message);
    });
  }
  registerTools(server, ctx, options.tools);
  const resources = registerResources(server, ctx);
  registerPrompts(
    server,
    ctx,
    options.tools.map((tool) => tool.name),
  );

  const refreshRoots = async () => {
    if (!server.getClientCapabilities()?.roots) return;
    try {
      const { roots } = await server.listRoots();
      ctx.roots.setClientRoots(rootsFromUris(roots.map((r) => r.uri)));
    } catch (error) {
      ctx.logger.debug('could not list client roots', { error: (error as Error).message });
    }
  };
  server.oninitialized = () => ctx.setRootsLoading(refreshRoots());
  server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
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
