import { join } from 'node:path';
import { UserError } from '../errors.js';
import { harnessPath } from '../package.js';
import { runProcess, tail } from '../proc/run.js';
import { assertStarted, clearOutputs, type ProfilerAdapter, runProfiled } from './adapter.js';
import { type PythonTarget, pythonTarget, readHelperProfile } from './python.js';

const READ_TIMEOUT_MS = 120_000;

/** memray traces every allocation, Python and native, and keeps what was alive at the peak. */
export const memrayAdapter: ProfilerAdapter = {
  name: 'memray',
  language: 'python',
  modes: ['memory'],
  overheadNote:
    'memray intercepts every allocation including those of C extensions; expect about 1.5-3x slower runs and a capture file that grows with the number of allocations.',
  async run(job) {
    const target = await pythonTarget(job);
    await assertMemray(target, job.cwd);
    const raw = join(job.outDir, 'memray.bin');
    const json = join(job.outDir, 'memray.json');
    await clearOutputs(raw, json);
    const run = await runProfiled(job, [target.interpreter, '-m', 'memray', 'run', '--quiet', '--force', '--output', raw, ...target.args]);
    assertStarted(run, 'pass the real Python interpreter');
    const read = await runProcess([target.interpreter, harnessPath('profile_memray_read.py'), raw, json], {
      cwd: job.cwd,
      timeoutMs: READ_TIMEOUT_MS,
      signal: job.signal,
    });
    if (read.exitCode !== 0) job.log(`memray capture unreadable: ${tail(read.stderr, 500)}`);
    return { run, raw, profile: await readHelperProfile(json, 'bytes', target) };
  },
};

async function assertMemray(target: PythonTarget, cwd: string): Promise<void> {
  const probe = await runProcess([target.interpreter, '-c', 'import memray'], { cwd, timeoutMs: 30_000 });
  if (probe.exitCode !== 0) {
    throw new UserError(
      `memray is not installed for ${target.interpreter}; run \`${target.interpreter} -m pip install memray\` (Linux and macOS only), or choose profiler tracemalloc`,
    );
  }
}
