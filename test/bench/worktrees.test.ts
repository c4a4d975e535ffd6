import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  copyIntoWorktree,
  evictKeptWorktrees,
  listWorktrees,
  markSetupDone,
  pruneWorktrees,
  resolveRef,
  setupDone,
  WorktreeSet,
} from '../../src/bench/worktrees.js';
import { UserError } from '../../src/errors.js';
import { statePaths } from '../../src/state/paths.js';
import { makeRepo } from '../fixtures/bench/repos.mjs';

const repos: ReturnType<typeof makeRepo>[] = [];
function twoCommitRepo() {
  const repo = makeRepo();
  repos.push(repo);
  const first = repo.commit({ 'a.txt': 'one\n' }, 'first');
  const second = repo.commit({ 'a.txt': 'two\n' }, 'second');
  return { repo, first, second };
}

afterEach(() => {
  for (const repo of repos.splice(0)) repo.dispose();
});

describe('resolveRef', () => {
  it('resolves branch names, short shas and HEAD~1 to full shas', async () => {
    const { repo, first, second } = twoCommitRepo();
    expect((await resolveRef(repo.root, 'main')).sha).toBe(second);
    expect((await resolveRef(repo.root, 'HEAD~1')).sha).toBe(first);
    expect((await resolveRef(repo.root, first.slice(0, 8))).sha).toBe(first);
  });

  it('names an unknown ref in its error', async () => {
    const { repo } = twoCommitRepo();
    await expect(resolveRef(repo.root, 'no-such-branch')).rejects.toThrow(/unknown git ref "no-such-branch"/);
  });

  it('refuses a ref that git would read as an option', async () => {
    const { repo } = twoCommitRepo();
    await expect(resolveRef(repo.root, '--output=/tmp/x')).rejects.toThrow(/refused.*starts with "-"/);
    await expect(resolveRef(repo.root, '  --output=/tmp/x')).rejects.toThrow(UserError);
  });

  it('reports refs and paths the caller can fix as UserErrors', async () => {
    const { repo, first } = twoCommitRepo();
    await expect(resolveRef(repo.root, 'no-such-branch')).rejects.toThrow(UserError);
    expect(() => new WorktreeSet({ root: repo.root, worktreesDir: join(repo.root, 'trees') })).toThrow(UserError);
    const set = new WorktreeSet({ root: repo.root, worktreesDir: repo.worktreesDir });
    try {
      const tree = await set.acquire(first);
      await expect(copyIntoWorktree(repo.root, tree.dir, ['../outside'])).rejects.toThrow(UserError);
      await expect(copyIntoWorktree(repo.root, tree.dir, ['missing.py'])).rejects.toThrow(UserError);
    } finally {
      await set.close();
    }
  });

  it('passes a cancel on instead of calling the ref unknown', async () => {
    const { repo } = twoCommitRepo();
    await expect(resolveRef(repo.root, 'main', AbortSignal.abort())).rejects.toThrow(/was cancelled/);
  });

  it('snapshots the working tree without touching the index, refs or stash', async () => {
    const { repo, second } = twoCommitRepo();
    repo.write({ 'a.txt': 'edited\n', 'new.txt': 'untracked\n' });
    const statusBefore = repo.git('status', '--porcelain');
    const snapshot = await resolveRef(repo.root, 'WORKTREE');
    expect(snapshot.sha).not.toBe(second);
    expect(snapshot.untracked).toEqual(['new.txt']);
    expect(repo.git('status', '--porcelain')).toBe(statusBefore);
    expect(repo.git('stash', 'list')).toBe('');
  });
});

describe('WorktreeSet', () => {
  it('makes one worktree per commit, shares it within a compare and removes all on close', async () => {
    const { repo, first, second } = twoCommitRepo();
    const set = new WorktreeSet({ root: repo.root, worktreesDir: repo.worktreesDir });
    const a = await set.acquire(first);
    const again = await set.acquire(first);
    const b = await set.acquire(second);
    expect(again.dir).toBe(a.dir);
    expect(b.dir).not.toBe(a.dir);
    expect(readFileSync(join(a.dir, 'a.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(b.dir, 'a.txt'), 'utf8')).toBe('two\n');
    expect(await listWorktrees(repo.root)).toHaveLength(3);
    await set.close();
    expect(await listWorktrees(repo.root)).toEqual([repo.root]);
    expect(existsSync(a.dir) || existsSync(b.dir)).toBe(false);
  });

  it('keeps worktrees when asked and reuses a clean one for the same commit', async () => {
    const { repo, first } = twoCommitRepo();
    const keep = { root: repo.root, worktreesDir: repo.worktreesDir, keep: true };
    const firstSet = new WorktreeSet(keep);
    const made = await firstSet.acquire(first);
    await firstSet.close();
    expect(existsSync(made.dir)).toBe(true);

    // Kept or temporary, every worktree path is as long as any other: path length moves the program's layout.
    const temporarySet = new WorktreeSet({ root: repo.root, worktreesDir: repo.worktreesDir });
    const temporary = await temporarySet.acquire(first, { shared: false });
    expect(temporary.dir).not.toBe(made.dir);
    expect(temporary.dir.length).toBe(made.dir.length);
    await temporarySet.close();

    const secondSet = new WorktreeSet(keep);
    const reused = await secondSet.acquire(first);
    expect(reused).toMatchObject({ dir: made.dir, reused: true });
    writeFileSync(join(reused.dir, 'a.txt'), 'dirty\n');
    await secondSet.close();

    const thirdSet = new WorktreeSet(keep);
    const fresh = await thirdSet.acquire(first);
    expect(fresh.reused).toBe(false);
    expect(readFileSync(join(fresh.dir, 'a.txt'), 'utf8')).toBe('one\n');
    rmSync(fresh.dir, { recursive: true, force: true });
    await pruneWorktrees(repo.root);
    expect(await listWorktrees(repo.root)).toEqual([repo.root]);
  });

  it('remembers a setup done in a worktree of this set, and a fresh worktree trusts no marker', async () => {
    const { repo, first } = twoCommitRepo();
    const set = new WorktreeSet({ root: repo.root, worktreesDir: repo.worktreesDir });
    try {
      const tree = await set.acquire(first);
      expect(await setupDone(tree, 'make')).toBe(false);
      await markSetupDone(tree, 'make');
      expect(await setupDone(tree, 'make')).toBe(true);
      expect(await setupDone(tree, 'make', 'install')).toBe(false);
      expect(await setupDone(tree, 'make other')).toBe(false);
      // The same marker beside a worktree this process did not prepare counts for nothing.
      expect(await setupDone({ ...tree, prepared: new Set() }, 'make')).toBe(false);
    } finally {
      await set.close();
    }
  });

  it("prune removes worktrees whose owning process is gone, and leaves a live owner's alone", async () => {
    const { repo, first, second } = twoCommitRepo();
    const options = { root: repo.root, worktreesDir: repo.worktreesDir };
    const orphaned = await new WorktreeSet(options).acquire(first);
    const live = await new WorktreeSet(options).acquire(second);
    // The first set's server was killed before its cleanup ran: its owner is a pid that has ended.
    const dead = spawnSync('true').pid!;
    writeFileSync(`${orphaned.dir}.owner`, String(dead));
    expect(await pruneWorktrees(repo.root, repo.worktreesDir)).toEqual([orphaned.dir]);
    expect(existsSync(orphaned.dir)).toBe(false);
    expect(existsSync(`${orphaned.dir}.owner`)).toBe(false);
    expect(await listWorktrees(repo.root)).toEqual([repo.root, live.dir]);
    await pruneWorktrees(repo.root, repo.worktreesDir);
    expect(existsSync(live.dir)).toBe(true);
  });

  it('refuses a worktrees directory inside the working tree', () => {
    const { repo } = twoCommitRepo();
    expect(() => new WorktreeSet({ root: repo.root, worktreesDir: join(repo.root, '.codeflash', 'worktrees') })).toThrow(/outside/);
  });
});

describe('copyIntoWorktree', () => {
  it('copies working-tree files in and refuses paths that leave the project', async () => {
    const { repo, first } = twoCommitRepo();
    repo.write({ 'bench/new_bench.py': 'print(1)\n' });
    const set = new WorktreeSet({ root: repo.root, worktreesDir: repo.worktreesDir });
    try {
      const tree = await set.acquire(first);
      await copyIntoWorktree(repo.root, tree.dir, ['bench/new_bench.py']);
      expect(readFileSync(join(tree.dir, 'bench/new_bench.py'), 'utf8')).toBe('print(1)\n');
      await expect(copyIntoWorktree(repo.root, tree.dir, ['../outside'])).rejects.toThrow(/outside the project root/);
      await expect(copyIntoWorktree(repo.root, tree.dir, ['missing.py'])).rejects.toThrow(/does not exist/);
    } finally {
      await set.close();
    }
  });
});

describe('evictKeptWorktrees', () => {
  it('keeps the most recently used kept worktrees and those used in the last half hour', async () => {
    const { repo, first, second } = twoCommitRepo();
    const third = repo.commit({ 'a.txt': 'three\n' }, 'third');
    const fourth = repo.commit({ 'a.txt': 'four\n' }, 'fourth');
    const set = new WorktreeSet({ root: repo.root, worktreesDir: repo.worktreesDir, keep: true });
    const shas = [first, second, third, fourth];
    for (const sha of shas) await set.acquire(sha);
    await set.close();
    // Three of them last used two hours ago (oldest first), one just now.
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const kept = (sha: string) => join(repo.worktreesDir, `${sha.slice(0, 12)}-reusable`);
    for (const [index, sha] of shas.slice(0, 3).entries()) utimesSync(kept(sha), hoursAgo(3 - index), hoursAgo(3 - index));
    const evicted = await evictKeptWorktrees(repo.root, repo.worktreesDir);
    // Room is made for one more: the oldest idle one goes.
    expect(evicted).toEqual([kept(first)]);
    expect(shas.slice(1).every((sha) => existsSync(kept(sha)))).toBe(true);
    expect(await listWorktrees(repo.root)).not.toContain(kept(first));
  });
});

describe('the worktrees directory is private to this user', () => {
  it('is made 0700 by default, under a per-user name', async () => {
    const { repo, first } = twoCommitRepo();
    const worktreesDir = statePaths(repo.root).worktreesDir;
    expect(worktreesDir).toContain(`-${process.getuid!()}-`);
    const set = new WorktreeSet({ root: repo.root, worktreesDir });
    try {
      await set.acquire(first);
      expect(statSync(worktreesDir).mode & 0o777).toBe(0o700);
    } finally {
      await set.close();
      rmSync(worktreesDir, { recursive: true, force: true });
    }
  });

  it.each<[string, (dir: string) => void, RegExp]>([
    [
      'open to others (0777)',
      (dir: string) => {
        mkdirSync(dir);
        chmodSync(dir, 0o777);
      },
      /open to other users \(mode 777\)/,
    ],
    [
      'a symlink to another directory',
      (dir: string) => symlinkSync(mkdtempSync(join(tmpdir(), 'cf-elsewhere-')), dir),
      /not a directory of its own/,
    ],
    ...(process.getuid?.() === 0
      ? ([
          [
            'owned by another user',
            (dir: string) => {
              mkdirSync(dir, { mode: 0o700 });
              chownSync(dir, 65534, 65534);
            },
            /belongs to another user \(uid 65534\)/,
          ],
        ] as [string, (dir: string) => void, RegExp][])
      : []),
  ])('a directory pre-created %s is refused, and nothing is put in it', async (_, plant, message) => {
    const { repo, first } = twoCommitRepo();
    const worktreesDir = join(mkdtempSync(join(tmpdir(), 'cf-shared-tmp-')), 'trees');
    plant(worktreesDir);
    const set = new WorktreeSet({ root: repo.root, worktreesDir });
    try {
      await expect(set.acquire(first)).rejects.toThrow(UserError);
      await expect(set.acquire(first)).rejects.toThrow(message);
      expect(readdirSync(worktreesDir)).toEqual([]);
      expect(await pruneWorktrees(repo.root, worktreesDir)).toEqual([]);
    } finally {
      await set.close();
    }
  });
});
