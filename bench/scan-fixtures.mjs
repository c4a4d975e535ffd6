// The scan on its four fixture projects (CPU-bound, allocation-heavy, slow import, async with a blocking
// call): how long a whole scan takes against one plain run of the program, which target comes first and
// how far ahead of the best target of another domain, over several scans.
// Usage: npm run build && node bench/scan-fixtures.mjs [--runs 3] [--python /path/to/python3] [--memory tracemalloc]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runProcess } from '../dist/proc/run.js';
import { rankTargets } from '../dist/scan/rank.js';
import { runScanSteps } from '../dist/scan/steps.js';
import { median } from '../test/fixtures/bench/measure.mjs';

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, python: { type: 'string' }, memory: { type: 'string', default: 'memray' } },
});
const runs = Number(flags.runs);
const python = flags.python ?? execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const fixtures = new URL('../test/fixtures/scan/', import.meta.url).pathname;
const planted = { cpu: 'cpu', alloc: 'memory', imports: 'structure', async: 'async' };

console.log(`${runs} scan(s) per fixture, memory step: ${flags.memory}, python: ${python}\n`);
console.log('fixture  plain run  scan (median)  ratio  planted first  top share  lead over next domain  recommendation');
for (const [fixture, domain] of Object.entries(planted)) {
  const root = mkdtempSync(join(tmpdir(), `cf-scan-${fixture}-`));
  cpSync(join(fixtures, fixture), root, { recursive: true });
  const plain = [];
  const scans = [];
  const leads = [];
  const shares = [];
  const recommended = new Map();
  let first = 0;
  for (let i = 0; i < runs; i++) {
    const run = await runProcess([python, 'app.py'], { cwd: root, timeoutMs: 60_000 });
    plain.push(Number(run.durationNs) / 1e9);
    const started = performance.now();
    const { evidence } = await runScanSteps({
      command: 'app.py',
      language: 'python',
      root,
      python,
      memoryProfiler: flags.memory,
      stepTimeoutMs: 120_000,
      outDir: join(root, '.scan', String(i)),
      log: () => {},
      progress: () => {},
    });
    scans.push((performance.now() - started) / 1000);
    const ranking = rankTargets(evidence);
    const [top] = ranking.targets;
    const next = ranking.targets.find((t) => t.domain !== top?.domain);
    if (top?.domain === domain) first++;
    shares.push(top?.share ?? 0);
    leads.push(top && next ? top.share / next.share : Number.POSITIVE_INFINITY);
    recommended.set(ranking.recommendation.domain, (recommended.get(ranking.recommendation.domain) ?? 0) + 1);
  }
  rmSync(root, { recursive: true, force: true });
  const scan = median(scans);
  const recs = [...recommended].map(([d, n]) => `${d} ${n}/${runs}`).join(', ');
  console.log(
    `${fixture.padEnd(8)} ${`${median(plain).toFixed(2)} s`.padStart(9)}  ${`${scan.toFixed(1)} s`.padStart(13)}  ${`${(scan / median(plain)).toFixed(0)}×`.padStart(5)}  ${`${first}/${runs}`.padStart(13)}  ${`${(median(shares) * 100).toFixed(0)} %`.padStart(9)}  ${`${median(leads).toFixed(1)}×`.padStart(21)}  ${recs}`,
  );
}
