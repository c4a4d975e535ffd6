import { type CompareRequest, checkCompareRequest } from '../bench/compare.js';
import { resolveRef, WORKING_TREE_REF } from '../bench/worktrees.js';
import { UserError } from '../errors.js';
import type { Db } from '../state/database.js';
import { getVmHost } from '../state/vm-hosts.js';
import { remoteUrl } from '../workspace/git.js';
import { refuseOptionLike } from '../workspace/paths.js';
import type { RemoteCompare, VmBenchRequest } from './bench.js';
import { hostUrl } from './checkout.js';

export interface VmBenchInput {
  root: string;
  hosts: string[];
  base: string;
  head: string;
  /** The local repository's remote the hosts clone and fetch (default origin). */
  remote?: string;
  compare: RemoteCompare;
}

/**
 * Everything checked here, before a job starts or a host is contacted: known
 * hosts, refs that name commits, a remote the hosts can clone, a valid compare.
 * Refs are resolved here, so the hosts measure exactly the commits meant.
 */
export async function planVmBench(db: Db, input: VmBenchInput, signal?: AbortSignal): Promise<VmBenchRequest> {
  if (input.hosts.length === 0) throw new UserError('pass host, or hosts, by the names vm_hosts lists');
  const hosts = [...new Set(input.hosts)].map((name) => {
    const host = getVmHost(db, name);
    if (!host) throw new UserError(`unknown host "${name.slice(0, 100)}": vm_hosts lists the registered hosts, vm_host_add adds one`);
    return host;
  });
  for (const ref of [input.base, input.head]) {
    if (ref === WORKING_TREE_REF) {
      throw new UserError(`a host measures commits it fetches, not ${WORKING_TREE_REF}: commit and push the change, then pass its branch`);
    }
  }
  const remoteName = input.remote ?? 'origin';
  refuseOptionLike('remote', remoteName);
  checkCompareRequest({
    ...input.compare,
    root: input.root,
    base: input.base,
    head: input.head,
    worktreesDir: '',
  } satisfies CompareRequest);
  const [base, head] = [await resolveRef(input.root, input.base, signal), await resolveRef(input.root, input.head, signal)];
  const url = await remoteUrl(input.root, remoteName);
  if (!url) {
    throw new UserError(
      `the repository has no remote "${remoteName}": hosts clone the project from a remote they can reach (git remote add ${remoteName} <url>, then push), or pass remote`,
    );
  }
  refuseOptionLike('remote URL', url);
  return {
    root: input.root,
    remote: { name: remoteName, url: hostUrl(input.root, url) },
    base: { ref: input.base, sha: base.sha },
    head: { ref: input.head, sha: head.sha },
    compare: input.compare,
    hosts,
  };
}
