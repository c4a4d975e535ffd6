import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/bench/js-suite/', import.meta.url));

/**
 * The JavaScript suite fixture's dependencies (vitest, tinybench, tsx), installed once per test run
 * with `npm ci` from its lockfile under the run's temp root, and linked into `root` as its
 * node_modules: what a user's working tree has after their own install.
 */
export function linkJsSuiteDependencies(root: string): void {
  const cache = join(tmpdir(), 'codeflash-js-suite-deps');
  const marker = join(cache, '.installed');
  if (!existsSync(marker)) {
    mkdirSync(cache, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(FIXTURE, file), join(cache, file));
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: cache, stdio: 'ignore', timeout: 300_000 });
    writeFileSync(marker, '');
  }
  symlinkSync(join(cache, 'node_modules'), join(root, 'node_modules'));
}
