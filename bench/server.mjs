#!/usr/bin/env node
// Server speed, measured through a real MCP client over stdio against the built server.
// Prints: cold start to initialize result (median of 20), record_result round trip
// p50/p99 with 10,000 experiments already stored, and the byte size of tools/list.
// Usage: npm run build && node bench/server.mjs [--starts 20] [--calls 500]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { insertExperiment } from '../dist/state/experiments.js';
import { Project } from '../dist/state/project.js';
import { createSession } from '../dist/state/sessions.js';

const { values } = parseArgs({ options: { starts: { type: 'string', default: '20' }, calls: { type: 'string', default: '500' } } });
const CLI = new URL('../dist/bin/cli.js', import.meta.url).pathname;

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

function repo() {
  const dir = mkdtempSync(join(tmpdir(), 'cf-bench-'));
  writeFileSync(join(dir, 'app.py'), 'print(1)\n');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'i'],
  ])
    execFileSync('git', args, { cwd: dir, env });
  return dir;
}

async function connect(root) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', '--root', root], stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '0' });
  const t0 = process.hrtime.bigint();
  await client.connect(transport);
  return { client, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

const root = repo();
const starts = [];
for (let i = 0; i < Number(values.starts); i++) {
  const { client, ms } = await connect(root);
  starts.push(ms);
  await client.close();
}

const { client: lister } = await connect(root);
const listed = await lister.listTools();
const listBytes = Buffer.byteLength(JSON.stringify(listed));
const perTool = listBytes / listed.tools.length;
await lister.close();

const seeded = repo();
const project = Project.open(seeded);
const session = createSession(project.db, { root: seeded, domain: 'cpu' });
project.db.transaction(() => {
  for (let i = 0; i < 10_000; i++) {
    insertExperiment(project.db, {
      sessionId: session.id,
      target: `mod.f${i % 50}`,
      hypothesis: `idea ${i}`,
      metric: 'wall_s',
      baseline: 1,
      value: 1 + ((i % 7) - 3) / 100,
      direction: 'lower',
      status: i === 0 ? 'baseline' : i % 5 ? 'discard' : 'keep',
    });
  }
})();
project.renderResults();
project.close();

const { client } = await connect(seeded);
const args = { target: 'mod.f1', hypothesis: 'bench', metric: 'wall_s', baseline: 1, value: 0.9, status: 'discard' };
for (let i = 0; i < 20; i++) await client.callTool({ name: 'record_result', arguments: args });
const rtt = [];
for (let i = 0; i < Number(values.calls); i++) {
  const t0 = process.hrtime.bigint();
  const r = await client.callTool({ name: 'record_result', arguments: args });
  rtt.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.isError) throw new Error(JSON.stringify(r.content));
}
await client.close();

const row = (name, value, target, ok) => `${name.padEnd(44)} ${value.padStart(22)}   target ${target.padEnd(9)} ${ok ? 'ok' : 'MISSED'}`;
const cold = quantile(starts, 0.5);
const p50 = quantile(rtt, 0.5);
const p99 = quantile(rtt, 0.99);
console.log(`codeflash-mcp server speed — node ${process.version}, ${starts.length} cold starts, ${rtt.length} record_result calls\n`);
console.log(
  row(
    'cold start → initialize result (median)',
    `${cold.toFixed(0)} ms (min ${Math.min(...starts).toFixed(0)}, max ${Math.max(...starts).toFixed(0)})`,
    '≤ 400 ms',
    cold <= 400,
  ),
);
console.log(row('record_result round trip p50 (10k stored)', `${p50.toFixed(2)} ms`, '≤ 5 ms', p50 <= 5));
console.log(row('record_result round trip p99 (10k stored)', `${p99.toFixed(2)} ms`, '', true));
console.log(row('tools/list result size', `${(listBytes / 1024).toFixed(1)} KB`, '≤ 22 KB', listBytes <= 22 * 1024));
console.log(row(`tools/list per tool (${listed.tools.length} tools)`, `${(perTool / 1024).toFixed(2)} KB`, '≤ 0.8 KB', perTool <= 800));
