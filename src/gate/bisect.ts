import { describeBisect } from '../bench/bisect.js';
import { UserError } from '../errors.js';
import { bisectInProject } from '../session/comparisons.js';
import { parseCommandLine, prepareProject, writeOutputs } from './options.js';
import { type CommandIo, EXIT, runInterruptibly } from './terminal.js';
import { BISECT_USAGE } from './usage.js';

/** `codeflash-mcp bisect`: benchmark_bisect from a terminal. Returns the exit code. */
export async function runBisectCommand(argv: string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(argv, {});
  if (line.values.help) {
    io.err.write(BISECT_USAGE);
    return EXIT.ok;
  }
  if (line.refs.length !== 2) throw new UserError(`bisect takes two refs, good and bad, not ${line.refs.length}`);
  const [good, bad] = line.refs as [string, string];
  const { project, sessionId, request } = await prepareProject(line, { mode: 'instructions', maxTimeS: 60 });
  return runInterruptibly(io, project, async (signal, progress) => {
    const result = await bisectInProject(
      project,
      sessionId,
      { ...request, good, bad },
      {
        signal,
        onProgress: (_done, _total, message) => progress.update(message),
        log: (message) => {
          if (message.startsWith('skipped ')) {
            progress.clear();
            io.err.write(`${message}\n`);
          }
        },
      },
    );
    progress.clear();
    io.out.write(`${result.markdown}\n\n${describeBisect(result)}\n`);
    await writeOutputs(line.values, result, result.markdown);
    return EXIT.ok;
  });
}
