import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { type ParsedCommand, parseCommand } from '../proc/command.js';
import { findOnPath } from './files.js';
import { goExecutable } from './go.js';
import { isBarePythonName, resolveRealPython } from './interpreter.js';
import { probe } from './probe.js';
import type { Language } from './types.js';

export interface ResolveOptions {
  /** The project's language: decides what `-m`/`-c` (Python) and `-e`/`-p` (Node) belong to. */
  language: Language;
  /** Where the project lives; `.venv`, `node_modules/.bin` and the TypeScript runner are looked up here. */
  root: string;
  /** The interpreter to use for Python; resolved once to the real executable behind any shim. */
  python?: string;
  signal?: AbortSignal;
}

/** What the resolver put in front of (or in place of) the command's first word. */
export type Runtime = 'python' | 'node' | 'tsx' | 'node-strip-types' | 'go' | 'project-bin';

export interface ResolvedCommand extends ParsedCommand {
  runtime?: Runtime;
}

const NODE_SCRIPT = /\.[cm]?js$/;
const TYPESCRIPT_SCRIPT = /\.[cm]?ts$/;
/** Node added `--experimental-strip-types` in 22.6. */
const STRIP_TYPES_SINCE: [number, number] = [22, 6];

/**
 * The one place a command's runtime is chosen, for every tool that runs a
 * project command (profile, benchmark_compare, scan, the CI command): a script
 * gets its runtime put first — `python` for `.py` (the real interpreter, never a
 * shim), `node` for `.js`/`.mjs`/`.cjs`, and for `.ts` the project's `tsx`, else
 * Node's own type stripping (Node ≥ 22.6). A bare `python`/`python3` becomes the
 * real interpreter, a bare `go` the toolchain, and a bare name that only the
 * project's `node_modules/.bin` holds (vitest, tsx) runs from there. Text that
 * needs a shell is left as written.
 */
export async function resolveCommand(command: string | string[], options: ResolveOptions): Promise<ResolvedCommand> {
  const parsed = parseCommand(command);
  if (parsed.needsShell) return parsed;
  const argv = [...parsed.argv];
  const first = argv[0]!;
  const python = () => resolveRealPython(options.root, options.python, options.signal);
  if (isBarePythonName(first)) {
    argv[0] = await python();
    return { argv, needsShell: false, runtime: 'python' };
  }
  if (first.endsWith('.py') || (options.language === 'python' && (first === '-m' || first === '-c'))) {
    return { argv: [await python(), ...argv], needsShell: false, runtime: 'python' };
  }
  if (NODE_SCRIPT.test(first) || (options.language === 'node' && ['-e', '-p', '--eval', '--print'].includes(first))) {
    return { argv: [await nodeExecutable(), ...argv], needsShell: false, runtime: 'node' };
  }
  if (TYPESCRIPT_SCRIPT.test(first)) return typescriptCommand(argv, options);
  if (first === 'go') {
    argv[0] = goExecutable();
    return { argv, needsShell: false, runtime: 'go' };
  }
  if (!first.includes('/') && existsSync(join(options.root, 'node_modules', '.bin', first))) {
    // Relative, so each worktree of a compare runs its own installed copy.
    argv[0] = `./node_modules/.bin/${first}`;
    return { argv, needsShell: false, runtime: 'project-bin' };
  }
  return { argv, needsShell: false };
}

/**
 * A TypeScript script: under the project's tsx when it has one (`node --import
 * tsx`, so Node's own flags such as the profiler's still apply), else under
 * Node's type stripping, which Node 22.6 and later have.
 */
async function typescriptCommand(argv: string[], options: ResolveOptions): Promise<ResolvedCommand> {
  const node = await nodeExecutable();
  if (existsSync(join(options.root, 'node_modules', 'tsx'))) {
    return { argv: [node, '--import', 'tsx', ...argv], needsShell: false, runtime: 'tsx' };
  }
  const version = await nodeVersion(node, options);
  if (version && atLeast(version, STRIP_TYPES_SINCE)) {
    return { argv: [node, '--experimental-strip-types', ...argv], needsShell: false, runtime: 'node-strip-types' };
  }
  throw new UserError(
    `${argv[0]} is TypeScript: add tsx to the project (npm install -D tsx) or use Node ≥ ${STRIP_TYPES_SINCE.join('.')} (this is Node ${version ?? 'unknown'})`,
  );
}

/** `node` from PATH (the project's Node), else the Node running this server. */
export async function nodeExecutable(): Promise<string> {
  return (await findOnPath('node')) ?? process.execPath;
}

const versions = new Map<string, Promise<[number, number] | undefined>>();

async function nodeVersion(node: string, options: ResolveOptions): Promise<[number, number] | undefined> {
  let pending = versions.get(node);
  if (!pending) {
    pending = probe([node, '--version'], { cwd: options.root, signal: options.signal }).then((text) => {
      const match = /^v(\d+)\.(\d+)/.exec(text ?? '');
      return match ? [Number(match[1]), Number(match[2])] : undefined;
    });
    versions.set(node, pending);
  }
  return pending;
}

function atLeast(version: [number, number], wanted: [number, number]): boolean {
  return version[0] > wanted[0] || (version[0] === wanted[0] && version[1] >= wanted[1]);
}
