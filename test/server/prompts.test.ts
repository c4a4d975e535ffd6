import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/server/define-tool.js';
import { TOOLS } from '../../src/tools/index.js';
import { commitAll, makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';
import { realPython } from '../helpers/requires.js';

/** A conservative token count: English and code run about 4 characters a token; 3 leaves room. */
const tokens = (text: string) => Math.ceil(text.length / 3);

const PROJECT = {
  ...PYTHON_PROJECT,
  'bench.py': 'from shop.cart import total\n\nfor _ in range(40):\n    total(range(200_000))\n',
  'tests/test_old.py': 'def test_always_broken():\n    assert 1 == 2\n',
};

async function prompt(mcp: InMemory, name: string, args: Record<string, string> = {}) {
  const result = await mcp.client.getPrompt({ name, arguments: args });
  const [first, ...rest] = result.messages;
  return { text: (first!.content as { text: string }).text, links: rest.map((m) => (m.content as { uri: string }).uri) };
}

async function finished(mcp: InMemory, name: string, args: Record<string, unknown>) {
  let result = await mcp.call(name, args);
  expect(result.isError, errorText(result)).toBeFalsy();
  while (result.structuredContent!.state === 'running') {
    const polled = (await mcp.call('job_status', { job_id: result.structuredContent!.job_id, wait_s: 30 })).structuredContent!;
    expect(polled.state, polled.error).not.toMatch(/failed|cancelled|timed_out/);
    if (polled.state === 'succeeded') result = { ...result, structuredContent: { ...polled.result, state: 'succeeded' } };
  }
  return result.structuredContent!;
}

// Tools that do not exist yet: the review and pr_prep prompts point at them once a server offers them.
const later = ['write_review', 'pr_body'].map((name) =>
  defineTool({
    name,
    title: name,
    description: name,
    input: {},
    output: { done: z.boolean() },
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: async () => ({ done: true, summary: '', next: [] }),
  }),
);

let mcp: InMemory;
let root: string;
let comparisonId: string;
beforeAll(async () => {
  root = makeRepo(PROJECT);
  writeFileSync(join(root, 'shop', 'cart.py'), 'def total(prices):\n    return sum(prices)\n');
  commitAll(root, 'sum() is C');
  mcp = await connectInMemory({ root, jobStartWaitMs: 2000 }, { tools: [...TOOLS, ...later] });
  const python = realPython();
  await mcp.call('session_start', {
    goal: 'faster cart totals',
    guard: `${python} -m pytest -q tests/test_cart.py`,
    branch: 'totals',
    domain: 'cpu',
  });
  await mcp.call('set_convention', { topic: 'dependencies', rule: 'No new runtime dependencies.' });
  await mcp.call('record_learning', {
    title: 'sum() beats the loop',
    body: 'The builtin runs in C; the loop pays per item.',
    evidence: 'compare',
  });
  const compare = await finished(mcp, 'benchmark_compare', { base: 'HEAD~1', head: 'HEAD', command: 'bench.py', runs: 6, warmup: 1 });
  comparisonId = compare.comparison_id;
  await mcp.call('record_result', {
    target: 'shop/cart.py:total',
    hypothesis: 'h',
    metric: 'wall_s',
    baseline: 2,
    value: 2,
    status: 'baseline',
  });
  await mcp.call('record_result', {
    target: 'shop/cart.py:total',
    hypothesis: 'use sum()',
    metric: 'wall_s',
    baseline: 2,
    value: 1.5,
    status: 'keep',
    comparison_id: comparisonId,
  });
  await finished(mcp, 'scan', { command: 'bench.py' });
  await mcp.call('write_handoff', { next_steps: ['Try a generator in total() for big inputs'], summary: 'sum() kept' });
}, 240_000);
afterAll(() => mcp?.close());

describe('prompts carry the project state', () => {
  it('optimize embeds setup, conventions, learnings, old failures, the ledger, the scan ranking and the loop with tool names', async () => {
    const { text } = await prompt(mcp, 'optimize');
    expect(text).toContain('Goal: faster cart totals.');
    expect(text).toMatch(
      /Setup \(codeflash:\/\/files\/setup\.md\): python .*; tests `python3?[\d.]* -m pytest`; benchmarks in tests\/benchmarks; branch perf\/ds-totals, domain cpu\./,
    );
    expect(text).toContain('- dependencies: No new runtime dependencies.');
    expect(text).toContain('- guard: ');
    expect(text).toContain('- sum() beats the loop: The builtin runs in C; the loop pays per item.');
    expect(text).toMatch(/Tests that already failed before any change \(1;.*\n- tests\/test_old\.py::test_always_broken/);
    expect(text).toMatch(
      /Ledger .*: 1 experiments, 1 kept, 0 discarded, 0 crashed; baseline 2 wall_s; best #2 on shop\/cart\.py:total \+25\.0 %/,
    );
    expect(text).toMatch(/Scan scan-\w+ recommends \w+: .*\n1\. \w+ /);
    for (const tool of ['session_start', 'run_guard', 'benchmark_compare', 'record_result', 'scan', 'target_dossier', 'write_handoff']) {
      expect(text).toContain(tool);
    }
    expect(tokens(text)).toBeLessThan(2000);
  });

  it('resume embeds the handoff, the ledger and the branch check', async () => {
    const { text, links } = await prompt(mcp, 'resume');
    expect(text).toContain('Branch check: perf/ds-totals is checked out, as the handoff expects.');
    expect(text).toContain('Try a generator in total() for big inputs');
    expect(text).toMatch(/\| 2 \| keep \| shop\/cart\.py:total \| wall_s \| 1\.5 \| \+25\.0 % \|/);
    expect(links).toContain('codeflash://files/results.tsv');
    expect(tokens(text)).toBeLessThan(2000);
  });

  it('review and pr_prep list the kept experiments and point at write_review and pr_body when the server has them', async () => {
    const review = await prompt(mcp, 'review');
    expect(review.text).toContain('End with write_review');
    expect(review.text).toContain(`- #2 shop/cart.py:total: +25.0 % on wall_s, comparison ${comparisonId}`);
    const pr = await prompt(mcp, 'pr_prep');
    expect(pr.text).toContain('pr_body with its comparison_id');
    for (const text of [review.text, pr.text]) expect(tokens(text)).toBeLessThan(2000);
  });

  it('long state stays under 2k tokens: the rest goes by resource link', async () => {
    for (let i = 0; i < 30; i++) {
      await mcp.call('record_learning', { title: `Fact ${i} about the cart`, body: 'x'.repeat(900), evidence: 'e' });
    }
    const handoff = await mcp.call('write_handoff', { next_steps: Array.from({ length: 20 }, (_, i) => `Step ${i}: ${'y'.repeat(300)}`) });
    expect(handoff.isError, errorText(handoff)).toBeFalsy();
    const optimize = await prompt(mcp, 'optimize');
    expect(optimize.text).toContain('- … 26 more in codeflash://files/learnings.md');
    expect(optimize.links).toContain('codeflash://files/learnings.md');
    const resume = await prompt(mcp, 'resume');
    expect(resume.text).toContain('… (cut; the rest is in the resource)');
    expect(resume.links).toContain('codeflash://files/HANDOFF.md');
    for (const text of [optimize.text, resume.text]) expect(tokens(text)).toBeLessThan(2000);
  });

  it('session_status reads as the status report: best against the baseline and how it was measured, plateau, planned steps', async () => {
    const status = (await mcp.call('session_status')).structuredContent!;
    expect(status.best_measured).toMatch(
      new RegExp(`^benchmark_compare wall mode, 6 pairs HEAD~1 → HEAD, [−+][\\d.]+ % \\[.*\\] \\w+ \\(${comparisonId}\\)$`),
    );
    expect(status.planned[0]).toMatch(/^Step 0: /);
    expect(status.failing_before).toBe(1);
    expect(status.scan).toMatch(/^scan scan-\w+ recommends \w+; top target /);
    expect(status.summary).toMatch(
      /^1 experiments: 1 kept against 0 discarded \(0 crashed\) on perf\/ds-totals; best #2 \+25\.0 % against the baseline 2 wall_s, measured by benchmark_compare wall mode, 6 pairs .*; no plateau \(0 discard\(s\) in a row\); planned next: Step 0: /,
    );
  });
});

describe('prompts on a project with no state', () => {
  it('render the method alone and create no state', async () => {
    const empty = makeRepo(PYTHON_PROJECT);
    const plain = await connectInMemory({ root: empty });
    try {
      const { text } = await prompt(plain, 'optimize', { goal: 'cut peak memory' });
      expect(text).toContain('Goal: cut peak memory.');
      expect(text).not.toContain('What codeflash already knows');
      expect(text).toContain('Call session_start with the goal');
      const review = await prompt(plain, 'review');
      expect(review.text).not.toContain('write_review');
      expect(existsSync(join(empty, '.codeflash'))).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
