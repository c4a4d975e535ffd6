import { domainFromBranch } from './branch.js';
import { probe } from './probe.js';
import type { GitState } from './types.js';

/** Read-only queries: no index refresh lock, so a concurrent git command in the project never trips over ours. */
const GIT_ENV = { GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };

const BASE_CANDIDATES = ['refs/remotes/origin/HEAD', 'refs/heads/main', 'refs/heads/master'];

export async function detectGit(root: string, signal?: AbortSignal): Promise<GitState> {
  const git = (args: string[]) => probe(['git', ...args], { cwd: root, signal, env: GIT_ENV });
  const [status, toplevel, refs] = await Promise.all([
    git(['status', '--porcelain=v2', '--branch', '--untracked-files=normal']),
    git(['rev-parse', '--show-toplevel']),
    git(['for-each-ref', '--format=%(refname) %(symref)', ...BASE_CANDIDATES]),
  ]);
  if (status === undefined) return { is_repo: false, detached: false, clean: true, modified: 0, untracked: 0 };
  const parsed = parseStatus(status);
  return {
    is_repo: true,
    toplevel,
    ...parsed,
    clean: parsed.modified === 0 && parsed.untracked === 0,
    base_branch: baseBranch(refs ?? ''),
    branch_domain: parsed.branch ? domainFromBranch(parsed.branch) : undefined,
  };
}

/** Branch, HEAD and change counts from `git status --porcelain=v2 --branch`. */
export function parseStatus(text: string): Pick<GitState, 'branch' | 'detached' | 'head' | 'modified' | 'untracked'> {
  let branch: string | undefined;
  let head: string | undefined;
  let modified = 0;
  let untracked = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length);
      head = oid === '(initial)' ? undefined : oid;
    } else if (line.startsWith('# branch.head ')) {
      const name = line.slice('# branch.head '.length);
      branch = name === '(detached)' ? undefined : name;
    } else if (/^[12u] /.test(line)) modified++;
    else if (line.startsWith('? ')) untracked++;
  }
  return { branch, detached: branch === undefined && head !== undefined, head, modified, untracked };
}

/** origin's default branch when known, else a local main, else master. */
function baseBranch(refs: string): string | undefined {
  const found = new Map(
    refs
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [ref = '', target = ''] = line.split(' ');
        return [ref, target] as const;
      }),
  );
  const originHead = found.get('refs/remotes/origin/HEAD');
  if (originHead) return originHead.replace(/^refs\/remotes\/origin\//, '');
  if (found.has('refs/heads/main')) return 'main';
  if (found.has('refs/heads/master')) return 'master';
  return undefined;
}
