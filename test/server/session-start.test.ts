import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { type ClientSetup, connectInMemory, type InMemory } from '../helpers/in-memory.js';
import { realPython } from '../helpers/requires.js';

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function connect(setup: ClientSetup = {}, files = PYTHON_PROJECT) {
  const root = makeRepo(files);
  open = await connectInMemory({ root }, setup);
  return { root, mcp: open };
}

const guard = `${realPython()} -m pytest -q`;
const read = (root: string, name: string) => readFileSync(join(root, '.codeflash', name), 'utf8');

describe('session_start routes the goal and asks the open questions in one batch', () => {
  it('a client that shows forms gets one form of at most four flat fields, and its answers settle the session', async () => {
    const asked: ElicitRequest['params'][] = [];
    const { root, mcp } = await connect({
      elicit: (params) => {
        asked.push(params);
        return { action: 'accept', content: { goal: 'the loader hits OOM on big files', guard, scope: 'shop' } };
      },
    });
    const result = await mcp.call('session_start', { branch: 'loader' });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(asked).toHaveLength(1);
    const form = asked[0]!;
    expect(form.mode ?? 'form').toBe('form');
    const schema = ('requestedSchema' in form ? form.requestedSchema : {}) as {
      properties: Record<string, { type: string; enum?: string[]; default?: string }>;
    };
    expect(Object.keys(schema.properties)).toEqual(['goal', 'domain', 'guard', 'scope']);
    for (const field of Object.values(schema.properties)) expect(field.type).toBe('string');
    expect(schema.properties.domain!.enum).toEqual(['cpu', 'memory', 'async', 'structure', 'deep']);
    expect(schema.properties.guard!.default).toMatch(/-m pytest$/);
    const start = result.structuredContent!;
    expect(start).toMatchObject({ domain: 'memory', branch: 'perf/mem-loader', guard, questions: [] });
    expect(start.domain_reason).toBe('the goal says "OOM", which points to memory');
    expect(read(root, 'conventions.md')).toContain(guard);
    expect(read(root, 'conventions.md')).toMatch(/scope[\s\S]*shop/i);
    expect(read(root, 'setup.md')).toMatch(/## Session choices[\s\S]*domain memory: the goal says "OOM"[\s\S]*scope shop: answered/);
  });

  it('a declined form, or a client without forms, gets the questions back to ask in chat', async () => {
    const declined = await connect({ elicit: () => ({ action: 'decline' }) });
    const first = (await declined.mcp.call('session_start', { branch: 'later' })).structuredContent!;
    // The branch name would carry the domain's marker, so it waits for the answer.
    expect(first).toMatchObject({ branch: 'main', branch_created: false });
    expect(first.choices).toContain('branch: made once the domain is answered');
    expect(first.questions.map((q: string) => q.split(':')[0])).toEqual(['goal', 'domain', 'guard', 'scope']);
    expect(first.domain).toBe('deep');
    expect(first.next[0]).toBe('Ask the user the 4 questions in one message, then call session_start again with the answers.');
    expect(first.questions[2]).toMatch(/^guard: Which command must keep passing .* \[default: .*-m pytest\]$/);
    expect(read(declined.root, 'setup.md')).toMatch(/Still open \(to ask in chat\):\n- goal:/);
    await declined.mcp.close();

    const plain = await connect();
    const second = (await plain.mcp.call('session_start', { goal: 'p99 latency of the API', guard })).structuredContent!;
    // Goal and guard known, domain from the goal: nothing to ask, and scope is never asked alone.
    expect(second).toMatchObject({ domain: 'async', questions: [] });
    const third = (await plain.mcp.call('session_start', { goal: 'make the endpoint use less memory' })).structuredContent!;
    expect(third.domain).toBe('deep');
    expect(third.domain_reason).toMatch(/several domains/);
    expect(third.questions.map((q: string) => q.split(':')[0])).toEqual(['domain', 'scope']);
    expect(third.questions[0]).toMatch(
      /^domain: Which kind of cost to work on\? \(the goal points to several domains .*\) \(cpu \| memory \| async \| structure \| deep\) \[default: deep\]$/,
    );
  });

  it('an answered guard that is no command stays an open question', async () => {
    const { mcp } = await connect({ elicit: () => ({ action: 'accept', content: { goal: 'faster imports', guard: '--delete-all' } }) });
    const start = (await mcp.call('session_start', {})).structuredContent!;
    expect(start.domain).toBe('structure');
    expect(start.guard).toBeNull();
    expect(start.questions.map((q: string) => q.split(':')[0])).toEqual(['guard']);
    expect(start.questions[0]).toMatch(/^guard: The guard answered is not a command/);
  });

  it('autonomous asks nothing and writes every choice down', async () => {
    let asked = 0;
    const { root, mcp } = await connect({
      elicit: () => {
        asked++;
        return { action: 'decline' };
      },
    });
    const start = (await mcp.call('session_start', { goal: 'cut import time of the CLI', autonomous: true })).structuredContent!;
    expect(asked).toBe(0);
    expect(start.questions).toEqual([]);
    expect(start.domain).toBe('structure');
    expect(start.guard).toMatch(/-m pytest$/);
    expect(start.choices).toEqual([
      'goal: cut import time of the CLI',
      'domain structure: the goal says "import time", which points to structure',
      expect.stringMatching(/^guard `.*-m pytest`: the detected test command \(unattended\)$/),
      'scope: the whole project',
      'unattended: nothing was asked',
    ]);
    expect(read(root, 'conventions.md')).toMatch(/-m pytest/);
    expect(read(root, 'setup.md')).toContain('unattended: nothing was asked');
  });
});

const BROKEN_PROJECT = {
  ...PYTHON_PROJECT,
  'tests/test_old.py': `def test_always_broken():
    assert 1 == 2
`,
};

describe('tests first: what already fails is known before any change', () => {
  it('session_start stores the failing tests; run_guard names new failures apart from them and reverts only for new ones', async () => {
    const { root, mcp } = await connect({}, BROKEN_PROJECT);
    const start = (await mcp.call('session_start', { goal: 'faster totals', guard, domain: 'cpu' })).structuredContent!;
    expect(start.tests).toMatchObject({ state: 'succeeded', failing: ['tests/test_old.py::test_always_broken'] });
    expect(start.tests.command).toMatch(/-m pytest -rfE$/);
    expect(start.next).toContain('Those tests already failed before any change: leave them; run_guard names new failures apart from them.');

    const cart = join(root, 'shop', 'cart.py');
    const original = readFileSync(cart, 'utf8');
    writeFileSync(cart, original.replace('result = 0', 'result = 0  # reviewed'));
    const oldOnly = (await mcp.call('run_guard', { revert_on_failure: true })).structuredContent!;
    expect(oldOnly).toMatchObject({ passed: false, new_failures: [], pre_existing_failures: ['tests/test_old.py::test_always_broken'] });
    expect(oldOnly.reverted).toBeNull();
    expect(oldOnly.summary).toMatch(/Only tests that failed before the session failed \(1\); nothing was reverted/);
    expect(readFileSync(cart, 'utf8')).toContain('# reviewed');

    writeFileSync(cart, original.replace('result + p', 'result - p'));
    const broken = (await mcp.call('run_guard', { revert_on_failure: true })).structuredContent!;
    expect(broken.new_failures).toEqual(['tests/test_cart.py::test_total']);
    expect(broken.pre_existing_failures).toEqual(['tests/test_old.py::test_always_broken']);
    expect(broken.reverted.files).toEqual([{ status: 'M', path: 'shop/cart.py' }]);
    expect(readFileSync(cart, 'utf8')).toBe(original);

    // A second start on the same clean commit reuses the run.
    const again = (await mcp.call('session_start', { goal: 'faster totals', guard, domain: 'cpu' })).structuredContent!;
    expect(again.tests.note).toBe('reused the run at this commit');
  });
});
