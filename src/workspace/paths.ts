import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';

/**
 * Refuse a value a program (git, an interpreter) could read as an option before
 * it reaches one. Leading whitespace does not save it: a shell or a later trim
 * would bring the "-" to the front. An absent value passes.
 */
export function refuseOptionLike(what: string, value: string | undefined): void {
  if (value?.trimStart().startsWith('-')) {
    throw new UserError(
      `${what} "${value.slice(0, 200)}" is refused: it starts with "-" and would be read as an option (${what} must not start with "-")`,
    );
  }
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
  refuseOptionLike(what, path);
  const full = resolve(root, path);
  const real = canonical(full);
  const realRoot = canonical(root);
  if (real === realRoot || !isInside(real, realRoot)) throw new UserError(`${what} ${path} is outside the project root ${root}`);
  return full;
}
