import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { excerpt, UserError } from '../errors.js';
import { shortSha } from '../format.js';
import { processAlive } from '../proc/children.js';
import { GitError, git } from '../workspace/git.js';
import { confinedPath, ensurePrivateDir, isInside, privateDirProblem, refuseOptionLike } from '../workspace/paths.js';

/** The ref name that stands for the uncommitted working tree (tracked changes plus untracked, non-ignored files). */
export const WORKING_TREE_REF = 'WORKTREE';

export interface ResolvedRef {
  ref: string;
  sha: string;
  /** Untracked files to copy in when the ref is the working tree snapshot. */
  untracked: string[];
}

/**
 * Resolve a ref to a commit sha. `WORKTREE` becomes a commit object made by
 * `git stash create` (no ref, index or file is touched) plus the list of
 * untracked files, so the working tree can be measured from its own worktree.
 */
export async function resolveRef(root: string, ref: string, signal?: AbortSignal): Promise<ResolvedRef> {
  refuseOptionLike('ref', ref);
  if (!ref.trim()) throw new UserError('ref is empty');
  const query = { signal, readOnly: true };
  if (ref === WORKING_TREE_REF) {
    const head = await resolveRef(root, 'HEAD', signal);
    const stashed = (await git(root, ['stash', 'create'], { signal })).trim();
    const untracked = (await git(root, ['ls-files', '--others', '--exclude-standard', '-z'], query)).split('\0').filter(Boolean);
    return { ref, sha: stashed || head.sha, untracked };
  }
  const sha = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], query).then(
    (out) => out.trim(),
    (error: unknown) => {
      // git answered that there is no such commit; a timeout or a cancel is passed on as it is.
      if (error instanceof GitError && error.exitCode !== undefined) return '';
      throw error;
    },
  );
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new UserError(`unknown git ref "${excerpt(ref)}": it does not name a commit in ${root}`);
  return { ref, sha, untracked: [] };
}

/**
 * Remove the worktrees under `worktreesDir` that a process no longer running
 * left behind (a server killed mid-compare never reaches its cleanup), then let
 * git forget entries whose directories are gone. Each temporary worktree names
 * its owner's pid beside it, so those of another live server on the same
 * project are left alone. Returns the directories removed.
 */
export async function pruneWorktrees(root: string, worktreesDir?: string): Promise<string[]> {
  const removed = worktreesDir ? await orphanedWorktrees(worktreesDir) : [];
  for (const dir of removed) await removeWorktree(root, dir);
  await git(root, ['worktree', 'prune']);
  return removed;
}

/** The temporary worktrees under `worktreesDir` whose owning process has ended; none in a directory that is not this user's own. */
export async function orphanedWorktrees(worktreesDir: string): Promise<string[]> {
  const orphans: string[] = [];
  const ours = existsSync(worktreesDir) && privateDirProblem(worktreesDir) === undefined;
  for (const name of ours ? await readdir(worktreesDir) : []) {
    if (!name.endsWith(OWNER_SUFFIX)) continue;
    const owner = Number.parseInt(await readFile(join(worktreesDir, name), 'utf8').catch(() => ''), 10);
    if (!(Number.isInteger(owner) && processAlive(owner))) orphans.push(join(worktreesDir, name.slice(0, -OWNER_SUFFIX.length)));
  }
  return orphans;
}

const OWNER_SUFFIX = '.owner';
/** The name a kept worktree ends in, as long as the 8 random hex digits of a temporary one. */
const KEPT_SUFFIX = 'reusable';
const KEPT_NAME = new RegExp(`^[0-9a-f]{12}-${KEPT_SUFFIX}$`);

/** Worktree paths git knows for this repository. */
export async function listWorktrees(root: string): Promise<string[]> {
  const text = await git(root, ['worktree', 'list', '--porcelain'], { readOnly: true });
  return text
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

export interface Worktree {
  dir: string;
  sha: string;
  /** True when this worktree was kept by an earlier compare and reused as is. */
  reused: boolean;
  /** Left in place by `close()` for a later compare. */
  keep: boolean;
  /** Setup and install keys done in this worktree by this process (a bisect runs several compares on one set). */
  prepared: Set<string>;
}

export interface WorktreeSetOptions {
  root: string;
  /** Parent directory for the worktrees; must lie outside the repository's working tree. */
  worktreesDir: string;
  /**
   * Keep worktrees after `close()` so a later compare of the same commit skips
   * checkout and setup. Off by default: nothing is left behind.
   */
  keep?: boolean;
  log?: (line: string) => void;
}

/**
 * The worktrees of one compare: one per distinct commit, made on first use and
 * removed by `close()`, which is safe to call on error or cancel.
 */
export class WorktreeSet {
  private readonly open = new Map<string, Promise<Worktree>>();
  private readonly made: Worktree[] = [];

  constructor(private readonly options: WorktreeSetOptions) {
    if (isInside(resolve(options.worktreesDir), resolve(options.root))) {
      throw new UserError(
        `worktreesDir ${options.worktreesDir} lies inside the working tree ${options.root}; choose a directory outside it`,
      );
    }
  }

  /**
   * The worktree checked out at `sha`, made once per commit. A private one
   * (`shared: false`) is never handed out twice nor kept, for trees that will
   * receive files the commit does not have.
   */
  acquire(sha: string, options: { signal?: AbortSignal; shared?: boolean } = {}): Promise<Worktree> {
    const shared = options.shared ?? true;
    if (!shared) return this.make(sha, false, options.signal);
    let pending = this.open.get(sha);
    if (!pending) {
      pending = this.make(sha, this.options.keep ?? false, options.signal);
      this.open.set(sha, pending);
    }
    return pending;
  }

  private async make(sha: string, keep: boolean, signal?: AbortSignal): Promise<Worktree> {
    const { root, worktreesDir } = this.options;
    ensurePrivateDir(worktreesDir);
    // Every worktree path has the same length (short sha, dash, 8 characters), kept or not: a path's length
    // moves the environment and so the program's layout, which would bias one side (see measure.ts).
    const dir = resolve(worktreesDir, `${shortSha(sha)}-${keep ? KEPT_SUFFIX : randomBytes(4).toString('hex')}`);
    if (keep && (await isCleanWorktreeAt(root, dir, sha))) {
      const worktree = { dir, sha, reused: true, keep, prepared: new Set<string>() };
      this.made.push(worktree);
      await touch(dir);
      this.options.log?.(`reusing worktree ${dir}`);
      return worktree;
    }
    if (keep) await evictKeptWorktrees(root, worktreesDir, this.options.log);
    if (existsSync(dir)) await removeWorktree(root, dir);
    const worktree = { dir, sha, reused: false, keep, prepared: new Set<string>() };
    this.made.push(worktree);
    // Written before the checkout, so even a kill during `worktree add` leaves an owner to check.
    if (!keep) await writeFile(`${dir}${OWNER_SUFFIX}`, String(process.pid));
    await git(root, ['worktree', 'add', '--detach', '--', dir, sha], { signal });
    this.options.log?.(`worktree ${dir} at ${shortSha(sha)}`);
    return worktree;
  }

  /** Remove every worktree this set made (unless kept), then let git forget stale entries. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.open.values()]);
    const failures: string[] = [];
    for (const { dir } of this.made.filter((worktree) => !worktree.keep)) {
      try {
        await removeWorktree(this.options.root, dir);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    this.made.length = 0;
    this.open.clear();
    await pruneWorktrees(this.options.root).catch((error: Error) => failures.push(error.message));
    if (failures.length) this.options.log?.(`worktree cleanup: ${failures.join('; ')}`);
  }
}

/** Kept worktrees (with their installed dependencies) beyond this many are removed, least recently used first. */
const MAX_KEPT_WORKTREES = 4;
/** A kept worktree used this recently may serve a compare running now, in this server or another. */
const KEPT_IN_USE_MS = 30 * 60_000;

/**
 * Keep at most MAX_KEPT_WORKTREES kept worktrees under `worktreesDir` (those
 * named `<short sha>-reusable`), removing the least recently used first, except
 * any used in the last KEPT_IN_USE_MS.
 */
export async function evictKeptWorktrees(root: string, worktreesDir: string, log?: (line: string) => void): Promise<string[]> {
  const kept: Array<{ dir: string; usedMs: number }> = [];
  for (const name of existsSync(worktreesDir) ? await readdir(worktreesDir) : []) {
    if (!KEPT_NAME.test(name)) continue;
    const dir = join(worktreesDir, name);
    const used = await stat(dir).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (used !== undefined) kept.push({ dir, usedMs: used });
  }
  const evicted = kept
    .sort((a, b) => b.usedMs - a.usedMs)
    .slice(MAX_KEPT_WORKTREES - 1)
    .filter(({ usedMs }) => Date.now() - usedMs > KEPT_IN_USE_MS)
    .map(({ dir }) => dir);
  for (const dir of evicted) await removeWorktree(root, dir);
  if (evicted.length) log?.(`removed ${evicted.length} least recently used kept worktree(s)`);
  return evicted;
}

async function touch(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now).catch(() => undefined);
}

async function removeWorktree(root: string, dir: string): Promise<void> {
  await git(root, ['worktree', 'remove', '--force', '--force', '--', dir]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  for (const kind of SETUP_KINDS) await rm(setupMarkerPath(dir, kind), { force: true });
  await rm(`${dir}${OWNER_SUFFIX}`, { force: true });
}

/** A kept worktree is reused only when git still lists it at the same commit with no tracked change. */
async function isCleanWorktreeAt(root: string, dir: string, sha: string): Promise<boolean> {
  if (!existsSync(dir) || !(await listWorktrees(root)).includes(dir)) return false;
  try {
    const head = await git(dir, ['rev-parse', 'HEAD'], { readOnly: true });
    const changes = await git(dir, ['status', '--porcelain', '--untracked-files=no'], { readOnly: true });
    return head.trim() === sha && changes.trim() === '';
  } catch {
    return false;
  }
}

/**
 * Copy paths (relative to the repository root) from the working tree into a
 * worktree: benchmarks that do not exist at an older ref, or the untracked
 * files of a working-tree snapshot.
 */
export async function copyIntoWorktree(root: string, worktreeDir: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const source = confinedPath(root, path, 'inject path');
    if (!existsSync(source)) throw new UserError(`inject path ${excerpt(path)} does not exist in the working tree ${root}`);
    const target = join(worktreeDir, relative(resolve(root), source));
    await mkdir(dirname(target), { recursive: true });
    await cp(source, target, { recursive: true, force: true });
  }
}

/** What a marker records: the user's setup command, or the project's own install and build. */
export type SetupKind = 'setup' | 'install';
const SETUP_KINDS: readonly SetupKind[] = ['setup', 'install'];

// Setup markers sit beside the worktree, never inside it, so they cannot make the tree dirty.
function setupMarkerPath(worktreeDir: string, kind: SetupKind = 'setup'): string {
  return `${worktreeDir}.${kind}`;
}

/** Whether this setup already ran in this worktree: in this process, or (a kept worktree) by an earlier one, by commit and key. */
export async function setupDone(worktree: Worktree, key: string, kind: SetupKind = 'setup'): Promise<boolean> {
  if (worktree.prepared.has(`${kind}\n${key}`)) return true;
  if (!worktree.reused) return false;
  try {
    return (await readFile(setupMarkerPath(worktree.dir, kind), 'utf8')) === `${worktree.sha}\n${key}`;
  } catch {
    return false;
  }
}

export async function markSetupDone(worktree: Worktree, key: string, kind: SetupKind = 'setup'): Promise<void> {
  worktree.prepared.add(`${kind}\n${key}`);
  await writeFile(setupMarkerPath(worktree.dir, kind), `${worktree.sha}\n${key}`);
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
