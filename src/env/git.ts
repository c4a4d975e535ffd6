import { git } from '../workspace/git.js';
import { domainFromBranch } from './branch.js';
import { PROBE_TIMEOUT_MS } from './probe.js';
import type { GitState } from './types.js';

const BASE_CANDIDATES = ['refs/remotes/origin/HEAD', 'refs/heads/main', 'refs/heads/master'];

export async function detectGit(root: string, signal?: AbortSignal): Promise<GitState> {
  // Detection takes any failure (no git, no repository, a timeout) as "not known".
  const query = (args: string[]) =>
    git(root, args, { signal, readOnly: true, timeoutMs: PROBE_TIMEOUT_MS }).then(
      (out) => out.trim(),
      () => undefined,
    );
  const [status, toplevel, refs] = await Promise.all([
    query(['status', '--porcelain=v2', '--branch', '--untracked-files=normal']),
    query(['rev-parse', '--show-toplevel']),
    query(['for-each-ref', '--format=%(refname) %(symref)', ...BASE_CANDIDATES]),
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
