import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessPath } from '../package.js';
import { runProcess } from './run.js';

/** How a wall run is clocked: a posix_spawn helper in C or Python, or Node's own spawn. */
export type TimerKind = 'c' | 'python' | 'node';

/** A program that speaks the timing helpers' protocol (see harness/timed_spawn.c). */
export interface TimingHelper {
  kind: 'c' | 'python';
  /** The command that starts it; `--cpu N` may follow. */
  argv: string[];
}

const C_SOURCE = harnessPath('timed_spawn.c');
const PYTHON_SOURCE = harnessPath('timed_spawn.py');
const COMPILE_TIMEOUT_MS = 60_000;

export function describeTimer(kind: TimerKind): string {
  if (kind === 'node') return "Node's clock around its own spawn";
  return `posix_spawn timing helper (${kind === 'c' ? 'C' : 'Python'})`;
}

/**
 * The timing helper to use, in order of preference: the C one, built once per
 * machine with its C compiler (`$CC` or `cc`) into the user's cache, then the
 * Python one under `python`; undefined when neither can run (Node's clock is
 * then the fallback). `prefer` picks one kind, for measuring them against each
 * other. A build failure is not an error: the next kind is tried.
 */
export async function timingHelper(options: {
  python?: string;
  prefer?: TimerKind;
  log?: (line: string) => void;
}): Promise<TimingHelper | undefined> {
  const { python, prefer, log } = options;
  if (prefer === 'node') return undefined;
  if (prefer !== 'python') {
    const binary = await compiledHelper().catch((error: Error) => {
      log?.(`C timing helper unavailable: ${error.message}`);
      return undefined;
    });
    if (binary) return { kind: 'c', argv: [binary] };
    if (prefer === 'c') return undefined;
  }
  return python ? { kind: 'python', argv: [python, '-S', '-u', PYTHON_SOURCE] } : undefined;
}

const builds = new Map<string, Promise<string>>();

/** The C helper's binary, compiled on first use; keyed by a hash of its source so an upgrade rebuilds it. */
function compiledHelper(): Promise<string> {
  const compiler = process.env.CC || 'cc';
  let pending = builds.get(compiler);
  if (!pending) {
    pending = build(compiler).catch((error: Error) => {
      builds.delete(compiler);
      throw error;
    });
    builds.set(compiler, pending);
  }
  return pending;
}

async function build(compiler: string): Promise<string> {
  const source = readFileSync(C_SOURCE);
  const key = createHash('sha256').update(source).update(compiler).update(process.arch).digest('hex').slice(0, 16);
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codeflash-mcp');
  const binary = await mkdir(dir, { recursive: true }).then(
    () => join(dir, `timed_spawn-${key}`),
    () => join(tmpdir(), `codeflash-timed_spawn-${key}`),
  );
  if (existsSync(binary)) return binary;
  // Built beside its final name and renamed, so two servers building at once never run a half-written file.
  const partial = `${binary}.${process.pid}.partial`;
  const result = await runProcess([compiler, '-O2', '-o', partial, C_SOURCE], { cwd: tmpdir(), timeoutMs: COMPILE_TIMEOUT_MS });
  if (result.exitCode !== 0) {
    await rm(partial, { force: true });
    const why = result.spawnError ?? (result.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${result.exitCode}`);
    throw new Error(`${compiler} could not build it: ${why}`);
  }
  await rename(partial, binary);
  return binary;
}
