import { join } from 'node:path';
import { assertStarted, clearOutputs, runProfiled, type ProfilerAdapter } from './adapter.js';
import { pythonTarget, readHelperProfile, writePythonHelper } from './python.js';

/** Python's allocation tracer: the blocks alive at the highest traced memory, by the call path that allocated them. */
export const tracemallocAdapter: ProfilerAdapter = {
  name: 'tracemalloc',
  language: 'python',
  modes: ['memory'],
  overheadNote:
    'tracemalloc records a 32-frame traceback for every allocation, so allocation-heavy code runs about 2-5x slower and uses more memory; it sees Python allocations only, not memory taken directly by C extensions.',
  async run(job) {
    const target = await pythonTarget(job);
    const helper = await writePythonHelper(target, 'codeflash_tracemalloc');
    const raw = join(job.outDir, 'tracemalloc.snapshot');
    const json = join(job.outDir, 'tracemalloc.json');
    await clearOutputs(raw, json);
    const run = await runProfiled(job, [target.interpreter, helper, raw, json, ...target.args]);
    assertStarted(run, 'pass the real Python interpreter');
    return { run, raw, profile: await readHelperProfile(json, 'bytes', target) };
  },
};
