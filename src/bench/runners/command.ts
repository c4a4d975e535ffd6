import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { TimedSpawner } from '../../proc/spawner.js';
import { type CommandSpec, displayCommand, nsToMs, type Runner, runChecked } from './runner.js';

/**
 * Wall time of one whole process per run, in milliseconds, spawn to exit. With
 * a Python to run it, a TimedSpawner takes the time (hyperfine's way); without
 * one, or if it cannot start, Node's own clock around the run does.
 */
export function wallRunner(command: CommandSpec, name: string, requiredPaths: string[], helperPython?: string): Runner {
  let spawner: Promise<TimedSpawner | undefined> | undefined;
  const timing = () => (spawner ??= helperPython ? TimedSpawner.start(helperPython).catch(() => undefined) : Promise.resolve(undefined));
  return {
    unit: 'ms',
    deterministic: false,
    describe: () => describeCommand(command),
    requiredPaths: () => requiredPaths,
    async measure(context) {
      const result = await runChecked(command, context, { spawner: await timing() });
      return { values: new Map([[name, nsToMs(result.durationNs)]]), durationNs: result.durationNs };
    },
    async close() {
      await (await spawner)?.close();
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
