import type { Writable } from 'node:stream';

/** Where a command writes: results to `out` (stdout), errors and the progress line to `err` (stderr). */
export interface CommandIo {
  out: Writable;
  err: Writable & { isTTY?: boolean };
}

/** Exit codes of the gate commands: CI reads 1 as "a regression", so nothing else may exit 1. */
export const EXIT = { ok: 0, regression: 1, error: 2 } as const;

/**
 * One line of progress rewritten in place on a terminal, so a person sees the
 * compare move; nothing at all when stderr is a file or a pipe (a CI log).
 */
export function progressLine(io: CommandIo): { update(message: string): void; clear(): void } {
  if (!io.err.isTTY) return { update() {}, clear() {} };
  const started = Date.now();
  let shown = false;
  let last = 0;
  return {
    update(message) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const seconds = Math.round((now - started) / 1000);
      // A terminal of unknown size (a pty nobody sized) says 0 columns.
      const columns = (io.err as { columns?: number }).columns || 100;
      io.err.write(`\r\x1b[2K${`${seconds} s  ${message}`.slice(0, columns - 1)}`);
      shown = true;
    },
    clear() {
      if (shown) io.err.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/**
 * Ctrl-C or SIGTERM aborts the work (its process groups are killed and its
 * worktrees removed on the way out) instead of ending Node at once, which would
 * leave both behind; a second one exits at once.
 */
function interruptible(): { signal: AbortSignal; received(): NodeJS.Signals | undefined; dispose(): void } {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (received) process.exit(EXIT_ON_SIGNAL[name]);
    received = name;
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs a gate command's work with a progress line and Ctrl-C/SIGTERM turned into an abort of
 * `signal`; an interrupted run exits with the signal's code, and `project` is closed either way.
 */
export async function runInterruptibly(
  io: CommandIo,
  project: { close(): void },
  work: (signal: AbortSignal, progress: ReturnType<typeof progressLine>) => Promise<number>,
): Promise<number> {
  const progress = progressLine(io);
  const interrupt = interruptible();
  try {
    return await work(interrupt.signal, progress);
  } catch (error) {
    const name = interrupt.received();
    if (!name) throw error;
    io.err.write(`codeflash-mcp: interrupted by ${name}; its runs were stopped and its worktrees removed\n`);
    return EXIT_ON_SIGNAL[name] ?? EXIT.error;
  } finally {
    interrupt.dispose();
    progress.clear();
    project.close();
  }
}

/** The shell's convention, 128 + the signal's number: an interrupted gate is neither a pass nor a regression. */
export const EXIT_ON_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
