import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import type { RunResult } from '../proc/run.js';
import { assertStarted, clearOutputs, type ProfileJob, runProfiled } from './adapter.js';
import type { FrameRef } from './model.js';

const EXIT_ON_SIGTERM = `// Ends the program through process.exit on SIGTERM, so Node still writes its profile,
// unless the program handles SIGTERM itself.
process.on('SIGTERM', () => {
  if (process.listenerCount('SIGTERM') === 1) process.exit(143);
});
`;

export interface NodeProfiles {
  run: RunResult;
  /** Profile files, one per Node process the command started. */
  files: string[];
  dir: string;
}

/**
 * Run the command with the profiler flags. A `node` command (a bare script has
 * had `node` put first by the command resolver) gets them on its command line;
 * any other command (npm scripts, test runners) gets them in NODE_OPTIONS, so
 * every Node process it starts writes its own profile into one directory.
 */
export async function runWithNodeProfiler(
  job: ProfileJob,
  kind: 'cpu' | 'heap',
  flags: string[],
  extension: string,
): Promise<NodeProfiles> {
  const dir = join(job.outDir, `node-${kind}`);
  await clearOutputs(dir);
  await mkdir(dir, { recursive: true });
  const preload = join(dir, 'exit-on-sigterm.cjs');
  await writeFile(preload, EXIT_ON_SIGTERM);
  const options: NodeOption[] = [
    [`--${kind}-prof`],
    [`--${kind}-prof-dir`, dir],
    ...flags.map((flag): NodeOption => [flag]),
    ['--require', preload],
  ];
  const [program, ...args] = job.argv as [string, ...string[]];
  const run =
    !job.needsShell && basename(program) === 'node'
      ? await runProfiled(job, [program, ...options.map(asArgument), ...args])
      : await runProfiled(job, job.argv, { shell: job.needsShell, env: { NODE_OPTIONS: nodeOptions(options) } });
  assertStarted(run, 'install Node.js or pass the full path of the program');
  if (run.stderr.includes('is not allowed in NODE_OPTIONS')) {
    throw new UserError(
      `this Node version takes --${kind}-prof only on its command line; profile the Node program directly (node script.js ...)`,
    );
  }
  const files = (await readdir(dir)).filter((name) => name.endsWith(extension)).map((name) => join(dir, name));
  return { run, files, dir };
}

/** A flag and its value, if it takes one. */
type NodeOption = [string, string?];

function asArgument([flag, value]: NodeOption): string {
  return value === undefined ? flag : `${flag}=${value}`;
}

function nodeOptions(options: NodeOption[]): string {
  const added = options.map(([flag, value]) => asArgument([flag, value === undefined ? undefined : JSON.stringify(value)]));
  return [process.env.NODE_OPTIONS, ...added].filter(Boolean).join(' ');
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export function nodeFrame(callFrame: CallFrame): FrameRef {
  const { functionName, url, lineNumber } = callFrame;
  return {
    function: functionName || '(anonymous)',
    file: url.startsWith('file://') ? fileURLToPath(url) : url,
    line: lineNumber >= 0 ? lineNumber + 1 : 0,
  };
}
