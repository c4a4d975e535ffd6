import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { recordExperiment } from '../../src/session/record.js';
import { listExperiments } from '../../src/state/experiments.js';
import { Project } from '../../src/state/project.js';
import { createSession } from '../../src/state/sessions.js';
import { storeComparison } from '../helpers/comparisons.js';
import { gitIn, makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';

function setup() {
  const root = makeRepo(PYTHON_PROJECT);
  gitIn(root, 'config', 'user.name', 'record test');
  gitIn(root, 'config', 'user.email', 'record@example.com');
  const project = Project.open(root);
  const session = createSession(project.db, { root, domain: 'cpu', branch: 'main' });
  const sha = gitIn(root, 'rev-parse', 'HEAD').trim();
  const compare = (verdict: string, extra: Partial<Parameters<typeof storeComparison>[1]> = {}) =>
    storeComparison(project.db, {
      sessionId: session.id,
      base: { ref: 'main', sha },
      head: { ref: 'WORKTREE', sha },
      rows: [{ base: 120, head: verdict === 'faster' ? 60 : verdict === 'slower' ? 150 : 119.5, verdict }],
      ...extra,
    });
  const status = () => gitIn(root, 'status', '--porcelain=v1', '--untracked-files=all');
  return { root, project, session, sha, compare, status };
}

const keep = { target: 'shop/cart.py:total', hypothesis: 'sum() runs the loop in C', status: 'keep' as const };

describe('the ledger only believes measurements', () => {
  it('takes metric, unit, baseline and value from the comparison, and refuses values that disagree, showing both', async () => {
    const { project, session, compare } = setup();
    const id = compare('faster');
    const { row } = await recordExperiment(project, session, { ...keep, comparisonId: id, baseline: 120.02 });
    expect(row).toMatchObject({ metric: 'wall_ms', unit: 'ms', baseline: 120, value: 60, proof: 'proven', comparison_row: 'bench.py' });
    const wrong = recordExperiment(project, session, { ...keep, comparisonId: id, baseline: 0.12, value: 0.06, metric: 'wall_s' });
    await expect(wrong).rejects.toThrow(UserError);
    await expect(wrong).rejects.toThrow(/metric "wall_s" ≠ "wall_ms"; baseline 0\.12 ≠ 120 ms; value 0\.06 ≠ 60 ms/);
    expect(listExperiments(project.db)).toHaveLength(1);
  });

  it.each(['unchanged', 'inconclusive', 'slower'])('refuses a keep on a %s comparison unless override_reason is given', async (verdict) => {
    const { project, session, compare } = setup();
    const id = compare(verdict);
    await expect(recordExperiment(project, session, { ...keep, comparisonId: id })).rejects.toThrow(
      new RegExp(`needs a comparison whose verdict is faster, and comparison ${id} says ${verdict}`),
    );
    const { row } = await recordExperiment(project, session, { ...keep, comparisonId: id, overrideReason: 'the maintainer asked for it' });
    expect(row).toMatchObject({ proof: 'overridden', override_reason: 'the maintainer asked for it' });
  });

  it('refuses a keep with no comparison unless overridden, and direction higher on a time', async () => {
    const { project, session, compare } = setup();
    await expect(recordExperiment(project, session, { ...keep, metric: 'wall_s', baseline: 2, value: 1 })).rejects.toThrow(
      /no comparison_id was given/,
    );
    await expect(recordExperiment(project, session, { ...keep, comparisonId: compare('faster'), direction: 'higher' })).rejects.toThrow(
      /measures ms, where lower is better: direction "higher" contradicts it/,
    );
    const rows = storeComparison(project.db, {
      sessionId: session.id,
      base: { ref: 'a', sha: 'a'.repeat(40) },
      head: { ref: 'b', sha: 'b'.repeat(40) },
      rows: [
        { name: 'test_a', base: 10, head: 5, unit: 'us', verdict: 'faster' },
        { name: 'test_b', base: 10, head: 10, unit: 'us', verdict: 'unchanged' },
      ],
    });
    await expect(recordExperiment(project, session, { ...keep, comparisonId: rows })).rejects.toThrow(
      /has 2 rows: pass row, one of "test_a", "test_b"/,
    );
    const { row } = await recordExperiment(project, session, { ...keep, comparisonId: rows, row: 'test_a' });
    expect(row).toMatchObject({ metric: 'wall_us', proof: 'proven', comparison_row: 'test_a' });
  });

  it('a throughput metric (higher is better) is proven by a significant rise', async () => {
    const { project, session } = setup();
    const id = storeComparison(project.db, {
      sessionId: session.id,
      base: { ref: 'a', sha: 'a'.repeat(40) },
      head: { ref: 'b', sha: 'b'.repeat(40) },
      rows: [{ name: 'ops', base: 1000, head: 1500, unit: 'ops/s', verdict: 'faster' }],
    });
    const { row } = await recordExperiment(project, session, { ...keep, comparisonId: id, direction: 'higher' });
    expect(row).toMatchObject({ proof: 'proven', improvement_pct: 50 });
  });
});

describe('keep and discard do the git work, exactly', () => {
  it('keep with files commits exactly those files, new ones included, with a message from target and hypothesis', async () => {
    const { root, project, session, sha, compare, status } = setup();
    writeFileSync(join(root, 'shop/cart.py'), 'def total(prices):\n    return sum(prices)\n');
    writeFileSync(join(root, 'shop/fast.py'), 'FAST = True\n');
    writeFileSync(join(root, 'tests/test_cart.py'), `${readFileSync(join(root, 'tests/test_cart.py'), 'utf8')}# staged, not ours\n`);
    gitIn(root, 'add', 'tests/test_cart.py');
    writeFileSync(join(root, 'notes.txt'), 'the user’s scratch file\n');
    const id = compare('faster');
    const recorded = await recordExperiment(project, session, { ...keep, comparisonId: id, files: ['shop/cart.py', './shop/fast.py'] });
    expect(recorded.committed).toMatch(/^[0-9a-f]{40}$/);
    expect(recorded.row).toMatchObject({ commit_sha: recorded.committed, files_json: JSON.stringify(['shop/cart.py', 'shop/fast.py']) });
    expect(gitIn(root, 'rev-parse', 'HEAD~1').trim()).toBe(sha);
    expect(gitIn(root, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['shop/cart.py', 'shop/fast.py']);
    const message = gitIn(root, 'log', '-1', '--format=%B');
    expect(message).toMatch(
      /^shop\/cart\.py:total: sum\(\) runs the loop in C\n\nsum\(\) runs the loop in C\n\nwall_ms 120 → 60 \(comparison cmp-/,
    );
    // What else was there is as it was: staged stays staged, untracked stays untracked.
    expect(status()).toBe('M  tests/test_cart.py\n?? notes.txt\n');
    // The commit's tree is not what the comparison measured (the staged test edit was in the working tree then): said.
    expect(recorded.warnings.join('\n')).toMatch(/is not the tree comparison/);
  });

  it('a pre-commit hook that fails leaves nothing committed, the index as it was, no experiment, and says what failed', async () => {
    const { root, project, session, sha, compare, status } = setup();
    const hook = join(root, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho "ruff: E501 line too long in shop/cart.py" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    writeFileSync(join(root, 'shop/cart.py'), 'def total(prices):\n    return sum(prices)\n');
    writeFileSync(join(root, 'shop/new.py'), 'X = 1\n');
    const before = status();
    const attempt = recordExperiment(project, session, {
      ...keep,
      comparisonId: compare('faster'),
      files: ['shop/cart.py', 'shop/new.py'],
    });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/nothing was committed and the index is as it was.*ruff: E501 line too long/s);
    expect(gitIn(root, 'rev-parse', 'HEAD').trim()).toBe(sha);
    expect(status()).toBe(before);
    expect(gitIn(root, 'diff', '--cached', '--name-only')).toBe('');
    expect(listExperiments(project.db)).toEqual([]);
  });

  it('discard with files restores exactly those to HEAD, removes new ones, keeps the undone change as a patch', async () => {
    const { root, project, session, compare, status } = setup();
    const original = readFileSync(join(root, 'shop/cart.py'), 'utf8');
    writeFileSync(join(root, 'shop/cart.py'), 'def total(prices):\n    return 0\n');
    writeFileSync(join(root, 'shop/new.py'), 'X = 1\n');
    writeFileSync(join(root, 'tests/test_cart.py'), '# not part of the experiment\n');
    const recorded = await recordExperiment(project, session, {
      ...keep,
      status: 'discard',
      comparisonId: compare('unchanged'),
      files: ['shop/cart.py', 'shop/new.py'],
    });
    expect(recorded.restored!.files).toEqual([
      { status: 'M', path: 'shop/cart.py' },
      { status: '??', path: 'shop/new.py' },
    ]);
    expect(readFileSync(join(root, 'shop/cart.py'), 'utf8')).toBe(original);
    expect(existsSync(join(root, 'shop/new.py'))).toBe(false);
    expect(status()).toBe(' M tests/test_cart.py\n');
    gitIn(root, 'apply', recorded.restored!.patch!);
    expect(readFileSync(join(root, 'shop/new.py'), 'utf8')).toBe('X = 1\n');
    expect(recorded.row).toMatchObject({ status: 'discard', proof: null, files_json: JSON.stringify(['shop/cart.py', 'shop/new.py']) });
  });

  it.each([
    [['README.md'], /README\.md has no change against HEAD/],
    [['../outside.py'], /outside the project root/],
    [['.codeflash/results.tsv'], /in the state directory/],
  ])('refuses files %j before touching git', async (files, message) => {
    const { root, project, session, sha, compare, status } = setup();
    writeFileSync(join(root, 'README.md'), 'unchanged\n');
    gitIn(root, 'add', 'README.md');
    gitIn(root, 'commit', '-qm', 'readme');
    writeFileSync(join(root, 'shop/cart.py'), 'x = 1\n');
    const before = status();
    await expect(recordExperiment(project, session, { ...keep, comparisonId: compare('faster'), files })).rejects.toThrow(message);
    expect(status()).toBe(before);
    expect(gitIn(root, 'rev-parse', 'HEAD~1').trim()).toBe(sha);
    expect(listExperiments(project.db)).toEqual([]);
  });
});
