import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { goExecutable } from '../env/go.js';
import { UserError } from '../errors.js';
import { harnessPath } from '../package.js';
import { runProcess, tail } from '../proc/run.js';
import { confinedPath } from '../workspace/paths.js';

/** A built micro benchmark program: run it with the job on stdin, in `cwd`. */
export interface MicroProgram {
  argv: string[];
  cwd: string;
  close(): Promise<void>;
}

const FILE = 'codeflash_micro_test.go';
const TEMPLATE = harnessPath('micro_harness.go.tmpl');
const BUILD_TIMEOUT_MS = 5 * 60_000;

type Snippet = 'setup' | 'a' | 'b';

/**
 * Compile the snippets into the package in `dir` (default the module root) as
 * a benchmark in a generated _test.go file. The file exists only in a temp
 * directory: `go test -overlay` places it in the package for the build, so
 * the snippets see the package's unexported names and the project's tree is
 * never written. `setup` holds imports and package-level declarations; a and b
 * are statements run in a loop. The test binary is built once and run once per
 * process of the micro benchmark.
 */
export async function buildGoMicro(
  request: { setup?: string; a: string; b: string; cwd: string; dir?: string; signal?: AbortSignal },
  timeoutMs: number,
): Promise<MicroProgram> {
  const atRoot = request.dir === undefined || resolve(request.cwd, request.dir) === resolve(request.cwd);
  const packageDir = atRoot ? resolve(request.cwd) : confinedPath(request.cwd, request.dir!, 'package');
  const scratch = await mkdtemp(join(tmpdir(), 'codeflash-micro-go-'));
  const close = () => rm(scratch, { recursive: true, force: true });
  try {
    const go = goExecutable();
    const env = { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
    const run = (argv: string[]) =>
      runProcess(argv, { cwd: packageDir, env, timeoutMs: Math.min(timeoutMs, BUILD_TIMEOUT_MS), signal: request.signal });
    const listed = await run([go, 'list', '-f', '{{.Name}}', '.']);
    const name = listed.exitCode === 0 && listed.stdout.trim() ? listed.stdout.trim() : 'codeflashmicro';
    const { source, lines } = generate(name, request);
    await writeFile(join(scratch, FILE), source);
    await writeFile(join(scratch, 'overlay.json'), JSON.stringify({ Replace: { [join(packageDir, FILE)]: join(scratch, FILE) } }));
    const binary = join(scratch, 'micro.test');
    const built = await run([go, 'test', '-c', '-vet=off', '-overlay', join(scratch, 'overlay.json'), '-o', binary, '.']);
    if (built.cancelled) throw new Error('micro benchmark cancelled while building the Go benchmark');
    if (built.spawnError) throw new UserError(`could not start ${go}: ${built.spawnError}; install Go (https://go.dev/dl)`);
    if (built.timedOut || built.exitCode !== 0) throw new UserError(buildError(built.stderr || built.stdout, lines));
    return {
      argv: [binary, '-test.run', '^$', '-test.bench', '^BenchmarkCodeflashMicro$', '-test.benchtime', '1x'],
      cwd: packageDir,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The harness with the snippets in place, and the first and last line each snippet occupies. */
function generate(packageName: string, snippets: { setup?: string; a: string; b: string }) {
  const lines: Record<Snippet, [number, number]> = { setup: [0, 0], a: [0, 0], b: [0, 0] };
  const out: string[] = [];
  for (const line of readFileSync(TEMPLATE, 'utf8').replace('CODEFLASH_PACKAGE', packageName).split('\n')) {
    const marker = /^\s*\/\/codeflash:(setup|a|b)$/.exec(line)?.[1] as Snippet | undefined;
    if (!marker) {
      out.push(line);
      continue;
    }
    const text = (marker === 'setup' ? snippets.setup : snippets[marker]) ?? '';
    lines[marker] = [out.length + 1, out.length + text.split('\n').length];
    out.push(...text.split('\n'));
  }
  return { source: out.join('\n'), lines };
}

/** A compile error in the generated file, named by the snippet its line falls in. */
function buildError(output: string, lines: Record<Snippet, [number, number]>): string {
  for (const match of output.matchAll(new RegExp(`${FILE}:(\\d+):(?:\\d+:)? (.*)`, 'g'))) {
    const line = Number(match[1]);
    const snippet = (Object.keys(lines) as Snippet[]).find((name) => line >= lines[name][0] && line <= lines[name][1]);
    if (snippet) {
      const which = snippet === 'setup' ? 'the setup snippet' : `snippet ${snippet}`;
      return `${which} does not compile: ${match[2]} (line ${line - lines[snippet][0] + 1})`;
    }
  }
  return `the Go micro benchmark did not build: ${tail(output.trim(), 1500)}`;
}
