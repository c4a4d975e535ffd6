import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { statePaths } from '../../src/state/paths.js';
import { gitIn, makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { alive, processesWith, waitFor } from '../helpers/processes.js';
import { descendants, RawServer } from './support.js';

let server: RawServer | undefined;
afterEach(() => {
  server?.kill();
  server = undefined;
});

describe('stdin closed in the middle of a compare', () => {
  it('the server exits within 2 s and leaves no child, grandchild or worktree behind', async () => {
    const marker = `cf-stdin-${process.pid}`;
    // Each measured run starts a grandchild of its own and waits on it, so one is always alive.
    const sleeper = `30.${process.pid}`;
    const root = makeRepo({
      ...PYTHON_PROJECT,
      'slow.py': `import subprocess, time\nchild = subprocess.Popen(["sleep", "${sleeper}"])\ntime.sleep(0.2)\nchild.kill()\nchild.wait()\n`,
    });
    server = await RawServer.start(['--root', root]);
    expect((await server.call('session_start', {})).result?.isError).toBeFalsy();
    // The call stays open: it is answered only after 8 s, long after stdin is gone.
    void server.call('benchmark_compare', { base: 'HEAD', head: 'HEAD', command: ['slow.py', marker], runs: 50 });
    const worktreesDir = statePaths(root).worktreesDir;
    const worktrees = () =>
      gitIn(root, 'worktree', 'list', '--porcelain')
        .split('\n')
        .filter((l) => l.startsWith('worktree ')).length - 1;
    expect(await waitFor(() => processesWith(`sleep ${sleeper}`).length > 0, 20_000)).toBe(true);
    expect(worktrees()).toBeGreaterThan(0);
    const below = descendants(server.pid);
    expect(below.length).toBeGreaterThanOrEqual(3); // the timing helper, the measured run, its sleep

    const closedAt = server.closeStdin();
    const exit = await server.exited;
    const exitMs = exit.at - closedAt;
    console.info(`stdin closed mid-compare: exit after ${exitMs} ms (code ${exit.code}), ${below.length} descendants before`);
    expect(exitMs).toBeLessThan(2000);
    expect(exit.code).toBe(0);
    expect(await waitFor(() => below.every((pid) => !alive(pid)), 1000)).toBe(true);
    expect(processesWith(marker)).toEqual([]);
    expect(processesWith(`sleep ${sleeper}`)).toEqual([]);
    expect(worktrees()).toBe(0);
    expect(existsSync(worktreesDir) ? readdirSync(worktreesDir) : []).toEqual([]);
    // The stdout the server wrote before it went is JSON-RPC only.
    for (const line of server.stdoutLines.filter(Boolean)) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    const db = new Database(join(root, '.codeflash', 'state.sqlite'), { readonly: true });
    expect(db.prepare("SELECT tool, state FROM jobs WHERE tool = 'benchmark_compare'").all()).toEqual([
      { tool: 'benchmark_compare', state: 'interrupted' },
    ]);
    db.close();
  });
});
