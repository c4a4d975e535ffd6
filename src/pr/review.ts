import { basename } from 'node:path';
import type { ProjectEnvironment } from '../env/types.js';
import { shortSha } from '../format.js';
import { getComparison, type StoredComparison } from '../state/comparisons.js';
import { type ExperimentRow, keptExperiments } from '../state/experiments.js';
import { addReview, type Finding, listPrBodies, type PrBodyRow, type ReviewRow, type ReviewVerdict } from '../state/pr-records.js';
import type { Project } from '../state/project.js';
import { renderReviewReport } from '../state/render/review-report.js';
import type { SessionRow } from '../state/sessions.js';
import { benchmarkPaths, missingAt } from './benchmark.js';
import { comparisonProves, figuresIn, rowResult, unsupportedFigures, verdictText } from './evidence.js';

export interface ReviewRequest {
  verdict: ReviewVerdict;
  findings: Finding[];
  summary?: string;
}

export interface WrittenReview {
  review: ReviewRow;
  path: string;
  /** What the server's own pass checked and found in order. */
  checks: string[];
}

/**
 * The review gate: the reviewer's findings on five passes, and the
 * benchmark-verification pass done here, from the store: every kept
 * experiment rests on a comparison that proves it, its benchmark exists at
 * both compared commits, and every figure in the PR bodies on disk is one its
 * comparisons show. A critical finding makes the verdict BLOCK; a major one
 * of the server's own turns an APPROVE into REQUEST_CHANGES.
 */
export async function writeReview(
  project: Project,
  session: SessionRow,
  env: ProjectEnvironment,
  request: ReviewRequest,
): Promise<WrittenReview> {
  const checks: string[] = [];
  const found: Finding[] = [];
  const add = (finding: Omit<Finding, 'pass' | 'by_server'>) => found.push({ ...finding, pass: 'benchmark_verification', by_server: true });
  const kept = keptExperiments(project.db, session.id);
  if (!kept.length) checks.push('No kept experiment in this session: nothing to verify.');
  for (const experiment of kept) await verifyKept(project, env, experiment, checks, add);
  for (const body of listPrBodies(project.db, session.id)) verifyBody(project, body, checks, add);
  const findings = [...request.findings.map((f) => ({ ...f, by_server: false })), ...found];
  const verdict: ReviewVerdict = findings.some((f) => f.severity === 'critical')
    ? 'BLOCK'
    : request.verdict === 'APPROVE' && found.some((f) => f.severity === 'major')
      ? 'REQUEST_CHANGES'
      : request.verdict;
  const review = addReview(project.db, {
    sessionId: session.id,
    verdict,
    givenVerdict: request.verdict,
    summary: request.summary,
    findings,
  });
  const path = project.writeFile('review-report.md', renderReviewReport({ session, review, checks }));
  return { review, path, checks };
}

async function verifyKept(
  project: Project,
  env: ProjectEnvironment,
  experiment: ExperimentRow,
  checks: string[],
  add: (finding: Omit<Finding, 'pass' | 'by_server'>) => void,
): Promise<void> {
  const label = `#${experiment.n} ${experiment.target}`;
  const comparison = experiment.comparison_id ? getComparison(project.db, experiment.comparison_id) : undefined;
  if (!comparison) {
    const text = experiment.override_reason
      ? `${label} was kept without a comparison, on override: ${experiment.override_reason}`
      : `${label} was kept with no comparison and no reason: nothing shows it is faster`;
    add({ severity: experiment.override_reason ? 'major' : 'critical', text });
    return;
  }
  const row = comparison.rows.find((r) => r.name === experiment.comparison_row);
  if (comparisonProves(comparison, experiment.comparison_row, experiment.direction) && row) {
    checks.push(`✓ ${label}: ${comparison.id} ${rowResult(row)}`);
  } else {
    add({
      severity: experiment.override_reason ? 'major' : 'critical',
      text: `${label}: comparison ${comparison.id} says ${verdictText(comparison, experiment.comparison_row)}${experiment.override_reason ? `; kept on override: ${experiment.override_reason}` : ''}`,
    });
  }
  await verifyBenchmarkRefs(project.paths.root, env, experiment, comparison, label, checks, add);
}

async function verifyBenchmarkRefs(
  root: string,
  env: ProjectEnvironment,
  experiment: ExperimentRow,
  comparison: StoredComparison,
  label: string,
  checks: string[],
  add: (finding: Omit<Finding, 'pass' | 'by_server'>) => void,
): Promise<void> {
  if (!comparison.request || env.language === 'unknown') return;
  const paths = benchmarkPaths(comparison.request, root, env.language);
  if (!paths.length) return;
  const head = comparison.head.ref === 'WORKTREE' ? experiment.commit_sha : comparison.head.sha;
  let complete = true;
  for (const [side, sha] of [
    ['base', comparison.base.sha],
    ['head', head],
  ] as const) {
    const missing = sha ? await missingAt(root, paths, sha) : paths;
    for (const path of missing) {
      complete = false;
      add({
        severity: 'major',
        file: path,
        text: `${label}: the benchmark ${path} is not in the ${side} commit${sha ? ` ${shortSha(sha)}` : ''}, so a maintainer cannot rerun it there without copying it in`,
      });
    }
  }
  if (complete && head)
    checks.push(`✓ ${label}: ${paths.join(', ')} present at base ${shortSha(comparison.base.sha)} and head ${shortSha(head)}`);
}

/** Every figure of a body on disk must be one its comparisons show, and the comparison table must be there as stored. */
function verifyBody(
  project: Project,
  body: PrBodyRow,
  checks: string[],
  add: (finding: Omit<Finding, 'pass' | 'by_server'>) => void,
): void {
  const file = basename(body.path);
  const text = project.readFile(file);
  if (text === undefined) {
    add({ severity: 'minor', file, text: `${file} was written but is gone from the state directory` });
    return;
  }
  const comparisons = [body.comparison_id, ...body.experiments.map((e) => e.comparison_id)]
    .filter((id): id is string => id !== null)
    .map((id) => getComparison(project.db, id))
    .filter((c): c is StoredComparison => c !== undefined);
  const main = comparisons[0];
  if (!main) {
    add({ severity: 'critical', file, text: `${file} rests on comparison ${body.comparison_id}, which the store no longer has` });
    return;
  }
  const lines = text.split('\n');
  const problems: Omit<Finding, 'pass' | 'by_server'>[] = [];
  for (const figure of unsupportedFigures(text, comparisons)) {
    const line = lines.findIndex((l) => figuresIn(l).includes(figure)) + 1;
    problems.push({
      severity: 'critical',
      file,
      line: line || undefined,
      text: `${file} states ${figure}, which none of its comparisons shows`,
    });
  }
  const table = main.markdown.split('\n').filter((l) => l.startsWith('|'));
  if (!table.every((l) => lines.includes(l))) {
    problems.push({ severity: 'major', file, text: `${file} no longer holds the comparison table of ${main.id} as measured` });
  }
  if (body.unproven)
    problems.push({ severity: 'major', file, text: `${file} was written with allow_unproven: its change is not shown faster` });
  for (const problem of problems) add(problem);
  if (!problems.length)
    checks.push(`✓ ${file}: its table and ${figuresIn(text).length} figures match ${comparisons.map((c) => c.id).join(', ')}`);
}
