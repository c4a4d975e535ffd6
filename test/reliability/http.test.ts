import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { CLI } from '../helpers/mcp-client.js';

const TOKEN = 'reliability-token-0123456789';
let server: ChildProcess;
let url: URL;
let stdout = '';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'reliability', version: '0' } },
});

/**
 * One raw HTTP request to the server; the status and body it answers with. A
 * `partial` body is announced whole (content-length) but only its first 64 KiB
 * are sent: an answer then shows the server decided without reading the rest.
 */
function send(options: {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  partial?: number;
  host?: string;
}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const body = options.body ?? INITIALIZE;
    const req = request(
      {
        host: options.host ?? url.hostname,
        port: url.port,
        path: options.path ?? url.pathname,
        method: options.method ?? 'POST',
        // A fresh connection each time: the server may drop one whose body it refused to read.
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(options.partial ? { 'content-length': String(options.partial) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        answered = true;
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        const done = () => resolve({ status: res.statusCode ?? 0, body: text });
        res.on('end', done);
        res.on('close', done);
        if (options.partial) req.destroy();
      },
    );
    // Writing on after the server answered and hung up (EPIPE, ECONNRESET) is no failure of the test.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.partial) req.write(' '.repeat(64 * 1024));
    else req.end(body);
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  server = spawn(process.execPath, [CLI, 'serve', '--http', '0', '--root', makeRepo(PYTHON_PROJECT), '--token', TOKEN], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk) => (stdout += chunk));
  url = await new Promise<URL>((resolve, reject) => {
    let log = '';
    server.stderr!.on('data', (chunk) => {
      log += chunk;
      const found = /on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(log)?.[1];
      if (found) resolve(new URL(found));
    });
    server.once('exit', () => reject(new Error(`server exited: ${log}`)));
  });
});

afterAll(() => {
  server?.kill('SIGKILL');
});

describe('Streamable HTTP refuses what is not its own client', () => {
  it.each<[string, Parameters<typeof send>[0], number]>([
    ['no token', {}, 401],
    ['a wrong token', { headers: { authorization: 'Bearer wrong-token-0123456789abc' } }, 401],
    ['the token with one more character', { headers: { authorization: `Bearer ${TOKEN}x` } }, 401],
    ['the token as Basic credentials', { headers: { authorization: `Basic ${TOKEN}` } }, 401],
    ['a 5 MiB body without a token, answered before it is read', { partial: 5 * 1024 * 1024 }, 401],
    ['a foreign Host', { headers: { ...auth, host: 'evil.example' } }, 403],
    ['a foreign Host with the right port', { headers: { ...auth, host: `evil.example:${'PORT'}` } }, 403],
    ['localhost on another port', { headers: { ...auth, host: 'localhost:1' } }, 403],
    ['a foreign Origin', { headers: { ...auth, origin: 'http://evil.example' } }, 403],
    ['Origin null', { headers: { ...auth, origin: 'null' } }, 403],
    ['a loopback Origin on another port', { headers: { ...auth, origin: 'http://127.0.0.1:1' } }, 403],
    ['another path', { path: '/admin', headers: auth }, 404],
    ['GET without a session', { method: 'GET', headers: auth, body: '' }, 400],
    ['a request that is not initialize, without a session', { headers: auth, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' }, 400],
    [
      'an unknown session id',
      { headers: { ...auth, 'mcp-session-id': 'no-such-session' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' },
      400,
    ],
    ['a body that is not JSON', { headers: auth, body: '{"jsonrpc":' }, 400],
    ['a body over 4 MiB', { headers: auth, body: `{"x":"${'y'.repeat(5 * 1024 * 1024)}"}` }, 400],
  ])('%s is refused', async (_, options, status) => {
    if (options.headers?.host?.endsWith(':PORT')) options.headers.host = options.headers.host.replace('PORT', url.port);
    expect((await send(options)).status).toBe(status);
  });

  it('answers its own client: loopback Host and Origin with the token', async () => {
    expect((await send({ headers: { ...auth, host: `localhost:${url.port}`, origin: `http://localhost:${url.port}` } })).status).toBe(200);
    const client = new Client({ name: 'reliability', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: auth } }));
    const start = await client.callTool({ name: 'session_start', arguments: {} });
    expect(start.isError).toBeFalsy();
    await client.close();
  });

  it('listens on loopback only, writes nothing to stdout, and is still up', async () => {
    const outward = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (outward) await expect(send({ host: outward.address, headers: auth })).rejects.toThrow(/ECONNREFUSED/);
    expect(stdout).toBe('');
    expect(server.exitCode).toBeNull();
    expect((await send({ headers: auth })).status).toBe(200);
  });
});
