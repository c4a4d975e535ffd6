import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/scan/', import.meta.url));

/** A fixture project's files, to commit into a fresh repository (the scan writes .codeflash/ into it). */
function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = { 'pyproject.toml': '[project]\nname = "fixture"\nversion = "0"\n' };
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.py')) files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

const open: InMemory[] = [];
afterAll(async () => {
  for (const mcp of open) await mcp.close();
});

interface Scanned {
  root: string;
  mcp: InMemory;
  scan: Record<string, any>;
  seconds: number;
}

/** Start a session on a copy of the fixture and scan `app.py`, following the job until it ends. */
async function scanned(fixture: string): Promise<Scanned> {
  const root = makeRepo(filesOf(join(FIXTURES, fixture)));
  const mcp = await connectInMemory({ root, jobStartWaitMs: 1000 });
  open.push(mcp);
  await mcp.call('session_start', { goal: 'faster', autonomous: true });
  const started = Date.now();
  let result = await mcp.call('scan', { command: 'app.py' });
  expect(result.isError, errorText(result)).toBeFalsy();
  while (result.structuredContent!.state === 'running') {
    const polled = await mcp.call('job_status', { job_id: result.structuredContent!.job_id, wait_s: 30 });
    const job = polled.structuredContent!;
    expect(job.state, job.error).not.toMatch(/failed|cancelled|timed_out/);
    if (job.state === 'succeeded') result = { ...polled, structuredContent: { ...job.result, state: 'succeeded' } };
  }
  return { root, mcp, scan: result.structuredContent!, seconds: (Date.now() - started) / 1000 };
}

/** A ranked target line of a scan result: `#1 cpu pair_count (/path/app.py:8): measure`. */
function target(line: string) {
  const match = /^#(\d+) (\w+) (.+?) \((\/[^)]*:\d+)\): (.*)$/.exec(line) ?? /^#(\d+) (\w+) (.+?)(): (.*)$/.exec(line);
  expect(match, line).toBeTruthy();
  const [, rank, domain, fn, where, measure] = match!;
  return { rank: Number(rank), domain, function: fn, where: where ?? '', measure, share_pct: Number(/([\d.]+) % of/.exec(measure!)?.[1]) };
}

async function dossier(mcp: InMemory, args: Record<string, unknown>) {
  const result = await mcp.call('target_dossier', args);
  expect(result.isError, errorText(result)).toBeFalsy();
  return result.structuredContent!;
}

/** The dossier's source line `line`, as quoted with its cost columns. */
const sourceLine = (markdown: string, line: number) => markdown.split('\n').find((l) => new RegExp(`^[ ▶]\\s*${line} \\|`).test(l)) ?? '';

describe('CPU-bound fixture', () => {
  let run: Scanned;
  beforeAll(async () => {
    run = await scanned('cpu');
  });

  it('scan ranks the quadratic loop first and recommends cpu', () => {
    const { scan, root } = run;
    expect(scan.domain).toBe('cpu');
    expect(target(scan.targets[0])).toMatchObject({ domain: 'cpu', function: 'pair_count', where: join(root, 'app.py:8') });
    expect(target(scan.targets[0]).share_pct).toBeGreaterThan(40);
    expect(scan.reason).toMatch(/^pair_count \(app\.py:8\) .* of wall time/);
    const report = readFileSync(join(root, '.codeflash', 'scan-report.md'), 'utf8');
    expect(report).toMatch(/\*\*Recommended domain: cpu\.\*\*/);
    expect(report).toMatch(/\| 1 \| cpu \| pair_count \|/);
    expect(report).toMatch(/- garbage collector: \d+ collections \(\d+ \/ \d+ \/ \d+ by generation\), \d+ objects freed, paused/);
    expect(report).toContain('- event loop: asyncio was not used');
    expect(report).toMatch(
      /\| probe \| scan-probe \|[\s\S]*\| cpu \| cprofile \|[\s\S]*\| import \| importtime \|[\s\S]*\| memory \| (memray|tracemalloc) \|/,
    );
  });

  it('its dossier has the source with cost per line, the call count, argument sizes, callers, and the earlier work on it', async () => {
    const { mcp } = run;
    await mcp.call('record_result', {
      target: 'app.py:pair_count',
      hypothesis: 'sort once, then count with bisect',
      metric: 'wall_s',
      baseline: 1,
      value: 1.02,
      status: 'discard',
    });
    await mcp.call('record_result', {
      target: 'make_values',
      hypothesis: 'unrelated',
      metric: 'wall_s',
      baseline: 1,
      value: 1,
      status: 'discard',
    });
    await mcp.call('record_learning', { title: 'pair_count is quadratic', body: 'Both loops run over all values.', evidence: 'scan' });
    const d = await dossier(mcp, { rank: 1 });
    expect(d.function).toBe('pair_count');
    expect(d.summary).toMatch(/from stored profiles prof-\w+, prof-\w+/);
    const md: string = d.dossier;
    expect(md).toMatch(/^# Dossier: pair_count \(.*app\.py:8\)/);
    expect(md).toContain('Called 1 time(s) (cprofile).');
    expect(md).toContain('Argument values: length 2200');
    expect(sourceLine(md, 8)).toMatch(/\| def pair_count\(values\):$/);
    const inner = [11, 12, 13].map((line) => sourceLine(md, line));
    expect(
      inner.some((l) => /\d+\.\d %/.test(l)),
      inner.join('\n'),
    ).toBe(true);
    expect(md).toMatch(/## Callers[\s\S]*\| main \| app\.py:17 \| 1 \|/);
    expect(md).toMatch(/\| 1 \| discard \| app\.py:pair_count \| sort once, then count with bisect \|/);
    expect(md).not.toContain('unrelated');
    expect(md).toContain('- **pair_count is quadratic**: Both loops run over all values.');
  });

  it('names a target by function or place, and refuses an unknown one with the choices', async () => {
    const { mcp } = run;
    expect((await dossier(mcp, { target: 'app.py:8' })).function).toBe('pair_count');
    expect((await dossier(mcp, { target: 'make_values' })).function).toBe('make_values');
    const unknown = await mcp.call('target_dossier', { target: 'nowhere' });
    expect(unknown.isError).toBe(true);
    expect(errorText(unknown)).toMatch(/nothing stored is named nowhere; pass rank, or one of: pair_count/);
    const past = await mcp.call('target_dossier', { rank: 99 });
    expect(errorText(past)).toMatch(/rank 99 is past the \d+ scan target/);
  });
});

describe('allocation-heavy fixture', () => {
  let run: Scanned;
  beforeAll(async () => {
    run = await scanned('alloc');
  });

  it('scan ranks the function that keeps the rows alive first and recommends memory', () => {
    expect(run.scan.domain).toBe('memory');
    expect(target(run.scan.targets[0])).toMatchObject({ domain: 'memory', function: 'load_rows' });
    expect(target(run.scan.targets[0]).measure).toMatch(/^holds 1\d\d\.\d+ MiB at the traced peak .* of peak RSS/);
  });

  it('its dossier shows the allocating line and the allocation sites', async () => {
    const d = await dossier(run.mcp, { rank: 1 });
    expect(d.function).toBe('load_rows');
    expect(sourceLine(d.dossier, 5)).toMatch(/1\d\d\.\d+ MiB \|\s+return \[b"x" \* size/);
    expect(d.dossier).toMatch(/## Allocation sites[\s\S]*\| load_rows \| app\.py:4 \| 1\d\d\.\d+ MiB \|/);
    expect(d.dossier).toContain('Argument count: value 1200');
    expect(d.dossier).toContain('Argument size: value 100000');
  });
});

describe('slow-import fixture', () => {
  let run: Scanned;
  beforeAll(async () => {
    run = await scanned('imports');
  });

  it('scan ranks the module doing work at import first and recommends structure', () => {
    expect(run.scan.domain).toBe('structure');
    expect(target(run.scan.targets[0])).toMatchObject({ domain: 'structure', function: 'reports.charts' });
    // Import work is not counted again as CPU work of the module.
    const cpu = run.scan.targets.map(target).filter((t: { domain: string }) => t.domain === 'cpu');
    expect(cpu.map((t: { function: string }) => t.function)).not.toContain('<module>');
  });

  it('its dossier quotes the module and names who imports it', async () => {
    const d = await dossier(run.mcp, { rank: 1 });
    expect(d.function).toBe('reports.charts');
    expect(d.dossier).toContain('_deadline = time.perf_counter() + 0.25');
    expect(d.dossier).toMatch(/## Callers[\s\S]*\| reports \| __init__\.py:1 \|/);
  });
});

describe('async fixture with a blocking call', () => {
  let run: Scanned;
  beforeAll(async () => {
    run = await scanned('async');
  });

  it('scan ranks the blocking call first, at its line, and recommends async', () => {
    const { scan, root } = run;
    expect(scan.domain).toBe('async');
    expect(target(scan.targets[0])).toMatchObject({ domain: 'async', function: 'handle', where: join(root, 'app.py:12') });
    expect(target(scan.targets[0]).measure).toMatch(/^4 callback\(s\) held the event loop/);
    const report = readFileSync(join(root, '.codeflash', 'scan-report.md'), 'utf8');
    expect(report).toContain('- event loop: 4 callback(s) held it past 100 ms (asyncio debug mode)');
  });

  it('its dossier marks the blocking line and puts the time on it', async () => {
    const d = await dossier(run.mcp, { rank: 1 });
    expect(d.function).toBe('handle');
    const blocking = sourceLine(d.dossier, 12);
    expect(blocking).toMatch(/^▶/);
    expect(Number(/\|\s+([\d.]+) %/.exec(blocking)?.[1])).toBeGreaterThan(50);
    expect(d.dossier).toMatch(/Argument i: value 0…3/);
  });
});
