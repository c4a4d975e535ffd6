import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/create-server.js';
import { RootPolicy } from '../../src/server/roots.js';
import { TOOLS } from '../../src/tools/index.js';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';

describe('project root resolution', () => {
  it('takes the client root when no --root is given, and confines root arguments to the client roots', async () => {
    const clientRoot = realpathSync(makeRepo(PYTHON_PROJECT));
    const elsewhere = realpathSync(makeRepo(PYTHON_PROJECT));
    const app = createServer({ tools: TOOLS });
    const client = new Client({ name: 'roots-test', version: '0' }, { capabilities: { roots: { listChanged: true } } });
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(clientRoot).href, name: 'project' }] }));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([app.server.connect(b), client.connect(a)]);
    try {
      const start = (await client.callTool({ name: 'session_start', arguments: {} })) as unknown as { structuredContent: { root: string } };
      expect(start.structuredContent.root).toBe(clientRoot);
      const outside = (await client.callTool({ name: 'session_start', arguments: { root: elsewhere } })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(outside.isError).toBe(true);
      expect(outside.content[0]!.text).toMatch(/outside the allowed roots/);
    } finally {
      await client.close();
      await app.close();
    }
  });

  it('orders the default: --root, client root, CLAUDE_PROJECT_DIR, working directory', () => {
    const [a, b, c, d] = [makeRepo({ x: '' }), makeRepo({ x: '' }), makeRepo({ x: '' }), makeRepo({ x: '' })].map((p) => realpathSync(p));
    const withAll = new RootPolicy(a, { CLAUDE_PROJECT_DIR: c }, d);
    withAll.setClientRoots([b!]);
    expect(withAll.defaultRoot()).toBe(a);
    const noCli = new RootPolicy(undefined, { CLAUDE_PROJECT_DIR: c }, d);
    noCli.setClientRoots([b!]);
    expect(noCli.defaultRoot()).toBe(b);
    expect(new RootPolicy(undefined, { CLAUDE_PROJECT_DIR: c }, d).defaultRoot()).toBe(c);
    expect(new RootPolicy(undefined, {}, d).defaultRoot()).toBe(d);
  });

  it('accepts a subdirectory of an allowed root and refuses a symlink that leads out of it', async () => {
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const root = realpathSync(makeRepo(PYTHON_PROJECT));
    mkdirSync(`${root}/sub`);
    symlinkSync('/tmp', `${root}/escape`);
    const policy = new RootPolicy(root, {}, root);
    expect(policy.resolve('sub')).toBe(`${root}/sub`);
    expect(() => policy.resolve('escape')).toThrow(/outside the allowed roots/);
  });
});
