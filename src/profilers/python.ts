import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { isBarePythonName, resolveRealPython } from '../env/interpreter.js';
import { excerpt, UserError } from '../errors.js';
import { HARNESS_DIR, harnessPath } from '../package.js';
import { assertStarted, clearOutputs, type ProfileJob, type ProfilerAdapter, runProfiled } from './adapter.js';
import { type FrameRef, type PathFrame, type Profile, ProfileBuilder, type ProfileUnit } from './model.js';

export interface PythonTarget {
  interpreter: string;
  /** What follows the interpreter: `script.py args`, `-m module args` or `-c code args`. */
  args: string[];
  /** False for frames of the helper and of runpy, which only start the program. */
  keepFrame: (frame: FrameRef) => boolean;
}

/** The profiling helpers in harness/: each runs or reads a profile and writes it as JSON for readHelperProfile. */
export type PythonHelper = 'profile_cprofile.py' | 'profile_tracemalloc.py' | 'profile_memray_read.py';

const USAGE = 'pass what follows the interpreter: a script and its arguments (app.py --n 5) or -m module';

/**
 * Turn a Python profiling command into the interpreter and its arguments. A
 * leading `python`/`python3` is dropped; a path to an interpreter is used as
 * the interpreter unless one was given; a console script such as `pytest`
 * that lives next to the interpreter runs as that script.
 */
export async function pythonTarget(job: ProfileJob): Promise<PythonTarget> {
  const { named, args } = splitPythonCommand(job);
  const interpreter = job.python ?? (await realInterpreter(job, named));
  if (!args[0]!.startsWith('-')) args[0] = scriptPath(args[0]!, job.cwd, interpreter);
  return { interpreter, args, keepFrame: isProgramFrame };
}

type CommandShape = Pick<ProfileJob, 'argv' | 'needsShell' | 'cwd' | 'python'>;

/**
 * What pythonTarget would refuse, checked without starting a process, so a
 * request is refused before a job or a profile folder exists. A bare script
 * name outside the project may be a console script next to the interpreter:
 * without a known interpreter that one is left to pythonTarget.
 */
export function checkPythonCommand(job: CommandShape): void {
  const first = splitPythonCommand(job).args[0]!;
  if (!first.startsWith('-') && (job.python !== undefined || first.includes('/')))
    scriptPath(first, job.cwd, job.python ?? 'the interpreter');
}

/** The interpreter the command names, if any, and what follows it; refuses shapes no Python command has. */
function splitPythonCommand(job: CommandShape): { named?: string; args: string[] } {
  if (job.needsShell) throw new UserError(`a Python command cannot use shell syntax; ${USAGE}`);
  const args = [...job.argv];
  let named: string | undefined;
  if (isPythonProgram(args[0]!)) {
    const head = args.shift()!;
    if (head.includes('/')) named = resolve(job.cwd, head);
  }
  if (args.length === 0) throw new UserError(`the command names no program; ${USAGE}`);
  const first = args[0]!;
  if (first === '-m' || first === '-c') {
    if (args.length < 2) throw new UserError(`${first} needs a value; ${USAGE}`);
  } else if (first.startsWith('-')) {
    throw new UserError(`interpreter option ${excerpt(first)} is not supported here; ${USAGE}`);
  }
  return { named, args };
}

/** The script as an absolute path (frames then name absolute files), or a console script installed next to the interpreter. */
function scriptPath(script: string, cwd: string, interpreter: string): string {
  const inProject = resolve(cwd, script);
  if (existsSync(inProject)) return inProject;
  const consoleScript = join(dirname(interpreter), script);
  if (!script.includes('/') && existsSync(consoleScript)) return consoleScript;
  throw new UserError(`${excerpt(script)} is neither a file in ${cwd} nor a console script next to ${interpreter}; ${USAGE}`);
}

function isPythonProgram(program: string): boolean {
  return isBarePythonName(basename(program));
}

async function realInterpreter(job: ProfileJob, named: string | undefined): Promise<string> {
  try {
    return await resolveRealPython(job.cwd, named, job.signal);
  } catch (error) {
    throw new UserError(`${(error as Error).message}; pass the project's interpreter (e.g. .venv/bin/python)`);
  }
}

function isProgramFrame(frame: FrameRef): boolean {
  const file = frame.file;
  return !file.startsWith(HARNESS_DIR + sep) && !file.endsWith('/runpy.py') && file !== '<frozen runpy>';
}

// Python 3.12 inlines these into the function that holds them; older versions give them frames of their own.
const INLINED = new Set(['<listcomp>', '<dictcomp>', '<setcomp>']);

/** Fold comprehension frames into the function that holds them, so every Python version reads the same. */
export function foldComprehensions(path: FrameRef[]): FrameRef[] {
  const folded: FrameRef[] = [];
  for (const frame of path) {
    const parent = folded[folded.length - 1];
    if (INLINED.has(frame.function) && parent && parent.file === frame.file) continue;
    folded.push(frame);
  }
  return folded;
}

type FlatRow = [string, string, number, number, number, number];
/** A frame as [function, file, first_line] or, with the line it was executing, [function, file, first_line, line]. */
export type FrameRow = [string, string, number, number?];
type StackRow = [FrameRow[], number, number];
type EdgeRow = [string, string, number, string, string, number, number, number];
interface HelperOutput {
  flat?: FlatRow[];
  stacks?: StackRow[];
  edges?: EdgeRow[];
  peak_bytes?: number;
}

export function frameOf([fn, file, line, at]: FrameRow): PathFrame {
  return at === undefined ? { function: fn, file, line } : { function: fn, file, line, at };
}

/**
 * Read a helper's JSON output into a Profile; undefined when the helper wrote none. Helpers write
 *   {"flat": [[function, file, first_line, self_ns, total_ns, calls], ...],
 *    "edges": [[caller function, file, first_line, callee function, file, first_line, calls, total_ns], ...]}   per function, or
 *   {"stacks": [[[[function, file, first_line, line?], ...root first], bytes, count], ...], "peak_bytes": n}
 */
export async function readHelperProfile(path: string, unit: ProfileUnit, target: PythonTarget): Promise<Profile | undefined> {
  let output: HelperOutput;
  try {
    output = JSON.parse(await readFile(path, 'utf8')) as HelperOutput;
  } catch {
    return undefined;
  }
  const builder = new ProfileBuilder(unit, target.keepFrame);
  for (const [fn, file, line, self, total, calls] of output.flat ?? []) {
    builder.addFunction({ function: fn, file, line }, self, total, calls);
  }
  for (const [path, weight, count] of output.stacks ?? []) builder.addSample(path.map(frameOf), weight, count);
  for (const [fn, file, line, calleeFn, calleeFile, calleeLine, calls, total] of output.edges ?? []) {
    builder.addEdge({ function: fn, file, line }, { function: calleeFn, file: calleeFile, line: calleeLine }, calls, total);
  }
  return builder.build(output.peak_bytes === undefined ? {} : { peakBytes: output.peak_bytes });
}

/**
 * An adapter whose profiler is one of the Python helper scripts: the helper
 * runs the target, keeps the profiler's raw output, and writes the profile as
 * JSON for readHelperProfile.
 */
export function pythonHelperAdapter(spec: {
  name: string;
  modes: ProfilerAdapter['modes'];
  overheadNote: string;
  helper: PythonHelper;
  rawFile: string;
  unit: ProfileUnit;
}): ProfilerAdapter {
  return {
    name: spec.name,
    language: 'python',
    modes: spec.modes,
    overheadNote: spec.overheadNote,
    async run(job) {
      const target = await pythonTarget(job);
      const helper = harnessPath(spec.helper);
      const raw = join(job.outDir, spec.rawFile);
      const json = join(job.outDir, `${spec.name}.json`);
      await clearOutputs(raw, json);
      const run = await runProfiled(job, [target.interpreter, helper, raw, json, ...target.args]);
      assertStarted(run, 'pass the real Python interpreter');
      return { run, raw, profile: await readHelperProfile(json, spec.unit, target) };
    },
  };
}
