import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's own directory, found upward from this module: it runs from
 * src/ under the tests, from dist/ under tsc's output and from dist/bin/ in the
 * bundled CLI, and each of those lies under the root that holds package.json.
 */
export const PACKAGE_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The programs run in child processes (timing helper, micro benchmark harnesses, profiler wrappers). */
export const HARNESS_DIR: string = join(PACKAGE_ROOT, 'harness');

/** One of those programs by file name, e.g. `harnessPath('timed_spawn.py')`. */
export function harnessPath(name: string): string {
  return join(HARNESS_DIR, name);
}

/** Built-in document templates shipped with the package (PR bodies: generic, python, memory). */
export const TEMPLATES_DIR: string = join(PACKAGE_ROOT, 'templates');
