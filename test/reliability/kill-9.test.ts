import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tsvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectStdio } from '../helpers/mcp-client.js';
import { mulberry32 } from './support.js';

const KILLS = 20;
const WRITES = 120;

function readStore(root: string): { integrity: string; ns: number[]; targets: Set<string>; titles: Set<string> } {
  const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT n, target FROM experiments ORDER BY n').all() as { n: number; target: string }[];
    const titles = db.prepare('SELECT title FROM learnings').all() as { title: string }[];
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      ns: rows.map((r) => r.n),
      targets: new Set(rows.map((r) => r.target)),
      titles: new Set(titles.map((r) => r.title)),
    };
  } finally {
    db.close();
  }
}

describe(`${KILLS} kill -9 at random moments during writes`, () => {
  it('every acknowledged write survives, numbers stay gapless, the store stays whole and results.tsv is never half a row', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const random = mulberry32(20_260_101);
    const acknowledged = { experiments: [] as string[], learnings: [] as string[] };
    const killedAfter: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      const mcp = await connectStdio(['--root', root]);
      if (round === 0) expect((await mcp.call('session_start', {})).isError).toBeFalsy();
      // Writes go out ten at a time, each answer sending the next, so the server is always in the middle of some;
      // the kill lands once this many have been answered.
      const killAt = 1 + Math.floor(random() * (WRITES - 20));
      let answered = 0;
      let sent = 0;
      let killed = false;
      const write = async (): Promise<void> => {
        if (killed || sent >= WRITES) return;
        const i = sent++;
        const name = `r${round}-${i}`;
        const learning = i % 10 === 9;
        const call = learning
          ? mcp.call('record_learning', { title: name, body: 'b', evidence: 'e' })
          : mcp.call('record_result', {
              target: name,
              hypothesis: 'h',
              metric: 'wall_s',
              baseline: 1,
              value: 0.5 + i / 1000,
              status: 'discard',
            });
        const result = await call.catch(() => undefined);
        if (!result) return;
        if (!result.isError) (learning ? acknowledged.learnings : acknowledged.experiments).push(name);
        if (++answered === killAt) {
          killed = true;
          process.kill(mcp.pid, 'SIGKILL');
        }
        await write();
      };
      await Promise.all(Array.from({ length: 10 }, write));
      await mcp.close();
      killedAfter.push(answered);
      expect(answered, `round ${round}: the kill landed after every write was answered`).toBeLessThan(WRITES);

      const store = readStore(root);
      expect(store.integrity).toBe('ok');
      expect(store.ns).toEqual(Array.from({ length: store.ns.length }, (_, i) => i + 1));
      expect(acknowledged.experiments.filter((name) => !store.targets.has(name))).toEqual([]);
      expect(acknowledged.learnings.filter((name) => !store.titles.has(name))).toEqual([]);
      const file = join(root, '.codeflash', 'results.tsv');
      if (existsSync(file)) {
        const text = readFileSync(file, 'utf8');
        expect(text.endsWith('\n')).toBe(true);
        for (const line of text.trimEnd().split('\n')) expect(line.split('\t')).toHaveLength(10);
      }
    }
    console.info(
      `kill -9: ${KILLS} kills after ${killedAfter.join(', ')} answered writes; ${acknowledged.experiments.length} experiments and ${acknowledged.learnings.length} learnings acknowledged, all kept`,
    );
    // A server started after the last kill renders the ledger whole again from the store.
    const last = await connectStdio(['--root', root]);
    expect(
      (await last.call('record_result', { target: 'after', hypothesis: 'h', metric: 'wall_s', baseline: 1, value: 1, status: 'discard' }))
        .isError,
    ).toBeFalsy();
    await last.close();
    const rows = tsvParse(readFileSync(join(root, '.codeflash', 'results.tsv'), 'utf8'));
    expect(rows.map((r) => Number(r.n))).toEqual(readStore(root).ns);
  });
});
