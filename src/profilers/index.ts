import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { resolveCommand } from '../env/command.js';
import { isBarePythonName } from '../env/interpreter.js';
import { excerpt, UserError } from '../errors.js';
import { formatCommand, type ParsedCommand, parseCommand } from '../proc/command.js';
import { type RunResult, tail } from '../proc/run.js';
import { canonical, isInside } from '../workspace/paths.js';
import type { ProfileRequest, ProfilerAdapter } from './adapter.js';
import { cprofileAdapter } from './cprofile.js';
import { goPprofAdapter, goTestCommand } from './go-pprof.js';
import { rankHotspots } from './hotspots.js';
import { importtimeAdapter } from './importtime.js';
import { memrayAdapter } from './memray.js';
import type { Hotspot, Profile, ProfileLanguage, ProfileMode, ProfileUnit } from './model.js';
import { nodeCpuAdapter } from './node-cpu.js';
import { nodeHeapAdapter } from './node-heap.js';
import { type ProbeResult, runPythonProbe } from './probe.js';
import { pyspyAdapter } from './pyspy.js';
import { checkPythonCommand } from './python.js';
import { writeSpeedscope } from './speedscope.js';
import { tracemallocAdapter } from './tracemalloc.js';

export type { ProfileRequest } from './adapter.js';
export { ALL_FRAMES, type HotspotOptions, rankHotspots } from './hotspots.js';
export type {
  CallEdge,
  Frame,
  FrameRef,
  Hotspot,
  LineCost,
  PathFrame,
  Profile,
  ProfileLanguage,
  ProfileMode,
  ProfileUnit,
  Stack,
} from './model.js';
export type { ArgumentSizes, ProbeResult, SlowCallback } from './probe.js';
export { SPEEDSCOPE_SCHEMA, toSpeedscope, writeSpeedscope } from './speedscope.js';

export const PROFILERS: readonly ProfilerAdapter[] = [
  cprofileAdapter,
  pyspyAdapter,
  tracemallocAdapter,
  memrayAdapter,
  importtimeAdapter,
  nodeCpuAdapter,
  nodeHeapAdapter,
  goPprofAdapter,
];

const DEFAULTS: Record<ProfileLanguage, Partial<Record<ProfileMode, string>>> = {
  python: { cpu: 'cprofile', wall: 'py-spy', memory: 'tracemalloc', import: 'importtime' },
  node: { cpu: 'node-cpu', wall: 'node-cpu', memory: 'node-heap' },
  go: { cpu: 'go-pprof', memory: 'go-pprof' },
};

export interface ProfileResult {
  profiler: string;
  mode: ProfileMode;
  language: ProfileLanguage;
  /** The command as run, profiler and helper included. */
  argv: string[];
  profile: Profile;
  hotspots: Hotspot[];
  /** The whole cost observed, in `unit` (time for cpu/wall/import, bytes for memory). */
  total: number;
  unit: ProfileUnit;
  /** Wall time of the profiled run, profiler overhead included. */
  durationNs: number;
  overheadNote: string;
  exitCode: number | null;
  timedOut: boolean;
  stderrTail: string;
  /** Process group of the profiled program; it is ended by the time the result returns. */
  pid?: number;
  artifacts: { speedscope: string; raw?: string };
}

/** The profiler for a language and mode: the one named, or the default. */
export function chooseProfiler(language: ProfileLanguage, mode: ProfileMode, name?: string): ProfilerAdapter {
  const candidates = (filter: (adapter: ProfilerAdapter) => boolean) =>
    PROFILERS.filter(filter)
      .map((adapter) => adapter.name)
      .join(', ');
  const supported = Object.keys(DEFAULTS[language]).join(', ');
  const chosen = name ?? DEFAULTS[language][mode];
  if (chosen === undefined) throw new UserError(`there is no ${mode} profiler for ${language}; choose mode ${supported}`);
  const adapter = PROFILERS.find((candidate) => candidate.name === chosen);
  if (!adapter) throw new UserError(`unknown profiler "${chosen}"; valid names: ${candidates(() => true)}`);
  if (adapter.language !== language) {
    throw new UserError(
      `${adapter.name} profiles ${adapter.language} programs; for ${language} choose ${candidates((a) => a.language === language)}`,
    );
  }
  if (!adapter.modes.includes(mode)) {
    const fitting = candidates((a) => a.language === language && a.modes.includes(mode));
    throw new UserError(
      fitting
        ? `${adapter.name} supports mode ${adapter.modes.join(' or ')}; for ${mode} choose ${fitting}`
        : `there is no ${mode} profiler for ${language}; choose mode ${supported}`,
    );
  }
  return adapter;
}

/**
 * Profile one command: run it under the chosen profiler, read what the
 * profiler wrote into one Profile, write a speedscope file next to the raw
 * output, and rank the hotspots. A program that fails or times out still
 * yields its profile when the profiler wrote one.
 */
export async function runProfile(request: ProfileRequest): Promise<ProfileResult> {
  const { adapter, parsed, cwd } = checkProfileRequest(request);
  const outDir = resolve(request.outDir);
  await mkdir(outDir, { recursive: true });
  try {
    return await profileInto(request, adapter, parsed, cwd, outDir);
  } catch (error) {
    // No profile came of it: what the profiler left half-written is of no use.
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

async function profileInto(
  request: ProfileRequest,
  adapter: ProfilerAdapter,
  parsed: ParsedCommand,
  cwd: string,
  outDir: string,
): Promise<ProfileResult> {
  const log = request.log ?? (() => {});
  log(`profiling with ${adapter.name} (${request.mode}) in ${cwd}`);
  const resolved = parsed.needsShell
    ? parsed
    : await resolveCommand(parsed.argv, { language: request.language, root: cwd, python: request.python, signal: request.signal });
  const outcome = await adapter.run({
    argv: resolved.argv,
    needsShell: resolved.needsShell,
    cwd,
    mode: request.mode,
    timeoutMs: request.timeoutMs,
    outDir,
    python: request.python,
    native: request.native,
    signal: request.signal,
    log,
  });
  request.signal?.throwIfAborted();
  const { run, profile } = outcome;
  // A profiler killed mid-run can leave a file with nothing in it.
  if (!profile || profile.frames.length === 0) throw new UserError(noProfileMessage(adapter.name, run, request.timeoutMs));
  const speedscope = join(outDir, `${adapter.name}.speedscope.json`);
  await writeSpeedscope(profile, speedscope, `${adapter.name} ${request.mode}: ${formatCommand(run.argv)}`);
  return {
    profiler: adapter.name,
    mode: request.mode,
    language: request.language,
    argv: run.argv,
    profile,
    hotspots: rankHotspots(profile, { top: request.top, focus: request.focus, rawByDefault: request.mode === 'import', cwd }),
    total: profile.total,
    unit: profile.unit,
    durationNs: Number(run.durationNs),
    overheadNote: adapter.overheadNote,
    exitCode: run.exitCode,
    timedOut: run.timedOut,
    stderrTail: tail(run.stderr),
    pid: run.pid,
    artifacts: { speedscope, ...(outcome.raw ? { raw: outcome.raw } : {}) },
  };
}

/**
 * Run a Python command once under the scan probe (sampled stacks with lines,
 * GC pauses, asyncio's slow callbacks, peak RSS); the request is checked as a
 * profile request is. Undefined when the program died before the probe wrote.
 */
export async function runProbe(request: Omit<ProfileRequest, 'mode' | 'profiler' | 'language'>): Promise<ProbeResult | undefined> {
  const { parsed, cwd } = checkProfileRequest({ ...request, language: 'python', mode: 'cpu', profiler: undefined });
  const outDir = resolve(request.outDir);
  await mkdir(outDir, { recursive: true });
  const { timeoutMs, python, signal } = request;
  return runPythonProbe({ ...parsed, cwd, mode: 'wall', timeoutMs, outDir, python, signal, log: request.log ?? (() => {}) });
}

/**
 * The checks that need no process: profiler, options, command and its paths.
 * Throws UserError, so a caller can refuse a request before starting any work.
 */
export function checkProfileRequest(request: ProfileRequest): { adapter: ProfilerAdapter; parsed: ParsedCommand; cwd: string } {
  if (!(request.timeoutMs > 0)) throw new UserError('timeout must be a positive number of milliseconds');
  const adapter = chooseProfiler(request.language, request.mode, request.profiler);
  if (request.native && adapter.name !== 'py-spy')
    throw new UserError(`native frames come from py-spy only; pass profiler "py-spy" (mode wall or cpu) with native`);
  const parsed = splitCommand(request.command);
  const cwd = resolve(request.cwd);
  if (!existsSync(cwd)) throw new UserError(`the project directory ${cwd} does not exist`);
  if (!parsed.needsShell) assertPathsInside(parsed.argv, cwd);
  const shape = { ...parsed, cwd, python: request.python };
  if (request.language === 'python') checkPythonCommand(shape);
  if (request.language === 'go') goTestCommand(shape, []);
  return { adapter, parsed, cwd };
}

function splitCommand(command: string | string[]): ParsedCommand {
  try {
    return parseCommand(command);
  } catch (error) {
    throw new UserError(`${(error as Error).message}; pass the program to profile`);
  }
}

const isInterpreter = (name: string) => isBarePythonName(name) || name === 'node' || name === 'go';
/** Options whose value is program text, not a path. */
const CODE_OPTIONS = new Set(['-c', '-e', '--eval', '-p', '--print']);

/**
 * Every path the command names — the script, a package, a data file — must lie
 * inside the project, symlinks followed (those of paths not written yet too).
 * A word that names no file resolves inside the project and passes. The
 * interpreter itself is exempt, and so is the program text after -c or -e.
 */
function assertPathsInside(argv: readonly string[], cwd: string): void {
  const root = canonical(cwd);
  argv.forEach((arg, index) => {
    if (index === 0 && isInterpreter(basename(arg))) return;
    if (arg.startsWith('-') || CODE_OPTIONS.has(argv[index - 1] ?? '')) return;
    if (!isInside(canonical(resolve(cwd, arg)), root)) {
      throw new UserError(`${excerpt(arg)} is outside the project root ${cwd}; profile programs and data inside the project`);
    }
  });
}

function noProfileMessage(profiler: string, run: RunResult, timeoutMs: number): string {
  const output = tail(run.stderr || run.stdout, 800).trim();
  const said = output ? ` Its output ends with: ${output}` : '';
  if (run.timedOut) {
    return `the command ran past the ${timeoutMs / 1000} s limit and ${profiler} wrote no profile; raise the timeout or profile a shorter run.${said}`;
  }
  if (run.exitCode !== 0) {
    return `the command exited with ${run.exitCode === null ? `signal ${run.signal}` : `code ${run.exitCode}`} before ${profiler} wrote a profile; make it run first.${said}`;
  }
  return `${profiler} wrote no profile for this command.${said}`;
}
