import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';

/** Refuse a caller's value that git or a program could read as an option. */
export function refuseOptionLike(label: string, value: string | undefined): void {
  if (value?.trimStart().startsWith('-')) {
    throw new UserError(`${label} must not start with "-": ${value.slice(0, 200)}`);
  }
}

/** Refuse anything a program (git, an interpreter) could read as an option before it reaches one. */
export function assertNotOption(value: string, what: string): void {
  if (value.startsWith('-')) throw new Error(`${what} "${value}" is refused: it starts with "-" and would be read as an option`);
}

/** Real path when it exists (so symlinks cannot step outside a root), else the normalized path. */
export function canonical(path: string): string {
  const abs = resolve(path);
  return existsSync(abs) ? realpathSync(abs) : abs;
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
  assertNotOption(path, what);
  const full = resolve(root, path);
  const real = canonical(full);
  const realRoot = canonical(root);
  if (real === realRoot || !isInside(real, realRoot)) throw new Error(`${what} ${path} is outside the project root ${root}`);
  return full;
}
