import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderToolList } from '../scripts/tool-list.mjs';
import { TOOLS, TOOLSETS } from '../src/tools/index.js';
import { connectInMemory, type InMemory } from './helpers/in-memory.js';

/**
 * One schema snapshot per public tool: a change to a tool's name, inputs,
 * outputs or hints shows up in review as a diff of its snapshot. Each holds the
 * tool as tools/list shows it and the full output schema every result is
 * checked against (the listing names no output fields). A tool with no
 * snapshot fails; UPDATE_TOOLSNAPS=1 writes the snapshots anew.
 */
const SNAPS = fileURLToPath(new URL('./__toolsnaps__/', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const update = process.env.UPDATE_TOOLSNAPS === '1';

let mcp: InMemory;
let tools: Tool[];
beforeAll(async () => {
  mcp = await connectInMemory({ root: process.cwd() });
  tools = (await mcp.client.listTools()).tools;
});
afterAll(() => mcp.close());

describe('tool schema snapshots', () => {
  it('every tool has a snapshot that matches', () => {
    for (const tool of tools) {
      const file = join(SNAPS, `${tool.name}.snap.json`);
      const definition = TOOLS.find((t) => t.name === tool.name)!;
      const { $schema: _, ...output } = z.toJSONSchema(definition.outputSchema, { target: 'draft-7', io: 'output' });
      const current = `${JSON.stringify({ listed: tool, checkedOutput: output }, null, 2)}\n`;
      if (update) writeFileSync(file, current);
      expect(existsSync(file), `no snapshot for ${tool.name}: run UPDATE_TOOLSNAPS=1 npx vitest run test/toolsnaps.test.ts`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${tool.name} changed: review, then UPDATE_TOOLSNAPS=1`).toBe(current);
    }
  });

  it('tools/list costs at most 0.8 KB a tool on average and 22 KB in all: hosts put it into every conversation', () => {
    const bytes = Buffer.byteLength(JSON.stringify({ tools }));
    expect(bytes / tools.length, `${bytes} bytes for ${tools.length} tools`).toBeLessThanOrEqual(800);
    expect(bytes).toBeLessThanOrEqual(22 * 1024);
  });

  it('every tool belongs to exactly one toolset, so --tools can offer it', () => {
    const sets = Object.values(TOOLSETS).flat();
    for (const tool of TOOLS) expect(sets.filter((t) => t === tool).length, `${tool.name} in TOOLSETS`).toBe(1);
    expect(sets.length).toBe(TOOLS.length);
  });

  it('no snapshot is left for a tool that is gone', () => {
    const names = new Set(tools.map((t) => `${t.name}.snap.json`));
    expect(readdirSync(SNAPS).filter((f) => !names.has(f))).toEqual([]);
  });

  it('the README tool list is generated from these schemas', () => {
    const readme = readFileSync(README, 'utf8');
    const fresh = renderToolList(tools);
    const section = /<!-- tools:start -->\n([\s\S]*?)<!-- tools:end -->/.exec(readme)?.[1];
    if (update && section !== fresh)
      writeFileSync(README, readme.replace(/(<!-- tools:start -->\n)[\s\S]*?(<!-- tools:end -->)/, `$1${fresh}$2`));
    expect(update ? fresh : section, 'README tool list is stale: UPDATE_TOOLSNAPS=1 npx vitest run test/toolsnaps.test.ts').toBe(fresh);
  });
});
