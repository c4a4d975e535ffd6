import { readdirSync, readFileSync } from 'node:fs';
import { describeCommand } from './command.js';
import { type CommandSpec, type RunContext, type Runner, runChecked } from './runner.js';

const POLL_MS = 5;

/**
 * Peak resident memory of the whole process tree, in bytes.
 *
 * Every few milliseconds the sampler finds the processes of the command's
 * process group (field `pgrp` of /proc/<pid>/stat) and reads each one's kernel
 * high-water mark (VmHWM). The tree's peak is the largest sum of those marks over
 * the samples. For one process this is the kernel's exact peak, short of growth
 * in its last few milliseconds; for several processes it is an upper bound, since
 * their individual peaks need not coincide. getrusage(RUSAGE_CHILDREN) was not
 * used: it reports the largest single descendant, not the tree.
 */
export function peakRssRunner(command: CommandSpec, name: string, requiredPaths: string[]): Runner {
  return {
    unit: 'bytes',
    deterministic: false,
    describe: () => describeCommand(command),
    requiredPaths: () => requiredPaths,
    async measure(context: RunContext) {
      let peak = 0;
      let timer: NodeJS.Timeout | undefined;
      const marks = new Map<number, number>();
      const sample = (group: number) => {
        let sum = 0;
        for (const pid of groupMembers(group)) {
          const mark = Math.max(marks.get(pid) ?? 0, highWaterMarkBytes(pid));
          marks.set(pid, mark);
          sum += mark;
        }
        peak = Math.max(peak, sum);
        timer = setTimeout(() => sample(group), POLL_MS);
      };
      try {
        const result = await runChecked(command, context, { onSpawn: (pid) => sample(pid) });
        if (peak === 0 && !context.warmup) throw new Error(`no memory sample was taken on ${context.label}: the command ended too fast`);
        return { values: new Map([[name, peak]]), durationNs: result.durationNs };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function groupMembers(group: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === group) members.push(pid);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return members;
}

function highWaterMarkBytes(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
