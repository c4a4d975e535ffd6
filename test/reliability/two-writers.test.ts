import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tsvParse } from 'd3-dsv';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { type Connected, connectStdio } from '../helpers/mcp-client.js';

const PER_SERVER = 500;
const servers: Connected[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

const experiment = (who: string, i: number) => ({
  target: `${who}-${i}`,
  hypothesis: `h ${i}`,
  metric: 'wall_s',
  baseline: 1,
  value: 1 - (i % 100) / 1000,
  status: i % 7 === 0 ? 'keep' : 'discard',
  ...(i % 7 === 0 ? { override_reason: 'timed by hand' } : {}),
});

describe('two servers writing one project at once', () => {
  it(`${PER_SERVER} record_result calls each: numbers 1..${2 * PER_SERVER} with no gap or repeat, every row in the store and in results.tsv`, async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const [a, b] = await Promise.all([connectStdio(['--root', root]), connectStdio(['--root', root])]);
    servers.push(a!, b!);
    expect((await a!.call('session_start', {})).isError).toBeFalsy();
    const started = Date.now();
    const calls = [];
    for (let i = 0; i < PER_SERVER; i++)
      calls.push(a!.call('record_result', experiment('a', i)), b!.call('record_result', experiment('b', i)));
    const results = await Promise.all(calls);
    const seconds = (Date.now() - started) / 1000;
    console.info(`two writers: ${results.length} record_result in ${seconds.toFixed(1)} s (${Math.round(results.length / seconds)}/s)`);
    expect(results.filter((r) => r.isError)).toEqual([]);
    const ids = results.map((r) => r.structuredContent!.experiment_id as number).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: 2 * PER_SERVER }, (_, i) => i + 1));

    const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT n, target FROM experiments ORDER BY n').all() as { n: number; target: string }[];
    db.close();
    expect(rows.map((r) => r.n)).toEqual(ids);
    expect(new Set(rows.map((r) => r.target)).size).toBe(2 * PER_SERVER);
    // The ledger file holds every row once, in order, whichever server wrote last.
    const tsv = tsvParse(readFileSync(join(root, '.codeflash', 'results.tsv'), 'utf8'));
    expect(tsv.map((r) => Number(r.n))).toEqual(ids);
    expect(tsv.map((r) => r.target)).toEqual(rows.map((r) => r.target));
  });
});
