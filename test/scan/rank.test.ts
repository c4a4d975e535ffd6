import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/profilers/index.js';
import { ProfileBuilder } from '../../src/profilers/model.js';
import { rankTargets } from '../../src/scan/rank.js';

const root = '/project';
const frame = (fn: string, line: number) => ({ function: fn, file: `${root}/app.py`, line });

/** A probe of a 1 s run: `running` holds the given seconds per function, memory is small unless given. */
function probe(running: Record<string, number>, extra: Partial<ProbeResult> = {}): ProbeResult {
  const builder = new ProfileBuilder('ns');
  Object.entries(running).forEach(([fn, seconds], i) => {
    builder.addSample([frame('main', 100), frame(fn, 11 + 10 * i)], seconds * 1e9);
  });
  const profile = builder.build();
  return {
    run: {} as ProbeResult['run'],
    wallNs: 1e9,
    cpuNs: 1e9,
    maxRssBytes: 100 * 2 ** 20,
    gc: { collections: [0, 0, 0], collected: 0, pauseNs: 0 },
    asyncio: { used: false, slowCallbacks: [] },
    wall: profile,
    running: profile,
    importingNs: 0,
    args: [],
    ...extra,
  };
}

function memory(bytes: Record<string, number>) {
  const builder = new ProfileBuilder('bytes');
  Object.entries(bytes).forEach(([fn, size], i) => {
    builder.addSample([frame('main', 100), frame(fn, 11 + 10 * i)], size, 1);
  });
  const profile = builder.build({ peakBytes: Object.values(bytes).reduce((a, b) => a + b, 0) });
  return { profiler: 'tracemalloc', profile } as never;
}

describe('ranking targets across domains', () => {
  it('orders time targets by share of wall time and memory sites by share of peak RSS, one list', () => {
    const ranking = rankTargets({ root, probe: probe({ parse: 0.6, render: 0.2 }), memory: memory({ cache: 80 * 2 ** 20 }) });
    expect(ranking.targets.map((t) => [t.domain, t.function, Math.round(t.share * 100)])).toEqual([
      ['memory', 'cache', 80],
      ['cpu', 'parse', 60],
      ['cpu', 'render', 20],
    ]);
    expect(ranking.recommendation.domain).toBe('memory');
    expect(ranking.recommendation.reason).toMatch(
      /^cache \(app\.py:11\) holds 80\.00 MiB .*; the next domain, cpu, leads with parse \(app\.py:11\) at 60\.0 %$/,
    );
  });

  it('recommends deep when another domain comes within a tenth of the first', () => {
    const ranking = rankTargets({ root, probe: probe({ parse: 0.75 }), memory: memory({ cache: 80 * 2 ** 20 }) });
    expect(ranking.recommendation.domain).toBe('deep');
    expect(ranking.recommendation.reason).toMatch(/^memory and cpu weigh about the same/);
  });

  it('counts GC pauses as a memory target once they pass 1 % of wall time, and leaves noise out', () => {
    const ranking = rankTargets({
      root,
      probe: probe({ parse: 0.3, tiny: 0.005 }, { gc: { collections: [90, 9, 1], collected: 5000, pauseNs: 0.05e9 } }),
    });
    expect(ranking.targets.map((t) => t.function)).toEqual(['parse', '(garbage collector)']);
    expect(ranking.targets[1]!.measure).toBe('100 collections (1 full) paused 50.00 ms: 5.0 % of wall time');
  });

  it('says so when nothing in the project stands out', () => {
    const ranking = rankTargets({ root, probe: probe({}) });
    expect(ranking.targets).toEqual([]);
    expect(ranking.recommendation).toEqual({
      domain: 'deep',
      reason: "nothing in the project's own code stood out; profile a larger workload",
    });
  });
});
