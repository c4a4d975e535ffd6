import { formatDuration, formatPct } from '../format.js';
import { formatCommand } from '../proc/command.js';
import type { ProbeResult } from '../profilers/index.js';
import type { Ranking, ScanTarget } from './rank.js';
import type { StepReport } from './steps.js';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function where(target: ScanTarget): string {
  if (!target.file) return '—';
  return `\`${target.file}:${target.at ?? target.line}\``;
}

function runtimeLines(runtime: Parameters<typeof renderScanReport>[0]['runtime']): string[] {
  if (!runtime) return [];
  const [young, middle, full] = runtime.gc.collections;
  const loop = runtime.asyncioUsed
    ? `- event loop: ${runtime.slowCallbacks} callback(s) held it past 100 ms (asyncio debug mode)`
    : '- event loop: asyncio was not used';
  return [
    `- garbage collector: ${young + middle + full} collections (${young} / ${middle} / ${full} by generation), ${runtime.gc.collected} objects freed, paused ${formatDuration(runtime.gc.pauseNs)} (${formatPct((runtime.gc.pauseNs / runtime.wallNs) * 100)} % of wall time)`,
    loop,
  ];
}

/** .codeflash/scan-report.md: the ranked targets, the recommended domain and why, and how each number was taken. */
export function renderScanReport(input: {
  scanId: string;
  command: string | string[];
  ranking: Ranking;
  steps: StepReport[];
  profileIds: Record<string, string>;
  date: string;
  /** What the probe saw of the garbage collector and the event loop (Python). */
  runtime?: { gc: ProbeResult['gc']; asyncioUsed: boolean; slowCallbacks: number; wallNs: number };
}): string {
  const { ranking } = input;
  const command = typeof input.command === 'string' ? input.command : formatCommand(input.command);
  const shares = ranking.shares;
  const lines = [
    '# Scan report',
    '',
    `Workload: \`${command}\` — scan \`${input.scanId}\`, ${input.date}`,
    '',
    `**Recommended domain: ${ranking.recommendation.domain}.** ${ranking.recommendation.reason}.`,
    '',
    '## Ranked targets',
    '',
    'Share: of wall time for time targets (cpu, async, structure, GC), of peak RSS for memory sites.',
    '',
    '| # | domain | target | where | share | calls | measured |',
    '|---|---|---|---|---|---|---|',
    ...ranking.targets.map(
      (t) =>
        `| ${t.rank} | ${t.domain} | ${cell(t.function)} | ${where(t)} | ${formatPct(t.share * 100)} % | ${t.calls ?? '—'} | ${cell(t.measure)} |`,
    ),
    ...(ranking.targets.length ? [] : ['| — | — | nothing above 1 % in the project | — | — | — | — |']),
    '',
    '## Cost by domain',
    '',
    `- cpu: ${formatPct(shares.cpu * 100)} % of wall time running project code and what it calls`,
    `- memory: the traced peak is ${formatPct(shares.memory * 100)} % of peak RSS`,
    `- async: callbacks held the event loop ${formatPct(shares.async * 100)} % of wall time`,
    `- structure: imports took ${formatPct(shares.structure * 100)} % of wall time`,
    ...runtimeLines(input.runtime),
    '',
    '## Steps',
    '',
    '| step | profiler | took | profile | note |',
    '|---|---|---|---|---|',
    ...input.steps.map(
      (s) =>
        `| ${s.step} | ${s.profiler} | ${formatDuration(s.durationMs * 1e6)} | ${input.profileIds[s.step] ? `\`${input.profileIds[s.step]}\`` : '—'} | ${s.ok ? '' : 'failed: '}${cell(s.note)} |`,
    ),
    '',
    'Next: work on target 1; target_dossier with rank 2–5 gives a research teammate what each of the others needs, without profiling again.',
    '',
  ];
  return lines.join('\n');
}
