import { type CommandIo, EXIT } from './terminal.js';

/**
 * Run a gate command and turn any failure into exit 2 with its message: a CI
 * job must never read an unknown ref, a failing command or a missing tool as a
 * regression (exit 1) or as a pass.
 */
export async function runGateCommand(name: 'compare' | 'bisect', argv: string[], io: CommandIo): Promise<number> {
  try {
    if (name === 'compare') {
      const { runCompareCommand } = await import('./compare.js');
      return await runCompareCommand(argv, io);
    }
    const { runBisectCommand } = await import('./bisect.js');
    return await runBisectCommand(argv, io);
  } catch (error) {
    // The message alone: a setup failure quotes the command's output, and a stack would bury it.
    const message = error instanceof Error ? error.message : String(error);
    io.err.write(`codeflash-mcp ${name}: ${message}\n`);
    return EXIT.error;
  }
}
