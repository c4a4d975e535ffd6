import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { CLI } from '../helpers/mcp-client.js';

let server: ChildProcess | undefined;
afterEach(() => {
  server?.kill('SIGKILL');
  server = undefined;
});

/** Start `serve --http 0` and read the bound URL from its stderr log. */
async function startHttp(args: string[]): Promise<string> {
  server = spawn(process.execPath, [CLI, 'serve', '--http', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  server.stdout!.on('data', (d) => (stdout += d));
  return new Promise((resolve, reject) => {
    let log = '';
    server!.stderr!.on('data', (chunk) => {
      log += chunk;
      const url = /on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(log)?.[1];
      if (url) resolve(url);
    });
    server!.once('exit', () => reject(new Error(`server exited: ${log} ${stdout}`)));
  });
}

function rawPost(url: string, headers: Record<string, string>): Promise<number> {
  return rawPostFull(url, headers).then((res) => res.status);
}

function rawPostFull(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } },
      }),
    );
  });
}

describe('Streamable HTTP transport', () => {
  it('binds 127.0.0.1, serves tools with the bearer token, refuses a wrong token and a foreign Host or Origin', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const url = await startHttp(['--root', root, '--token', 's3cret-token']);
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: 'Bearer s3cret-token' } },
    });
    const client = new Client({ name: 'http-test', version: '0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('session_start');
    const start = await client.callTool({ name: 'session_start', arguments: {} });
    expect(start.isError).toBeFalsy();
    await client.close();

    // The challenge tells a client this is a bearer token to send, not an OAuth server to register with.
    const refused = await rawPostFull(url, {});
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="codeflash-mcp"/);
    // A client that then looks for OAuth finds none, and its registration is told what to send instead.
    expect((await rawPostFull(url.replace('/mcp', '/.well-known/oauth-protected-resource'), {})).status).toBe(404);
    const registration = await rawPostFull(url.replace('/mcp', '/register'), {});
    expect(registration.status).toBe(400);
    expect(JSON.parse(registration.body)).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/--header/),
    });
    expect(await rawPost(url, { authorization: 'Bearer wrong-token-!' })).toBe(401);
    const port = new URL(url).port;
    expect(await rawPost(url, { authorization: 'Bearer s3cret-token', host: `evil.example:${port}` })).toBe(403);
    expect(await rawPost(url, { authorization: 'Bearer s3cret-token', origin: 'http://evil.example' })).toBe(403);
    expect(await rawPost(url, { authorization: 'Bearer s3cret-token' })).toBe(200);
  });

  it('ends on SIGTERM', async () => {
    await startHttp(['--root', makeRepo(PYTHON_PROJECT)]);
    const exited = new Promise<number | null>((r) => server!.once('exit', (code) => r(code)));
    server!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
