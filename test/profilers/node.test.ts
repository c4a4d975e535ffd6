import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProfileRequest, runProfile } from '../../src/profilers/index.js';
import { expectGroupGone, expectValidSpeedscope, FIXTURES, outDir, removeOutDirs, topFunction } from './support.js';

const cwd = join(FIXTURES, 'node');

function profile(overrides: Partial<ProfileRequest>) {
  return runProfile({ command: 'node hot.js', cwd, mode: 'cpu', language: 'node', timeoutMs: 30_000, outDir: outDir(), ...overrides });
}

afterAll(removeOutDirs);

describe('node profilers', () => {
  it('node-cpu ranks the hot function first', async () => {
    const result = await profile({});
    expect(result.profiler).toBe('node-cpu');
    expect(result.hotspots[0]).toMatchObject({ function: 'hotLoop', file: join(cwd, 'hot.js'), line: 2 });
    expect(result.hotspots[0]!.self_pct).toBeGreaterThan(50);
    expect(result.artifacts.raw).toMatch(/\.cpuprofile$/);
    expectValidSpeedscope(result);
  });

  it('a bare script runs under node, in wall mode too', async () => {
    const result = await profile({ command: ['hot.js'], mode: 'wall' });
    expect(topFunction(result)).toBe('hotLoop');
  });

  it('node-heap ranks the big allocator first', async () => {
    const result = await profile({ command: 'node alloc.js', mode: 'memory' });
    expect(result.profiler).toBe('node-heap');
    expect(result.unit).toBe('bytes');
    expect(result.hotspots[0]).toMatchObject({ function: 'bigAllocator', file: join(cwd, 'alloc.js') });
    expect(result.hotspots[1]!.function).toBe('smallAllocator');
    expect(result.hotspots[0]!.self).toBeGreaterThan(30_000_000);
    expectValidSpeedscope(result);
  });

  it('a non-zero exit still returns the profile', async () => {
    const result = await profile({ command: 'node hot.js --fail' });
    expect(result.exitCode).toBe(3);
    expect(result.stderrTail).toContain('failing on purpose');
    expect(topFunction(result)).toBe('hotLoop');
  });

  it('a program that never ends is stopped at the timeout, keeps its profile and leaves no process', async () => {
    const result = await profile({ command: 'node forever.js', timeoutMs: 1500 });
    expect(result.timedOut).toBe(true);
    expect(topFunction(result)).toBe('spin');
    await expectGroupGone(result.pid);
  });

  it('import mode has no node profiler', async () => {
    await expect(profile({ mode: 'import' })).rejects.toThrow('there is no import profiler for node; choose mode cpu, wall, memory');
  });
});
