import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveGroups } from '../../src/proc/children.js';
import { TimedSpawner } from '../../src/proc/spawner.js';
import { type TimingHelper, timingHelper } from '../../src/proc/timer.js';
import { processesWith } from '../helpers/processes.js';
import { realPython, requireTool } from '../helpers/requires.js';

const cc = requireTool('cc');

describe.each([
  { kind: 'c' as const, skip: !cc.ok },
  { kind: 'python' as const, skip: false },
])('TimedSpawner with the $kind helper', ({ kind, skip }) => {
  let helper: TimingHelper;
  let spawner: TimedSpawner;
  beforeAll(async () => {
    if (skip) return;
    helper = (await timingHelper({ python: realPython(), prefer: kind }))!;
    spawner = await TimedSpawner.start(helper);
  });
  afterAll(async () => {
    await spawner?.close();
  });

  it.skipIf(skip)('is the helper asked for', () => {
    expect(helper.kind).toBe(kind);
  });

  it.skipIf(skip)('times a run from spawn to exit and keeps its output and exit code', async () => {
    const result = await spawner.run(['sh', '-c', 'echo out; echo err >&2; sleep 0.2; exit 3'], { cwd: tmpdir() });
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false, cancelled: false });
    expect(Number(result.durationNs) / 1e6).toBeGreaterThan(195);
    expect(Number(result.durationNs) / 1e6).toBeLessThan(600);
  });

  it.skipIf(skip)('runs in the given directory with the given environment, and shell text through /bin/sh', async () => {
    const result = await spawner.run(['pwd; echo "$CODEFLASH_TEST_VALUE"'], {
      cwd: '/',
      env: { CODEFLASH_TEST_VALUE: 'seen' },
      shell: true,
    });
    expect(result.stdout).toBe('/\nseen\n');
  });

  it.skipIf(skip)('says when a program cannot start', async () => {
    const result = await spawner.run(['no-such-program-here'], { cwd: tmpdir() });
    expect(result.exitCode).toBeNull();
    expect(result.spawnError).toMatch(/No such file or directory/);
  });

  it.skipIf(skip)('kills the whole process group at the timeout, grandchildren too', async () => {
    const marker = `sleep 47.${process.pid}`;
    const started = Date.now();
    const result = await spawner.run(['sh', '-c', `${marker} & ${marker}`], { cwd: tmpdir(), timeoutMs: 500 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(3000);
    // Signalled at the timeout; the group is forgotten once it is gone (within the kill grace).
    for (let look = 0; look < 30 && (processesWith(marker).length || liveGroups().includes(result.pid!)); look++)
      await new Promise((r) => setTimeout(r, 50));
    expect(processesWith(marker)).toEqual([]);
    expect(liveGroups()).not.toContain(result.pid);
  });

  it.skipIf(skip)('stops when aborted, and the next run goes on', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await spawner.run(['sleep', '30'], { cwd: tmpdir(), signal: controller.signal });
    expect(result.cancelled).toBe(true);
    expect((await spawner.run(['true'], { cwd: tmpdir() })).exitCode).toBe(0);
  });

  it.skipIf(skip)('reports the CPU time of a run, and pins it (and its children) to one CPU when asked', async () => {
    const busy = await spawner.run(['sh', '-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'], { cwd: tmpdir() });
    // CPU time, not wall time: on a loaded machine it falls short of the wall time, never far beyond it for one process.
    expect(busy.cpuNs).toBeGreaterThan(0);
    expect(busy.cpuNs!).toBeLessThan(1.5 * Number(busy.durationNs));
    const pinned = await TimedSpawner.start(helper, { cpu: 0 });
    try {
      const result = await pinned.run(['sh', '-c', 'grep Cpus_allowed_list /proc/self/status'], { cwd: tmpdir() });
      expect(result.stdout).toMatch(/Cpus_allowed_list:\s+0\n/);
    } finally {
      await pinned.close();
    }
  });

  it.skipIf(skip)('refuses a NUL byte in an argument before it reaches the helper', async () => {
    const result = await spawner.run(['echo', 'a\0b'], { cwd: tmpdir() });
    expect(result.spawnError).toMatch(/NUL byte/);
    expect((await spawner.run(['true'], { cwd: tmpdir() })).exitCode).toBe(0);
  });

  it.skipIf(skip)('close ends the helper process', async () => {
    const before = liveGroups();
    const own = await TimedSpawner.start(helper);
    const started = liveGroups().filter((pid) => !before.includes(pid));
    expect(started).toHaveLength(1);
    await own.close();
    expect(liveGroups()).not.toContain(started[0]);
    expect(() => process.kill(started[0]!, 0)).toThrow();
  });
});

describe('timing helpers', () => {
  it('refuse to start under something that does not speak the protocol', async () => {
    const before = liveGroups();
    await expect(TimedSpawner.start({ kind: 'python', argv: ['/bin/false'] })).rejects.toThrow(
      /timing helper \/bin\/false could not start/,
    );
    await expect(TimedSpawner.start({ kind: 'python', argv: ['/no/such/python'] })).rejects.toThrow(/ENOENT/);
    expect(liveGroups()).toEqual(before);
  });

  it('fall back from C to Python when no C compiler runs, and to none without either', async () => {
    const saved = process.env.CC;
    process.env.CC = '/no/such/cc';
    try {
      // The build is keyed by compiler, so this one is never cached.
      expect(await timingHelper({ python: realPython(), prefer: 'c' })).toBeUndefined();
      expect((await timingHelper({ python: realPython() }))?.kind).toBe('python');
      expect(await timingHelper({})).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.CC;
      else process.env.CC = saved;
    }
  });

  it("use Node's clock when asked", async () => {
    expect(await timingHelper({ python: realPython(), prefer: 'node' })).toBeUndefined();
  });
});
