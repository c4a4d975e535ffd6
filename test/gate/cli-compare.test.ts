import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commitAll, gitIn, makeRepo, writeFiles } from '../helpers/git-repo.js';
import { connectInMemory } from '../helpers/in-memory.js';
import { CLI } from '../helpers/mcp-client.js';
import { runningExactly, waitFor } from '../helpers/processes.js';
import { requireTool } from '../helpers/requires.js';

/**
 * The gate through the built CLI on a real repository, in instructions mode:
 * the planted slowdown triples the loop (about +85 % of all instructions, start-up
 * included), so every exit code below is certain, not a matter of chance.
 */
const work = (n: number, extra = '') =>
  `${extra}def work():\n    total = 0\n    for i in range(${n}):\n        total += i * i % 7\n    return total\n`;
const COMMAND = ['--', 'python', '-S', 'bench.py'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gate(root: string, args: string[], started?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, args[0]!, '--root', root, ...args.slice(1)], { stdio: ['ignore', 'pipe', 'pipe'] });
    started?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What --json holds: the comparison in the tool's public fields, its id, and the gate's decision. */
const gateJson = z.object({
  comparison_id: z.string().regex(/^cmp-/),
  mode: z.literal('instructions'),
  base: z.object({ ref: z.string(), sha: z.string().regex(/^[0-9a-f]{40}$/) }),
  head: z.object({ ref: z.string(), sha: z.string().regex(/^[0-9a-f]{40}$/) }),
  rows: z
    .array(
      z.object({
        name: z.string(),
        base: z.number(),
        head: z.number(),
        unit: z.string(),
        change_pct: z.number(),
        ci_low_pct: z.number(),
        ci_high_pct: z.number(),
        p_value: z.number(),
        mde_pct: z.number(),
        verdict: z.enum(['faster', 'slower', 'unchanged', 'inconclusive']),
      }),
    )
    .min(1),
  markdown: z.string(),
  gate: z.object({
    passed: z.boolean(),
    exit_code: z.union([z.literal(0), z.literal(1)]),
    fail_on_inconclusive: z.boolean(),
    thresholds_from: z.array(z.string()),
    rows: z.array(
      z.object({ name: z.string(), threshold_pct: z.number(), outcome: z.enum(['pass', 'fail', 'inconclusive']), reason: z.string() }),
    ),
    summary: z.string(),
  }),
});

const valgrind = requireTool('valgrind');
const script = requireTool('script', ['--version']);
let root: string;
let out: string;

beforeAll(() => {
  root = makeRepo({
    'pyproject.toml': '[project]\nname = "shop"\nversion = "0.1.0"\n',
    'shop/__init__.py': '',
    'shop/work.py': work(30_000),
    'bench.py': 'from shop.work import work\n\nprint(work())\n',
  });
  gitIn(root, 'tag', 'fast');
  writeFiles(root, { 'shop/work.py': work(90_000) });
  commitAll(root, 'triple the loop');
  gitIn(root, 'tag', 'slow');
  writeFiles(root, { 'shop/work.py': work(90_000, '# the same code, one comment more\n') });
  commitAll(root, 'a comment');
  gitIn(root, 'tag', 'slow-again');
  writeFiles(root, { 'bench.py': 'from shop.work import work(\n' });
  commitAll(root, 'broken');
  gitIn(root, 'tag', 'broken');
  gitIn(root, 'checkout', '-q', 'slow');
  out = join(tmpdir(), `cf-gate-out-${process.pid}`);
  mkdirSync(out, { recursive: true });
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!valgrind.ok)('codeflash-mcp compare (built CLI, instructions mode)', () => {
  it('exits 1 on the planted slowdown, writes JSON in its schema and the stored comparison table as markdown', async () => {
    const json = join(out, 'slow.json');
    const markdown = join(out, 'slow.md');
    const run = await gate(root, ['compare', 'fast', 'slow', '--mode', 'instructions', '--json', json, '--markdown', markdown, ...COMMAND]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/Gate failed: python3 -S bench\.py slower \+\d+/);
    // Not a terminal: no progress line (no carriage returns) in the log.
    expect(run.stderr).not.toContain('\r');
    const result = gateJson.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(result.rows[0]!.verdict).toBe('slower');
    expect(result.rows[0]!.change_pct).toBeGreaterThan(50);
    expect(result.gate).toMatchObject({ passed: false, exit_code: 1, rows: [{ outcome: 'fail', threshold_pct: 5 }] });
    // The comparison is in the store, as benchmark_compare keeps its own: the same table, readable by id.
    const mcp = await connectInMemory({ root });
    try {
      const stored = await mcp.client.readResource({ uri: `codeflash://comparisons/${result.comparison_id}` });
      const record = (JSON.parse((stored.contents[0] as { text: string }).text) as { data: { markdown: string } }).data;
      expect(readFileSync(markdown, 'utf8')).toBe(`${record.markdown}\n`);
      expect(record.markdown).toBe(result.markdown);
    } finally {
      await mcp.close();
    }
  }, 180_000);

  it('exits 0 on the improvement (the same refs the other way round)', async () => {
    const run = await gate(root, ['compare', 'slow', 'fast', '--mode', 'instructions', ...COMMAND]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/faster/);
    expect(run.stdout).toMatch(/Gate passed/);
  }, 180_000);

  it('exits 0 on the same slowdown under a higher threshold: the command line, pyproject [tool.codeflash], .codeflash/thresholds.toml', async () => {
    const flag = await gate(root, ['compare', 'fast', 'slow', '--mode', 'instructions', '--fail-on-regression', '500', ...COMMAND]);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toMatch(/Gate passed: python3 -S bench\.py slower .*, within the 500(\.0)? % threshold/);

    const pyproject = readFileSync(join(root, 'pyproject.toml'), 'utf8');
    writeFileSync(join(root, 'pyproject.toml'), `${pyproject}\n[tool.codeflash.thresholds]\n"python3 -S bench.py" = 400\n`);
    const kept = await gate(root, ['compare', 'fast', 'slow', '--mode', 'instructions', ...COMMAND]);
    writeFileSync(join(root, 'pyproject.toml'), pyproject);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/within the 400(\.0)? % threshold/);

    mkdirSync(join(root, '.codeflash'), { recursive: true });
    writeFileSync(join(root, '.codeflash', 'thresholds.toml'), 'fail-on-regression = 300\n');
    const file = await gate(root, ['compare', 'fast', 'slow', '--mode', 'instructions', '--json', join(out, 'file.json'), ...COMMAND]);
    rmSync(join(root, '.codeflash', 'thresholds.toml'));
    expect(file.code, file.stderr).toBe(0);
    expect(gateJson.parse(JSON.parse(readFileSync(join(out, 'file.json'), 'utf8'))).gate.thresholds_from).toEqual([
      '.codeflash/thresholds.toml',
    ]);
  }, 400_000);

  it.skipIf(!script.ok)(
    'exits 0 on identical code (A/A: the commits differ by a comment), with a progress line on a terminal',
    async () => {
      // script(1) gives the CLI a terminal: stderr is a TTY, so the progress line is drawn and rewritten in place.
      const line = [process.execPath, CLI, 'compare', '--root', root, 'slow', 'slow-again', '--mode', 'instructions', ...COMMAND].join(' ');
      const run = await new Promise<Run>((resolve, reject) => {
        const child = spawn('script', ['-qec', line, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
      });
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/Gate passed/);
      // Each update returns to the line's start and erases it (CR, ESC [2K) before writing seconds and the step.
      expect(run.stdout).toContain('\r\u001b[2K');
      expect(run.stdout).toMatch(/\d+ s {2}slow → slow-again: (warmup|pair) /);
    },
    180_000,
  );

  it('exits 2 when the command fails on a ref', async () => {
    const run = await gate(root, ['compare', 'slow', 'broken', '--mode', 'instructions', ...COMMAND]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/codeflash-mcp compare: the command failed on head/);
  }, 180_000);
});

describe('codeflash-mcp compare: usage and setup errors exit 2', () => {
  it('an unknown ref, a bad option, a bad threshold, a threshold file that does not parse', async () => {
    const unknown = await gate(root, ['compare', 'fast', 'no-such-ref', ...COMMAND]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown git ref "no-such-ref"/);
    const option = await gate(root, ['compare', 'fast', 'slow', '--no-such-option', ...COMMAND]);
    expect(option.code).toBe(2);
    const one = await gate(root, ['compare', 'fast', ...COMMAND]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/compare takes two refs/);
    const threshold = await gate(root, ['compare', 'fast', 'slow', '--fail-on-regression', 'lots', ...COMMAND]);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toMatch(/--fail-on-regression takes a number/);
    mkdirSync(join(root, '.codeflash'), { recursive: true });
    writeFileSync(join(root, '.codeflash', 'thresholds.toml'), 'fail-on-regression = [\n');
    const toml = await gate(root, ['compare', 'fast', 'slow', ...COMMAND]);
    rmSync(join(root, '.codeflash', 'thresholds.toml'));
    expect(toml.code).toBe(2);
    expect(toml.stderr).toMatch(/thresholds\.toml could not be parsed/);
  }, 60_000);
});

describe('codeflash-mcp compare in wall mode (the default) and cpu mode', () => {
  it.each([
    ['wall', []],
    ['cpu', ['--mode', 'cpu']],
  ])(
    'in %s mode exits 1 on a tripled loop that dominates the run: far past any noise a loaded machine adds',
    async (mode, flags) => {
      const repo = makeRepo({
        'pyproject.toml': '[project]\nname = "shop"\nversion = "0.1.0"\n',
        'shop/__init__.py': '',
        'shop/work.py': work(1_000_000),
        'bench.py': 'from shop.work import work\n\nprint(work())\n',
      });
      try {
        writeFiles(repo, { 'shop/work.py': work(3_000_000) });
        commitAll(repo, 'triple the loop');
        const run = await gate(repo, ['compare', 'HEAD~1', 'HEAD', '--max-time', '60', ...flags, ...COMMAND]);
        expect(run.code, run.stdout + run.stderr).toBe(1);
        expect(run.stdout).toMatch(new RegExp(`Mode: ${mode}`));
        expect(run.stdout).toMatch(/Gate failed: python3 -S bench\.py slower/);
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    },
    180_000,
  );
});

describe('codeflash-mcp compare interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'on %s exits %i, stops the runs and removes its worktrees',
    async (signal, code) => {
      const marker = `sleep 41.${process.pid}${signal.length}`;
      const running = () => runningExactly(marker);
      const worktrees = () => gitIn(root, 'worktree', 'list', '--porcelain').split('\n\n').filter(Boolean).length;
      const run = await gate(root, ['compare', 'fast', 'slow', '--', 'sh', '-c', marker], (child) => {
        void waitFor(running, 60_000, 50).then(() => child.kill(signal));
      });
      expect(run.code, run.stderr).toBe(code);
      expect(run.stderr).toContain(`interrupted by ${signal}; its runs were stopped and its worktrees removed`);
      expect(run.stdout).toBe('');
      expect(running()).toBe(false);
      expect(worktrees()).toBe(1);
    },
    90_000,
  );
});
