import { median } from 'simple-statistics';
import type { Side } from './runners/runner.js';

/**
 * CPU time cannot see work that became waiting: a head that sleeps, blocks on
 * I/O or hands work to a process it does not wait for uses less CPU and may be
 * no faster at all. When at least this share of the CPU time a `faster` head
 * saved per run comes back as time off the CPU, the saving is not shown.
 */
const MOVED_SHARE = 0.5;

/**
 * Why a CPU-time `faster` does not stand, or undefined when it does: the head's
 * median time off the CPU per run (wall minus CPU) grew by at least half of the
 * CPU time it saved.
 */
export function offCpuObjection(cpuMs: { base: number; head: number }, offCpuMs: Record<Side, number[]>): string | undefined {
  if (offCpuMs.base.length === 0 || offCpuMs.head.length === 0) return undefined;
  const saved = cpuMs.base - cpuMs.head;
  const grown = median(offCpuMs.head) - median(offCpuMs.base);
  if (!(saved > 0) || grown < MOVED_SHARE * saved) return undefined;
  return (
    `CPU time fell by ${saved.toFixed(1)} ms a run, but time off the CPU grew by ${grown.toFixed(1)} ms: ` +
    'the work may have moved into waiting (sleep, I/O, locks) or to processes the command does not wait for; compare in wall mode'
  );
}
