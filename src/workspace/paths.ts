import { lstatSync, mkdirSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { excerpt, UserError } from '../errors.js';

/**
 * Refuse a value a program (git, an interpreter) could read as an option before
 * it reaches one. Leading whitespace does not save it: a shell or a later trim
 * would bring the "-" to the front. An absent value passes.
 */
export function refuseOptionLike(what: string, value: string | undefined): void {
  if (value?.trimStart().startsWith('-')) {
    throw new UserError(
      `${what} "${excerpt(value)}" is refused: it starts with "-" and would be read as an option (${what} must not start with "-")`,
    );
  }
}

/** Symbolic links followed in one resolution before giving up, as Linux does (MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * The real path, so symlinks cannot step outside a root. For a path that does
 * not exist (yet), the real path of its deepest existing ancestor with the rest
 * appended, and a dangling symlink is followed by its text: `link/new.txt`,
 * where `link` points outside, is outside even before new.txt exists.
 */
export function canonical(path: string): string {
  return resolveLinks(resolve(path), 0);
}

function resolveLinks(abs: string, links: number): string {
  try {
    return realpathSync(abs);
  } catch {
    // Missing, or a dangling link on the way: resolved piece by piece below.
  }
  const parent = dirname(abs);
  if (parent === abs) return abs;
  const realParent = resolveLinks(parent, links);
  if (!isSymlink(abs)) return join(realParent, basename(abs));
  if (links >= MAX_LINKS) throw new UserError(`${excerpt(abs)} goes through more than ${MAX_LINKS} symbolic links`);
  return resolveLinks(resolve(realParent, readlinkSync(abs)), links + 1);
}

/** Whether the entry is a symbolic link; an entry that cannot exist (a name too long, a file on the way) is none. */
function isSymlink(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch {
    return false;
  }
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * A path inside root, relative or absolute, as an absolute path; anything that
 * escapes root — by `..`, an absolute path elsewhere, or a symlink — is refused,
 * and so is root itself and a path that looks like an option.
 */
export function confinedPath(root: string, path: string, what = 'path'): string {
  refuseOptionLike(what, path);
  const full = resolve(root, path);
  const real = canonical(full);
  const realRoot = canonical(root);
  if (real === realRoot || !isInside(real, realRoot)) throw new UserError(`${what} ${excerpt(path)} is outside the project root ${root}`);
  return full;
}

/**
 * Why `dir` is not a directory private to this user (undefined when it is, or
 * does not exist): a symbolic link or anything but a directory, another
 * owner, or access for group or others. In a shared temp directory anyone can
 * create a name first and then read or swap what is put inside.
 */
export function privateDirProblem(dir: string): string | undefined {
  const stat = lstatSync(dir, { throwIfNoEntry: false });
  if (!stat) return undefined;
  const fix = 'remove it, or set TMPDIR to a directory of your own';
  if (!stat.isDirectory()) return `${dir} is not a directory of its own (a symbolic link or a file is there); ${fix}`;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `${dir} belongs to another user (uid ${stat.uid}); ${fix}`;
  if (stat.mode & 0o077) return `${dir} is open to other users (mode ${(stat.mode & 0o777).toString(8)}); ${fix}`;
  return undefined;
}

/** Make `dir` (and missing parents) with mode 0700, or refuse with a UserError one that exists and is not private (see privateDirProblem). */
export function ensurePrivateDir(dir: string): void {
  const problem = privateDirProblem(dir);
  if (problem) throw new UserError(problem);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Checked again: made by someone else between the check and mkdir, it would be refused now.
  const late = privateDirProblem(dir);
  if (late) throw new UserError(late);
}
