import { randomBytes } from 'node:crypto';
import type { CompareRequest, Comparison } from '../bench/compare.js';
import { type CompareHooks, DEFAULT_MAX_TIME_MS } from '../bench/measure.js';
import { UserError } from '../errors.js';
import type { VmHostRow } from '../state/vm-hosts.js';
import { prepareCheckout, type RefToMeasure, type RemoteCheckout, type RemoteRepo, removeJobDir } from './checkout.js';
import { connectHost, type HostConnection, shellWord } from './connection.js';
import { parseHelperLine } from './protocol.js';
import { ensureRuntime, probeHost } from './runtime.js';

/** What the host's helper is asked to measure: a compare request without the local paths, which the host fills in. */
export type RemoteCompare = Omit<
  CompareRequest,
  'root' | 'base' | 'head' | 'worktreesDir' | 'refNames' | 'inject' | 'python' | 'keepWorktrees'
>;

export interface VmBenchRequest {
  /** The local repository: its remote's URL is what the hosts clone. */
  root: string;
  remote: RemoteRepo;
  base: Omit<RefToMeasure, 'side'>;
  head: Omit<RefToMeasure, 'side'>;
  compare: RemoteCompare;
  hosts: VmHostRow[];
}

export type HostOutcome = { host: VmHostRow; comparison: Comparison } | { host: VmHostRow; error: string };

/** Room beyond the measuring budget for the helper's worktrees, setup, warmups and last pairs. */
const MEASURE_MARGIN_MS = 20 * 60_000;
/** How long a cancelled helper gets to kill its runs and remove its worktrees before its group is killed. */
const HELPER_STOP_GRACE_MS = 10_000;

/**
 * Measure base against head on every host at once, each over its own SSH
 * connection: a host that fails (unreachable, refused key, lost connection,
 * missing ref) gives its error while the others finish.
 */
export async function benchOnHosts(request: VmBenchRequest, hooks: CompareHooks = {}): Promise<HostOutcome[]> {
  const progress = new Map<string, { done: number; total?: number }>();
  const report = (host: string, done: number, total: number | undefined, message: string) => {
    progress.set(host, { done, total });
    const all = [...progress.values()];
    const known = all.length === request.hosts.length && all.every((p) => p.total !== undefined);
    hooks.onProgress?.(
      all.reduce((sum, p) => sum + p.done, 0),
      known ? all.reduce((sum, p) => sum + p.total!, 0) : undefined,
      `${host}: ${message}`,
    );
  };
  const settled = await Promise.allSettled(
    request.hosts.map((host) =>
      benchOnHost(host, request, {
        signal: hooks.signal,
        log: (line) => hooks.log?.(`${host.name}: ${line}`),
        onProgress: (done, total, message) => report(host.name, done, total, message),
      }),
    ),
  );
  // Every host has ended its runs and removed its worktrees by now, the cancelled ones too.
  if (hooks.signal?.aborted) throw new Error('cancelled');
  return settled.map((outcome, i) => {
    const host = request.hosts[i]!;
    return outcome.status === 'fulfilled' ? { host, comparison: outcome.value } : { host, error: (outcome.reason as Error).message };
  });
}

async function benchOnHost(host: VmHostRow, request: VmBenchRequest, hooks: CompareHooks): Promise<Comparison> {
  const { signal } = hooks;
  const connection = await connectHost({ ...host, keyPath: host.key_path }, host.fingerprint, { signal });
  try {
    const facts = await probeHost(connection, signal);
    hooks.log?.(`connected; node ${facts.node}, ${facts.git}`);
    const cli = await ensureRuntime(connection, facts, signal);
    const checkout = await prepareCheckout(connection, facts, {
      root: request.root,
      remote: request.remote,
      refs: [
        { side: 'base', ...request.base },
        { side: 'head', ...request.head },
      ],
      jobToken: randomBytes(5).toString('hex'),
      signal,
    });
    hooks.log?.(`fetched ${request.remote.name} into ${checkout.repo}`);
    try {
      return await runHelper(connection, cli, checkout, request, hooks);
    } finally {
      await removeJobDir(connection, checkout).catch((error: Error) => hooks.log?.(`cleanup: ${error.message}`));
    }
  } finally {
    connection.close();
  }
}

/** Run the uploaded helper on the host's clone; its progress and log lines are passed on as they come. */
async function runHelper(
  connection: HostConnection,
  cli: string,
  checkout: RemoteCheckout,
  request: VmBenchRequest,
  hooks: CompareHooks,
): Promise<Comparison> {
  const compare: CompareRequest = {
    ...request.compare,
    root: checkout.repo,
    base: request.base.sha,
    head: request.head.sha,
    refNames: { base: request.base.ref, head: request.head.ref },
    worktreesDir: `${checkout.jobDir}/worktrees`,
    keepWorktrees: false,
  };
  const dir = shellWord(checkout.jobDir);
  await connection.run(`mkdir -p ${dir} && cat > ${dir}/request.json`, {
    what: 'writing the request',
    timeoutMs: 60_000,
    input: JSON.stringify(compare),
    signal: hooks.signal,
  });
  let comparison: Comparison | undefined;
  let failure: { message: string; user: boolean } | undefined;
  const result = await connection.runAllowingFailure(
    `cd ${dir} && exec node ${shellWord(cli)} measure --json --until-stdin-closes request.json`,
    {
      what: 'measuring',
      timeoutMs: (request.compare.maxTimeMs ?? DEFAULT_MAX_TIME_MS) + MEASURE_MARGIN_MS,
      signal: hooks.signal,
      killGraceMs: HELPER_STOP_GRACE_MS,
      onLine: (line) => {
        const event = parseHelperLine(line);
        if (event.event === 'progress') hooks.onProgress?.(event.done, event.total, event.message);
        else if (event.event === 'log') hooks.log?.(event.line);
        else if (event.event === 'result') comparison = event.comparison;
        else failure = event;
      },
    },
  );
  if (comparison) return comparison;
  if (failure)
    throw failure.user ? new UserError(`${connection.label}: ${failure.message}`) : new Error(`${connection.label}: ${failure.message}`);
  throw new Error(
    `${connection.label}: the measuring helper ended (exit code ${result.code}) without a result: ${result.stderr.trim() || 'no output'}`,
  );
}
