import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOOLS } from '../../src/tools/index.js';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';

let open: InMemory | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

type Schema = {
  type?: string;
  enum?: unknown[];
  maxLength?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};

/** Every string and array of a JSON schema without a bound, by path. */
function unbounded(schema: Schema, path: string): string[] {
  const found: string[] = [];
  if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) found.push(path);
  if (schema.type === 'array' && schema.maxItems === undefined) found.push(`${path}[]`);
  for (const [name, child] of Object.entries(schema.properties ?? {})) found.push(...unbounded(child, `${path}.${name}`));
  if (schema.items) found.push(...unbounded(schema.items, `${path}[]`));
  for (const [i, child] of (schema.anyOf ?? []).entries()) found.push(...unbounded(child, `${path}|${i}`));
  return found;
}

/** The longest run of one character the text holds. */
function longestRun(text: string, char: string): number {
  return Math.max(0, ...(text.match(new RegExp(`${char}+`, 'g')) ?? []).map((run) => run.length));
}

describe('string inputs are bounded and never echoed whole', () => {
  // The schemas that check each call: tools/list leaves these bounds out to stay small.
  it('every string and array input of every tool has a maximum length', () => {
    const missing = TOOLS.flatMap((tool) => unbounded(z.toJSONSchema(tool.inputSchema, { io: 'input' }) as Schema, tool.name));
    expect(missing).toEqual([]);
  });

  it('a 1 MB root is refused with a short message', async () => {
    open = await connectInMemory({ root: makeRepo(PYTHON_PROJECT) });
    for (const tool of ['session_start', 'session_resume']) {
      const result = await open.call(tool, { root: 'r'.repeat(1024 * 1024) });
      expect(result.isError, tool).toBe(true);
      expect(errorText(result).length, tool).toBeLessThan(400);
    }
  });

  it.each([
    ['session_start', { root: `/x${'a'.repeat(3000)}` }],
    ['session_start', { root: `${'a'.repeat(3000)}/../b` }],
    ['session_start', { branch: `perf/${'a'.repeat(150)}..x` }],
    ['benchmark_compare', { base: 'a'.repeat(190), head: 'HEAD', command: 'bench.py' }],
    ['benchmark_compare', { base: 'HEAD', head: 'HEAD', benchmark: `tests/${'a'.repeat(450)}.py` }],
    ['benchmark_compare', { base: 'HEAD', head: 'HEAD', command: 'bench.py', inject: [`../${'a'.repeat(400)}`] }],
    ['profile', { command: `python3 /${'a'.repeat(3000)}.py` }],
    ['profile', { command: 'bench.py', profiler: 'a'.repeat(40) }],
    ['read_artifact', { uri: `codeflash://files/${'a'.repeat(250)}` }],
    ['job_status', { job_id: 'a'.repeat(40) }],
    ['record_result', { target: 't', hypothesis: 'h', metric: 'm', baseline: 1, value: 1, status: 'keep', comparison_id: 'a'.repeat(40) }],
    ['set_convention', { topic: 'guard', rule: `-${'a'.repeat(4000)}` }],
  ])('%s quotes at most a short prefix of its input', async (tool, args) => {
    open = await connectInMemory({ root: makeRepo(PYTHON_PROJECT) });
    await open.call('session_start', {});
    const result = await open.call(tool, args);
    expect(result.isError).toBe(true);
    expect(longestRun(errorText(result), 'a')).toBeLessThanOrEqual(200);
  });
});
