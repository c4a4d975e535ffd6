import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { ServerContext } from './context.js';
import { type CodeflashServer, type CreateServerOptions, createServer } from './create-server.js';
import { installShutdown } from './lifecycle.js';

export interface HttpOptions extends CreateServerOptions {
  port: number;
  /** Require `Authorization: Bearer <token>` on every request. */
  token?: string;
}

const HOST = '127.0.0.1';

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function reject(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

const NO_OAUTH =
  'codeflash-mcp takes the bearer token given to serve --token, with no OAuth: send the header Authorization: Bearer <token> (claude mcp add --header)';

function refuseRegistration(res: ServerResponse): void {
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'invalid_client_metadata', error_description: NO_OAUTH }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4 * 1024 * 1024) throw new Error('request body over 4 MiB');
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

/**
 * Streamable HTTP on 127.0.0.1 only, with Host and Origin checked against the
 * loopback names (DNS-rebinding protection) and an optional bearer token.
 * Each MCP session gets its own server object; all share one context, so jobs
 * and stores outlive any single session.
 */
export async function serveHttp(options: HttpOptions): Promise<{ port: number; close(): Promise<void> }> {
  const ctx = new ServerContext(options);
  const sessions = new Map<string, { app: CodeflashServer; transport: StreamableHTTPServerTransport }>();
  let allowedHosts: string[] = [];
  let allowedOrigins: string[] = [];

  const http = createHttpServer(async (req, res) => {
    try {
      // Nothing but /mcp exists. A client refused a token looks for OAuth metadata (404 says there is
      // none) and then registers itself: that answer says what to do instead, in OAuth's error format.
      if (req.method === 'POST' && req.url?.split('?')[0] === '/register') return refuseRegistration(res);
      if (!req.url?.startsWith('/mcp')) return reject(res, 404, 'the MCP endpoint is /mcp');
      // RFC 6750's challenge tells the client the token is a bearer token.
      if (options.token && !tokenMatches(req.headers.authorization, options.token))
        return reject(res, 401, NO_OAUTH, {
          'www-authenticate': `Bearer realm="codeflash-mcp", error="invalid_token", error_description="${NO_OAUTH}"`,
        });
      const sessionId = req.headers['mcp-session-id'];
      const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      if (existing) return await existing.transport.handleRequest(req, res, body);
      if (req.method !== 'POST' || !isInitializeRequest(body))
        return reject(res, 400, 'no valid session: start with an initialize request');
      const app = createServer(options, ctx);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableDnsRebindingProtection: true,
        allowedHosts,
        allowedOrigins,
        onsessioninitialized: (id) => {
          sessions.set(id, { app, transport });
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
        void app.close();
      };
      await app.server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      if (!res.headersSent) reject(res, 400, (error as Error).message);
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, HOST, () => resolve());
  });
  const port = (http.address() as { port: number }).port;
  allowedHosts = [`${HOST}:${port}`, `localhost:${port}`];
  allowedOrigins = [`http://${HOST}:${port}`, `http://localhost:${port}`];

  const close = async () => {
    for (const { transport } of sessions.values()) await transport.close().catch(() => {});
    sessions.clear();
    await ctx.close();
    await new Promise<void>((r) => http.close(() => r()));
  };
  installShutdown(close, ctx.logger, { watchStdin: false });
  ctx.logger.info(`serving Streamable HTTP on http://${HOST}:${port}/mcp${options.token ? ' (bearer token required)' : ''}`);
  return { port, close };
}
