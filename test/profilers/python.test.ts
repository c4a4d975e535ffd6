import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProfileRequest, runProfile } from '../../src/profilers/index.js';
import { realPython, requirePythonModule, requireTool } from '../helpers/requires.js';
import { expectGroupGone, expectValidSpeedscope, FIXTURES, outDir, processesMentioning, removeOutDirs, topFunction } from './support.js';

const cwd = join(FIXTURES, 'python');
const python = realPython();
const pyspy = requireTool('py-spy');
const memray = requirePythonModule(python, 'memray');

function profile(overrides: Partial<ProfileRequest>) {
  return runProfile({ command: 'hot.py', cwd, mode: 'cpu', language: 'python', python, timeoutMs: 30_000, outDir: outDir(), ...overrides });
}

afterAll(removeOutDirs);

describe('python time profilers rank the hot function first', () => {
  it('cprofile (the cpu default) counts calls and writes pstats', async () => {
    const result = await profile({ command: 'python hot.py --rounds 6' });
    expect(result.profiler).toBe('cprofile');
    expect(topFunction(result)).toBe('hot_loop');
    const hot = result.hotspots[0]!;
    expect(hot).toMatchObject({ file: join(cwd, 'hot.py'), line: 5, calls: 6 });
    expect(hot.self_pct).toBeGreaterThan(50);
    expect(result.unit).toBe('ns');
    expect(result.artifacts.raw).toMatch(/\.pstats$/);
    expectValidSpeedscope(result);
  });

  it.skipIf(!pyspy.ok)('py-spy (the wall default) samples from outside', async () => {
    const result = await profile({ mode: 'wall', command: ['hot.py', '--rounds', '15'] });
    expect(result.profiler).toBe('py-spy');
    expect(topFunction(result)).toBe('hot_loop');
    expect(result.hotspots[0]!.line).toBe(5);
    expect(result.profile.stacks.length).toBeGreaterThan(0);
    expectValidSpeedscope(result);
  });

  it.skipIf(!pyspy.ok)('py-spy with native frames still ranks the Python hot function first', async () => {
    const result = await profile({ profiler: 'py-spy', native: true, command: ['hot.py', '--rounds', '15'] });
    expect(topFunction(result)).toBe('hot_loop');
  });

  it('native frames are refused for profilers other than py-spy', async () => {
    await expect(profile({ profiler: 'cprofile', native: true, command: 'hot.py' })).rejects.toThrow(/py-spy only/);
  });

  it.skipIf(!pyspy.ok)('py-spy in cpu mode, and a module run with -m', async () => {
    const result = await profile({ profiler: 'py-spy', command: '-m hot --rounds 15' });
    expect(topFunction(result)).toBe('hot_loop');
    expect(result.profile.frames.some((frame) => frame.file.endsWith('runpy.py') || frame.file === '<frozen runpy>')).toBe(false);
  });
});

describe('python memory profilers rank the big allocator first', () => {
  it('tracemalloc (the memory default) reports sites alive at the peak', async () => {
    const result = await profile({ mode: 'memory', command: 'alloc.py' });
    expect(result.profiler).toBe('tracemalloc');
    expect(topFunction(result)).toBe('big_allocator');
    expect(result.hotspots[1]!.function).toBe('small_allocator');
    expect(result.hotspots[0]!.self).toBeGreaterThan(35_000_000);
    expect(result.hotspots[0]!.calls).toBeGreaterThanOrEqual(40_000);
    expect(result.unit).toBe('bytes');
    expect(result.profile.peakBytes).toBeGreaterThan(40_000_000);
    expectValidSpeedscope(result);
  });

  it.skipIf(!memray.ok)('memray reports allocations alive at the peak', async () => {
    const result = await profile({ mode: 'memory', profiler: 'memray', command: 'alloc.py' });
    expect(topFunction(result)).toBe('big_allocator');
    expect(result.hotspots[0]!).toMatchObject({ file: join(cwd, 'alloc.py'), line: 5 });
    expect(result.profile.peakBytes).toBeGreaterThan(40_000_000);
    expectValidSpeedscope(result);
  });
});

describe('python import time', () => {
  it('importtime ranks the slow module first, as a tree', async () => {
    const result = await profile({ mode: 'import', command: 'import_app.py' });
    expect(result.profiler).toBe('importtime');
    expect(result.unit).toBe('us');
    expect(result.hotspots[0]).toMatchObject({ function: 'slowimport.sluggish', file: join(cwd, 'slowimport', 'sluggish.py') });
    expect(result.hotspots[0]!.self).toBeGreaterThan(150_000);
    const parent = result.profile.frames.find((frame) => frame.function === 'slowimport')!;
    expect(parent.total).toBeGreaterThan(result.hotspots[0]!.self);
    expectValidSpeedscope(result);
  });

  it('focus on the package keeps only its modules', async () => {
    const result = await profile({ mode: 'import', command: 'import_app.py', focus: 'slowimport' });
    expect(result.hotspots.map((hotspot) => hotspot.function).sort()).toEqual(['slowimport', 'slowimport.quick', 'slowimport.sluggish']);
  });
});

describe('python programs that fail or never end', () => {
  it('a non-zero exit still returns the profile, with the exit code and stderr', async () => {
    const result = await profile({ command: 'hot.py --rounds 3 --fail' });
    expect(result.exitCode).toBe(3);
    expect(result.stderrTail).toContain('failing on purpose');
    expect(topFunction(result)).toBe('hot_loop');
  });

  it('cprofile keeps a partial profile on timeout and leaves no process', async () => {
    const result = await profile({ command: 'forever.py', timeoutMs: 1500 });
    expect(result.timedOut).toBe(true);
    expect(topFunction(result)).toBe('spin');
    await expectGroupGone(result.pid);
  });

  it.skipIf(!pyspy.ok)('py-spy keeps a partial profile on timeout and the sampler ends too', async () => {
    const result = await profile({ mode: 'wall', command: 'forever.py', timeoutMs: 1500 });
    expect(result.timedOut).toBe(true);
    expect(topFunction(result)).toBe('spin');
    await expectGroupGone(result.pid);
    expect(processesMentioning(`--pid ${result.pid}`)).toEqual([]);
  });

  it('tracemalloc keeps a partial profile on timeout', async () => {
    const result = await profile({ mode: 'memory', command: 'forever.py', timeoutMs: 1500 });
    expect(result.timedOut).toBe(true);
    await expectGroupGone(result.pid);
  });

  it('aborting ends the program and rejects', async () => {
    const dir = outDir();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the client')), 800);
    await expect(profile({ command: 'forever.py', outDir: dir, signal: controller.signal })).rejects.toThrow('stopped by the client');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('a program killed before the profiler could write is reported with its output', async () => {
    const suicide = 'import os, signal, sys; print("about to die", file=sys.stderr, flush=True); os.kill(os.getpid(), signal.SIGKILL)';
    await expect(profile({ command: ['-c', suicide] })).rejects.toThrow(
      /exited with signal SIGKILL before cprofile wrote a profile.*about to die/s,
    );
  });
});

describe('python command errors say what to do', () => {
  it('a missing script', async () => {
    await expect(profile({ command: 'missing.py' })).rejects.toMatchObject({
      name: 'UserError',
      message: expect.stringContaining('missing.py'),
    });
  });

  it('shell syntax', async () => {
    await expect(profile({ command: 'hot.py | head' })).rejects.toThrow(/shell syntax/);
  });

  it('a missing py-spy names the install command', async () => {
    const bare = outDir();
    symlinkSync(python, join(bare, 'python3'));
    const path = process.env.PATH;
    process.env.PATH = '/usr/bin:/bin';
    try {
      await expect(profile({ mode: 'wall', python: join(bare, 'python3') })).rejects.toThrow(
        /py-spy is not installed; run `.*python3 -m pip install py-spy`/,
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('an interpreter that is not there', async () => {
    await expect(profile({ python: '/nonexistent/python3' })).rejects.toThrow(/could not start \/nonexistent\/python3/);
  });
});
