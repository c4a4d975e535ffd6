import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { shortSha } from '../../src/format.js';
import { changedPaths, currentBranch, GitError, git, revertToHead, switchToBranch } from '../../src/workspace/git.js';
import { gitIn, makeRepo } from '../helpers/git-repo.js';
import { processesWith } from '../helpers/processes.js';

/**
 * A git command whose post-checkout hook sleeps for a long time: git waits on
 * the hook, and the hook is a grandchild that only a process-group kill ends.
 * The sleep's odd duration is the marker the test finds it by.
 */
function hangingCheckout(root: string): { args: string[]; marker: string } {
  const marker = `sleep 3${String(process.pid).slice(-3)}.${Math.floor(Math.random() * 1e6)}`;
  const hook = join(root, '.git', 'hooks', 'post-checkout');
  writeFileSync(hook, `#!/bin/sh\n${marker}\n`);
  chmodSync(hook, 0o755);
  return { args: ['checkout', '-q', '-b', 'hooked'], marker };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('git', () => {
  it('returns stdout as git wrote it', async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    expect(await git(root, ['rev-parse', 'HEAD'])).toBe(`${gitIn(root, 'rev-parse', 'HEAD').trim()}\n`);
  });

  it("fails with git's own words and its exit code", async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    const error = await git(root, ['switch', 'no-such-branch']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toBe('git switch no-such-branch failed: fatal: invalid reference: no-such-branch');
    expect((error as GitError).exitCode).toBe(128);
  });

  it('takes a non-zero exit without stderr as a failure', async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    await expect(git(root, ['show-ref', '--verify', '--quiet', 'refs/heads/nope'])).rejects.toMatchObject({
      name: 'GitError',
      exitCode: 1,
      message: 'git show-ref --verify --quiet refs/heads/nope failed: exit code 1',
    });
  });

  it('stops git and its process group at the timeout', async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    const { args, marker } = hangingCheckout(root);
    const running = git(root, args, { timeoutMs: 600 }).catch((e: unknown) => e);
    await tick(300);
    expect(processesWith(marker)).toHaveLength(1);
    const error = await running;
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/did not finish within 600 ms and was stopped/);
    expect((error as GitError).exitCode).toBeUndefined();
    await tick(100);
    expect(processesWith(marker)).toEqual([]);
  });

  it('ends git when the signal aborts, and starts none for an aborted signal', async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    const { args, marker } = hangingCheckout(root);
    const controller = new AbortController();
    const running = git(root, args, { signal: controller.signal }).catch((e: unknown) => e);
    await tick(300);
    expect(processesWith(marker)).toHaveLength(1);
    controller.abort();
    expect(((await running) as GitError).message).toMatch(/was cancelled/);
    await tick(100);
    expect(processesWith(marker)).toEqual([]);
    await expect(git(root, ['rev-parse', 'HEAD'], { signal: controller.signal })).rejects.toThrow(/was cancelled/);
  });

  it("passes git no inherited GIT_DIR, so a hook's environment cannot point it elsewhere", async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    const other = makeRepo({ 'b.txt': 'two\n' });
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = join(other, '.git');
    try {
      expect((await git(root, ['rev-parse', '--show-toplevel'], { readOnly: true })).trim()).toBe(
        gitIn(root, 'rev-parse', '--show-toplevel').trim(),
      );
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('shows 12 characters of a sha', () => {
    expect(shortSha('0123456789abcdef0123456789abcdef01234567')).toBe('0123456789ab');
  });
});

describe('switchToBranch', () => {
  it('creates a branch, then switches back to an existing one', async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    expect(await switchToBranch(root, 'perf/cpu-fast')).toEqual({ created: true });
    expect(await currentBranch(root)).toBe('perf/cpu-fast');
    expect(await switchToBranch(root, 'main')).toEqual({ created: false });
    expect(await currentBranch(root)).toBe('main');
  });

  it('refuses a name git would read as an option, leading spaces or not', async () => {
    const root = makeRepo({ 'a.txt': 'one\n' });
    for (const name of ['-D', ' --orphan']) await expect(switchToBranch(root, name)).rejects.toBeInstanceOf(UserError);
    expect(gitIn(root, 'branch', '--format=%(refname:short)').trim()).toBe('main');
  });
});

describe('revertToHead', () => {
  it('saves the change as a binary patch, puts tracked files back and keeps untracked ones', async () => {
    const root = makeRepo({ 'odd name.txt': 'one\n', 'data.bin': '\u0000\u0001' });
    writeFileSync(join(root, 'odd name.txt'), 'changed\n');
    writeFileSync(join(root, 'data.bin'), '\u0002\u0003');
    writeFileSync(join(root, 'new.txt'), 'mine\n');
    gitIn(root, 'add', 'data.bin');
    expect(await changedPaths(root)).toEqual({
      tracked: [
        { status: 'M', path: 'data.bin' },
        { status: 'M', path: 'odd name.txt' },
      ],
      untracked: ['new.txt'],
    });

    const report = await revertToHead(root, { stateDir: join(root, '.codeflash'), patchDir: join(root, '.codeflash', 'patches') });
    expect(report.reverted.map((entry) => entry.path)).toEqual(['data.bin', 'odd name.txt']);
    expect(report.untracked_kept).toEqual(['new.txt']);
    expect(readFileSync(join(root, 'odd name.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(join(root, 'new.txt'))).toBe(true);
    expect(readFileSync(report.patch!, 'utf8')).toContain('GIT binary patch');
    gitIn(root, 'apply', report.patch!);
    expect(readFileSync(join(root, 'odd name.txt'), 'utf8')).toBe('changed\n');
  });
});
