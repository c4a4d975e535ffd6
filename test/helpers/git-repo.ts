import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' },
  });
}

/** A real git repository in a temp dir holding `files`, committed on branch main. */
export function makeRepo(files: Record<string, string>, prefix = 'cf-repo-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFiles(dir, files);
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

export function commitAll(dir: string, message: string): string {
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', message);
  return gitIn(dir, 'rev-parse', 'HEAD').trim();
}

/** A small Python package with a test suite: the shape most users bring. */
export const PYTHON_PROJECT: Record<string, string> = {
  'pyproject.toml': `[project]
name = "shop"
version = "0.1.0"

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.codeflash]
benchmarks-root = "tests/benchmarks"
`,
  'shop/__init__.py': '',
  'shop/cart.py': `def total(prices):
    result = 0
    for p in prices:
        result = result + p
    return result
`,
  'tests/test_cart.py': `from shop.cart import total


def test_total():
    assert total([1, 2, 3]) == 6
`,
};
