import { describe, expect, it } from 'vitest';
import { detectGit } from '../../src/env/git.js';
import { useTempProjects } from '../fixtures/env/projects.js';

const project = useTempProjects();

describe('git state', () => {
  it('reports a clean checkout: branch, HEAD, base branch', async () => {
    const made = project('python-pkg');
    made.initGit();
    const git = await detectGit(made.root);
    expect(git).toEqual({
      is_repo: true,
      toplevel: made.root,
      branch: 'main',
      detached: false,
      head: made.git('rev-parse', 'HEAD'),
      clean: true,
      modified: 0,
      untracked: 0,
      base_branch: 'main',
      branch_domain: undefined,
    });
  });

  it('counts staged, unstaged and untracked changes', async () => {
    const made = project('python-pkg');
    made.initGit();
    made.write({ 'src/fixture_pkg/__init__.py': 'def total(values):\n    return 0\n', 'README.md': 'staged\n', 'notes.txt': 'x' });
    made.git('add', 'README.md');
    made.write({ 'scratch/a.txt': 'a', 'scratch/b.txt': 'b' });
    const git = await detectGit(made.root);
    expect(git.clean).toBe(false);
    expect(git.modified).toBe(2);
    // an untracked folder counts once, as git status shows it
    expect(git.untracked).toBe(2);
  });

  it('reads the domain from a perf branch and the base from master or origin HEAD', async () => {
    const made = project();
    made.initGit();
    made.git('branch', '-m', 'master');
    made.git('checkout', '-q', '-b', 'perf/mem-reduce-peak');
    let git = await detectGit(made.root);
    expect(git.branch).toBe('perf/mem-reduce-peak');
    expect(git.branch_domain).toBe('memory');
    expect(git.base_branch).toBe('master');

    made.git('update-ref', 'refs/remotes/origin/develop', 'HEAD');
    made.git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/develop');
    git = await detectGit(made.root);
    expect(git.base_branch).toBe('develop');
  });

  it('reports a detached HEAD, a repository without commits, and no repository', async () => {
    const detached = project();
    detached.initGit();
    const head = detached.git('rev-parse', 'HEAD');
    detached.git('checkout', '-q', '--detach');
    expect(await detectGit(detached.root)).toMatchObject({ is_repo: true, branch: undefined, detached: true, head });

    const empty = project();
    empty.git('init', '-q', '-b', 'trunk');
    expect(await detectGit(empty.root)).toMatchObject({
      is_repo: true,
      branch: 'trunk',
      detached: false,
      head: undefined,
      base_branch: undefined,
    });

    const plain = project();
    expect(await detectGit(plain.root)).toEqual({ is_repo: false, detached: false, clean: true, modified: 0, untracked: 0 });
  });

  it('sees the repository from a subfolder', async () => {
    const made = project('python-pkg');
    made.initGit();
    const git = await detectGit(`${made.root}/src`);
    expect(git.is_repo).toBe(true);
    expect(git.toplevel).toBe(made.root);
  });
});
