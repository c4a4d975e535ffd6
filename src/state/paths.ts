import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Files session_cleanup keeps: the project's long-term memory. */
export const KEPT_FILES = ['learnings.md', 'results.tsv', 'changelog.md'] as const;

const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A bare file name that can only ever address a file directly inside the state directory. */
export function isSafeFileName(name: string): boolean {
  return SAFE_FILE_NAME.test(name) && !name.includes('..');
}

export interface StatePaths {
  root: string;
  stateDir: string;
  database: string;
  gitignore: string;
  profilesDir: string;
  revertsDir: string;
  /**
   * Parent of the base/head worktrees: outside the project so test discovery
   * never sees them, named per user and project in the temp directory, and
   * made private (0700) by its first use; one that someone else made is refused.
   */
  worktreesDir: string;
  file(name: string): string;
}

/**
 * Every path the server writes for a project, derived from one state directory
 * (by default `<root>/.codeflash`) so the state can live elsewhere when asked.
 */
export function statePaths(root: string, stateDir?: string): StatePaths {
  const absRoot = resolve(root);
  const dir = resolve(stateDir ?? join(absRoot, '.codeflash'));
  const rootKey = createHash('sha256').update(absRoot).digest('hex').slice(0, 12);
  return {
    root: absRoot,
    stateDir: dir,
    database: join(dir, 'state.sqlite'),
    gitignore: join(dir, '.gitignore'),
    profilesDir: join(dir, 'profiles'),
    revertsDir: join(dir, 'reverts'),
    worktreesDir: join(tmpdir(), `codeflash-mcp-worktrees-${process.getuid?.() ?? 'user'}-${rootKey}`),
    file(name: string) {
      if (!isSafeFileName(name)) throw new Error(`not a state file name: ${name}`);
      return join(dir, name);
    },
  };
}
