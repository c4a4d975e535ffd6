import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveGroups } from '../../src/proc/children.js';
import { TimedSpawner } from '../../src/proc/spawner.js';
import { realPython } from '../helpers/requires.js';

let spawner: TimedSpawner;
beforeAll(async () => {
  spawner = await TimedSpawner.start(realPython());
});
afterAll(async () => {
  await spawner.close();
});

const running = (marker: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker));

describe('TimedSpawner', () => {
  it('times a run from spawn to exit and keeps its output and exit code', async () => {
    const result = await spawner.run(['sh', '-c', 'echo out; echo err >&2; sleep 0.2; exit 3'], { cwd: tmpdir() });
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false, cancelled: false });
    expect(Number(result.durationNs) / 1e6).toBeGreaterThan(195);
    expect(Number(result.durationNs) / 1e6).toBeLessThan(600);
  });

  it('runs in the given directory with the given environment, and shell text through /bin/sh', async () => {
    const result = await spawner.run(['pwd; echo "$CODEFLASH_TEST_VALUE"'], {
      cwd: '/',
      env: { CODEFLASH_TEST_VALUE: 'seen' },
      shell: true,
    });
    expect(result.stdout).toBe('/\nseen\n');
  });

  it('says when a program cannot start', async () => {
    const result = await spawner.run(['no-such-program-here'], { cwd: tmpdir() });
    expect(result.exitCode).toBeNull();
    expect(result.spawnError).toMatch(/FileNotFoundError/);
  });

  it('kills the whole process group at the timeout, grandchildren too', async () => {
    const marker = `sleep 47.${process.pid}`;
    const started = Date.now();
    const result = await spawner.run(['sh', '-c', `${marker} & ${marker}`], { cwd: tmpdir(), timeoutMs: 500 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(3000);
    // Signalled at the timeout; the group is forgotten once it is gone (within the kill grace).
    for (let look = 0; look < 30 && (running(marker).length || liveGroups().includes(result.pid!)); look++)
      await new Promise((r) => setTimeout(r, 50));
    expect(running(marker)).toEqual([]);
    expect(liveGroups()).not.toContain(result.pid);
  });

  it('stops when aborted, and the next run goes on', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await spawner.run(['sleep', '30'], { cwd: tmpdir(), signal: controller.signal });
    expect(result.cancelled).toBe(true);
    expect((await spawner.run(['true'], { cwd: tmpdir() })).exitCode).toBe(0);
  });

  it('refuses to start under something that is not a Python with posix_spawn', async () => {
    const before = liveGroups();
    await expect(TimedSpawner.start('/bin/false')).rejects.toThrow(/timing helper could not start under \/bin\/false/);
    await expect(TimedSpawner.start('/no/such/python')).rejects.toThrow(/ENOENT/);
    expect(liveGroups()).toEqual(before);
  });

  it('close ends the helper process', async () => {
    const before = liveGroups();
    const own = await TimedSpawner.start(realPython());
    const helper = liveGroups().filter((pid) => !before.includes(pid));
    expect(helper).toHaveLength(1);
    await own.close();
    expect(liveGroups()).not.toContain(helper[0]);
    expect(() => process.kill(helper[0]!, 0)).toThrow();
  });
});
