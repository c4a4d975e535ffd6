import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { displayCommand, nsToMs, runChecked, type CommandSpec, type Runner } from './runner.js';

/** Wall time of one whole process per run, in milliseconds (hrtime from spawn to exit). */
export function wallRunner(command: CommandSpec, name: string, requiredPaths: string[]): Runner {
  return {
    unit: 'ms',
    deterministic: false,
    describe: () => describeCommand(command),
    requiredPaths: () => requiredPaths,
    async measure(context) {
      const result = await runChecked(command, context);
      return { values: new Map([[name, nsToMs(result.durationNs)]]), durationNs: result.durationNs };
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
