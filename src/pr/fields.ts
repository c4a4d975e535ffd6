import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { shortSha } from '../format.js';
import type { StoredComparison, StoredRow } from '../state/comparisons.js';
import { type ExperimentRow, experimentFiles } from '../state/experiments.js';
import { type JobView, latestFinishedJob } from '../state/jobs.js';
import { GUARD_TOPIC, getConvention } from '../state/notes.js';
import type { Project } from '../state/project.js';
import { changeText, factorOf, measurementLines, rowResult } from './evidence.js';

const MODE_WORDS: Record<string, string> = { wall: 'wall time', cpu: 'CPU time', instructions: 'instructions', memory: 'peak memory' };

/** The headline of a result: `−58.5 % wall time (2.41× faster)`, or the verdict when nothing changed. */
export function headline(comparison: StoredComparison, row: StoredRow): string {
  const factor = factorOf(row);
  const change = changeText(row);
  return factor
    ? `${change} ${MODE_WORDS[comparison.mode] ?? comparison.mode} (${factor} ${row.verdict})`
    : `${row.verdict} ${MODE_WORDS[comparison.mode] ?? comparison.mode}`;
}

/** The function an experiment names (`pkg/mod.py:parse` → `parse`), made safe for a file name. */
export function bodyName(wanted: string | undefined, target: string | undefined, fallback: string): string {
  const raw =
    wanted ??
    target
      ?.split(/[:#]/)
      .pop()
      ?.split('/')
      .pop()
      ?.replace(/\.\w+$/, '') ??
    fallback;
  const name = raw
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 60);
  return name || 'change';
}

/** A compared ref as a body names it: `` `main` (abc123def456) ``; the uncommitted tree by the commit that holds it now. */
export function ref(side: { ref: string; sha: string }, sha: string): string {
  if (side.ref === 'WORKTREE') return `\`${shortSha(sha)}\` (measured as the uncommitted tree ${shortSha(side.sha)}, then committed)`;
  return side.ref === sha ? `\`${shortSha(sha)}\`` : `\`${side.ref}\` (${shortSha(sha)})`;
}

export const bullets = (lines: readonly string[]) => lines.map((line) => `- ${line}`).join('\n');

/** The default summary of one kept change: what changed and why, what was measured, and any override. */
export function summaryLines(experiment: ExperimentRow | undefined, comparison: StoredComparison, name: string): string[] {
  const lines = experiment ? [`\`${experiment.target}\`: ${experiment.hypothesis.trim()}`] : [`\`${name}\` changes between base and head.`];
  lines.push(...measurementLines(comparison).slice(0, 5));
  if (experiment?.override_reason) lines.push(`Kept without a faster comparison: ${experiment.override_reason}`);
  return lines;
}

/** The default technical details: the hypothesis, notes, the files and commit that carry the change. */
export function detailsOf(experiment: ExperimentRow | undefined, comparison: StoredComparison): string {
  if (!experiment) return `Compared ${comparison.base.ref} against ${comparison.head.ref} in ${comparison.mode} mode.`;
  const files = experimentFiles(experiment);
  return [
    experiment.hypothesis.trim(),
    experiment.notes ? experiment.notes.trim() : '',
    files.length ? `Files: ${files.map((f) => `\`${f}\``).join(', ')}.` : '',
    experiment.commit_sha ? `Commit: \`${shortSha(experiment.commit_sha)}\` (experiment #${experiment.n} of the ledger).` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

interface GuardResult {
  command?: string;
  passed?: boolean;
  exit_code?: number | null;
  duration_ms?: number;
}

/** The test plan: the guard's last run in this session, then the benchmark's result per row. */
export function testLines(project: Project, sessionId: string, comparison: StoredComparison, label: string, proven: boolean): string {
  const guard = getConvention(project.db, GUARD_TOPIC)?.rule;
  const run = latestFinishedJob<GuardResult>(project.db, 'run_guard', sessionId);
  const lines = [guardLine(guard, run)];
  for (const row of comparison.rows.slice(0, 10)) {
    lines.push(
      `- [${proven && row.verdict === 'faster' ? 'x' : ' '}] Benchmark \`${label}\`${comparison.rows.length > 1 ? ` \`${row.name}\`` : ''}: ${rowResult(row)}`,
    );
  }
  return lines.join('\n');
}

function guardLine(guard: string | undefined, run: (JobView<GuardResult> & { finished_at: string }) | undefined): string {
  if (!guard) return '- [ ] No guard is set for this project: the test suite has not been run by the loop.';
  const result = run?.result;
  if (run?.state !== 'succeeded' || !result) return `- [ ] \`${guard}\` has not run to the end in this session.`;
  const when = `${run.finished_at.slice(0, 16).replace('T', ' ')} UTC`;
  if (result.passed)
    return `- [x] Existing tests pass: \`${result.command ?? guard}\` (exit 0 in ${((result.duration_ms ?? 0) / 1000).toFixed(1)} s, ${when}).`;
  return `- [ ] \`${result.command ?? guard}\` failed on its last run (exit ${result.exit_code}, ${when}): fix it before opening the PR.`;
}

const CHANGELOG_NAMES = ['CHANGELOG.md', 'CHANGES.md', 'HISTORY.md', 'NEWS.md', 'CHANGELOG.rst', 'CHANGES.rst', 'HISTORY.rst', 'CHANGELOG'];

/** A suggested entry when the project keeps a changelog; empty otherwise. */
export function changelogSection(root: string, entry: string): string {
  const file = CHANGELOG_NAMES.find((name) => existsSync(join(root, name)));
  if (!file) return '';
  return `## Changelog\n\nSuggested entry for \`${file}\`:\n\n- ${entry}`;
}
