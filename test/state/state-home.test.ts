import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectKey, statePaths } from '../../src/state/paths.js';
import { gitIn, makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';
import { connectStdio } from '../helpers/mcp-client.js';
import { type PrFixture, prFixture } from '../pr/support.js';

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('a state home outside the repository, keyed by org and project', () => {
  it.each([
    ['git@github.com:textualize/rich.git', ['textualize', 'rich']],
    ['https://github.com/python/pip', ['python', 'pip']],
    ['ssh://git@gitlab.example.com:2222/team/sub/tool.git/', ['sub', 'tool']],
  ])('names the folders after the origin remote %s', (url, key) => {
    const root = makeRepo({ 'a.txt': 'a' });
    gitIn(root, 'remote', 'add', 'origin', url);
    expect(projectKey(root)).toEqual(key);
    // A linked worktree of the same repository has the same key.
    const linked = join(mkdtempSync(join(tmpdir(), 'cf-linked-')), 'wt');
    gitIn(root, 'worktree', 'add', '-q', '--detach', linked);
    expect(projectKey(linked)).toEqual(key);
  });

  it('without a remote, the parent folder and the project folder name it', () => {
    const root = makeRepo({ 'a.txt': 'a' });
    expect(projectKey(root)).toEqual([basename(dirname(root)), basename(root)]);
    expect(statePaths(root, '/srv/studies').stateDir).toBe(join('/srv/studies', basename(dirname(root)), basename(root)));
  });

  it('keeps every file out of the target repository, over stdio with CODEFLASH_STATE_DIR', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    gitIn(root, 'remote', 'add', 'origin', 'git@github.com:acme/shop.git');
    const home = realpathSync(mkdtempSync(join(tmpdir(), 'cf-home-')));
    const mcp = await connectStdio(['--root', root], { CODEFLASH_STATE_DIR: home });
    try {
      expect((await mcp.call('session_start', { branch: 'totals' })).isError).toBeFalsy();
      await mcp.call('record_result', { target: 't', hypothesis: 'h', metric: 'wall_ms', baseline: 2, value: 2, status: 'baseline' });
      await mcp.call('write_handoff', { next_steps: ['profile'] });
      const written = await mcp.call('write_case_study', { dest: 'case-study' });
      expect(written.isError, JSON.stringify(written.content)).toBeFalsy();
    } finally {
      await mcp.close();
    }
    expect(existsSync(join(root, '.codeflash'))).toBe(false);
    // Only the project's own tools write there: pytest keeps its cache when session_start runs the tests once.
    const written = gitIn(root, 'status', '--porcelain', '--ignored').split('\n').filter(Boolean);
    expect(written.filter((line) => !/^!! (\.pytest_cache|__pycache__|.*\/__pycache__)\/$/.test(line))).toEqual([]);
    const dir = join(home, 'acme', 'shop');
    expect(readdirSync(dir)).toEqual(
      expect.arrayContaining(['state.sqlite', 'results.tsv', 'HANDOFF.md', 'progress.svg', 'setup.md', 'case-study']),
    );
  });
});

describe('write_case_study', () => {
  async function exported(fixture: PrFixture) {
    const id = await fixture.keepChange();
    await fixture.mcp.call('pr_body', { comparison_id: id });
    await fixture.mcp.call('write_review', { verdict: 'APPROVE', findings: [] });
    await fixture.mcp.call('write_changelog');
    const result = await fixture.mcp.call('write_case_study', { dest: 'case-study' });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    return { id, ...(result.structuredContent as { dir: string; files: string[] }) };
  }

  it('exports the ledger, chart, kept changes as patches, PR bodies, comparisons and notes, with a README', async () => {
    const fixture = await prFixture();
    const { id, dir, files } = await exported(fixture);
    expect(dir).toBe(join(fixture.root, '.codeflash', 'case-study'));
    expect(files).toEqual([
      'README.md',
      'changelog.md',
      'changes/002-total.patch',
      `comparisons/${id}.json`,
      'conventions.md',
      'experiments.json',
      'pr-bodies/pr-body-total.md',
      'progress.svg',
      'results.tsv',
      'review-report.md',
    ]);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# Case study: /);
    expect(readme).toContain('![Experiment history](progress.svg)');
    expect(readme).toContain(`| 2 | shop/cart.py:total | 120.4 → 48.1 ms | +60.0 % | proven by ${id} |`);
    expect(readme).toContain('[002-total.patch](changes/002-total.patch)');
    // The patch applies as the commit it came from.
    expect(readFileSync(join(dir, 'changes/002-total.patch'), 'utf8')).toMatch(
      /^From [0-9a-f]{40} [\s\S]*Subject: \[PATCH\] total: sum\(\)[\s\S]*\+ {4}return sum\(prices\)/,
    );
    expect(JSON.parse(readFileSync(join(dir, 'experiments.json'), 'utf8'))).toHaveLength(2);
    // Cleanup keeps an export inside the state directory.
    await fixture.mcp.call('session_cleanup');
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
  });

  it('writes only inside the project or its state directory', async () => {
    const fixture = await prFixture();
    const outside = mkdtempSync(join(tmpdir(), 'cf-outside-'));
    const refused = await fixture.mcp.call('write_case_study', { dest: outside });
    expect(errorText(refused)).toMatch(/is outside the project and its state directory/);
    expect(readdirSync(outside)).toEqual([]);
    mkdirSync(join(fixture.root, '.git', 'x'), { recursive: true });
    expect((await fixture.mcp.call('write_case_study', { dest: join(fixture.root, '.git', 'x') })).isError).toBe(true);
    const inside = await fixture.mcp.call('write_case_study', { dest: join(fixture.root, 'docs', 'perf') });
    expect(inside.isError).toBeFalsy();
  });
});

// The in-memory server option is the same state home.
describe('the server option', () => {
  it('stateDir for the in-memory server puts a session’s state under <home>/<org>/<project>', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const home = mkdtempSync(join(tmpdir(), 'cf-home-'));
    open = await connectInMemory({ root, stateDir: home });
    await open.call('session_start', {});
    expect(existsSync(join(statePaths(root, home).stateDir, 'setup.md'))).toBe(true);
    expect(existsSync(join(root, '.codeflash'))).toBe(false);
  });
});
