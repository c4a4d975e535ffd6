import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, gitIn } from '../helpers/git-repo.js';
import { prFixture } from './support.js';

type Review = { path: string; verdict: string; server_findings: string[] };

describe('write_review: the review gate', () => {
  it('approves proven work, checking it itself, and renders the six passes as a checklist', async () => {
    const fixture = await prFixture();
    const id = await fixture.keepChange();
    await fixture.mcp.call('pr_body', { comparison_id: id });
    const result = await fixture.mcp.call('write_review', {
      verdict: 'APPROVE',
      summary: 'total() sums with the builtin.',
      findings: [{ pass: 'quality', severity: 'minor', file: 'shop/cart.py', line: 2, text: 'a docstring would help' }],
    });
    const review = result.structuredContent as Review;
    expect(review).toMatchObject({ verdict: 'APPROVE', server_findings: [] });
    const report = readFileSync(review.path, 'utf8');
    expect(review.path).toBe(join(fixture.root, '.codeflash', 'review-report.md'));
    expect(report).toContain('**Verdict: APPROVE**');
    for (const [i, pass] of ['Comprehension', 'Correctness', 'Safety', 'Benchmark verification', 'Quality', 'Disclosure'].entries()) {
      expect(report).toMatch(new RegExp(`^\\| ${i + 1}\\. ${pass}.* \\| ✓ \\|`, 'm'));
    }
    expect(report).toMatch(new RegExp(`^- ✓ #2 shop/cart\\.py:total: ${id} faster: −60\\.0 % \\[−61\\.0, −59\\.0\\]`, 'm'));
    expect(report).toContain('- ✓ #2 shop/cart.py:total: bench.py present at base');
    expect(report).toMatch(/^- ✓ pr-body-total\.md: its table and \d+ figures match cmp-/m);
    expect(report).toContain('- **minor** `shop/cart.py:2` — a docstring would help');
    // With an approving review in place, pr_body no longer warns.
    const again = await fixture.mcp.call('pr_body', { comparison_id: id });
    expect((again.structuredContent as { next: string[] }).next).toEqual(['Review the body, then open the PR only when asked.']);
  });

  it('blocks when a body on disk states a number its comparison does not show, naming the file and line', async () => {
    const fixture = await prFixture();
    const id = await fixture.keepChange();
    const { path } = (await fixture.mcp.call('pr_body', { comparison_id: id })).structuredContent as { path: string };
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace('# total: −60.0 % wall time (2.50× faster)', '# total: −75.0 % wall time (4.00× faster)'));
    const review = (await fixture.mcp.call('write_review', { verdict: 'APPROVE', findings: [] })).structuredContent as Review;
    expect(review.verdict).toBe('BLOCK');
    expect(review.server_findings).toEqual([
      'critical: pr-body-total.md states -75.0%, which none of its comparisons shows',
      'critical: pr-body-total.md states 4.00×, which none of its comparisons shows',
    ]);
    const report = readFileSync(review.path, 'utf8');
    expect(report).toContain('**Verdict: BLOCK** (given APPROVE; raised by the findings)');
    expect(report).toContain('- **critical** `pr-body-total.md:1` — pr-body-total.md states -75.0%');
    const status = (await fixture.mcp.call('pr_body', { comparison_id: id })).structuredContent as { next: string[] };
    expect(status.next[0]).toMatch(/The last review says BLOCK/);
  });

  it('an overridden keep and a benchmark missing at base turn APPROVE into REQUEST_CHANGES; a critical finding blocks', async () => {
    const fixture = await prFixture();
    await fixture.keepChange('unchanged', { override_reason: 'simpler code' });
    writeFileSync(join(fixture.root, 'bench_new.py'), 'print(1)\n');
    const head = commitAll(fixture.root, 'a benchmark newer than base');
    const injected = fixture.compare([{ name: 'bench_new.py', base: 30, head: 20, verdict: 'faster' }], {
      head: { ref: 'HEAD', sha: head },
      request: { mode: 'wall', command: 'bench_new.py', inject: ['bench_new.py'] },
    });
    await fixture.mcp.call('record_result', {
      target: 'bench_new.py',
      hypothesis: 'h',
      status: 'keep',
      comparison_id: injected,
      commit: head,
    });
    const review = (await fixture.mcp.call('write_review', { verdict: 'APPROVE', findings: [] })).structuredContent as Review;
    expect(review.verdict).toBe('REQUEST_CHANGES');
    expect(review.server_findings.join('\n')).toMatch(
      /^major: #2 shop\/cart\.py:total: comparison cmp-\w+ says bench\.py unchanged .*; kept on override: simpler code$/m,
    );
    expect(review.server_findings.join('\n')).toMatch(
      new RegExp(`^major: #3 bench_new\\.py: the benchmark bench_new\\.py is not in the base commit ${fixture.base.slice(0, 12)}`, 'm'),
    );
    const blocked = await fixture.mcp.call('write_review', {
      verdict: 'REQUEST_CHANGES',
      findings: [{ pass: 'correctness', severity: 'critical', file: 'shop/cart.py', line: 1, text: 'total([]) must be 0 and is' }],
    });
    expect(blocked.structuredContent).toMatchObject({ verdict: 'BLOCK' });
  });
});

describe('pr_inventory', () => {
  it('lists each kept optimization: files, commit, domain, benchmark at both refs, proof, PR body', async () => {
    const fixture = await prFixture();
    const id = await fixture.keepChange();
    const head = gitIn(fixture.root, 'rev-parse', 'HEAD').trim();
    const before = (await fixture.mcp.call('pr_inventory')).structuredContent as { rows: unknown[]; markdown: string; next: string[] };
    expect(before.rows).toEqual([
      {
        n: 2,
        optimization: 'shop/cart.py:total: sum() adds in C instead of a Python loop',
        files: ['shop/cart.py'],
        commit: head,
        domain: 'cpu',
        benchmark_at_both_refs: true,
        proof: 'proven',
        pr_body: null,
      },
    ]);
    expect(before.markdown).toContain('| # | Optimization | File(s) | Commit | Domain | Benchmark at both refs | Proof | PR body |');
    expect(before.markdown).toContain(
      `| 2 | shop/cart.py:total: sum() adds in C instead of a Python loop | shop/cart.py | ${head.slice(0, 12)} | cpu | yes | proven | not written |`,
    );
    expect(before.next[0]).toMatch(/pr_body with the comparison_id of #2/);
    await fixture.mcp.call('pr_body', { comparison_id: id });
    const after = (await fixture.mcp.call('pr_inventory')).structuredContent as { rows: { pr_body: string }[]; markdown: string };
    expect(after.rows[0]!.pr_body).toBe(join(fixture.root, '.codeflash', 'pr-body-total.md'));
    expect(after.markdown).toContain('| proven | pr-body-total.md |');
  });
});
