import { describe, expect, it } from 'vitest';
import { parseImportTime } from '../../src/profilers/importtime.js';
import { chooseProfiler, PROFILERS, rankHotspots, toSpeedscope } from '../../src/profilers/index.js';
import { type FrameRef, ProfileBuilder } from '../../src/profilers/model.js';

const frame = (name: string, file = '/project/app.py'): FrameRef => ({ function: name, file, line: 1 });

describe('chooseProfiler', () => {
  it('picks the default for each language and mode', () => {
    expect(chooseProfiler('python', 'cpu').name).toBe('cprofile');
    expect(chooseProfiler('python', 'wall').name).toBe('py-spy');
    expect(chooseProfiler('python', 'memory').name).toBe('tracemalloc');
    expect(chooseProfiler('python', 'import').name).toBe('importtime');
    expect(chooseProfiler('node', 'memory').name).toBe('node-heap');
    expect(chooseProfiler('go', 'cpu').name).toBe('go-pprof');
  });

  it('an unknown name lists every valid one', () => {
    const names = PROFILERS.map((adapter) => adapter.name).join(', ');
    expect(() => chooseProfiler('python', 'cpu', 'yappi')).toThrow(`unknown profiler "yappi"; valid names: ${names}`);
  });

  it('a profiler of another language or mode names the ones that fit', () => {
    expect(() => chooseProfiler('node', 'cpu', 'py-spy')).toThrow('py-spy profiles python programs; for node choose node-cpu, node-heap');
    expect(() => chooseProfiler('python', 'memory', 'py-spy')).toThrow(
      'py-spy supports mode wall or cpu; for memory choose tracemalloc, memray',
    );
  });
});

describe('ProfileBuilder', () => {
  it('counts a recursive function once in its total and charges self to the leaf', () => {
    const builder = new ProfileBuilder('ns');
    builder.addSample([frame('main'), frame('walk'), frame('helper'), frame('walk')], 10);
    builder.addSample([frame('main'), frame('walk')], 5);
    const profile = builder.build();
    const walk = profile.frames.find((f) => f.function === 'walk')!;
    expect(walk).toMatchObject({ self: 15, total: 15 });
    expect(profile.frames.find((f) => f.function === 'main')).toMatchObject({ self: 0, total: 15 });
    expect(profile.total).toBe(15);
  });

  it('counts cost seen with no frame in the total only', () => {
    const builder = new ProfileBuilder('ns', (ref) => ref.function !== 'harness');
    builder.addSample([frame('harness')], 4);
    builder.addSample([frame('harness'), frame('work')], 6);
    const profile = builder.build();
    expect(profile.total).toBe(10);
    expect(profile.frames.map((f) => f.function)).toEqual(['work']);
    expect(rankHotspots(profile, { cwd: '/project' })[0]).toMatchObject({ function: 'work', self_pct: 60 });
  });
});

describe('rankHotspots with a focus', () => {
  const builder = new ProfileBuilder('ns');
  builder.addSample([frame('main'), frame('parse'), frame('loads', '/usr/lib/python3.11/json/decoder.py')], 70);
  builder.addSample([frame('main'), frame('render')], 20);
  builder.addSample([frame('main'), frame('render'), frame('dumps', '/project/.venv/lib/python3.11/site-packages/x.py')], 10);
  const profile = builder.build();

  it('charges library time to the project function that made the call', () => {
    const hotspots = rankHotspots(profile, { cwd: '/project', focus: '.' });
    expect(hotspots.map((h) => [h.function, h.self_pct])).toEqual([
      ['parse', 70],
      ['render', 30],
      ['main', 0],
    ]);
  });

  it('without focus ranks the project first, charged the same way', () => {
    expect(rankHotspots(profile, { cwd: '/project' }).map((h) => [h.function, h.self_pct])).toEqual([
      ['parse', 70],
      ['render', 30],
      ['main', 0],
    ]);
  });

  it('focus "*" ranks every frame by its own self cost', () => {
    expect(rankHotspots(profile, { cwd: '/project', focus: '*', top: 1 }).map((h) => h.function)).toEqual(['loads']);
  });

  it('cost on paths without a project frame follows the project functions, on the frames that had it', () => {
    const builder = new ProfileBuilder('ns');
    builder.addSample([frame('main'), frame('work'), frame('mapaccess', '/usr/local/go/src/runtime/map.go')], 30);
    builder.addSample([frame('(garbage collector)', '')], 60);
    builder.addSample([frame('main'), frame('work')], 10);
    const ranked = rankHotspots(builder.build(), { cwd: '/project' });
    expect(ranked.map((h) => [h.function, h.self_pct])).toEqual([
      ['work', 40],
      ['main', 0],
      ['(garbage collector)', 60],
    ]);
  });

  it('a profile with no project frame is ranked as recorded', () => {
    const builder = new ProfileBuilder('ns');
    builder.addSample([frame('outer', '/usr/lib/tool.js'), frame('inner', '/usr/lib/tool.js')], 10);
    expect(rankHotspots(builder.build(), { cwd: '/project' })[0]).toMatchObject({ function: 'inner', self_pct: 100 });
  });
});

describe('parseImportTime', () => {
  it('rebuilds the import tree from the post-order listing', () => {
    const stderr = [
      'import time: self [us] | cumulative | imported package',
      'import time:        50 |         50 |   pkg.leaf',
      'import time:       400 |        400 |     pkg.deep.inner',
      'import time:        30 |        430 |   pkg.deep',
      'import time:        20 |        500 | pkg',
      'import time:        10 |         10 | other',
      'unrelated program output',
    ].join('\n');
    const profile = parseImportTime(stderr, '/nowhere')!;
    const byName = Object.fromEntries(profile.frames.map((f) => [f.function, f]));
    expect(byName.pkg).toMatchObject({ self: 20, total: 500 });
    expect(byName['pkg.deep']).toMatchObject({ self: 30, total: 430 });
    expect(byName['pkg.deep.inner']).toMatchObject({ self: 400, total: 400 });
    expect(profile.total).toBe(510);
  });
});

describe('toSpeedscope', () => {
  it('turns a per-function profile into single-frame samples weighted by self cost', () => {
    const builder = new ProfileBuilder('ns');
    builder.addFunction(frame('a'), 5, 9, 2);
    builder.addFunction(frame('b'), 4, 4, 1);
    const file = toSpeedscope(builder.build(), 'flat') as { profiles: { samples: number[][]; weights: number[]; endValue: number }[] };
    expect(file.profiles[0]).toMatchObject({ samples: [[0], [1]], weights: [5, 4], endValue: 9 });
  });
});
