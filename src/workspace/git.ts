import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runProcess, tail } from '../proc/run.js';

export class GitError extends Error {
  override readonly name = 'GitError';
}

/** Run git in `root`; throws GitError with git's own words when it fails. */
export async function git(root: string, args: string[], timeoutMs = 30_000): Promise<string> {
  const result = await runProcess(['git', ...args], { cwd: root, timeoutMs, env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
  if (result.spawnError) throw new GitError(`git could not start: ${result.spawnError}`);
  if (result.timedOut) throw new GitError(`git ${args[0]} timed out after ${timeoutMs} ms`);
  if (result.exitCode !== 0) throw new GitError(tail(result.stderr.trim() || result.stdout.trim(), 1000) || `git ${args[0]} failed`);
  return result.stdout;
}

export async function isGitRepo(root: string): Promise<boolean> {
  try {
    return (await git(root, ['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

/** Current branch name, or undefined on a detached HEAD or in a repository with no commits. */
export async function currentBranch(root: string): Promise<string | undefined> {
  try {
    return (await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function headSha(root: string): Promise<string | undefined> {
  try {
    return (await git(root, ['rev-parse', '--verify', 'HEAD'])).trim();
  } catch {
    return undefined;
  }
}

async function branchExists(root: string, name: string): Promise<boolean> {
  try {
    await git(root, ['show-ref', '--verify', '--quiet', `refs/heads/${name}`]);
    return true;
  } catch {
    return false;
  }
}

/** Check out `name`, creating it from HEAD when it does not exist. The name must already be validated. */
export async function switchToBranch(root: string, name: string): Promise<{ created: boolean }> {
  await git(root, ['check-ref-format', '--branch', name]);
  if (await branchExists(root, name)) {
    await git(root, ['switch', '--quiet', name]);
    return { created: false };
  }
  await git(root, ['switch', '--quiet', '--create', name]);
  return { created: true };
}

export interface ChangedPath {
  status: string;
  path: string;
}

/** Porcelain status as (XY, path) pairs; `-z` keeps odd file names intact. */
export async function changedPaths(root: string, excludeDir?: string): Promise<{ tracked: ChangedPath[]; untracked: string[] }> {
  const out = await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.', ...excludeSpec(root, excludeDir)]);
  const entries = out.split('\0').filter(Boolean);
  const tracked: ChangedPath[] = [];
  const untracked: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const status = entry.slice(0, 2);
    const path = entry.slice(3);
    if (status === '??') untracked.push(path);
    else tracked.push({ status: status.trim(), path });
    if (status.startsWith('R') || status.startsWith('C')) i++; // the rename's source follows
  }
  return { tracked, untracked };
}

function excludeSpec(root: string, dir?: string): string[] {
  if (!dir) return [];
  const rel = relative(root, dir);
  return rel && !rel.startsWith('..') ? [`:(exclude)${rel}`] : [];
}

export interface RevertReport {
  reverted: ChangedPath[];
  untracked_kept: string[];
  patch: string | null;
}

/**
 * Put every tracked file back to HEAD (index and working tree), leaving the
 * state directory alone. The undone change is first saved as a binary patch,
 * so nothing is lost; untracked files are listed and left in place, since the
 * server cannot tell the experiment's new files from the user's.
 */
export async function revertToHead(root: string, options: { stateDir: string; patchDir: string }): Promise<RevertReport> {
  const { tracked, untracked } = await changedPaths(root, options.stateDir);
  if (!tracked.length) return { reverted: [], untracked_kept: untracked, patch: null };
  const exclude = excludeSpec(root, options.stateDir);
  const diff = await git(root, ['diff', 'HEAD', '--binary', '--', '.', ...exclude]);
  mkdirSync(options.patchDir, { recursive: true });
  const patch = join(options.patchDir, `revert-${new Date().toISOString().replace(/[:.]/g, '-')}.patch`);
  writeFileSync(patch, diff);
  await git(root, ['restore', '--source=HEAD', '--staged', '--worktree', '--', '.', ...exclude]);
  return { reverted: tracked, untracked_kept: untracked, patch };
}
