import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { type RunResult, runProcess, tail } from '../proc/run.js';
import { assertStarted, clearOutputs, type ProfilerAdapter, runProfiled } from './adapter.js';
import { type FrameRef, type Profile, ProfileBuilder } from './model.js';
import { foldComprehensions, type PythonTarget, pythonTarget } from './python.js';

const RATE_HZ = 100;
/** The sampler outlives the program by at most this long (it stops by itself when the program exits). */
const SAMPLER_EXTRA_MS = 15_000;

/** A sampling profiler that reads the interpreter's stacks from outside the process. */
export const pyspyAdapter: ProfilerAdapter = {
  name: 'py-spy',
  language: 'python',
  modes: ['wall', 'cpu'],
  overheadNote: `py-spy reads the stacks from outside ${RATE_HZ} times a second, pausing the program for a few microseconds each time (a few percent slower); functions shorter than the 10 ms interval show up only statistically.`,
  async run(job) {
    const target = await pythonTarget(job);
    const spy = findPySpy(target.interpreter);
    const raw = join(job.outDir, 'py-spy.txt');
    await clearOutputs(raw);
    let sampler: Promise<RunResult> | undefined;
    const run = await runProfiled(job, [target.interpreter, ...target.args], {
      onSpawn: (pid) => {
        // Without --nonblocking py-spy pauses the program while it reads a stack, so every stack is consistent;
        // measured on the fixtures the run costs about 1.1x either way.
        const record = ['record', '--pid', String(pid), '--format', 'raw', '--function', '--full-filenames', '--subprocesses'];
        const rate = ['--rate', String(RATE_HZ)];
        const idle = job.mode === 'wall' ? ['--idle'] : [];
        const native = job.native ? ['--native'] : [];
        sampler = runProcess([spy, ...record, ...rate, ...idle, ...native, '--output', raw], {
          cwd: job.cwd,
          timeoutMs: job.timeoutMs + SAMPLER_EXTRA_MS,
          signal: job.signal,
        });
      },
    });
    assertStarted(run, 'pass the real Python interpreter');
    const spyRun = await sampler;
    if (existsSync(raw)) return { run, raw, profile: parseRaw(await readFile(raw, 'utf8'), target) };
    if (run.exitCode !== 0 || !spyRun) return { run };
    throw new UserError(samplerFailure(spyRun));
  },
};

function findPySpy(interpreter: string): string {
  const dirs = [dirname(interpreter), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  const found = dirs.map((dir) => join(dir, 'py-spy')).find((path) => existsSync(path));
  if (!found) throw new UserError(`py-spy is not installed; run \`${interpreter} -m pip install py-spy\` (or choose profiler cprofile)`);
  return found;
}

function samplerFailure(spyRun: RunResult): string {
  const output = tail(`${spyRun.stderr}\n${spyRun.stdout}`.trim(), 600);
  if (/permission|not permitted|ptrace/i.test(output)) {
    return `py-spy may not attach to the program (ptrace is denied): run as root, set kernel.yama.ptrace_scope to 0, or give the container CAP_SYS_PTRACE; or choose profiler cprofile. py-spy said: ${output}`;
  }
  return `py-spy wrote no profile (the program may have ended before py-spy attached; profile a longer run or choose profiler cprofile). py-spy said: ${output}`;
}

const FRAME = /^(.*) \((.*):(\d+)\)$/;

/** py-spy's raw format: one line per distinct stack, `frame;frame;... count`, root first. */
export function parseRaw(text: string, target: PythonTarget): Profile {
  const builder = new ProfileBuilder('ns', target.keepFrame);
  const sampleNs = 1e9 / RATE_HZ;
  for (const line of text.split('\n')) {
    const cut = line.lastIndexOf(' ');
    const count = Number(line.slice(cut + 1));
    if (cut < 0 || !Number.isFinite(count)) continue;
    const path = line
      .slice(0, cut)
      .split(';')
      .filter((frame) => frame && !/^process \d+:/.test(frame))
      .map(parseFrame);
    builder.addSample(foldComprehensions(path), count * sampleNs);
  }
  return builder.build();
}

function parseFrame(text: string): FrameRef {
  const match = FRAME.exec(text);
  return match ? { function: match[1]!, file: match[2]!, line: Number(match[3]) } : { function: text, file: '', line: 0 };
}
