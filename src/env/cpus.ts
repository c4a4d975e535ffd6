import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

export interface CpuIdle {
  cpu: number;
  /** Share of the sample the CPU spent idle (or waiting on I/O), 0 to 1. */
  idle: number;
}

/**
 * The CPUs this process may run on, idlest first, with how idle each was over
 * `sampleMs` (from /proc/stat). Empty where /proc is not there (not Linux).
 */
export async function idleCpus(sampleMs = 300): Promise<CpuIdle[]> {
  const before = await cpuTimes();
  if (before.size === 0) return [];
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const after = await cpuTimes();
  const allowed = await allowedCpus();
  const idle: CpuIdle[] = [];
  for (const cpu of allowed) {
    const start = before.get(cpu);
    const end = after.get(cpu);
    if (!start || !end || end.total <= start.total) continue;
    idle.push({ cpu, idle: (end.idle - start.idle) / (end.total - start.total) });
  }
  return idle.sort((a, b) => b.idle - a.idle);
}

async function cpuTimes(): Promise<Map<number, { idle: number; total: number }>> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '');
  const times = new Map<number, { idle: number; total: number }>();
  for (const match of text.matchAll(/^cpu(\d+) (.*)$/gm)) {
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const fields = match[2]!.trim().split(/\s+/).slice(0, 8).map(Number);
    times.set(Number(match[1]), { idle: fields[3]! + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) });
  }
  return times;
}

/** CPUs in this process's affinity mask (Cpus_allowed_list), or all of them when it cannot be read. */
async function allowedCpus(): Promise<number[]> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list) return Array.from({ length: availableParallelism() }, (_, i) => i);
  return list.split(',').flatMap((range) => {
    const [from, to] = range.split('-').map(Number);
    return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
  });
}
