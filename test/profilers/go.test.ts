import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProfileRequest, runProfile } from '../../src/profilers/index.js';
import { requireTool } from '../helpers/requires.js';
import { expectValidSpeedscope, FIXTURES, outDir, processesMentioning, removeOutDirs, topFunction } from './support.js';

const cwd = join(FIXTURES, 'go');
const go = requireTool('go', ['version']);

function profile(overrides: Partial<ProfileRequest>) {
  return runProfile({
    command: '-bench Work -benchtime 300ms .',
    cwd,
    mode: 'cpu',
    language: 'go',
    timeoutMs: 120_000,
    outDir: outDir(),
    ...overrides,
  });
}

afterAll(removeOutDirs);

describe.skipIf(!go.ok)('go-pprof', () => {
  it('ranks the hot function first from a cpu profile', async () => {
    const result = await profile({});
    expect(result.profiler).toBe('go-pprof');
    expect(result.hotspots[0]).toMatchObject({ function: 'example.com/profilefixture.HotLoop', file: join(cwd, 'work.go'), line: 7 });
    expect(result.hotspots[0]!.self_pct).toBeGreaterThan(50);
    expect(result.unit).toBe('ns');
    expectValidSpeedscope(result);
  });

  it('ranks the big allocator first from a memory profile, with object counts', async () => {
    const result = await profile({ command: 'go test -bench Alloc -benchtime 50x .', mode: 'memory' });
    expect(topFunction(result)).toBe('example.com/profilefixture.BigAllocator');
    expect(result.hotspots[1]!.function).toBe('example.com/profilefixture.SmallAllocator');
    expect(result.hotspots[0]!.calls).toBeGreaterThan(0);
    expect(result.unit).toBe('bytes');
  });

  it('focus on the module path keeps the project functions only', async () => {
    const result = await profile({ focus: 'example.com/profilefixture' });
    expect(result.hotspots.every((hotspot) => hotspot.function.startsWith('example.com/profilefixture.'))).toBe(true);
    expect(topFunction(result)).toBe('example.com/profilefixture.HotLoop');
  });

  it('a failing benchmark still returns its profile with the exit code', async () => {
    const result = await profile({ command: ['go', 'test', '-bench', 'Fail', '.'] });
    expect(result.exitCode).toBe(1);
    expect(topFunction(result)).toBe('example.com/profilefixture.HotLoop');
  });

  it('a timeout ends go test and its test binary', async () => {
    const dir = outDir();
    await expect(profile({ command: '-bench Work -benchtime 1000000x .', timeoutMs: 4000, outDir: dir })).rejects.toThrow(
      /ran past the 4 s limit/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('go run is refused with the command to use instead', async () => {
    await expect(profile({ command: 'go run .' })).rejects.toThrow(/go test -bench/);
  });

  it('wall mode names the modes Go supports', async () => {
    await expect(profile({ mode: 'wall' })).rejects.toThrow('there is no wall profiler for go; choose mode cpu, memory');
  });
});
