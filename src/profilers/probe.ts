import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harnessPath } from '../package.js';
import type { RunResult } from '../proc/run.js';
import { assertStarted, clearOutputs, type ProfileJob, runProfiled } from './adapter.js';
import { type FrameRef, type PathFrame, type Profile, ProfileBuilder } from './model.js';
import { type FrameRow, frameOf, pythonTarget } from './python.js';

interface ProbeOutput {
  wall_s: number;
  cpu_s: number;
  max_rss_bytes: number;
  gc: { collections: [number, number, number]; collected: number; pause_s: number };
  asyncio: { used: boolean; slow_callbacks: { seconds: number; handle: string; frame: FrameRow | null }[] };
  stacks: [FrameRow[], number, number][];
  args: [string, string, number, string, 'len' | 'value' | 'shape', number | string, number | string, number][];
}

export interface SlowCallback {
  seconds: number;
  /** The handle as asyncio printed it (the task and its coroutine). */
  handle: string;
  /** The innermost project frame seen while the callback held the loop, at the line it was on. */
  frame?: PathFrame;
}

/** Sizes seen for one argument of a project function while it was on the stack. */
export interface ArgumentSizes {
  frame: FrameRef;
  name: string;
  kind: 'len' | 'value' | 'shape';
  low: number | string;
  high: number | string;
  seen: number;
}

export interface ProbeResult {
  run: RunResult;
  /** Wall and CPU time of the program from its first line to its exit, without the interpreter's start. */
  wallNs: number;
  cpuNs: number;
  maxRssBytes: number;
  gc: { collections: [number, number, number]; collected: number; pauseNs: number };
  asyncio: { used: boolean; slowCallbacks: SlowCallback[] };
  /** Every sample of the main thread, each frame with its executing line (unit ns). */
  wall: Profile;
  /** Only samples where the main thread was running (not blocked, not waiting) and not importing. */
  running: Profile;
  /** Sampled time spent inside imports. */
  importingNs: number;
  args: ArgumentSizes[];
}

const isImporting = (path: FrameRow[]) => path.some(([, file]) => file.startsWith('<frozen importlib'));

/**
 * Run a Python program once under harness/scan_probe.py: a sampler thread
 * reads the main thread's stack about 200 times a second, garbage collections
 * are timed, and asyncio runs in debug mode so every callback that holds the
 * loop past 100 ms is reported. Costs a few percent; no ptrace needed.
 */
export async function runPythonProbe(job: ProfileJob): Promise<ProbeResult | undefined> {
  const target = await pythonTarget(job);
  const json = join(job.outDir, 'probe.json');
  await clearOutputs(json);
  const run = await runProfiled(job, [target.interpreter, harnessPath('scan_probe.py'), json, ...target.args], {
    env: { PYTHONASYNCIODEBUG: '1' },
  });
  assertStarted(run, 'pass the real Python interpreter');
  let output: ProbeOutput;
  try {
    output = JSON.parse(await readFile(json, 'utf8')) as ProbeOutput;
  } catch {
    return undefined;
  }
  const wall = new ProfileBuilder('ns', target.keepFrame);
  const running = new ProfileBuilder('ns', target.keepFrame);
  let importingNs = 0;
  for (const [path, seconds, waiting] of output.stacks) {
    const frames = path.map(frameOf);
    wall.addSample(frames, seconds * 1e9);
    if (isImporting(path)) importingNs += seconds * 1e9;
    else running.addSample(frames, (seconds - waiting) * 1e9);
  }
  return {
    run,
    wallNs: output.wall_s * 1e9,
    cpuNs: output.cpu_s * 1e9,
    maxRssBytes: output.max_rss_bytes,
    gc: { collections: output.gc.collections, collected: output.gc.collected, pauseNs: output.gc.pause_s * 1e9 },
    asyncio: {
      used: output.asyncio.used,
      slowCallbacks: output.asyncio.slow_callbacks.map((c) => ({
        seconds: c.seconds,
        handle: c.handle,
        ...(c.frame ? { frame: frameOf(c.frame) } : {}),
      })),
    },
    wall: wall.build(),
    running: running.build(),
    importingNs,
    args: output.args.map(([fn, file, line, name, kind, low, high, seen]) => ({
      frame: { function: fn, file, line },
      name,
      kind,
      low,
      high,
      seen,
    })),
  };
}
