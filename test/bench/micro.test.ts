import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type MicroRequest, runMicroBenchmark } from '../../src/bench/micro.js';
import { VERDICTS } from '../../src/bench/verdict.js';
import { realPython } from '../helpers/requires.js';

const base = { cwd: tmpdir(), timeoutMs: 60_000, runs: 12 } as const;

function micro(request: Omit<MicroRequest, 'cwd' | 'timeoutMs'>) {
  return runMicroBenchmark({ ...base, ...request });
}

describe.each([
  {
    language: 'python' as const,
    small: 'sum(range(10000))',
    large: 'sum(range(20000))',
    broken: 'for x in range(3) print(x)',
    python: realPython(),
  },
  {
    language: 'node' as const,
    small: 'let s = 0; for (let i = 0; i < 10000; i++) s += i; sink.push(s);',
    large: 'let s = 0; for (let i = 0; i < 20000; i++) s += i; sink.push(s);',
    broken: 'for (let i = 0; i < 3; i++ { sink.push(i) }',
    python: undefined,
  },
])('runMicroBenchmark ($language)', ({ language, small, large, broken, python }) => {
  const setup = language === 'node' ? 'const sink = [];' : undefined;

  it('calls b slower when it does twice the work, with per-loop times in ns', async () => {
    const progress: number[] = [];
    const result = await micro({ language, python, setup, a: small, b: large, onProgress: (done) => progress.push(done) });
    expect(result.verdict).toBe('slower');
    expect(result.ratio).toBeGreaterThan(1.5);
    expect(result.ratio).toBeLessThan(2.6);
    expect(result.unit).toBe('ns');
    expect(result.a.n).toBe(12);
    expect(result.processes).toBe(4);
    expect(result.samples).toHaveLength(4);
    for (const samples of result.samples) expect([samples.a.length, samples.b.length]).toEqual([3, 3]);
    expect(result.a.median).toBeGreaterThan(100);
    expect(Number.isInteger(result.loops) && result.loops > 1).toBe(true);
    expect(result.summary).toMatch(/b is slower than a/);
    expect(progress).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });

  it('compares identical snippets with an interval around its estimate and the smallest difference it could see', async () => {
    const result = await micro({ language, python, setup, a: small, b: small });
    // How often identical snippets are called anything but unchanged or inconclusive is chance, measured by
    // bench/micro-quality.mjs; here the result must be whole and say what it found.
    expect(VERDICTS).toContain(result.verdict);
    expect(result.mdePct).toBeGreaterThan(result.noiseFloorPct);
    expect(result.summary).toMatch(
      result.verdict === 'unchanged' ? /within ±/ : result.verdict === 'inconclusive' ? /no difference shown/ : /b is (faster|slower)/,
    );
    // Nor is the estimate bounded: under load from other processes it wanders (16 % once on two busy cores)
    // while the interval widens with it.
    expect(result.ciLowPct).toBeLessThanOrEqual(result.changePct);
    expect(result.ciHighPct).toBeGreaterThanOrEqual(result.changePct);
  });

  it('names the snippet with a syntax error', async () => {
    await expect(micro({ language, python, setup, a: small, b: broken })).rejects.toThrow(/^snippet b has a syntax error/);
    await expect(micro({ language, python, setup: broken, a: small, b: small })).rejects.toThrow(/^the setup snippet has a syntax error/);
    if (language === 'python') {
      await expect(micro({ language, python, a: '  x = 1', b: small })).rejects.toThrow(
        /^snippet a has a syntax error: IndentationError: unexpected indent/,
      );
    }
  });

  it("names the snippet that fails at run time, and keeps the snippets' prints out of the protocol", async () => {
    const print = language === 'python' ? 'print("hello @@ {")' : 'console.log("hello @@ {"); process.stdout.write("x");';
    await expect(micro({ language, python, setup, a: `${print}\nundefined_name_here`, b: small })).rejects.toThrow(
      /^snippet a raised (NameError|ReferenceError): .*undefined_name_here/,
    );
  });
});

describe('runMicroBenchmark in a project', () => {
  const cwd = fileURLToPath(new URL('../fixtures/micro/', import.meta.url));

  it.each([
    {
      language: 'python' as const,
      setup: 'from squares import squares_loop, squares_comprehension',
      a: 'squares_loop(1000)',
      b: 'squares_comprehension(1000)',
    },
    {
      language: 'node' as const,
      setup: "const { squaresLoop, squaresMap } = require('./squares.cjs');",
      a: 'squaresLoop(1000)',
      b: 'squaresMap(1000)',
    },
  ])('imports project code in setup, from the working directory ($language)', async ({ language, setup, a, b }) => {
    const result = await runMicroBenchmark({ ...base, cwd, language, python: realPython(), setup, a, b });
    expect(result.a.median).toBeGreaterThan(0);
    expect(result.b.median).toBeGreaterThan(0);
    expect(VERDICTS).toContain(result.verdict);
  });
});

describe('runMicroBenchmark requests', () => {
  it('refuses fewer than 5 runs, and fewer than 2 or more than 32 processes', async () => {
    await expect(runMicroBenchmark({ ...base, language: 'node', a: '1', b: '2', runs: 3 })).rejects.toThrow(/at least 5/);
    await expect(runMicroBenchmark({ ...base, language: 'node', a: '1', b: '2', processes: 1 })).rejects.toThrow(/from 2 to 32/);
    await expect(runMicroBenchmark({ ...base, language: 'node', a: '1', b: '2', processes: 33 })).rejects.toThrow(/from 2 to 32/);
  });

  it('spreads the runs over the processes, at least two pairs each, with one loop count', async () => {
    const result = await runMicroBenchmark({ ...base, language: 'node', a: '1 + 1', b: '2 + 2', runs: 5, processes: 3 });
    expect(result.processes).toBe(3);
    expect(result.runs).toBe(6);
    expect(result.samples.map((s) => [s.a.length, s.b.length])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
  });

  it('stops a snippet that never ends at the timeout', async () => {
    const started = Date.now();
    await expect(runMicroBenchmark({ ...base, timeoutMs: 1500, language: 'node', a: 'while (true) {}', b: '1' })).rejects.toThrow(
      /timed out/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
