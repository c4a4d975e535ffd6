import { readFile } from 'node:fs/promises';
import { type CompareRequest, compareRefs } from '../bench/compare.js';
import { UserError } from '../errors.js';
import { killAllGroups } from '../proc/children.js';
import type { HelperEvent } from './protocol.js';

/** After a stop is asked for, the measuring gets this long to end its runs and remove its worktrees. */
const STOP_LIMIT_MS = 15_000;

export interface MeasureOptions {
  /** Print events as JSON lines (see protocol.ts) instead of progress on stderr and the table on stdout. */
  json: boolean;
  /** Stop when stdin closes: the SSH session that started this went away or was cancelled. */
  untilStdinCloses: boolean;
  /** Where results go (the CLI's stdout); progress and log lines go to stderr unless `json`. */
  write: (text: string) => void;
}

/**
 * `codeflash-mcp measure`: run one compare from a request file on this machine
 * and print what it found. It is the helper vm_bench uploads to a host, so the
 * host's runs are timed where they run; it opens no store. SIGTERM, SIGHUP,
 * SIGINT (and stdin closing, when asked) stop it: runs are killed and the
 * worktrees removed before it exits. Returns the exit code.
 */
export async function measureFromFile(path: string, options: MeasureOptions): Promise<number> {
  const controller = new AbortController();
  const stop = (why: string) => {
    if (controller.signal.aborted) return;
    controller.abort(new Error(why));
    setTimeout(() => void killAllGroups(0).finally(() => process.exit(1)), STOP_LIMIT_MS).unref();
  };
  const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
  const handlers = signals.map((name) => [name, () => stop(name)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);
  if (options.untilStdinCloses) {
    process.stdin.on('end', () => stop('stdin closed')).on('close', () => stop('stdin closed'));
    process.stdin.resume();
  }
  const emit = (event: HelperEvent) => {
    if (options.json) options.write(`${JSON.stringify(event)}\n`);
    else if (event.event === 'progress') process.stderr.write(`${event.message}\n`);
    else if (event.event === 'log') process.stderr.write(`${event.line}\n`);
    else if (event.event === 'error') process.stderr.write(`codeflash-mcp: ${event.message}\n`);
    else options.write(`${event.comparison.markdown}\n`);
  };
  try {
    const request = JSON.parse(await readFile(path, 'utf8')) as CompareRequest;
    const comparison = await compareRefs(request, {
      signal: controller.signal,
      onProgress: (done, total, message) => emit({ event: 'progress', done, total, message }),
      log: (line) => emit({ event: 'log', line }),
    });
    emit({ event: 'result', comparison });
    return 0;
  } catch (error) {
    const message = controller.signal.aborted ? `stopped (${(controller.signal.reason as Error).message})` : (error as Error).message;
    emit({ event: 'error', message, user: error instanceof UserError || error instanceof SyntaxError });
    return 1;
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
    process.stdin.destroy();
    await killAllGroups(300);
  }
}
