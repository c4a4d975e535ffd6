import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { type Connected, connectStdio, textOf } from '../helpers/mcp-client.js';
import { realPython } from '../helpers/requires.js';
import { peakRssBytes } from './support.js';

const OUTPUT_MIB = 200;
/** Writes OUTPUT_MIB MiB of 1 KiB lines to stdout as fast as Python can, then one last line. */
const LOUD = `import sys
out = sys.stdout.buffer
block = (b"y" * 1023 + b"\\n") * 1024
for _ in range(${OUTPUT_MIB}):
    out.write(block)
out.write(b"the end\\n")
`;
const RSS_LIMIT = 300 * 1024 * 1024;
const RESULT_LIMIT = 100_000;

let mcp: Connected;
const figures: string[] = [];

/** A tool's final result: its answer, or the job's once job_status says it ended. */
async function finished(tool: string, args: Record<string, unknown>): Promise<{ result: Record<string, any>; bytes: number; ms: number }> {
  const started = Date.now();
  let answer = await mcp.call(tool, args);
  expect(answer.isError, textOf(answer)).toBeFalsy();
  while ((answer.structuredContent as Record<string, unknown>).state === 'running') {
    answer = await mcp.call('job_status', { job_id: (answer.structuredContent as Record<string, unknown>).job_id, wait_s: 45 });
    expect(answer.isError, textOf(answer)).toBeFalsy();
    const view = answer.structuredContent as Record<string, any>;
    if (view.state !== 'running') {
      expect(view.state, view.error).toBe('succeeded');
      answer = { ...answer, structuredContent: view.result };
    }
  }
  return { result: answer.structuredContent as Record<string, any>, bytes: JSON.stringify(answer).length, ms: Date.now() - started };
}

beforeAll(async () => {
  const root = makeRepo({ ...PYTHON_PROJECT, 'loud.py': LOUD });
  mcp = await connectStdio(['--root', root]);
  await mcp.client.listTools();
  const start = await mcp.call('session_start', { guard: `${realPython()} loud.py` });
  expect(start.isError, textOf(start)).toBeFalsy();
});

afterAll(async () => {
  console.info(`${OUTPUT_MIB} MiB of output: ${figures.join('; ')}`);
  await mcp?.close();
});

describe(`a program that prints ${OUTPUT_MIB} MiB`, () => {
  it('is profiled to its end: the run is not cut short, the result stays small', async () => {
    const { result, bytes, ms } = await finished('profile', { command: 'loud.py' });
    figures.push(`profile ${ms} ms, result ${bytes} B`);
    expect(result).toMatchObject({ exit_code: 0, timed_out: false, profiler: 'cprofile' });
    expect(result.stderr_tail).not.toMatch(/BrokenPipe|Traceback/);
    expect(bytes).toBeLessThan(RESULT_LIMIT);
  });

  it('is compared base against head with every run completing', async () => {
    const { result, bytes, ms } = await finished('benchmark_compare', {
      base: 'HEAD',
      head: 'HEAD',
      command: 'loud.py',
      runs: 6,
      warmup: 0,
    });
    figures.push(`benchmark_compare ${ms} ms (${result.pairs} pairs), result ${bytes} B`);
    expect(result.pairs).toBe(6);
    expect(result.rows).toHaveLength(1);
    expect(bytes).toBeLessThan(RESULT_LIMIT);
  });

  it('passes as a guard, with only the end of its output kept', async () => {
    const { result, bytes, ms } = await finished('run_guard', {});
    figures.push(`run_guard ${ms} ms, result ${bytes} B`);
    expect(result).toMatchObject({ passed: true, exit_code: 0 });
    expect(result.output_tail).toMatch(/the end\n?$/);
    expect(bytes).toBeLessThan(RESULT_LIMIT);
  });

  it('never takes the server past 300 MB of resident memory', () => {
    const peak = peakRssBytes(mcp.pid);
    figures.push(`server peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB`);
    expect(peak).toBeLessThan(RSS_LIMIT);
  });
});
