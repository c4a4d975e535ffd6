import { basename, isAbsolute, join, resolve } from 'node:path';
import { excerpt, UserError } from '../errors.js';
import { formatChangePct, shortSha } from '../format.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import { getComparison } from '../state/comparisons.js';
import { keptExperiments, listExperiments, sessionStats } from '../state/experiments.js';
import { projectKey, type StatePaths } from '../state/paths.js';
import { listPrBodies } from '../state/pr-records.js';
import type { Project } from '../state/project.js';
import { evidenceOf, measuredChange, proofCounts } from '../state/render/markdown.js';
import type { SessionRow } from '../state/sessions.js';
import { commitPatch } from '../workspace/git.js';
import { canonical, isInside } from '../workspace/paths.js';
import { bodyName } from './fields.js';

/** Rendered state files a case study carries over when they exist. */
const CARRIED = ['results.tsv', 'changelog.md', 'learnings.md', 'HANDOFF.md', 'review-report.md', 'conventions.md'];

/**
 * Where an export may go: a path relative to the state directory, or an
 * absolute one inside the project, the state directory or the state home.
 * Never inside `.git`.
 */
export function caseStudyDir(paths: StatePaths, dest: string): string {
  const full = isAbsolute(dest) ? resolve(dest) : resolve(paths.stateDir, dest);
  const real = canonical(full);
  const allowed = [paths.root, paths.stateDir, ...(paths.stateHome ? [paths.stateHome] : [])].map(canonical);
  if (!allowed.some((dir) => isInside(real, dir)) || isInside(real, canonical(join(paths.root, '.git')))) {
    throw new UserError(
      `dest ${excerpt(dest)} is outside the project and its state directory: give a path relative to ${paths.stateDir}, or one inside the project`,
    );
  }
  return full;
}

/**
 * A folder a team can publish: a README with the results and the chart, the
 * ledger (results.tsv and every experiment as JSON), each kept change as a
 * patch, the PR bodies, the comparisons they rest on, and the rendered notes.
 */
export async function exportCaseStudy(project: Project, session: SessionRow, dest: string): Promise<{ dir: string; files: string[] }> {
  const dir = caseStudyDir(project.paths, dest);
  const files: string[] = [];
  const write = (name: string, content: string) => {
    writeFileAtomic(join(dir, name), content);
    files.push(name);
  };
  project.renderResults();
  for (const name of CARRIED) {
    const text = project.readFile(name);
    if (text !== undefined) write(name, text);
  }
  write('experiments.json', `${JSON.stringify(listExperiments(project.db), null, 2)}\n`);
  write('progress.svg', project.progressSvg(session.id));
  const kept = keptExperiments(project.db, session.id);
  const patches = new Map<number, string>();
  for (const experiment of kept) {
    if (!experiment.commit_sha) continue;
    const patch = await commitPatch(project.paths.root, experiment.commit_sha).catch(() => undefined);
    if (!patch) continue;
    const name = `changes/${String(experiment.n).padStart(3, '0')}-${bodyName(undefined, experiment.target, 'change')}.patch`;
    write(name, patch);
    patches.set(experiment.n, name);
  }
  const bodies = listPrBodies(project.db, session.id);
  const comparisonIds = new Set<string>();
  for (const body of bodies) {
    const text = project.readFile(basename(body.path));
    if (text !== undefined) write(`pr-bodies/${basename(body.path)}`, text);
    comparisonIds.add(body.comparison_id);
  }
  for (const experiment of kept) if (experiment.comparison_id) comparisonIds.add(experiment.comparison_id);
  for (const id of comparisonIds) {
    const comparison = getComparison(project.db, id);
    if (comparison) write(`comparisons/${id}.json`, `${JSON.stringify(comparison, null, 2)}\n`);
  }
  write('README.md', readme(project, session, patches, files));
  return { dir, files: files.sort() };
}

function readme(project: Project, session: SessionRow, patches: Map<number, string>, files: string[]): string {
  const [org, name] = projectKey(project.paths.root);
  const stats = sessionStats(project.db, session.id);
  const kept = keptExperiments(project.db, session.id);
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const link = (path: string | undefined) => (path ? `[${basename(path)}](${path})` : '—');
  const best = stats.best
    ? `#${stats.best.n} ${stats.best.target}, ${formatChangePct(stats.best.improvement_pct)} against the baseline`
    : 'nothing kept';
  return [
    `# Case study: ${org}/${name}`,
    '',
    `Branch ${session.branch ? `\`${session.branch}\`` : '(none)'} · domain ${session.domain} · session ${session.id}, ${session.started_at.slice(0, 10)}`,
    session.goal ? `\nGoal: ${session.goal}` : '',
    '\n## Results\n',
    `- Experiments: ${stats.experiments} (kept ${stats.keeps}, discarded ${stats.discards}, crashed ${stats.crashes})`,
    `- Baseline: ${stats.baseline ? `${stats.baseline.value} ${stats.baseline.metric}` : 'not recorded'}`,
    `- Best: ${best}`,
    kept.length ? `- ${proofCounts(kept)}` : '',
    '\n![Experiment history](progress.svg)\n',
    '## Kept changes\n',
    kept.length
      ? [
          '| # | target | change | improvement | evidence | commit | patch |',
          '|---|---|---|---|---|---|---|',
          ...kept.map(
            (e) =>
              `| ${e.n} | ${cell(e.target)} | ${measuredChange(e)} | ${formatChangePct(e.improvement_pct)} | ${cell(evidenceOf(e))} | ${e.commit_sha ? shortSha(e.commit_sha) : '—'} | ${link(patches.get(e.n))} |`,
          ),
        ].join('\n')
      : '_None._',
    '\n## Files\n',
    ...files.map((file) => `- [${file}](${file})`),
    '',
  ].join('\n');
}
