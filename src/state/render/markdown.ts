import { formatChangePct, formatMeasured, shortSha } from '../../format.js';
import type { ExperimentRow, SessionStats } from '../experiments.js';
import type { ConventionRow, HandoffRow, LearningRow } from '../notes.js';
import { GUARD_TOPIC } from '../notes.js';
import type { SessionRow } from '../sessions.js';

const bullets = (items: readonly string[], empty: string) => (items.length ? items.map((i) => `- ${i}`).join('\n') : `_${empty}_`);

/** Topic names as headings: `guard` → `Guard`, `code-style` → `Code style`. */
export function topicHeading(topic: string): string {
  const words = topic.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function renderLearnings(rows: readonly LearningRow[]): string {
  const parts = [
    '# Learnings\n',
    'Curated facts about this code base that keep later sessions, in any domain, from repeating dead ends.\n',
  ];
  for (const row of rows) {
    parts.push(`## ${row.title}\n\n${row.body.trim()}\n\nEvidence: ${row.evidence.trim()}\n`);
  }
  return parts.join('\n');
}

export function renderConventions(rows: readonly ConventionRow[]): string {
  const parts = [
    '# Conventions\n',
    'Binding constraints for every optimization on this project (maintainer feedback, policies, the guard).\n',
  ];
  const ordered = [...rows].sort((a, b) => (a.topic === GUARD_TOPIC ? -1 : b.topic === GUARD_TOPIC ? 1 : 0));
  for (const row of ordered) {
    const rule = row.topic === GUARD_TOPIC ? `\`${row.rule}\`\n\nRun after every change; a failure reverts the change.` : row.rule.trim();
    parts.push(`## ${topicHeading(row.topic)}\n\n${rule}\n`);
  }
  return parts.join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** What backs an experiment: for a keep, proven by its comparison or overridden with its reason; else the comparison, if any. */
export function evidenceOf(row: ExperimentRow): string {
  if (row.proof === 'proven') return `proven by ${row.comparison_id}`;
  if (row.proof === 'overridden') return `overridden: ${row.override_reason ?? ''}${row.comparison_id ? ` (${row.comparison_id})` : ''}`;
  if (row.proof === 'unproven') return row.comparison_id ? `unproven (${row.comparison_id})` : 'unproven: no comparison';
  return row.comparison_id ?? '—';
}

/** Baseline and value with the unit when the ledger knows it: `120.3 → 60.1 ms`. */
export function measuredChange(row: ExperimentRow): string {
  return `${formatMeasured(row.baseline)} → ${formatMeasured(row.value)}${row.unit ? ` ${row.unit}` : ''}`;
}

function experimentLine(row: ExperimentRow, measuredOn: string): string {
  return `| ${row.n} | ${row.commit_sha ? shortSha(row.commit_sha) : '—'} | ${cell(row.target)} | ${cell(row.metric)} | ${measuredChange(row)} | ${formatChangePct(row.improvement_pct)} | ${cell(evidenceOf(row))} | ${measuredOn} | ${cell(row.hypothesis)} |`;
}

/** `measuredOn` says where each row's numbers come from: local, a host, or by hand. */
function experimentTable(rows: readonly ExperimentRow[], measuredOn: (row: ExperimentRow) => string): string {
  if (!rows.length) return '_none_';
  return [
    '| # | commit | target | metric | baseline → value | improvement | evidence | measured on | hypothesis |',
    '|---|---|---|---|---|---|---|---|---|',
  ]
    .concat(rows.map((row) => experimentLine(row, measuredOn(row))))
    .join('\n');
}

export function renderHandoff(input: {
  session: SessionRow;
  stats: SessionStats;
  kept: readonly ExperimentRow[];
  recentDiscards: readonly ExperimentRow[];
  handoff: HandoffRow;
  conventions: readonly ConventionRow[];
  measuredOn: (row: ExperimentRow) => string;
}): string {
  const { session, stats, handoff } = input;
  const best = stats.best
    ? `#${stats.best.n} ${stats.best.target}: ${stats.best.value} ${stats.best.metric} (${formatChangePct(stats.best.improvement_pct)} vs baseline)`
    : 'none kept yet';
  const baseline = stats.baseline
    ? `${stats.baseline.value} ${stats.baseline.metric} (${stats.baseline.direction} is better)`
    : 'not recorded';
  return [
    `# Handoff — ${handoff.branch ?? session.branch ?? '(no branch)'}`,
    '',
    `Session ${session.id} · domain ${session.domain} · written ${handoff.created_at}`,
    session.goal ? `\nGoal: ${session.goal}` : '',
    handoff.summary ? `\n## Summary\n\n${handoff.summary.trim()}` : '',
    '\n## Status\n',
    `- Experiments: ${stats.experiments} (kept ${stats.keeps}, discarded ${stats.discards}, crashed ${stats.crashes})`,
    `- Consecutive discards: ${stats.consecutive_discards}${stats.plateau ? ' — plateau reached' : ''}`,
    `- Baseline: ${baseline}`,
    `- Best: ${best}`,
    '- Chart: [progress.svg](progress.svg)',
    '\n## Kept experiments\n',
    input.kept.length
      ? `${proofCounts(input.kept)}\n\n${experimentTable(input.kept, input.measuredOn)}`
      : experimentTable(input.kept, input.measuredOn),
    '\n## Recent discards\n',
    experimentTable(input.recentDiscards, input.measuredOn),
    '\n## Key discoveries\n',
    bullets(handoff.discoveries, 'none recorded'),
    '\n## Blockers\n',
    bullets(handoff.blockers, 'none'),
    '\n## Next steps\n',
    handoff.next_steps.map((s, i) => `${i + 1}. ${s}`).join('\n'),
    '\n## Conventions\n',
    bullets(
      input.conventions.map((c) => `${topicHeading(c.topic)}: ${c.rule.split('\n')[0]}`),
      'none',
    ),
    '\n## Resume\n',
    `Check out \`${handoff.branch ?? session.branch ?? 'the session branch'}\`, then call \`session_resume\`.`,
    '',
  ].join('\n');
}

/** `2 kept: 1 proven by a comparison, 1 overridden`. */
export function proofCounts(kept: readonly ExperimentRow[]): string {
  const count = (proof: ExperimentRow['proof']) => kept.filter((r) => r.proof === proof).length;
  const parts = [`${count('proven')} proven by a comparison`, `${count('overridden')} overridden`];
  if (count('unproven')) parts.push(`${count('unproven')} unproven`);
  return `${kept.length} kept: ${parts.join(', ')}`;
}

export function renderChangelog(session: SessionRow, kept: readonly ExperimentRow[]): string {
  const lines = [
    `# Changelog${session.branch ? ` — ${session.branch}` : ''}`,
    '',
    session.goal ? `${session.goal}\n` : '',
    '## Performance',
    '',
  ];
  if (!kept.length) lines.push('_No kept optimizations yet._');
  else lines.push(`${proofCounts(kept)}\n`);
  for (const row of kept) {
    const evidence = [row.commit_sha ? `commit ${shortSha(row.commit_sha)}` : '', evidenceOf(row)].filter(Boolean).join(', ');
    lines.push(
      `- **${row.target}**: ${row.hypothesis} — ${row.metric} ${measuredChange(row)} (${formatChangePct(row.improvement_pct)})${evidence ? ` [${evidence}]` : ''}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
