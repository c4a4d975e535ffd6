import { checkCompareRefs, checkCompareRequest, compareRefs } from '../bench/compare.js';
import { describeRow } from '../bench/public.js';
import { readThresholds } from '../env/thresholds.js';
import { UserError } from '../errors.js';
import { recordComparison } from '../session/comparisons.js';
import { decideGate } from './decision.js';
import { numberOption, parseCommandLine, prepareProject, writeOutputs } from './options.js';
import { type CommandIo, EXIT, runInterruptibly } from './terminal.js';
import { COMPARE_USAGE } from './usage.js';

/** `codeflash-mcp compare`: the comparison of benchmark_compare as a CI gate. Returns the exit code. */
export async function runCompareCommand(argv: string[], io: CommandIo): Promise<number> {
  const line = parseCommandLine(argv, {
    'fail-on-regression': { type: 'string' },
    'fail-on-inconclusive': { type: 'boolean' },
  });
  if (line.values.help) {
    io.err.write(COMPARE_USAGE);
    return EXIT.ok;
  }
  if (line.refs.length !== 2) throw new UserError(`compare takes two refs, base and head, not ${line.refs.length}`);
  const [base, head] = line.refs as [string, string];
  const failOnRegressionPct = numberOption(line.values, 'fail-on-regression');
  const { project, sessionId, request } = await prepareProject(line, { mode: 'wall', maxTimeS: 120 });
  return runInterruptibly(io, project, async (signal, progress) => {
    const thresholds = await readThresholds(project.paths.root);
    const compare = { ...request, base, head };
    checkCompareRequest(compare);
    await checkCompareRefs(compare, signal);
    const measured = await compareRefs(compare, {
      signal,
      onProgress: (_done, _total, message) => progress.update(`${base} → ${head}: ${message}`),
    });
    progress.clear();
    const { id, record } = recordComparison(project, sessionId, measured);
    const gate = decideGate(record.rows, thresholds, {
      failOnRegressionPct,
      failOnInconclusive: line.values['fail-on-inconclusive'] === true,
    });
    const rows = record.rows.map((row) => `- ${describeRow(row, record.mode, record.equivalence_pct)}`);
    io.out.write(`${record.markdown}\n\n${rows.join('\n')}\n\n${gate.summary} (comparison ${id})\n`);
    await writeOutputs(line.values, { comparison_id: id, ...record, gate }, record.markdown);
    return gate.exit_code;
  });
}
