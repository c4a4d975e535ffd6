import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runProcess, tail } from '../proc/run.js';
import { refuseOptionLike } from './paths.js';

/** git is stopped after this long: a lock it waits on, a prompt nobody answers. */
export const GIT_TIMEOUT_MS = 120_000;

/** The most git output read whole (a revert's binary diff is the largest): past it a command is an error, never half-read. */
const GIT_STDOUT_MAX_BYTES = 64 * 1024 * 1024;

/** A git command that failed, timed out or was cancelled; the message holds git's own words. */
export class GitError extends Error {
  override readonly name = 'GitError';

  /** `exitCode` is git's own; it is undefined when git was stopped or could not start. */
  constructor(
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

export interface GitOptions {
  signal?: AbortSignal;
  /**
   * A query that changes nothing: it takes no optional lock (status and diff
   * refresh the index opportunistically), so a git command run meanwhile in
   * the project never finds the index locked by ours.
   */
  readOnly?: boolean;
  /** Stop git (and its process group) after this long (default GIT_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** No credential prompt can hang a call, and git speaks untranslated English for the messages passed on. */
/**
 * Variables that point git at another repository: a server started from a git hook inherits
 * GIT_DIR and friends, and git must still work on the root it is given.
 */
const REDIRECTING_ENV = Object.fromEntries(
  ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_CEILING_DIRECTORIES'].map(
    (name) => [name, undefined],
  ),
);
const BASE_ENV = { ...REDIRECTING_ENV, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
const READ_ONLY_ENV = { ...BASE_ENV, GIT_OPTIONAL_LOCKS: '0' };

/**
 * Run git in `root` and return its stdout as it is. Every git command of the
 * server goes through here, in its own process group like every other child,
 * so a timeout or a cancel also ends the hooks git started (a post-checkout
 * hook of `worktree add`). simple-git was measured for this and left out: it
 * waits 50 ms after every command that prints nothing (`worktree prune`,
 * `status` on a clean tree: +51 ms a call against a bare spawn, bench/git-overhead.mjs),
 * and it stops only the git process itself, not its group.
 */
export async function git(root: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  const command = `git ${args.join(' ')}`;
  const timeoutMs = options.timeoutMs ?? GIT_TIMEOUT_MS;
  const result = await runProcess(['git', ...args], {
    cwd: root,
    env: options.readOnly ? READ_ONLY_ENV : BASE_ENV,
    timeoutMs,
    signal: options.signal,
    stdoutMaxBytes: GIT_STDOUT_MAX_BYTES,
  });
  if (result.spawnError) throw new GitError(`${command} could not start: ${result.spawnError}`);
  if (result.timedOut) throw new GitError(`${command} did not finish within ${timeoutMs} ms and was stopped`);
  if (result.cancelled) throw new GitError(`${command} was cancelled`);
  if (result.exitCode !== 0) {
    const words = result.stderr.trim() || result.stdout.trim();
    const how = result.exitCode === null ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
    throw new GitError(`${command} failed: ${tail(words, 1000) || how}`, result.exitCode ?? undefined);
  }
  if (result.stdoutCut) throw new GitError(`${command} printed more than ${GIT_STDOUT_MAX_BYTES / 1024 / 1024} MiB, more than is read`);
  return result.stdout;
}

export async function isGitRepo(root: string): Promise<boolean> {
  try {
    return (await git(root, ['rev-parse', '--is-inside-work-tree'], { readOnly: true })).trim() === 'true';
  } catch {
    return false;
  }
}

/** Current branch name, or undefined on a detached HEAD or in a repository with no commits. */
export async function currentBranch(root: string): Promise<string | undefined> {
  try {
    return (await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { readOnly: true })).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function headSha(root: string): Promise<string | undefined> {
  try {
    return (await git(root, ['rev-parse', '--verify', 'HEAD'], { readOnly: true })).trim();
  } catch {
    return undefined;
  }
}

/** The URL a remote fetches from, as configured; undefined when the repository has no remote of that name. */
export async function remoteUrl(root: string, name: string): Promise<string | undefined> {
  refuseOptionLike('remote', name);
  try {
    return (await git(root, ['remote', 'get-url', '--', name], { readOnly: true })).trim() || undefined;
  } catch (error) {
    if (error instanceof GitError && error.exitCode !== undefined) return undefined;
    throw error;
  }
}

async function branchExists(root: string, name: string): Promise<boolean> {
  try {
    await git(root, ['show-ref', '--verify', '--quiet', `refs/heads/${name}`], { readOnly: true });
    return true;
  } catch {
    return false;
  }
}

/** Check out `name`, creating it from HEAD when it does not exist. */
export async function switchToBranch(root: string, name: string): Promise<{ created: boolean }> {
  refuseOptionLike('branch', name);
  await git(root, ['check-ref-format', '--branch', name], { readOnly: true });
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
  const out = await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.', ...excludeSpec(root, excludeDir)], {
    readOnly: true,
  });
  return parsePorcelain(out);
}

function parsePorcelain(out: string): { tracked: ChangedPath[]; untracked: string[] } {
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
  const diff = await git(root, ['diff', 'HEAD', '--binary', '--', '.', ...exclude], { readOnly: true });
  mkdirSync(options.patchDir, { recursive: true });
  const patch = join(options.patchDir, `revert-${new Date().toISOString().replace(/[:.]/g, '-')}.patch`);
  writeFileSync(patch, diff);
  await git(root, ['restore', '--source=HEAD', '--staged', '--worktree', '--', '.', ...exclude]);
  return { reverted: tracked, untracked_kept: untracked, patch };
}

/** Paths given by a caller are taken literally: a `*` or `:(glob)` in a file name matches only that name. */
const LITERAL = '--literal-pathspecs';

/** A commit runs the project's hooks (pre-commit may lint and test), so it gets longer than a query. */
const COMMIT_TIMEOUT_MS = 10 * 60_000;

/** The changes among the given paths only: tracked ones with their status, and untracked files. */
export async function pathChanges(root: string, paths: readonly string[]): Promise<{ tracked: ChangedPath[]; untracked: string[] }> {
  const out = await git(root, [LITERAL, 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths], { readOnly: true });
  return parsePorcelain(out);
}

/**
 * Commit exactly `paths` (their working-tree content, new files included) and
 * nothing else: whatever else is staged stays staged and out of the commit.
 * The project's hooks run as for any commit. When git refuses (a pre-commit
 * hook fails), nothing is committed and the index is as it was: the
 * intent-to-add entries made for new files are taken back.
 */
export async function commitPaths(root: string, paths: readonly string[], message: string): Promise<string> {
  const { untracked } = await pathChanges(root, paths);
  if (untracked.length) await git(root, [LITERAL, 'add', '--intent-to-add', '--', ...untracked]);
  try {
    await git(root, [LITERAL, 'commit', '--quiet', '--only', '--message', message, '--', ...paths], { timeoutMs: COMMIT_TIMEOUT_MS });
  } catch (error) {
    if (untracked.length) await git(root, [LITERAL, 'reset', '--quiet', '--', ...untracked]).catch(() => {});
    throw error;
  }
  return (await git(root, ['rev-parse', '--verify', 'HEAD'], { readOnly: true })).trim();
}

export interface RestoreReport {
  restored: ChangedPath[];
  /** The undone change as a binary patch (`git apply` brings it back); null when nothing had changed. */
  patch: string | null;
}

/**
 * Put exactly `paths` back to HEAD, index and working tree: a changed file
 * gets HEAD's content, a file HEAD does not have is removed. The undone change
 * is saved first as a binary patch in `patchDir`, new files included.
 */
export async function restorePaths(root: string, paths: readonly string[], patchDir: string): Promise<RestoreReport> {
  const { tracked, untracked } = await pathChanges(root, paths);
  const changed = [...tracked.map((c) => c.path), ...untracked];
  if (!changed.length) return { restored: [], patch: null };
  if (untracked.length) await git(root, [LITERAL, 'add', '--intent-to-add', '--', ...untracked]);
  const diff = await git(root, [LITERAL, 'diff', 'HEAD', '--binary', '--', ...changed], { readOnly: true });
  mkdirSync(patchDir, { recursive: true });
  const patch = join(patchDir, `discard-${new Date().toISOString().replace(/[:.]/g, '-')}.patch`);
  writeFileSync(patch, diff);
  await git(root, [LITERAL, 'restore', '--source=HEAD', '--staged', '--worktree', '--', ...changed]);
  return { restored: [...tracked, ...untracked.map((path) => ({ status: '??', path }))], patch };
}

/** Whether `path` exists in the tree of commit `sha`. */
export async function existsAtCommit(root: string, sha: string, path: string): Promise<boolean> {
  refuseOptionLike('commit', sha);
  try {
    await git(root, ['cat-file', '-e', `${sha}:${path}`], { readOnly: true });
    return true;
  } catch {
    return false;
  }
}

/** The tree a commit points to, or undefined when the commit is not in the repository (a pruned snapshot). */
export async function treeOf(root: string, sha: string): Promise<string | undefined> {
  refuseOptionLike('commit', sha);
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', `${sha}^{tree}`], { readOnly: true })).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The commit where `a` and `b` diverge (the branch point), or undefined when they share no history. */
export async function mergeBase(root: string, a: string, b: string): Promise<string | undefined> {
  refuseOptionLike('ref', a);
  refuseOptionLike('ref', b);
  try {
    return (await git(root, ['merge-base', a, b], { readOnly: true })).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The files a commit changed against its first parent. */
export async function filesOfCommit(root: string, sha: string): Promise<string[]> {
  refuseOptionLike('commit', sha);
  const out = await git(root, ['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', '--root', sha], { readOnly: true });
  return out.split('\0').filter(Boolean);
}

/** A commit as a mail-style patch (message and diff), as `git am` applies it. */
export async function commitPatch(root: string, sha: string): Promise<string> {
  refuseOptionLike('commit', sha);
  return git(root, ['format-patch', '-1', '--stdout', '--binary', sha], { readOnly: true });
}
