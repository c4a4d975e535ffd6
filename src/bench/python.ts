import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Environment for Python runs: a fixed hash seed (set iteration order and
 * instruction counts repeat), and the worktree (and its `src/`, for src
 * layouts) first on the import path so each side imports its own code rather
 * than a copy installed from the working tree.
 */
export function pythonEnv(worktreeDir: string): Record<string, string> {
  const paths = [worktreeDir, join(worktreeDir, 'src')].filter(existsSync);
  const inherited = process.env.PYTHONPATH;
  return {
    PYTHONHASHSEED: '0',
    PYTHONPATH: [...paths, ...(inherited ? [inherited] : [])].join(delimiter),
  };
}
