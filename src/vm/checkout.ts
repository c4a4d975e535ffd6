import { createHash } from 'node:crypto';
import { basename, isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { shortSha } from '../format.js';
import { type HostConnection, shellWord } from './connection.js';
import type { HostFacts } from './runtime.js';

const GIT_TIMEOUT_MS = 15 * 60_000;

/** The remote a host clones and fetches from: the local repository's own, by name and URL. */
export interface RemoteRepo {
  name: string;
  url: string;
}

export interface RefToMeasure {
  side: 'base' | 'head';
  /** As the user wrote it. */
  ref: string;
  sha: string;
}

export interface RemoteCheckout {
  /** The host's clone of the project, made once and fetched into on every job. */
  repo: string;
  /** This job's directory on the host: its request and worktrees, removed when the job ends. */
  jobDir: string;
}

/** A remote URL as a host can use it: a relative path (`../bare.git`) is made absolute against the project root. */
export function hostUrl(root: string, url: string): string {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+:/.test(url);
  return isUrl || isAbsolute(url) ? url : resolve(root, url);
}

/** One directory per project and remote URL under the host's cache. */
function projectDir(facts: HostFacts, root: string, url: string): string {
  const name =
    basename(root)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'project';
  return `${facts.baseDir}/projects/${name}-${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

/**
 * Bring the host's clone up to date: clone on first use, then fetch the remote
 * (with the forwarded agent, for a private repository), and check that every
 * commit to measure arrived. A commit the remote does not have is named with its
 * ref and the remote, since pushing it is the fix.
 */
export async function prepareCheckout(
  connection: HostConnection,
  facts: HostFacts,
  options: { root: string; remote: RemoteRepo; refs: RefToMeasure[]; jobToken: string; signal?: AbortSignal },
): Promise<RemoteCheckout> {
  const { remote } = options;
  const dir = projectDir(facts, options.root, remote.url);
  const repo = `${dir}/repo`;
  const script = [
    'set -e',
    'export GIT_TERMINAL_PROMPT=0',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, run on the host
    'export GIT_SSH_COMMAND="${GIT_SSH_COMMAND:-ssh -o BatchMode=yes}"',
    `repo=${shellWord(repo)}`,
    'if [ ! -d "$repo/.git" ]; then',
    `  mkdir -p ${shellWord(dir)}`,
    '  partial="$repo.partial.$$"',
    '  rm -rf "$partial"',
    `  git clone --quiet -- ${shellWord(remote.url)} "$partial"`,
    '  if [ -d "$repo/.git" ]; then rm -rf "$partial"; else mv "$partial" "$repo"; fi',
    'fi',
    `git -C "$repo" remote set-url origin ${shellWord(remote.url)}`,
    'git -C "$repo" fetch --quiet --prune origin',
    `for sha in ${options.refs.map((r) => r.sha).join(' ')}; do`,
    '  git -C "$repo" cat-file -e "$sha^{commit}" 2>/dev/null || echo "missing $sha"',
    'done',
  ].join('\n');
  const { stdout } = await connection.run(script, {
    what: `fetching ${remote.name} (${remote.url}) into ${repo}`,
    timeoutMs: GIT_TIMEOUT_MS,
    signal: options.signal,
  });
  const missing = new Set(stdout.split('\n').flatMap((line) => (line.startsWith('missing ') ? [line.slice(8)] : [])));
  const absent = options.refs.find((ref) => missing.has(ref.sha));
  if (absent) {
    const push = /^[0-9a-f]{7,64}$|[~^]/.test(absent.ref) ? 'push the branch that holds it' : `git push ${remote.name} ${absent.ref}`;
    throw new UserError(
      `${connection.label}: ${absent.side} ref "${absent.ref}" (${shortSha(absent.sha)}) is not on remote "${remote.name}" (${remote.url}), which the host fetches from: ${push}, then run vm_bench again`,
    );
  }
  return { repo, jobDir: `${dir}/jobs/${options.jobToken}` };
}

/** Remove a job's directory (its worktrees with it) and let the clone forget them; best effort, never cancelled. */
export async function removeJobDir(connection: HostConnection, checkout: RemoteCheckout): Promise<void> {
  await connection.run(`rm -rf ${shellWord(checkout.jobDir)}; git -C ${shellWord(checkout.repo)} worktree prune`, {
    what: 'removing the job directory',
    timeoutMs: 60_000,
  });
}
