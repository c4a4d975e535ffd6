import { StringDecoder } from 'node:string_decoder';
import { StreamCapture, TAIL_BYTES } from './capture.js';
import { releaseGroup, trackGroup, watchGroup } from './children.js';

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Replace the inherited environment instead of extending it. */
  extendEnv?: boolean;
  /** Kill the whole process group after this many milliseconds. */
  timeoutMs?: number;
  /** Aborting kills the whole process group. */
  signal?: AbortSignal;
  /** Run through `/bin/sh -c` (only when the caller was asked for a shell). */
  shell?: boolean;
  /** Text written to the child's stdin; stdin is closed otherwise. */
  input?: string;
  /** Called with each complete line of stdout and stderr as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called once with the pid right after spawn (for samplers that attach). */
  onSpawn?: (pid: number) => void;
  /** Milliseconds between SIGTERM and SIGKILL when the group is ended. */
  killGraceMs?: number;
  /**
   * Keep the whole stdout up to this many bytes, for a caller that parses all
   * of it (git, go test -bench); past it `stdoutCut` is set. Without it only
   * the last 64 KiB of stdout is kept. stderr always keeps its last 64 KiB.
   */
  stdoutMaxBytes?: number;
}

export interface RunResult {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  /** All of stdout, or its last 64 KiB when `stdoutCut` (see RunOptions.stdoutMaxBytes). */
  stdout: string;
  /** True when stdout holds only the end of what the program wrote. */
  stdoutCut: boolean;
  /** The last 64 KiB of stderr. */
  stderr: string;
  /** Wall time from spawn to exit, in nanoseconds (process.hrtime). */
  durationNs: bigint;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  pid?: number;
}

/** A line longer than this reaches onLine in pieces of this size, so a program printing without newlines cannot grow one. */
const MAX_LINE_CHARS = TAIL_BYTES;

/**
 * Run one program in its own process group, without a shell unless asked.
 * Never throws for a failing program: the caller reads exitCode / timedOut /
 * cancelled / spawnError. On timeout or abort the whole group gets SIGTERM and,
 * after a short grace, SIGKILL, so no grandchild outlives the call. Output is
 * read to its end however long it is (the program never meets a closed pipe)
 * and kept in bounded memory (see StreamCapture).
 */
export async function runProcess(argv: string[], options: RunOptions): Promise<RunResult> {
  if (argv.length === 0) throw new Error('empty command');
  const [file, ...args] = options.shell ? ['/bin/sh', '-c', argv.join(' ')] : argv;
  // Loaded on first use: it is a large module and most server starts run nothing.
  const { execa } = await import('execa');
  // The clock starts at the spawn, so a run's duration never holds the module load.
  const started = process.hrtime.bigint();
  const child = execa(file!, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    detached: true,
    reject: false,
    stripFinalNewline: false,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    buffer: false,
  });
  const captured = { stdout: new StreamCapture(options.stdoutMaxBytes), stderr: new StreamCapture() };
  for (const stream of ['stdout', 'stderr'] as const) {
    const lines = options.onLine ? lineSplitter((line) => options.onLine!(line, stream)) : undefined;
    child[stream]?.on('data', (chunk: Buffer) => {
      captured[stream].push(chunk);
      lines?.push(chunk);
    });
    child[stream]?.on('end', () => lines?.end());
  }
  const pid = child.pid;
  // The run ends when the process exits, not when execa has drained its pipes (about 2 ms later here).
  let exitedAt: bigint | undefined;
  child.once('exit', () => {
    exitedAt = process.hrtime.bigint();
  });
  const grace = options.killGraceMs ?? 500;
  if (pid !== undefined) {
    trackGroup(pid);
    options.onSpawn?.(pid);
  }
  const watch = watchGroup(pid, { timeoutMs: options.timeoutMs, signal: options.signal, graceMs: grace });
  const result = await child;
  const durationNs = (exitedAt ?? process.hrtime.bigint()) - started;
  watch.stop();
  // The leader has exited; anything it left behind in its group goes too.
  if (pid !== undefined) releaseGroup(pid, grace);
  const spawnError =
    result.exitCode === undefined && result.signal === undefined && result.failed
      ? result.cause instanceof Error
        ? result.cause.message
        : String(result.shortMessage ?? 'could not start')
      : undefined;
  return {
    argv,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: captured.stdout.text(),
    stdoutCut: captured.stdout.cut,
    stderr: captured.stderr.text(),
    durationNs,
    timedOut: watch.timedOut,
    cancelled: watch.cancelled,
    spawnError,
    pid,
  };
}

/** Complete lines of a byte stream, each handed on as it ends; see MAX_LINE_CHARS. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return {
    push(chunk) {
      const lines = (pending + decoder.write(chunk)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
      while (pending.length > MAX_LINE_CHARS) {
        onLine(pending.slice(0, MAX_LINE_CHARS));
        pending = pending.slice(MAX_LINE_CHARS);
      }
    },
    end() {
      pending += decoder.end();
      if (pending) onLine(pending);
    },
  };
}

/** The last `maxChars` characters of a text, cut at a line start when possible. */
export function tail(text: string, maxChars = 2000): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(-maxChars);
  const nl = cut.indexOf('\n');
  return nl >= 0 && nl < cut.length - 1 ? cut.slice(nl + 1) : cut;
}
