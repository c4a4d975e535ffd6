import { idleCpus } from '../env/cpus.js';
import type { Runner } from './runners/runner.js';

/**
 * Duet runs (Bulej et al., ICPE 2020): base and head at the same moment, each
 * pinned to its own core, so a burst of load from other tenants falls on both
 * runs of a pair instead of on whichever ran then. It is only fair when each
 * program keeps to its one core, and only quieter when two cores are free.
 */
export interface DuetPlan {
  ran: 'interleaved' | 'duet';
  /** The two cores, when the duet goes ahead. */
  cpus?: [number, number];
  /** Why the duet was not run. */
  note?: string;
}

/** A core at least this idle over the sample counts as free. */
const FREE_IDLE_SHARE = 0.75;
/** A benchmark that keeps more than this many cores busy on average (CPU time over wall time) is not single-threaded. */
const SINGLE_THREAD_MAX_CORES = 1.25;

/** The two cores a duet would use, or why it cannot run here; `needsIdle` false skips the free-core check. */
export async function planDuet(runner: Runner, needsIdle: boolean): Promise<DuetPlan> {
  const fallback = (why: string): DuetPlan => ({ ran: 'interleaved', note: `duet not run (${why}); ran interleaved` });
  if (!(await runner.pinnable?.())) return fallback('it needs a whole command timed by the posix_spawn helper, in wall mode');
  const cpus = await idleCpus();
  if (cpus.length < 2) return fallback(`it needs two cores this process may use, found ${cpus.length}`);
  const free = cpus.filter((cpu) => cpu.idle >= FREE_IDLE_SHARE);
  if (needsIdle && free.length < 2) {
    const idle = cpus.reduce((sum, cpu) => sum + cpu.idle, 0);
    return fallback(`it needs two free cores; ${idle.toFixed(1)} of ${cpus.length} were idle`);
  }
  return { ran: 'duet', cpus: [cpus[0]!.cpu, cpus[1]!.cpu] };
}

/** Why the warmups' CPU use rules out a duet, if it does. */
export function singleThreadedNote(cpuShare: readonly number[]): string | undefined {
  if (cpuShare.length === 0) return 'duet not run (the warmups reported no CPU time); ran interleaved';
  const busiest = Math.max(...cpuShare);
  if (busiest <= SINGLE_THREAD_MAX_CORES) return undefined;
  return `duet not run (the benchmark kept ${busiest.toFixed(2)} cores busy in a warmup: a duet needs a single-threaded one); ran interleaved`;
}
