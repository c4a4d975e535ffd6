import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCommand } from './command.js';
import { type CommandSpec, type RunContext, type Runner, runChecked } from './runner.js';

let runCounter = 0;

/**
 * Instructions executed (callgrind's Ir total) by the command and every process
 * it starts. Warmups run without valgrind: they only have to fill caches such as
 * Python's bytecode files, which would otherwise count on the first run only.
 */
export function callgrindRunner(command: CommandSpec, name: string, requiredPaths: string[]): Runner {
  const wrap = (outFile: string): CommandSpec => ({
    ...command,
    shell: false,
    argv: [
      'valgrind',
      '--tool=callgrind',
      '--trace-children=yes',
      `--callgrind-out-file=${outFile}`,
      ...(command.shell ? ['/bin/sh', '-c', command.argv[0]!] : command.argv),
    ],
  });
  return {
    unit: 'instructions',
    deterministic: true,
    describe: () => describeCommand(wrap('<scratch>/callgrind.%p.out')),
    requiredPaths: () => requiredPaths,
    async measure(context: RunContext) {
      if (context.warmup) {
        const result = await runChecked(command, context);
        return { values: new Map(), durationNs: result.durationNs };
      }
      const prefix = `callgrind.${++runCounter}.`;
      const result = await runChecked(wrap(join(context.scratchDir, `${prefix}%p.out`)), context);
      const total = await sumTotals(context.scratchDir, prefix);
      if (total === undefined) throw new Error(`callgrind wrote no totals on ${context.label}`);
      return { values: new Map([[name, total]]), durationNs: result.durationNs };
    },
  };
}

/** Sum the `totals:` (or `summary:`) Ir count of every profile one run wrote, then delete them. */
async function sumTotals(dir: string, prefix: string): Promise<number | undefined> {
  let total: number | undefined;
  for (const file of (await readdir(dir)).filter((f) => f.startsWith(prefix))) {
    const path = join(dir, file);
    const count = parseCallgrindTotal(await readFile(path, 'utf8'));
    if (count !== undefined) total = (total ?? 0) + count;
    await rm(path, { force: true });
  }
  return total;
}

export function parseCallgrindTotal(text: string): number | undefined {
  const match = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}
