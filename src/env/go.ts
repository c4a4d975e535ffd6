import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findFiles, isFile, readText } from './files.js';
import { probe } from './probe.js';
import type { GoEnvironment } from './types.js';

const BENCHMARK_FUNCTION = /^func Benchmark\w*\s*\(/m;
const SEARCH_LIMITS = {
  maxEntries: 20_000,
  maxDepth: 12,
  // What `go test ./...` leaves out too.
  skipDirectory: (name: string) => name.startsWith('_') || name === 'testdata' || name === 'vendor',
};
const MAX_FILES_READ = 2_000;
const MAX_LISTED = 10;

/** Where Go installs itself when no package manager is involved; used when `go` is not on PATH. */
const DEFAULT_GO = '/usr/local/go/bin/go';

/** The Go toolchain: `go` from PATH, else the default install location, else plain `go` (which then fails to start with a clear error). */
export function goExecutable(): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'go')));
  return onPath || !existsSync(DEFAULT_GO) ? 'go' : DEFAULT_GO;
}

export async function isGoProject(root: string): Promise<boolean> {
  return isFile(join(root, 'go.mod'));
}

export async function detectGo(root: string, warnings: string[], signal?: AbortSignal): Promise<GoEnvironment> {
  const goMod = (await readText(join(root, 'go.mod'))) ?? '';
  const go = goExecutable();
  const [toolchain, benchmarks] = await Promise.all([
    // GOTOOLCHAIN=local: asking for the version must never download a toolchain.
    probe([go, 'version'], { cwd: root, signal, env: { GOTOOLCHAIN: 'local' } }),
    findBenchmarkFiles(root),
  ]);
  if (!toolchain) warnings.push('go is not on PATH (or `go version` failed)');
  const goVersion = /go(\d+(?:\.\d+)*)/.exec(toolchain ?? '')?.[1];
  const directive = /^go\s+(\S+)/m.exec(goMod)?.[1];
  if (goVersion && directive && compareVersions(goVersion, directive) < 0) {
    warnings.push(`go.mod asks for go ${directive}, but the installed toolchain is go ${goVersion}`);
  }
  return {
    module: /^module\s+(\S+)/m.exec(goMod)?.[1],
    go_directive: directive,
    go_version: goVersion,
    test_command: [go, 'test', './...'],
    benchmark_command: benchmarks.files.length > 0 ? [go, 'test', '-run', '^$', '-bench', '.', '-benchmem', './...'] : undefined,
    has_benchmarks: benchmarks.files.length > 0,
    benchmark_files: benchmarks.files.slice(0, MAX_LISTED),
    benchmark_search_truncated: benchmarks.truncated,
  };
}

async function findBenchmarkFiles(root: string): Promise<{ files: string[]; truncated: boolean }> {
  const tests = await findFiles(root, (name) => name.endsWith('_test.go'), SEARCH_LIMITS);
  const files: string[] = [];
  for (const file of tests.files.slice(0, MAX_FILES_READ)) {
    const text = await readText(join(root, file));
    if (text && BENCHMARK_FUNCTION.test(text)) files.push(file);
    if (files.length >= MAX_LISTED) break;
  }
  return { files, truncated: tests.truncated || tests.files.length > MAX_FILES_READ };
}

/** Numeric comparison of dotted versions (`1.22` < `1.22.3` < `1.23`). */
function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
