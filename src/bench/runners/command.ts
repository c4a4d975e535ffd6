import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { TimedSpawner } from '../../proc/spawner.js';
import { describeTimer, type TimingHelper } from '../../proc/timer.js';
import { type CommandSpec, displayCommand, type Runner, runChecked } from './runner.js';

/**
 * One whole process per run, in milliseconds: its wall time, spawn to exit, or
 * (clock `cpu`) the user + system time of it and the children it waits for. A
 * TimedSpawner takes the time (hyperfine's way) when a timing helper can run;
 * otherwise, or if it fails to start, Node's own clock around the run does,
 * which cannot see CPU time. A run pinned to a CPU gets a helper of its own
 * pinned there.
 */
export function timedRunner(
  command: CommandSpec,
  name: string,
  requiredPaths: string[],
  helper: Promise<TimingHelper | undefined>,
  clock: 'wall' | 'cpu' = 'wall',
): Runner {
  const spawners = new Map<number | undefined, Promise<TimedSpawner | undefined>>();
  const spawnerFor = (cpu?: number) => {
    let spawner = spawners.get(cpu);
    if (!spawner) {
      spawner = helper.then((found) => (found ? TimedSpawner.start(found, { cpu }).catch(() => undefined) : undefined));
      spawners.set(cpu, spawner);
    }
    return spawner;
  };
  return {
    unit: 'ms',
    deterministic: false,
    describe: () => describeCommand(command),
    requiredPaths: () => requiredPaths,
    async measure(context) {
      const result = await runChecked(command, context, { spawner: await spawnerFor(context.cpu) });
      if (clock === 'cpu' && result.cpuNs === undefined) {
        throw new Error('cpu mode needs the timing helper (a C compiler or a Python), and it could not start on this machine');
      }
      const ns = clock === 'cpu' ? result.cpuNs! : Number(result.durationNs);
      return { values: new Map([[name, ns / 1e6]]), durationNs: result.durationNs, cpuNs: result.cpuNs };
    },
    async close() {
      await Promise.all([...spawners.values()].map(async (spawner) => (await spawner)?.close()));
    },
    async pinnable() {
      return (await spawnerFor()) !== undefined;
    },
    async timer() {
      const kind = (await spawnerFor()) ? (await helper)!.kind : 'node';
      return clock === 'cpu' ? `${describeTimer(kind)}; CPU time (user + system) from wait4` : describeTimer(kind);
    },
  };
}

export function describeCommand(command: CommandSpec): string {
  return command.shell ? `sh -c ${displayCommand([command.argv[0]!])}` : displayCommand(command.argv);
}

/**
 * Arguments of a command that name files in the project (relative paths that
 * exist in the working tree), so a file missing at an older ref is caught
 * before the first run instead of surfacing as a confusing failure.
 */
export function projectPathArguments(argv: readonly string[], root: string): string[] {
  return argv.filter((arg) => {
    if (!arg || arg.startsWith('-') || isAbsolute(arg) || arg.includes('\n')) return false;
    const path = normalize(arg);
    return !path.startsWith('..') && path !== '.' && existsSync(join(root, path));
  });
}

/** A short row name for a command. */
export function commandRowName(command: CommandSpec): string {
  const text = command.shell ? command.argv[0]! : displayCommand(command.argv.map((arg, i) => (i === 0 ? basename(arg) : arg)));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
