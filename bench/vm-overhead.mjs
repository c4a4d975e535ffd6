// What the remote path of vm_bench adds, against benchmark_compare's local path, on one machine:
// a real sshd on 127.0.0.1 (started here, as the tests do) and the same ~100 ms Python program.
// Rounds alternate a local compare and a remote one, so a phase of the shared machine falls on both.
//   per run    the medians each path measured, and their difference: timing happens on the host, so
//              the remote path should add well under 1 ms a run (no SSH round trip per run);
//   timed      the measuring phase per pair on each path (helper start, worktrees and setup excluded);
//   fixed      the whole remote call minus the whole local compare: connecting, the host check,
//              uploading the helper (first round only), fetching and cleaning up;
//   verdicts   whether both paths call the planted slowdown (head sleeps 20 % longer) the same.
// Usage: node bench/vm-overhead.mjs [--runs 20] [--rounds 2] [--slowdown 0.2]   (build first: npm run build)
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRefs } from '../dist/bench/compare.js';
import { benchOnHosts } from '../dist/vm/bench.js';
import { makeRepo } from '../test/fixtures/bench/repos.mjs';
import { startSshd, stopAllSshd } from '../test/fixtures/sshd.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    slowdown: { type: 'string', default: '0.2' },
  },
});
const runs = Number(flags.runs);
const started = new Date();
const startLoad = loadavg()[0].toFixed(2);

const repo = makeRepo('codeflash-vm-overhead-');
const program = (seconds) => `import time\ntime.sleep(${seconds})\n`;
const base = repo.commit({ 'pyproject.toml': '[project]\nname = "overhead"\nversion = "0.1.0"\n', 'bench.py': program(0.1) }, 'base');
const head = repo.commit({ 'bench.py': program(0.1 * (1 + Number(flags.slowdown))) }, 'head');
const bare = mkdtempSync(join(tmpdir(), 'codeflash-vm-overhead-origin-'));
execFileSync('git', ['init', '-q', '--bare', bare]);
repo.git('remote', 'add', 'origin', bare);
repo.git('push', '-q', 'origin', 'HEAD:refs/heads/main');

const server = await startSshd();
const host = {
  name: 'loopback',
  host: '127.0.0.1',
  port: server.port,
  user: server.user,
  auth: 'key',
  key_path: server.clientKey,
  fingerprint: server.fingerprint,
  created_at: started.toISOString(),
};
const compare = { command: 'bench.py', language: 'python', mode: 'wall', runs, timeoutMs: 60_000, maxTimeMs: 600_000 };

async function local() {
  const t0 = performance.now();
  const comparison = await compareRefs({ ...compare, root: repo.root, base, head, worktreesDir: repo.worktreesDir });
  return { comparison, wallMs: performance.now() - t0 };
}

async function remote() {
  const t0 = performance.now();
  const [outcome] = await benchOnHosts({
    root: repo.root,
    remote: { name: 'origin', url: bare },
    base: { ref: 'base', sha: base },
    head: { ref: 'head', sha: head },
    compare,
    hosts: [host],
  });
  if ('error' in outcome) throw new Error(outcome.error);
  return { comparison: outcome.comparison, wallMs: performance.now() - t0 };
}

const fmt = (ms) => ms.toFixed(2);
const line = (path, { comparison, wallMs }) => {
  const row = comparison.rows[0];
  const t = comparison.timings;
  return {
    path,
    base: row.base,
    head: row.head,
    verdict: row.verdict,
    change: row.changePct,
    timedPerPair: t.timedMs / comparison.pairs,
    wallMs,
    runner: `${comparison.runner} (timer ${comparison.timer})`,
  };
};

console.log(
  `vm_bench remote path against the local compare: ${runs} pairs a compare, ${flags.rounds} rounds, head +${Number(flags.slowdown) * 100} % sleep`,
);
console.log(`started ${started.toISOString()}, load ${startLoad}, sshd on 127.0.0.1:${server.port}`);
console.log('round | path   | base ms | head ms | change % | verdict | timed/pair ms | whole call ms');
const results = [];
try {
  for (let round = 1; round <= Number(flags.rounds); round++) {
    for (const [path, run] of [
      ['local', local],
      ['remote', remote],
    ]) {
      const r = line(path, await run());
      results.push({ round, ...r });
      console.log(
        `${round} | ${path.padEnd(6)} | ${fmt(r.base)} | ${fmt(r.head)} | ${r.change.toFixed(1)} | ${r.verdict} | ${fmt(r.timedPerPair)} | ${fmt(r.wallMs)}`,
      );
    }
  }
} finally {
  stopAllSshd();
}
for (let round = 1; round <= Number(flags.rounds); round++) {
  const [l, r] = ['local', 'remote'].map((path) => results.find((x) => x.round === round && x.path === path));
  const perRun = ((r.base - l.base + (r.head - l.head)) / 2).toFixed(2);
  console.log(
    `round ${round}: remote − local per run (median, mean of base and head) ${perRun} ms; timed per pair ${fmt(r.timedPerPair - l.timedPerPair)} ms; fixed cost of the remote call ${fmt(r.wallMs - l.wallMs)} ms; verdicts ${l.verdict === r.verdict ? 'agree' : 'differ'} (${l.verdict} / ${r.verdict})`,
  );
}
for (const path of ['local', 'remote']) console.log(`${path} runner: ${results.find((x) => x.path === path)?.runner}`);
console.log(`ended ${new Date().toISOString()}, load ${loadavg()[0].toFixed(2)}`);
repo.dispose();
