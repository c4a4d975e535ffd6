/**
 * Registry of every process group this server started, so that shutdown can end
 * them all. Each child is spawned detached (its own process group) and killed by
 * group, which also reaches grandchildren such as a test runner's workers.
 */
const live = new Set<number>();

export function trackGroup(pid: number): void {
  live.add(pid);
}

export function untrackGroup(pid: number): void {
  live.delete(pid);
}

export function liveGroups(): number[] {
  return [...live];
}

/** Send a signal to a whole process group; a group that is already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM a group, then SIGKILL whatever of it is left after `graceMs`; `then` runs after that. */
function endGroup(pid: number, graceMs: number, then?: () => void): void {
  signalGroup(pid, 'SIGTERM');
  setTimeout(() => {
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    then?.();
  }, graceMs).unref();
}

export interface GroupWatch {
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Call once the leader has exited: no timer or abort reaches the group after that. */
  stop(): void;
}

/** End a run's process group at its timeout or when `signal` aborts, and say which happened. */
export function watchGroup(pid: number | undefined, options: { timeoutMs?: number; signal?: AbortSignal; graceMs: number }): GroupWatch {
  const state = { timedOut: false, cancelled: false };
  const end = () => {
    if (pid !== undefined) endGroup(pid, options.graceMs);
  };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          state.timedOut = true;
          end();
        }, options.timeoutMs);
  timer?.unref();
  const onAbort = () => {
    state.cancelled = true;
    end();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get timedOut() {
      return state.timedOut;
    },
    get cancelled() {
      return state.cancelled;
    },
    stop() {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** After the leader has exited: end what it left behind in its group, and stop tracking the group. */
export function releaseGroup(pid: number, graceMs: number): void {
  if (groupAlive(pid)) endGroup(pid, graceMs, () => untrackGroup(pid));
  else untrackGroup(pid);
}

/**
 * SIGTERM every tracked group, then SIGKILL whatever is left after `graceMs`.
 * Resolves once no tracked group answers signal 0 or the grace period is over.
 */
export async function killAllGroups(graceMs = 1000): Promise<void> {
  const pids = liveGroups();
  for (const pid of pids) signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(groupAlive)) {
    await new Promise((r) => setTimeout(r, 25));
  }
  for (const pid of pids) {
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    untrackGroup(pid);
  }
}

/** Whether a process exists (EPERM means it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
