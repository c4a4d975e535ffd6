import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { excerpt, UserError } from '../errors.js';
import { canonical, isInside } from '../workspace/paths.js';

export function rootsFromUris(uris: readonly string[]): string[] {
  return uris.filter((u) => u.startsWith('file://')).map((u) => fileURLToPath(u));
}

/** Whether a directory is inside a git work tree (a `.git` here or above) or already holds codeflash state. */
function looksLikeProject(dir: string): boolean {
  if (existsSync(join(dir, '.codeflash'))) return true;
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
}

/**
 * Which directories the server may work in, and which one is the default.
 * Order of the default: `--root`, the client's first root, CLAUDE_PROJECT_DIR,
 * the working directory. The working directory counts only when it looks like a
 * project (inside a git work tree, or holding .codeflash/): hosts start servers
 * in their own folder or in `/`, where no state belongs. A `root` argument must
 * lie inside one of the allowed directories: `--root` and the client's roots
 * when given, else the default.
 */
export class RootPolicy {
  private clientRoots: string[] = [];

  constructor(
    private readonly cliRoot: string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly cwd: string = process.cwd(),
  ) {}

  setClientRoots(paths: readonly string[]): void {
    this.clientRoots = paths.map(canonical);
  }

  defaultRoot(): string {
    const given = this.cliRoot ?? this.clientRoots[0] ?? this.env.CLAUDE_PROJECT_DIR;
    if (given) return canonical(given);
    if (!looksLikeProject(this.cwd)) {
      throw new UserError(
        `no project root: the client sent no roots and the working directory ${this.cwd} is not a git repository; ` +
          'start the server with --root DIR (or CODEFLASH_ROOT), or from inside the project',
      );
    }
    return canonical(this.cwd);
  }

  /** The default root for a log line, or why there is none. */
  describeDefault(): string {
    try {
      return this.defaultRoot();
    } catch {
      return `none yet (working directory ${this.cwd} is not a project)`;
    }
  }

  allowedRoots(): string[] {
    const explicit = [...(this.cliRoot ? [canonical(this.cliRoot)] : []), ...this.clientRoots];
    return explicit.length ? [...new Set(explicit)] : [this.defaultRoot()];
  }

  /** Resolve a tool's `root` argument (relative to the default root) and confine it. */
  resolve(root?: string): string {
    if (root === undefined || root === '') return this.defaultRoot();
    if (root.split(/[\\/]/).includes('..')) throw new UserError(`root must not contain "..": ${excerpt(root)}`);
    const path = canonical(isAbsolute(root) ? root : resolve(this.defaultRoot(), root));
    const allowed = this.allowedRoots();
    if (!allowed.some((a) => isInside(path, a))) {
      throw new UserError(
        `root ${excerpt(path)} is outside the allowed roots (${allowed.join(', ')}); start the server with --root or add it as a client root`,
      );
    }
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new UserError(`root ${excerpt(path)} is not a directory`);
    return path;
  }
}
