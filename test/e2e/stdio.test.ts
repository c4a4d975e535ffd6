import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tsvParse } from 'd3-dsv';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { CLI, type Connected, connectStdio } from '../helpers/mcp-client.js';
import { alive, runningExactly, waitFor } from '../helpers/processes.js';

const connections: Connected[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close().catch(() => {});
});

async function serve(root: string): Promise<Connected> {
  const c = await connectStdio(['--root', root]);
  connections.push(c);
  return c;
}

const experiment = (i: number) => ({
  target: `t${i}`,
  hypothesis: `h${i}`,
  metric: 'wall_s',
  baseline: 1,
  value: 1 - i / 1000,
  status: 'discard',
});

describe('the built server over stdio', () => {
  it('lists every tool with an output schema, its hints and a short description', async () => {
    const mcp = await serve(makeRepo(PYTHON_PROJECT));
    const { tools } = await mcp.client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(13);
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toBeDefined();
      // The two hints that default to true are always written; the two that default to false only when true.
      const hints = tool.annotations ?? {};
      expect(typeof hints.destructiveHint, tool.name).toBe('boolean');
      expect(typeof hints.openWorldHint, tool.name).toBe('boolean');
      for (const quiet of [hints.readOnlyHint, hints.idempotentHint]) expect([undefined, true], tool.name).toContain(quiet);
      expect(tool.description!.length, tool.name).toBeLessThan(2048);
    }
    expect(mcp.client.getInstructions()!.length).toBeLessThan(2048);
  });

  it('serves .codeflash files as resources: listed, completable, readable, and updated when they change', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const mcp = await serve(root);
    await mcp.call('session_start', {});
    await mcp.call('record_result', { ...experiment(0), status: 'baseline' });
    const { resources } = await mcp.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['codeflash://files/results.tsv', 'codeflash://files/setup.md']));
    const completion = await mcp.client.complete({
      ref: { type: 'ref/resource', uri: 'codeflash://files/{name}' },
      argument: { name: 'name', value: 'res' },
    });
    expect(completion.completion.values).toEqual(['results.tsv']);
    const read = await mcp.client.readResource({ uri: 'codeflash://files/results.tsv' });
    expect((read.contents[0] as { text: string }).text).toContain('n\tcommit\ttarget');

    const updates: string[] = [];
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    mcp.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await mcp.client.subscribeResource({ uri: 'codeflash://files/results.tsv' });
    await mcp.call('record_result', experiment(1));
    expect(await waitFor(() => updates.includes('codeflash://files/results.tsv'), 3000)).toBe(true);
  });

  it('exits within 2 s when stdin closes, killing a running guard and its process group', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const mcp = await serve(root);
    const sleep = `sleep 41.${process.pid}`;
    await mcp.call('session_start', { guard: `sh -c "${sleep}; echo never"` });
    const started = await mcp.call('run_guard', { timeout_s: 120 });
    expect(started.structuredContent).toMatchObject({ state: 'running' });
    const sleeper = () => runningExactly(sleep);
    expect(sleeper()).toBe(true);
    const t0 = Date.now();
    await mcp.close();
    expect(await waitFor(() => !alive(mcp.pid), 2500)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(await waitFor(() => !sleeper(), 1000)).toBe(true);
    // The job is recorded as ended, not left running.
    const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
    expect(db.prepare(`SELECT state FROM jobs WHERE tool = 'run_guard'`).all()).toEqual([{ state: 'interrupted' }]);
    db.close();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits within 2 s on %s, killing a running guard and closing the store', async (signal) => {
    const root = makeRepo(PYTHON_PROJECT);
    const mcp = await serve(root);
    const sleep = `sleep 43.${process.pid}${signal.length}`;
    await mcp.call('session_start', { guard: `sh -c "${sleep}; echo never"` });
    await mcp.call('record_result', { ...experiment(0), status: 'baseline' });
    expect((await mcp.call('run_guard', { timeout_s: 120 })).structuredContent).toMatchObject({ state: 'running' });
    const sleeper = () => runningExactly(sleep);
    expect(sleeper()).toBe(true);
    const t0 = Date.now();
    process.kill(mcp.pid, signal);
    expect(await waitFor(() => !alive(mcp.pid), 2000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await waitFor(() => !sleeper(), 1000)).toBe(true);
    // Closed cleanly: the write-ahead log is checkpointed away, the job is marked, the experiment kept.
    expect(existsSync(join(root, '.codeflash', 'state.sqlite-wal'))).toBe(false);
    const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
    expect(db.prepare(`SELECT state FROM jobs WHERE tool = 'run_guard'`).all()).toEqual([{ state: 'interrupted' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM experiments').get()).toEqual({ n: 1 });
    db.close();
  });

  it('runs the harness programs shipped in the package (micro_benchmark in python and node)', async () => {
    const mcp = await serve(makeRepo(PYTHON_PROJECT));
    for (const language of ['python', 'node']) {
      const result = await mcp.call('micro_benchmark', { language, a: '1 + 1', b: '2 + 2', runs: 5, processes: 2 });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ state: 'succeeded', runs: 6, processes: 2 });
    }
  });

  it('serves the method as prompts: optimize, resume, status, review, pr_prep', async () => {
    const mcp = await serve(makeRepo(PYTHON_PROJECT));
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['optimize', 'pr_prep', 'resume', 'review', 'status']);
    for (const { name, arguments: args } of prompts) {
      const filled = Object.fromEntries((args ?? []).filter((a) => a.required).map((a) => [a.name, 'cpu']));
      const prompt = await mcp.client.getPrompt({ name, arguments: filled });
      const text = prompt.messages.map((m) => (m.content as { text: string }).text).join('\n');
      expect(text.length, name).toBeGreaterThan(100);
      // Each names the tools the agent is to call.
      expect(text, name).toMatch(/session_(start|resume|status)|benchmark_compare|write_handoff/);
    }
  });

  it('codeflash-mcp status prints the session table of a project, and says when there is none', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const empty = spawnSync(process.execPath, [CLI, 'status', '--root', root], { encoding: 'utf8' });
    expect(empty.status).toBe(1);
    expect(empty.stdout).toMatch(/No codeflash state in .*start a session/);
    const mcp = await serve(root);
    await mcp.call('session_start', { guard: 'true' });
    await mcp.call('record_result', { ...experiment(0), status: 'baseline' });
    await mcp.call('record_result', { ...experiment(1), value: 0.8, status: 'keep', override_reason: 'timed by hand' });
    await mcp.close();
    const status = spawnSync(process.execPath, [CLI, 'status', '--root', root], { encoding: 'utf8' });
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^experiments\s+1: 1 kept, 0 discarded, 0 crashed$/m);
    expect(status.stdout).toMatch(/^best\s+#2 t1: 0\.8 \(\+20\.0 %\)$/m);
    expect(status.stdout).toMatch(/^2\s+keep\s+t1\s+wall_s\s+1\s+0\.8\s+\+20\.0 %\s+overridden: timed by hand$/m);
  });

  it('two servers writing one project at once lose no rows and share no experiment number', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const a = await serve(root);
    await a.call('session_start', {});
    const b = await serve(root);
    const calls = [];
    for (let i = 0; i < 40; i++) {
      calls.push(a.call('record_result', experiment(i)));
      calls.push(b.call('record_result', experiment(100 + i)));
    }
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.isError)).toEqual([]);
    const ids = results.map((r) => r.structuredContent!.experiment_id as number).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const rows = tsvParse(readFileSync(join(root, '.codeflash', 'results.tsv'), 'utf8'));
    expect(rows.map((r) => Number(r.n))).toEqual(ids);
  });

  it('kill -9 in the middle of record_result leaves a consistent store and no half-written file', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const mcp = await serve(root);
    await mcp.call('session_start', {});
    const pending = Array.from({ length: 1000 }, (_, i) => mcp.call('record_result', experiment(i)).catch(() => undefined));
    await pending[0];
    await new Promise((r) => setTimeout(r, 30));
    process.kill(mcp.pid, 'SIGKILL');
    await Promise.all(pending);
    const db = new Database(join(root, '.codeflash', 'state.sqlite'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const ns = (db.prepare('SELECT n FROM experiments ORDER BY n').all() as { n: number }[]).map((r) => r.n);
    db.close();
    expect(ns.length).toBeGreaterThan(0);
    expect(ns.length, 'the kill landed after every call finished').toBeLessThan(1000);
    expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => i + 1));
    const file = join(root, '.codeflash', 'results.tsv');
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trimEnd().split('\n')) expect(line.split('\t')).toHaveLength(10);
    }
    // A new server re-renders the ledger whole from the store.
    const again = await serve(root);
    await again.call('record_result', experiment(999));
    const rows = tsvParse(readFileSync(file, 'utf8'));
    expect(rows).toHaveLength(ns.length + 1);
  });
});
