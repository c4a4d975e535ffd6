import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { goExecutable } from '../env/go.js';
import { UserError } from '../errors.js';
import { assertStarted, clearOutputs, type ProfileJob, type ProfilerAdapter, runProfiled } from './adapter.js';
import { type PathFrame, type Profile, ProfileBuilder, type ProfileMode } from './model.js';
import { decodePprof, type PprofProfile } from './pprof-proto.js';

const USAGE = 'Go profiles come from benchmarks: pass `go test -bench <regexp> ./pkg` or just the package (./pkg)';

/** Go's runtime profiler, driven through `go test -bench` with -cpuprofile or -memprofile. */
export const goPprofAdapter: ProfilerAdapter = {
  name: 'go-pprof',
  language: 'go',
  modes: ['cpu', 'memory'],
  overheadNote:
    "Go's profiler samples the CPU 100 times a second (a few percent slower); its memory profile samples about one allocation per 512 KiB and counts everything allocated since start, freed or not.",
  async run(job) {
    const memory = job.mode === 'memory';
    const raw = join(job.outDir, memory ? 'go-mem.pprof' : 'go-cpu.pprof');
    const binary = join(job.outDir, 'profiled.test');
    await clearOutputs(raw, binary);
    const run = await runProfiled(job, goTestCommand(job, [memory ? '-memprofile' : '-cpuprofile', raw, '-o', binary]));
    assertStarted(run, 'install Go (https://go.dev/dl) and put `go` on PATH');
    if (!existsSync(raw)) return { run };
    return { run, raw, profile: pprofToProfile(decodePprof(await readFile(raw)), job.mode) };
  },
};

/** `go test` with the profile flags and benchmarks selected: `-bench .` and no unit tests unless the command chose otherwise. */
export function goTestCommand(job: Pick<ProfileJob, 'argv' | 'needsShell'>, profileFlags: string[]): string[] {
  if (job.needsShell) throw new UserError(`a Go command cannot use shell syntax; ${USAGE}`);
  const [head, ...tail] = job.argv;
  const explicit = basename(head!) === 'go';
  if (explicit && tail[0] !== 'test') throw new UserError(USAGE);
  const args = explicit ? tail.slice(1) : job.argv;
  const hasRun = hasFlag(args, 'run');
  const hasBench = hasFlag(args, 'bench');
  const chosen = [...(hasRun ? [] : ['-run', '^$']), ...(hasRun || hasBench ? [] : ['-bench', '.'])];
  return [explicit ? head! : goExecutable(), 'test', ...profileFlags, ...chosen, ...args];
}

function hasFlag(args: string[], name: string): boolean {
  const spellings = [`-${name}`, `--${name}`, `-test.${name}`];
  return args.some((arg) => spellings.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
}

/** Time in nanoseconds for CPU profiles; bytes allocated (and objects, as calls) for memory profiles. */
export function pprofToProfile(pprof: PprofProfile, mode: ProfileMode): Profile {
  const memory = mode === 'memory';
  const find = (type: string) => pprof.sampleTypes.findIndex((sampleType) => sampleType.type === type);
  const valueAt = memory ? find('alloc_space') : find('cpu');
  const countAt = memory ? find('alloc_objects') : -1;
  const value = valueAt >= 0 ? valueAt : pprof.sampleTypes.length - 1;
  const builder = new ProfileBuilder(memory ? 'bytes' : 'ns');
  for (const sample of pprof.samples) {
    const path: PathFrame[] = [];
    for (const id of [...sample.locationIds].reverse()) {
      for (const line of [...(pprof.locations.get(id) ?? [])].reverse()) {
        const fn = pprof.functions.get(line.functionId);
        if (fn) path.push({ function: fn.name, file: fn.file, line: fn.startLine, ...(line.line > 0 ? { at: line.line } : {}) });
      }
    }
    builder.addSample(path, sample.values[value] ?? 0, countAt >= 0 ? sample.values[countAt] : undefined);
  }
  return builder.build();
}
