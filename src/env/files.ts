import { constants } from 'node:fs';
import { access, opendir, readdir, readFile, stat } from 'node:fs/promises';
import { delimiter, join, relative } from 'node:path';
import { parse as parseToml } from 'smol-toml';

export async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Whether a directory directly holds a regular file whose name passes `accept`; false when it does not exist. */
export async function hasFileNamed(dir: string, accept: (name: string) => boolean): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.some((entry) => entry.isFile() && accept(entry.name));
}

export async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

export type TomlTable = Record<string, unknown>;

/** A parsed TOML file; `error` says why a file that exists could not be read. */
export async function readToml(path: string): Promise<{ table?: TomlTable; error?: string }> {
  const text = await readText(path);
  if (text === undefined) return {};
  try {
    return { table: parseToml(text) as TomlTable };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
}

/** The sub-table at a dotted path (`tool.codeflash`), if every step is a table. */
export function tomlTable(table: TomlTable | undefined, path: string): TomlTable | undefined {
  let current: unknown = table;
  for (const key of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return isPlainObject(current) ? current : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Whether an INI-style file (setup.cfg, tox.ini) has a `[section]` header. */
export function iniHasSection(text: string | undefined, section: string): boolean {
  if (!text) return false;
  return text.split(/\r?\n/).some((line) => line.trim() === `[${section}]`);
}

/** First `key = value` inside `[section]` of an INI-style file. */
export function iniValue(text: string | undefined, section: string, key: string): string | undefined {
  if (!text) return undefined;
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inSection = line === `[${section}]`;
    else if (inSection) {
      const match = /^([\w.-]+)\s*[=:]\s*(.*)$/.exec(line);
      if (match && match[1] === key) return match[2]!.trim() || undefined;
    }
  }
  return undefined;
}

/** The first executable called `name` on PATH, found without starting a process. */
export async function findOnPath(name: string, pathVar = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable && (await isFile(candidate))) return candidate;
  }
  return undefined;
}

/** Directories no walk ever descends into, besides hidden ones (.git, .venv): installed dependencies. */
const NEVER_WALKED = new Set(['node_modules', '__pycache__', 'site-packages']);

export interface WalkLimits {
  /** Stop after visiting this many directory entries in total. */
  maxEntries: number;
  maxDepth: number;
  /** Further directory names the caller's language ignores. */
  skipDirectory?: (name: string) => boolean;
}

export interface WalkResult {
  files: string[];
  /** True when a limit stopped the walk before the tree was fully seen. */
  truncated: boolean;
}

/**
 * Files under `root` (relative paths) whose name passes `accept`, breadth first,
 * skipping hidden and dependency directories, bounded by entry count and depth.
 */
export async function findFiles(root: string, accept: (name: string) => boolean, limits: WalkLimits): Promise<WalkResult> {
  const files: string[] = [];
  let seen = 0;
  let level = [root];
  for (let depth = 0; depth <= limits.maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      const handle = await opendir(dir).catch(() => undefined);
      if (!handle) continue;
      for await (const entry of handle) {
        // Leaving the loop early closes the directory handle.
        if (++seen > limits.maxEntries) return { files, truncated: true };
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          const skipped = entry.name.startsWith('.') || NEVER_WALKED.has(entry.name) || limits.skipDirectory?.(entry.name);
          if (!skipped) next.push(path);
        } else if (entry.isFile() && accept(entry.name)) {
          files.push(relative(root, path));
        }
      }
    }
    if (depth === limits.maxDepth && next.length > 0) return { files, truncated: true };
    level = next;
  }
  return { files, truncated: false };
}
