// Overhead of each profiler adapter: wall time of the profiled run over the same fixture run with no profiler
// ("run"), and of the whole runProfile call, reading the output and writing speedscope included ("end to end").
// Medians of interleaved runs (ABBA order) after one discarded warm-up pair.
// Usage: npx tsc -p tsconfig.json && node bench/profile-overhead.mjs [--runs 7] [--python /path/to/python3] [--only py-spy,cprofile]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runProcess } from '../dist/proc/run.js';
import { runProfile } from '../dist/profilers/index.js';
import { median } from '../test/fixtures/bench/measure.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    python: { type: 'string' },
    only: { type: 'string' },
  },
});
const runs = Number(flags.runs);
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const fixtures = new URL('../test/fixtures/profile/', import.meta.url).pathname;
const dirs = { python: join(fixtures, 'python'), node: join(fixtures, 'node'), go: join(fixtures, 'go') };

const hot = ['hot.py', '--rounds', '20'];
const goBench = (name, times) => ['-run', '^$', '-bench', name, '-benchtime', `${times}x`, '.'];
const cases = [
  { profiler: 'cprofile', language: 'python', mode: 'cpu', command: hot, plain: [python, ...hot] },
  { profiler: 'py-spy', language: 'python', mode: 'wall', command: hot, plain: [python, ...hot], target: 1.3 },
  { profiler: 'tracemalloc', language: 'python', mode: 'memory', command: ['alloc.py'], plain: [python, 'alloc.py'] },
  { profiler: 'memray', language: 'python', mode: 'memory', command: ['alloc.py'], plain: [python, 'alloc.py'] },
  { profiler: 'importtime', language: 'python', mode: 'import', command: ['import_app.py'], plain: [python, 'import_app.py'] },
  { profiler: 'node-cpu', language: 'node', mode: 'cpu', command: ['node', 'hot.js'], plain: ['node', 'hot.js'] },
  { profiler: 'node-heap', language: 'node', mode: 'memory', command: ['node', 'alloc.js'], plain: ['node', 'alloc.js'] },
  // go test links a fresh test binary for -o on every profiled run; the plain run reuses the cached one.
  { profiler: 'go-pprof', language: 'go', mode: 'cpu', command: goBench('Work', 300), plain: ['go', 'test', ...goBench('Work', 300)] },
  { profiler: 'go-pprof', language: 'go', mode: 'memory', command: goBench('Alloc', 30), plain: ['go', 'test', ...goBench('Alloc', 30)] },
].filter((c) => !flags.only || flags.only.split(',').includes(c.profiler));

const ms = (ns) => Number(ns) / 1e6;

async function plainMs(c) {
  const run = await runProcess(c.plain, { cwd: dirs[c.language], timeoutMs: 120_000 });
  if (run.exitCode !== 0) throw new Error(`${c.plain.join(' ')} failed: ${run.stderr}`);
  return ms(run.durationNs);
}

async function profiledMs(c) {
  const outDir = mkdtempSync(join(tmpdir(), 'codeflash-overhead-'));
  try {
    const started = process.hrtime.bigint();
    const result = await runProfile({ ...c, cwd: dirs[c.language], python, timeoutMs: 120_000, outDir });
    return { run: result.durationNs / 1e6, endToEnd: ms(process.hrtime.bigint() - started), top: result.hotspots[0]?.function };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const rows = [];
for (const c of cases) {
  const label = `${c.profiler} (${c.mode})`;
  try {
    await plainMs(c);
    await profiledMs(c);
    const plain = [];
    const profiled = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        plain.push(await plainMs(c));
        profiled.push(await profiledMs(c));
      } else {
        profiled.push(await profiledMs(c));
        plain.push(await plainMs(c));
      }
    }
    const base = median(plain);
    const run = median(profiled.map((p) => p.run));
    const endToEnd = median(profiled.map((p) => p.endToEnd));
    rows.push({
      profiler: label,
      'plain ms': base.toFixed(0),
      'profiled run ms': run.toFixed(0),
      'run ratio': (run / base).toFixed(2),
      'end-to-end ratio': (endToEnd / base).toFixed(2),
      'top hotspot': profiled[0].top,
      target: c.target ? `≤ ${c.target}x ${run / base <= c.target ? 'ok' : 'MISSED'}` : '',
    });
  } catch (error) {
    rows.push({ profiler: label, 'top hotspot': `skipped: ${error.message.split('\n')[0]}` });
  }
}
console.log(`profile overhead, median of ${runs} interleaved runs each, python ${python}`);
console.table(rows);
console.log(
  rows
    .filter((r) => r['run ratio'])
    .map((r) => `${r.profiler} ${r['run ratio']}x`)
    .join('  '),
);
