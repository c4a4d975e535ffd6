import { existsSync } from 'node:fs';
import { formatChangePct } from './format.js';
import { listExperiments, sessionStats } from './state/experiments.js';
import { GUARD_TOPIC, getConvention } from './state/notes.js';
import { statePaths } from './state/paths.js';
import { Project } from './state/project.js';
import { evidenceOf } from './state/render/markdown.js';
import { latestSession } from './state/sessions.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `codeflash-mcp status`: the session table in a terminal. Returns the exit code. */
export function printStatus(root: string, stateDir?: string): number {
  const paths = statePaths(root, stateDir);
  if (!existsSync(paths.database)) {
    process.stdout.write(`No codeflash state in ${paths.stateDir}: start a session with the session_start tool.\n`);
    return 1;
  }
  const project = Project.open(root, { stateHome: stateDir });
  try {
    const session = latestSession(project.db);
    if (!session) {
      process.stdout.write(`No session yet in ${paths.stateDir}.\n`);
      return 1;
    }
    const stats = sessionStats(project.db, session.id);
    const guard = getConvention(project.db, GUARD_TOPIC)?.rule ?? '(none)';
    process.stdout.write(
      `${table([
        ['session', `${session.id} (${session.state})`],
        ['root', session.root],
        ['branch', session.branch ?? '(none)'],
        ['domain', session.domain],
        ['goal', session.goal ?? ''],
        ['guard', guard],
        ['experiments', `${stats.experiments}: ${stats.keeps} kept, ${stats.discards} discarded, ${stats.crashes} crashed`],
        ['discards in a row', `${stats.consecutive_discards}${stats.plateau ? ' (plateau)' : ''}`],
        [
          'baseline',
          stats.baseline ? `${stats.baseline.value} ${stats.baseline.metric} (${stats.baseline.direction} is better)` : '(none)',
        ],
        [
          'best',
          stats.best
            ? `#${stats.best.n} ${stats.best.target}: ${stats.best.value} (${formatChangePct(stats.best.improvement_pct)})`
            : '(none)',
        ],
      ])}\n\n`,
    );
    const recent = listExperiments(project.db, session.id).slice(-10);
    if (recent.length) {
      process.stdout.write(
        `${table([
          ['#', 'status', 'target', 'metric', 'baseline', 'value', 'improvement', 'evidence'],
          ...recent.map((r) => [
            String(r.n),
            r.status,
            r.target,
            r.metric,
            String(r.baseline),
            String(r.value),
            formatChangePct(r.improvement_pct),
            r.status === 'keep' ? evidenceOf(r) : '',
          ]),
        ])}\n`,
      );
    }
    return 0;
  } finally {
    project.close();
  }
}
