import { join } from 'node:path';
import { assertStarted, clearOutputs, runProfiled, type ProfilerAdapter } from './adapter.js';
import { pythonTarget, readHelperProfile, writePythonHelper } from './python.js';

/** Python's deterministic profiler: exact call counts and per-function self and cumulative time. */
export const cprofileAdapter: ProfilerAdapter = {
  name: 'cprofile',
  language: 'python',
  modes: ['cpu', 'wall'],
  overheadNote:
    'cProfile hooks every Python call, so call-heavy code runs about 1.5-3x slower and small functions look more expensive than they are; it sees only the main thread.',
  async run(job) {
    const target = await pythonTarget(job);
    const helper = await writePythonHelper(target, 'codeflash_cprofile');
    const raw = join(job.outDir, 'cprofile.pstats');
    const json = join(job.outDir, 'cprofile.json');
    await clearOutputs(raw, json);
    const run = await runProfiled(job, [target.interpreter, helper, raw, json, ...target.args]);
    assertStarted(run, 'pass the real Python interpreter');
    return { run, raw, profile: await readHelperProfile(json, 'ns', target) };
  },
};
