import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseJsSuite, parseVitestBenchJson } from '../../src/bench/runners/js-bench.js';

const root = mkdtempSync(join(tmpdir(), 'cf-js-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parseVitestBenchJson', () => {
  it('keys each median by file (relative to the worktree), suite and name, in microseconds', () => {
    const report = {
      files: [
        {
          filepath: '/wt/abc/bench/x.bench.ts',
          groups: [
            { fullName: 'bench/x.bench.ts', benchmarks: [{ name: 'top', median: 0.002, mean: 0.003 }] },
            { fullName: 'bench/x.bench.ts > parse > json', benchmarks: [{ name: 'small', median: 1.5 }, { name: 'broken' }] },
          ],
        },
      ],
    };
    expect(parseVitestBenchJson(JSON.stringify(report), '/wt/abc')).toEqual(
      new Map([
        ['bench/x.bench.ts > top', 2],
        ['bench/x.bench.ts > parse > json > small', 1500],
      ]),
    );
  });
});

describe('chooseJsSuite', () => {
  it('runs a script importing tinybench or mitata as a script, and anything else with vitest when the project has it', async () => {
    writeFileSync(join(root, 'package.json'), '{"devDependencies": {"vitest": "4"}}');
    writeFileSync(join(root, 'tb.mjs'), "import { Bench } from 'tinybench';\n");
    writeFileSync(join(root, 'mi.mjs'), 'import { bench, run } from "mitata";\n');
    writeFileSync(join(root, 'x.bench.js'), "import { bench } from 'vitest';\n");
    expect(await chooseJsSuite(root, 'tb.mjs')).toBe('tinybench');
    expect(await chooseJsSuite(root, 'mi.mjs')).toBe('mitata');
    expect(await chooseJsSuite(root, 'x.bench.js')).toBe('vitest');
    expect(await chooseJsSuite(root, 'bench')).toBe('vitest');
    writeFileSync(join(root, 'package.json'), '{}');
    await expect(chooseJsSuite(root, 'x.bench.js')).rejects.toThrow(
      /neither a script importing tinybench or mitata nor a vitest bench file/,
    );
  });
});
