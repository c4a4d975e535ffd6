import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { releaseGroup, signalGroup, trackGroup, untrackGroup, watchGroup } from './children.js';
import type { RunResult } from './run.js';

/**
 * Reads one job per line on stdin and answers on stdout: {"pid"} once the
 * program runs, then {"pid", "elapsed_ns", "exit" | "signal"} when it ends, or
 * {"error"} when it cannot start. posix_spawn is a vfork-style clone, so the
 * clock holds the program's own start-up and little else — what hyperfine
 * measures too. Each program gets its own process group (setpgroup=0).
 */
const HELPER = String.raw`
import json, os, sys, time

def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()

if not hasattr(os, "posix_spawnp"):
    sys.exit(3)
reply({"ready": True})
for line in sys.stdin:
    job = json.loads(line)
    fds = []
    try:
        fds = [os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) for name in ("stdout", "stderr")]
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_DUP2, fds[0], 1), (os.POSIX_SPAWN_DUP2, fds[1], 2)]
        os.chdir(job["cwd"])
        start = time.perf_counter_ns()
        pid = os.posix_spawnp(job["argv"][0], job["argv"], job["env"], file_actions=actions, setpgroup=0)
    except OSError as error:
        reply({"error": "%s: %s" % (type(error).__name__, error.strerror or error)})
        continue
    finally:
        for fd in fds:
            os.close(fd)
    reply({"pid": pid})
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if os.WIFSIGNALED(status):
        reply({"pid": pid, "elapsed_ns": elapsed, "signal": os.WTERMSIG(status)})
    else:
        reply({"pid": pid, "elapsed_ns": elapsed, "exit": os.WEXITSTATUS(status)})
`;

interface HelperMessage {
  ready?: boolean;
  pid?: number;
  elapsed_ns?: number;
  exit?: number;
  signal?: number;
  error?: string;
}

export interface TimedRunOptions {
  cwd: string;
  /** Over the inherited environment. */
  env?: Record<string, string>;
  shell?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  killGraceMs?: number;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/**
 * Times whole processes the way hyperfine does, through a small Python helper
 * that spawns each one and clocks spawn to exit. Node's own spawn carries a
 * cost of its own into every run — measured here on a 40 ms Python program,
 * 3 ms (7 %) above hyperfine's median, which also shrinks every change it shows
 * by that share. One run at a time; `close()` ends the helper.
 */
export class TimedSpawner {
  private readonly lines: AsyncIterator<string>;
  private readonly outputDir = mkdtempSync(join(tmpdir(), 'codeflash-timed-'));
  private busy = false;

  private constructor(private readonly helper: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: helper.stdout })[Symbol.asyncIterator]();
  }

  /** Start the helper under `python` (CPython 3.8+, for posix_spawn); rejects when it cannot run there. */
  static async start(python: string): Promise<TimedSpawner> {
    const helper = spawn(python, ['-S', '-u', '-c', HELPER], { stdio: 'pipe', detached: true });
    await new Promise<void>((resolve, reject) => {
      helper.once('spawn', resolve);
      helper.once('error', reject);
    });
    trackGroup(helper.pid!);
    const spawner = new TimedSpawner(helper);
    const hello = await spawner.next().catch((error: Error) => ({ error: error.message }) as HelperMessage);
    if (!hello.ready) {
      await spawner.close();
      throw new Error(`the timing helper could not start under ${python}: ${hello.error ?? 'no posix_spawn'}`);
    }
    return spawner;
  }

  async run(argv: string[], options: TimedRunOptions): Promise<RunResult> {
    if (this.busy) throw new Error('TimedSpawner runs one program at a time');
    this.busy = true;
    try {
      return await this.runOne(argv, options);
    } finally {
      this.busy = false;
    }
  }

  private async runOne(argv: string[], options: TimedRunOptions): Promise<RunResult> {
    const full = options.shell ? ['/bin/sh', '-c', argv.join(' ')] : argv;
    const stdout = join(this.outputDir, 'stdout');
    const stderr = join(this.outputDir, 'stderr');
    const env = { ...process.env, ...options.env } as Record<string, string>;
    this.helper.stdin.write(`${JSON.stringify({ argv: full, cwd: options.cwd, env, stdout, stderr })}\n`);
    const started = await this.next();
    const empty = { argv, stdout: '', stderr: '', durationNs: 0n, timedOut: false, cancelled: false };
    if (started.error !== undefined) return { ...empty, exitCode: null, signal: null, spawnError: started.error };
    const pid = started.pid!;
    trackGroup(pid);
    const grace = options.killGraceMs ?? 500;
    const watch = watchGroup(pid, { timeoutMs: options.timeoutMs, signal: options.signal, graceMs: grace });
    let ended: HelperMessage;
    try {
      ended = await this.next();
    } finally {
      watch.stop();
    }
    // The leader has exited; anything it left behind in its group goes too.
    releaseGroup(pid, grace);
    return {
      argv,
      exitCode: ended.exit ?? null,
      signal: ended.signal === undefined ? null : (SIGNAL_NAMES.get(ended.signal) ?? String(ended.signal)),
      stdout: readFileSync(stdout, 'utf8'),
      stderr: readFileSync(stderr, 'utf8'),
      durationNs: BigInt(ended.elapsed_ns!),
      timedOut: watch.timedOut,
      cancelled: watch.cancelled,
      pid,
    };
  }

  private async next(): Promise<HelperMessage> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`the timing helper ended unexpectedly (exit ${this.helper.exitCode ?? this.helper.signalCode})`);
    return JSON.parse(value) as HelperMessage;
  }

  async close(): Promise<void> {
    this.helper.stdin.end();
    const gone = this.helper.exitCode !== null || this.helper.signalCode !== null;
    const exited = new Promise((resolve) => (gone ? resolve(undefined) : this.helper.once('exit', resolve)));
    const timer = setTimeout(() => signalGroup(this.helper.pid!, 'SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
    untrackGroup(this.helper.pid!);
    rmSync(this.outputDir, { recursive: true, force: true });
  }
}
