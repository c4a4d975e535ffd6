import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { Project } from '../../src/state/project.js';
import { type SyntheticRow, storeComparison } from '../helpers/comparisons.js';
import { commitAll, gitIn, makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectInMemory, type InMemory } from '../helpers/in-memory.js';
import { realPython } from '../helpers/requires.js';

const SLOW = `def total(prices):
    result = 0
    for p in prices:
        result = result + p
    return result
`;
const FAST = `def total(prices):
    return sum(prices)
`;
export const BENCH = `from shop.cart import total

print(total(list(range(200_000))))
`;

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

export interface PrFixture {
  root: string;
  mcp: InMemory;
  project: Project;
  sessionId: string;
  base: string;
  /** Stores a comparison of base → the commit given (default: the kept change), numbers chosen by the test. */
  compare(rows: SyntheticRow[], options?: Partial<Parameters<typeof storeComparison>[1]>): string;
  /** Commit the fast total() as a kept experiment resting on a comparison with `verdict`; returns the comparison id. */
  keepChange(verdict?: string, extra?: Record<string, unknown>): Promise<string>;
}

/**
 * A Python project with a benchmark, a session on a perf branch, the guard
 * passed once, and helpers to keep a change through the real record_result.
 */
export async function prFixture(files: Record<string, string> = {}): Promise<PrFixture> {
  const root = makeRepo({ ...PYTHON_PROJECT, 'shop/cart.py': SLOW, 'bench.py': BENCH, ...files });
  gitIn(root, 'config', 'user.name', 'pr test');
  gitIn(root, 'config', 'user.email', 'pr@example.com');
  const base = gitIn(root, 'rev-parse', 'HEAD').trim();
  open = await connectInMemory({ root, jobStartWaitMs: 60_000 });
  const mcp = open;
  const start = await mcp.call('session_start', {
    goal: 'fast totals',
    guard: `${realPython()} -m pytest -q`,
    branch: 'totals',
    domain: 'cpu',
  });
  expect(start.isError, JSON.stringify(start.content)).toBeFalsy();
  expect((await mcp.call('run_guard')).structuredContent).toMatchObject({ passed: true });
  const project = mcp.app.ctx.project();
  const sessionId = start.structuredContent!.session_id as string;
  await mcp.call('record_result', {
    target: 'shop/cart.py:total',
    hypothesis: 'baseline',
    metric: 'wall_ms',
    baseline: 120,
    value: 120,
    status: 'baseline',
  });
  const fixture: PrFixture = {
    root,
    mcp,
    project,
    sessionId,
    base,
    compare(rows, options = {}) {
      return storeComparison(project.db, {
        sessionId,
        base: { ref: 'main', sha: base },
        head: { ref: 'HEAD', sha: gitIn(root, 'rev-parse', 'HEAD').trim() },
        rows,
        ...options,
      });
    },
    async keepChange(verdict = 'faster', extra = {}) {
      writeFileSync(join(root, 'shop/cart.py'), FAST);
      const head = commitAll(root, 'total: sum()');
      const id = fixture.compare([{ base: 120.4, head: verdict === 'faster' ? 48.1 : 119.9, verdict }], {
        head: { ref: 'HEAD', sha: head },
      });
      const kept = await mcp.call('record_result', {
        target: 'shop/cart.py:total',
        hypothesis: 'sum() adds in C instead of a Python loop',
        status: 'keep',
        comparison_id: id,
        commit: head,
        ...extra,
      });
      expect(kept.isError, JSON.stringify(kept.content)).toBeFalsy();
      return id;
    },
  };
  return fixture;
}
