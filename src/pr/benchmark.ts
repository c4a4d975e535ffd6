import { projectPathArguments } from '../bench/runners/command.js';
import { splitGoBenchmark } from '../bench/runners/go-bench.js';
import type { Language } from '../env/types.js';
import { parseCommand } from '../proc/command.js';
import type { StoredRequest } from '../state/comparisons.js';
import { existsAtCommit } from '../workspace/git.js';

/**
 * The project files a comparison's benchmark consists of: the suite file (a
 * pytest node id without its `::test`), the Go package directory, or the
 * files the command names. Empty when nothing in the tree names it (`-m pkg`,
 * a Go module root, `./...`).
 */
export function benchmarkPaths(request: StoredRequest, root: string, language: Language): string[] {
  if (request.benchmark !== undefined) {
    if (language !== 'go') return [request.benchmark.split('::')[0]!];
    const dir = splitGoBenchmark(request.benchmark)
      .pkg.replace(/\/?\.\.\.$/, '')
      .replace(/^\.\/?/, '');
    return dir ? [dir] : [];
  }
  if (request.command === undefined) return [];
  const parsed = parseCommand(request.command);
  return parsed.needsShell ? [] : projectPathArguments(parsed.argv, root);
}

/** How a benchmark names itself in a PR: its files, else the command or suite as given. */
export function benchmarkLabel(request: StoredRequest, root: string, language: Language): string {
  const paths = benchmarkPaths(request, root, language);
  if (paths.length) return paths.join(', ');
  if (request.benchmark !== undefined && language === 'go') {
    const { pkg, pattern } = splitGoBenchmark(request.benchmark);
    return `go test -bench '${pattern}' ${pkg}`;
  }
  if (request.benchmark !== undefined) return request.benchmark;
  return Array.isArray(request.command) ? request.command.join(' ') : (request.command ?? '');
}

/** Which of `paths` each commit lacks. */
export async function missingAt(root: string, paths: readonly string[], sha: string): Promise<string[]> {
  const present = await Promise.all(paths.map((path) => existsAtCommit(root, sha, path)));
  return paths.filter((_, i) => !present[i]);
}
