import { relative } from 'node:path';
import { excerpt, UserError } from '../errors.js';
import { formatChangePct, formatMeasured } from '../format.js';
import { comparisonMetric, comparisonRow, lowerIsBetter, requireComparison, type StoredComparison } from '../state/comparisons.js';
import {
  assertRecordable,
  type Direction,
  type ExperimentInput,
  type ExperimentRow,
  type ExperimentStatus,
  improves,
  insertExperiment,
  type Proof,
} from '../state/experiments.js';
import type { Project } from '../state/project.js';
import type { SessionRow } from '../state/sessions.js';
import { type ChangedPath, commitPaths, GitError, isGitRepo, pathChanges, restorePaths, treeOf } from '../workspace/git.js';
import { confinedPath, isInside } from '../workspace/paths.js';
import { assertOneMachinePerMetric } from './one-machine.js';

export interface RecordRequest {
  target: string;
  hypothesis: string;
  metric?: string;
  baseline?: number;
  value?: number;
  direction?: Direction;
  status: ExperimentStatus;
  commit?: string;
  comparisonId?: string;
  /** The comparison row, when it has several. */
  row?: string;
  /** keep: commit exactly these; discard or crash: restore exactly these to HEAD. */
  files?: string[];
  overrideReason?: string;
  notes?: string;
}

export interface Recorded {
  row: ExperimentRow;
  /** The commit made from `files` on a keep. */
  committed?: string;
  restored?: { files: ChangedPath[]; patch: string | null };
  warnings: string[];
}

/** Two numbers agree when they match to the 4 significant digits a results table shows. */
const AGREEMENT = 5e-4;

/**
 * Record one experiment the way the loop means it: numbers from the
 * comparison when one is named (a caller's own numbers must agree with it), a
 * keep only on a comparison that shows the change better or with a stated
 * reason to keep it anyway, and the git work done exactly: a keep with files
 * commits those files with the project's hooks, a discard with files puts
 * them back to HEAD. Everything that can be refused is checked before git is
 * touched, so a refusal changes nothing.
 */
export async function recordExperiment(project: Project, session: SessionRow, request: RecordRequest): Promise<Recorded> {
  const comparison = request.comparisonId ? requireComparison(project.db, request.comparisonId) : undefined;
  const measured = comparison ? fromComparison(comparison, request) : fromCaller(request);
  const proof = request.status === 'keep' ? keepProof(comparison, measured, request.overrideReason) : undefined;
  const files = request.files?.length ? await checkedFiles(project, request) : undefined;
  const input: ExperimentInput = {
    sessionId: session.id,
    target: request.target,
    hypothesis: request.hypothesis,
    ...measured,
    status: request.status,
    commit: request.commit,
    comparisonId: comparison?.id,
    notes: request.notes,
    proof,
    overrideReason: request.status === 'keep' ? request.overrideReason : undefined,
    files,
  };
  assertRecordable(project.db, input);
  if (comparison) assertOneMachinePerMetric(project.db, session.id, input.metric, comparison.id);
  const warnings: string[] = [];
  if (files && request.status === 'keep') {
    input.commit = await commitKept(project.paths.root, files, commitMessage(request, measured));
    if (comparison) warnings.push(...(await measuredTreeWarning(project.paths.root, comparison, input.commit)));
    return { row: insertExperiment(project.db, input), committed: input.commit, warnings };
  }
  if (files) {
    const restored = await restorePaths(project.paths.root, files, project.paths.revertsDir);
    return { row: insertExperiment(project.db, input), restored: { files: restored.restored, patch: restored.patch }, warnings };
  }
  return { row: insertExperiment(project.db, input), warnings };
}

type Measured = Pick<ExperimentInput, 'metric' | 'unit' | 'baseline' | 'value' | 'direction' | 'comparisonRow'>;

function fromCaller(request: RecordRequest): Measured {
  const missing = (['metric', 'baseline', 'value'] as const).filter((key) => request[key] === undefined);
  if (missing.length) throw new UserError(`pass ${missing.join(', ')}, or comparison_id to take them from a benchmark_compare result`);
  return { metric: request.metric!, baseline: request.baseline!, value: request.value!, direction: request.direction ?? 'lower' };
}

/** The comparison's numbers for the experiment; a caller's own values must agree, or the error shows both. */
function fromComparison(comparison: StoredComparison, request: RecordRequest): Measured {
  const row = comparisonRow(comparison, request.row);
  const metric = comparisonMetric(comparison.mode, row.unit, comparison.host);
  const direction = request.direction ?? 'lower';
  if (direction === 'higher' && lowerIsBetter(row.unit)) {
    throw new UserError(`comparison ${comparison.id} measures ${row.unit}, where lower is better: direction "higher" contradicts it`);
  }
  const baseline = row.base;
  const value = request.status === 'baseline' ? row.base : row.head;
  const disagreements = [
    request.metric !== undefined && request.metric !== metric ? `metric "${excerpt(request.metric, 100)}" ≠ "${metric}"` : '',
    disagrees(request.baseline, baseline) ? `baseline ${request.baseline} ≠ ${formatMeasured(baseline)} ${row.unit}` : '',
    disagrees(request.value, value) ? `value ${request.value} ≠ ${formatMeasured(value)} ${row.unit}` : '',
  ].filter(Boolean);
  if (disagreements.length) {
    throw new UserError(
      `the values given disagree with comparison ${comparison.id} (row ${JSON.stringify(row.name)}): ${disagreements.join('; ')}. Omit them to take the comparison's, or record without comparison_id`,
    );
  }
  return { metric, unit: row.unit, baseline, value, direction, comparisonRow: row.name };
}

function disagrees(given: number | undefined, stored: number): boolean {
  return given !== undefined && Math.abs(given - stored) > AGREEMENT * Math.abs(stored);
}

/** A keep is proven by a comparison that shows it better, overridden by a stated reason, and refused otherwise. */
function keepProof(comparison: StoredComparison | undefined, measured: Measured, overrideReason: string | undefined): Proof {
  const row = comparison?.rows.find((r) => r.name === measured.comparisonRow);
  if (row && improves(row, measured.direction)) return 'proven';
  if (overrideReason) return 'overridden';
  const found = row
    ? `comparison ${comparison!.id} says ${row.verdict} (${formatChangePct(row.change_pct)} [${formatChangePct(row.ci_low_pct)}, ${formatChangePct(row.ci_high_pct)}])`
    : 'no comparison_id was given';
  throw new UserError(
    `status "keep" needs a comparison whose verdict is faster${measured.direction === 'higher' ? ' (better, for direction higher)' : ''}, and ${found}. ` +
      'Measure it (benchmark_compare), record "discard", or pass override_reason to keep it anyway; the reason is shown wherever the experiment appears',
  );
}

/** Project-relative paths of the files, each inside the project, outside the state directory, and changed against HEAD. */
async function checkedFiles(project: Project, request: RecordRequest): Promise<string[]> {
  const root = project.paths.root;
  if (request.status === 'baseline')
    throw new UserError('files goes with keep (commit them) or discard/crash (restore them), not baseline');
  if (request.status === 'keep' && request.commit)
    throw new UserError('pass commit or files, not both: with files the server makes the commit');
  if (!(await isGitRepo(root))) throw new UserError('files needs a git repository: the server commits or restores them with git');
  const files = [...new Set(request.files!.map((file) => relative(root, confinedPath(root, file, 'file'))))];
  for (const file of files) {
    if (isInside(confinedPath(root, file), project.paths.stateDir))
      throw new UserError(`${excerpt(file)} is in the state directory; files lists project files`);
  }
  const { tracked, untracked } = await pathChanges(root, files);
  const changed = new Set([...tracked.map((c) => c.path), ...untracked]);
  const unchanged = files.filter((file) => !changed.has(file));
  if (unchanged.length) {
    throw new UserError(
      `${unchanged.map((f) => excerpt(f, 100)).join(', ')} ${unchanged.length === 1 ? 'has' : 'have'} no change against HEAD (or git ignores ${unchanged.length === 1 ? 'it' : 'them'}); files lists exactly what the experiment changed`,
    );
  }
  return files;
}

/** First line: target and hypothesis, cut to a subject's length; then the hypothesis whole and what backs it. */
export function commitMessage(request: RecordRequest, measured: Measured): string {
  const subject = `${request.target}: ${request.hypothesis.split('\n')[0]}`;
  const cut = subject.length > 72 ? `${subject.slice(0, 71)}…` : subject;
  const evidence = request.comparisonId
    ? `${measured.metric} ${formatMeasured(measured.baseline)} → ${formatMeasured(measured.value)} (comparison ${request.comparisonId})`
    : `${measured.metric} ${formatMeasured(measured.baseline)} → ${formatMeasured(measured.value)}`;
  const override = request.overrideReason ? `\nKept without a faster comparison: ${request.overrideReason}` : '';
  return `${cut}\n\n${request.hypothesis}\n\n${evidence}${override}\n`;
}

async function commitKept(root: string, files: string[], message: string): Promise<string> {
  try {
    return await commitPaths(root, files, message);
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new UserError(
      `git commit refused the keep, so nothing was committed and the index is as it was (no experiment recorded): ${error.message}. ` +
        "Fix what the project's pre-commit hook reports (or git's own complaint) and record again",
    );
  }
}

/** A keep committed after a comparison of the uncommitted tree: say so when the commit is not the tree that was measured. */
async function measuredTreeWarning(root: string, comparison: StoredComparison, commit: string): Promise<string[]> {
  if (comparison.head.ref !== 'WORKTREE') return [];
  const [measured, committed] = await Promise.all([treeOf(root, comparison.head.sha), treeOf(root, commit)]);
  if (measured && measured === committed) return [];
  return [
    `commit ${commit.slice(0, 12)} is not the tree comparison ${comparison.id} measured (other changes were in the working tree, or a hook changed files): benchmark_compare its parent against it before pr_body`,
  ];
}
