import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { excerpt, UserError } from '../errors.js';
import { canonical, isInside } from '../workspace/paths.js';

export function rootsFromUris(uris: readonly string[]): string[] {
  return uris.filter((u) => u.startsWith('file://')).map((u) => fileURLToPath(u));
}

/**
 * Which directories the server may work in, and which one is the default.
 * Order of the default: `--root`, the client's first root, CLAUDE_PROJECT_DIR,
 * the working directory. A `root` argument must lie inside one of the allowed
 * directories: `--root` and the client's roots when given, else the default.
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
    return canonical(this.cliRoot ?? this.clientRoots[0] ?? this.env.CLAUDE_PROJECT_DIR ?? this.cwd);
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
