// Collects the median time per benchmark of one run and writes it, when the process exits, to the
// file named by CODEFLASH_BENCH_OUT: {"benchmarks": [{"name": ..., "median_ns": ...}, ...]}.
import { writeFileSync } from 'node:fs';

const medians = new Map();

process.on('exit', () => {
  const out = process.env.CODEFLASH_BENCH_OUT;
  if (!out) return;
  const benchmarks = [...medians].map(([name, median_ns]) => ({ name, median_ns }));
  writeFileSync(out, JSON.stringify({ benchmarks }));
});

function median(sorted) {
  if (!sorted?.length) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** tinybench 3 and later report latency.p50; tinybench 2 keeps the sorted samples. Both in milliseconds. */
export function recordTinybench(bench) {
  for (const task of bench.tasks) {
    const result = task.result;
    if (!result || result.error) continue;
    const ms = result.latency?.p50 ?? median(result.samples) ?? result.mean;
    if (typeof ms === 'number') medians.set(bench.name ? `${bench.name} > ${task.name}` : task.name, ms * 1e6);
  }
}

/** mitata reports nanoseconds per iteration for each run of each benchmark. */
export function recordMitata(result) {
  for (const trial of result?.benchmarks ?? []) {
    for (const run of trial.runs ?? []) {
      const ns = run.stats?.p50 ?? run.stats?.avg;
      if (!run.error && typeof ns === 'number') medians.set(run.name, ns);
    }
  }
}
