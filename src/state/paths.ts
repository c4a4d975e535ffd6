import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/** Files session_cleanup keeps: the project's long-term memory. */
export const KEPT_FILES = ['learnings.md', 'results.tsv', 'changelog.md'] as const;

/** The folder of the state directory a case study is exported to when no other is named. */
export const CASE_STUDY_DIR = 'case-study';

const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A bare file name that can only ever address a file directly inside the state directory. */
export function isSafeFileName(name: string): boolean {
  return SAFE_FILE_NAME.test(name) && !name.includes('..');
}

export interface StatePaths {
  root: string;
  stateDir: string;
  /** The state home the state directory was derived from, when one was given. */
  stateHome?: string;
  database: string;
  gitignore: string;
  profilesDir: string;
  revertsDir: string;
  /** The project's own templates (pr-body.md and others), kept by cleanup. */
  templatesDir: string;
  /**
   * Parent of the base/head worktrees: outside the project so test discovery
   * never sees them, named per user and project in the temp directory, and
   * made private (0700) by its first use; one that someone else made is refused.
   */
  worktreesDir: string;
  file(name: string): string;
}

/**
 * Every path the server writes for a project, derived from one state directory:
 * `<root>/.codeflash` by default, or with a state home (`--state-dir`,
 * CODEFLASH_STATE_DIR) `<home>/<org>/<project>`, a case-study workspace
 * outside the target repository, one folder per project.
 */
export function statePaths(root: string, stateHome?: string): StatePaths {
  const absRoot = resolve(root);
  const dir = stateHome ? join(resolve(stateHome), ...projectKey(absRoot)) : join(absRoot, '.codeflash');
  const rootKey = createHash('sha256').update(absRoot).digest('hex').slice(0, 12);
  return {
    root: absRoot,
    stateDir: dir,
    ...(stateHome ? { stateHome: resolve(stateHome) } : {}),
    database: join(dir, 'state.sqlite'),
    gitignore: join(dir, '.gitignore'),
    profilesDir: join(dir, 'profiles'),
    revertsDir: join(dir, 'reverts'),
    templatesDir: join(dir, 'templates'),
    worktreesDir: join(tmpdir(), `codeflash-mcp-worktrees-${process.getuid?.() ?? 'user'}-${rootKey}`),
    file(name: string) {
      if (!isSafeFileName(name)) throw new Error(`not a state file name: ${name}`);
      return join(dir, name);
    },
  };
}

const KEY_PART = /[^A-Za-z0-9._-]+/g;

function keyPart(text: string): string {
  const part = text
    .replace(KEY_PART, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 100);
  return part || 'project';
}

/**
 * The org and project a repository belongs to, as the case-study workspace
 * names its folders: from the `origin` remote (`git@github.com:org/project.git`,
 * `https://host/org/project`), else the parent folder and the root's own name.
 * Read from git's config file, so it needs no process and no network.
 */
export function projectKey(root: string): [string, string] {
  const url = originUrl(root);
  const parts = url
    ?.replace(/\.git\/?$/, '')
    .split(/[/:]/)
    .filter(Boolean);
  if (parts && parts.length >= 2) return [keyPart(parts[parts.length - 2]!), keyPart(parts[parts.length - 1]!)];
  return [keyPart(basename(dirname(root))), keyPart(basename(root))];
}

function originUrl(root: string): string | undefined {
  const config = gitConfigFile(root);
  if (!config) return undefined;
  let inOrigin = false;
  for (const raw of readFileSync(config, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inOrigin = /^\[remote\s+"origin"\]$/.test(line);
    else if (inOrigin) {
      const url = /^url\s*=\s*(.+)$/.exec(line)?.[1];
      if (url) return url.trim();
    }
  }
  return undefined;
}

/** `.git/config`, following a worktree's `.git` file (`gitdir: …`) and its `commondir` to the shared config. */
function gitConfigFile(root: string): string | undefined {
  const dotGit = join(root, '.git');
  const stat = statSync(dotGit, { throwIfNoEntry: false });
  if (!stat) return undefined;
  let gitDir = dotGit;
  if (stat.isFile()) {
    const target = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (!target) return undefined;
    gitDir = isAbsolute(target) ? target : resolve(root, target);
    const common = join(gitDir, 'commondir');
    if (existsSync(common)) gitDir = resolve(gitDir, readFileSync(common, 'utf8').trim());
  }
  const config = join(gitDir, 'config');
  return existsSync(config) ? config : undefined;
}
