import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readFileTail } from './capture.js';
import { releaseGroup, signalGroup, trackGroup, untrackGroup, watchGroup } from './children.js';
import type { RunResult } from './run.js';
import type { TimingHelper } from './timer.js';

interface HelperMessage {
  ready?: boolean;
  pid?: number;
  elapsed_ns?: number;
  cpu_ns?: number;
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

/** A timed run also says how much CPU time the program and its waited-for children used. */
export interface TimedRunResult extends RunResult {
  cpuNs?: number;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/**
 * Times whole processes the way hyperfine does, through a small helper (C or
 * Python, see timer.ts) that spawns each one and clocks spawn to exit. Node's own
 * spawn carries a cost of its own into every run — measured here on a 40 ms
 * Python program, 3 ms (7 %) above hyperfine's median, which also shrinks every
 * change it shows by that share. One run at a time; `close()` ends the helper.
 */
export class TimedSpawner {
  private readonly lines: AsyncIterator<string>;
  private readonly outputDir = mkdtempSync(join(tmpdir(), 'codeflash-timed-'));
  private busy = false;

  private constructor(private readonly helper: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: helper.stdout })[Symbol.asyncIterator]();
  }

  /** Start the helper, pinned with every program it runs to `cpu` when given; rejects when it cannot run. */
  static async start(timing: TimingHelper, options: { cpu?: number } = {}): Promise<TimedSpawner> {
    const [file, ...args] = timing.argv;
    const pin = options.cpu === undefined ? [] : ['--cpu', String(options.cpu)];
    const helper = spawn(file!, [...args, ...pin], { stdio: 'pipe', detached: true });
    await new Promise<void>((resolve, reject) => {
      helper.once('spawn', resolve);
      helper.once('error', reject);
    });
    trackGroup(helper.pid!);
    const spawner = new TimedSpawner(helper);
    const hello = await spawner.next().catch((error: Error) => ({ error: error.message }) as HelperMessage);
    if (!hello.ready) {
      await spawner.close();
      throw new Error(`the timing helper ${file} could not start: ${hello.error ?? 'no posix_spawn'}`);
    }
    return spawner;
  }

  async run(argv: string[], options: TimedRunOptions): Promise<TimedRunResult> {
    if (this.busy) throw new Error('TimedSpawner runs one program at a time');
    this.busy = true;
    try {
      return await this.runOne(argv, options);
    } finally {
      this.busy = false;
    }
  }

  private async runOne(argv: string[], options: TimedRunOptions): Promise<TimedRunResult> {
    const full = options.shell ? ['/bin/sh', '-c', argv.join(' ')] : argv;
    const stdout = join(this.outputDir, 'stdout');
    const stderr = join(this.outputDir, 'stderr');
    const env = Object.entries({ ...process.env, ...options.env }).flatMap(([key, value]) =>
      value === undefined ? [] : [`${key}=${value}`],
    );
    const fields = [options.cwd, stdout, stderr, String(full.length), ...full, String(env.length), ...env];
    const empty = { argv, stdout: '', stdoutCut: false, stderr: '', durationNs: 0n, timedOut: false, cancelled: false };
    // Fields travel NUL-terminated, as the kernel takes them: a NUL inside one could never reach the program anyway.
    if (fields.some((field) => field.includes('\0')))
      return { ...empty, exitCode: null, signal: null, spawnError: 'an argument or environment value holds a NUL byte' };
    this.helper.stdin.write(`${fields.join('\0')}\0`);
    const started = await this.next();
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
    // The output files may hold any amount: only their ends are read.
    const out = readFileTail(stdout);
    return {
      argv,
      exitCode: ended.exit ?? null,
      signal: ended.signal === undefined ? null : (SIGNAL_NAMES.get(ended.signal) ?? String(ended.signal)),
      stdout: out.text,
      stdoutCut: out.cut,
      stderr: readFileTail(stderr).text,
      durationNs: BigInt(ended.elapsed_ns!),
      cpuNs: ended.cpu_ns,
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
