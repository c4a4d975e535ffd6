import { existsSync } from 'node:fs';
import type { ProjectEnvironment } from '../env/types.js';
import { shortSha } from '../format.js';
import { getComparison, type StoredComparison } from '../state/comparisons.js';
import { type ExperimentRow, experimentFiles, keptExperiments, type Proof } from '../state/experiments.js';
import { listPrBodies } from '../state/pr-records.js';
import type { Project } from '../state/project.js';
import type { SessionRow } from '../state/sessions.js';
import { filesOfCommit } from '../workspace/git.js';
import { benchmarkPaths, missingAt } from './benchmark.js';

export interface InventoryRow {
  n: number;
  optimization: string;
  files: string[];
  commit: string | null;
  domain: string;
  /** Whether the benchmark exists at both compared commits; null when no comparison names a file. */
  benchmarkAtBothRefs: boolean | null;
  proof: Proof | null;
  prBody: string | null;
}

/** Where a kept change stands on its way to a pull request, one row per kept experiment of the session. */
export async function prInventory(project: Project, session: SessionRow, env: ProjectEnvironment): Promise<InventoryRow[]> {
  const bodies = listPrBodies(project.db, session.id).filter((body) => existsSync(body.path));
  const rows: InventoryRow[] = [];
  for (const experiment of keptExperiments(project.db, session.id)) {
    const comparison = experiment.comparison_id ? getComparison(project.db, experiment.comparison_id) : undefined;
    rows.push({
      n: experiment.n,
      optimization: `${experiment.target}: ${experiment.hypothesis.split('\n')[0]}`,
      files: await filesOf(project.paths.root, experiment),
      commit: experiment.commit_sha,
      domain: domainOf(experiment, comparison, session),
      benchmarkAtBothRefs: await benchmarkAtBothRefs(project.paths.root, experiment, comparison, env),
      proof: experiment.proof,
      prBody: bodies.filter((body) => body.experiments.some((e) => e.n === experiment.n)).pop()?.path ?? null,
    });
  }
  return rows;
}

async function filesOf(root: string, experiment: ExperimentRow): Promise<string[]> {
  const recorded = experimentFiles(experiment);
  if (recorded.length || !experiment.commit_sha) return recorded;
  return filesOfCommit(root, experiment.commit_sha).catch(() => []);
}

/** Memory comparisons are memory work, import-time commands structure work; the rest belongs to the session's domain. */
function domainOf(experiment: ExperimentRow, comparison: StoredComparison | undefined, session: SessionRow): string {
  if (comparison?.mode === 'memory' || /peak_rss|memory/.test(experiment.metric)) return 'memory';
  const command = comparison?.request?.command;
  const text = Array.isArray(command) ? command.join(' ') : (command ?? '');
  if (/-X\s*importtime|-c\s+\S*import\s/.test(text)) return 'structure';
  return session.domain;
}

/** The benchmark's files at the compared base and at the kept commit (or the compared head). */
async function benchmarkAtBothRefs(
  root: string,
  experiment: ExperimentRow,
  comparison: StoredComparison | undefined,
  env: ProjectEnvironment,
): Promise<boolean | null> {
  if (!comparison?.request || env.language === 'unknown') return null;
  const paths = benchmarkPaths(comparison.request, root, env.language);
  if (!paths.length) return null;
  const head = comparison.head.ref === 'WORKTREE' ? experiment.commit_sha : comparison.head.sha;
  if (!head) return false;
  const missing = [...(await missingAt(root, paths, comparison.base.sha)), ...(await missingAt(root, paths, head))];
  return missing.length === 0;
}

/** The inventory as the markdown table a pull-request plan starts from. */
export function inventoryMarkdown(rows: readonly InventoryRow[]): string {
  if (!rows.length) return '_No kept optimizations in this session._';
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const yesNo = (value: boolean | null) => (value === null ? 'n/a' : value ? 'yes' : 'no');
  return [
    '| # | Optimization | File(s) | Commit | Domain | Benchmark at both refs | Proof | PR body |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.n} | ${cell(r.optimization)} | ${r.files.length ? cell(r.files.join(', ')) : '—'} | ${r.commit ? shortSha(r.commit) : '—'} | ${r.domain} | ${yesNo(r.benchmarkAtBothRefs)} | ${r.proof ?? '—'} | ${r.prBody ? cell(r.prBody.split('/').pop()!) : 'not written'} |`,
    ),
  ].join('\n');
}
