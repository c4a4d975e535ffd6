import { chooseJsSuite } from '../bench/runners/js-bench.js';
import { nodeInstallPlan } from '../env/node.js';
import type { ProjectEnvironment } from '../env/types.js';
import { excerpt, UserError } from '../errors.js';
import { shortSha } from '../format.js';
import { formatCommand } from '../proc/command.js';
import { getComparison, requireComparison, type StoredComparison } from '../state/comparisons.js';
import { type ExperimentRow, keptExperiments, listExperiments } from '../state/experiments.js';
import { addPrBody, latestReview } from '../state/pr-records.js';
import type { Project } from '../state/project.js';
import type { SessionRow } from '../state/sessions.js';
import { headSha, mergeBase, treeOf } from '../workspace/git.js';
import { benchmarkLabel, benchmarkPaths, missingAt } from './benchmark.js';
import { comparisonProves, unsupportedFigures, verdictText } from './evidence.js';
import { bodyName, bullets, changelogSection, detailsOf, headline, ref, summaryLines, testLines } from './fields.js';
import { comparisonPlatform, describePlatform } from './platform.js';
import { reproducer } from './reproducer.js';
import { chooseTemplate, type Fields, fillTemplate, type Template } from './templates.js';

export interface BodyRequest {
  comparisonId: string;
  mode: 'single' | 'stacked';
  function?: string;
  template?: string;
  allowUnproven?: boolean;
  /** The summary bullets in the author's words; default: from the ledger and the comparison. */
  summary?: string[];
  /** The technical details in the author's words; default: the hypothesis, notes, files and commit. */
  details?: string;
}

export interface WrittenBody {
  path: string;
  name: string;
  markdown: string;
  template: Template;
  proven: boolean;
  experiments: number[];
  warnings: string[];
}

/** What a body is about: the comparison it shows, the refs a maintainer reruns, the kept experiments it presents. */
interface Subject {
  comparison: StoredComparison;
  baseSha: string;
  headSha: string;
  /** Single: the experiment the comparison backs (if the ledger has one); stacked: every kept experiment. */
  experiments: ExperimentRow[];
  /** Why the body is not proven, if it is not. */
  unproven: string[];
}

/**
 * Write `.codeflash/pr-body-<name>.md` from a template: every field filled
 * from the stored comparison and the ledger, a reproducer that needs only the
 * project's own tools, the platform the numbers come from. A comparison that
 * proves nothing is refused unless allowUnproven, and then the body says so
 * first. Numbers in text the author supplies must be ones the comparisons
 * show.
 */
export async function writePrBody(
  project: Project,
  session: SessionRow,
  env: ProjectEnvironment,
  request: BodyRequest,
): Promise<WrittenBody> {
  const comparison = requireComparison(project.db, request.comparisonId);
  if (!comparison.request) {
    throw new UserError(
      `comparison ${comparison.id} does not record the inputs it ran with: run benchmark_compare again and use its comparison_id`,
    );
  }
  const subject =
    request.mode === 'stacked'
      ? await stackedSubject(project, session, env, comparison)
      : await singleSubject(project, session, comparison);
  if (subject.unproven.length && !request.allowUnproven) {
    throw new UserError(
      `no PR body for a change that is not proven: ${subject.unproven.join('; ')}. Measure again (benchmark_compare), or pass allow_unproven to write it with that said at the top`,
    );
  }
  const related = [
    comparison,
    ...subject.experiments.map((e) => (e.comparison_id ? getComparison(project.db, e.comparison_id) : undefined)),
  ].filter((c): c is StoredComparison => c !== undefined);
  const authored = [...(request.summary ?? []), request.details ?? ''].join('\n');
  const unsupported = unsupportedFigures(authored, related);
  if (unsupported.length) {
    throw new UserError(
      `the summary or details quote ${unsupported.map((f) => excerpt(f, 30)).join(', ')}, which no stored comparison shows; quote the comparison's own figures or leave them out`,
    );
  }
  const root = project.paths.root;
  const language = env.language === 'unknown' ? 'python' : env.language;
  const paths = benchmarkPaths(comparison.request, root, language);
  const missingAtHead = await missingAt(root, paths, subject.headSha);
  if (missingAtHead.length) {
    throw new UserError(
      `${missingAtHead.join(', ')} ${missingAtHead.length === 1 ? 'is' : 'are'} not in head commit ${shortSha(subject.headSha)}, so a maintainer cannot rerun the benchmark: commit it, benchmark_compare again and write the body from that comparison`,
    );
  }
  const single = request.mode === 'single';
  const experiment = single ? subject.experiments[0] : undefined;
  const name = bodyName(request.function, single ? experiment?.target : undefined, single ? comparison.rows[0]!.name : 'stacked');
  const label = benchmarkLabel(comparison.request, root, language);
  const row = comparison.rows.find((r) => r.name === experiment?.comparison_row) ?? comparison.rows[0]!;
  const plan = language === 'node' ? await nodeInstallPlan(root) : undefined;
  const repro = reproducer(comparison.request, {
    root,
    language,
    pythonRunner: pythonRunner(env),
    baseSha: subject.baseSha,
    headSha: subject.headSha,
    copyToBase: await missingAt(root, paths, subject.baseSha),
    nodeInstall: plan ? [plan.install, ...(plan.build ? [plan.build] : [])].map((argv) => formatCommand(argv)).join(' && ') : undefined,
    jsSuite: language === 'node' && comparison.request.benchmark ? await chooseJsSuite(root, comparison.request.benchmark) : undefined,
    pairs: comparison.pairs,
    warmups: comparison.warmups,
  });
  const platform = describePlatform(await comparisonPlatform(comparison, env));
  const proven = subject.unproven.length === 0;
  const fields: Fields = {
    TITLE: single
      ? `${name}: ${headline(comparison, row)}`
      : `${session.branch ?? 'this branch'}: ${subject.experiments.length} optimizations, ${headline(comparison, row)}`,
    SUMMARY_BULLETS: bullets(request.summary ?? (single ? summaryLines(experiment, comparison, name) : stackedSummary(project, subject))),
    TECHNICAL_DETAILS: single ? (request.details ?? detailsOf(experiment, comparison)) : stackedDetails(project, subject, request.details),
    PLATFORM: platform,
    COMPARISON_TABLE: comparison.markdown,
    COMPARE_FLAGS: JSON.stringify({ base: comparison.base.ref, head: comparison.head.ref, ...comparison.request }),
    BASE_REF: ref(comparison.base, subject.baseSha),
    HEAD_REF: ref(comparison.head, subject.headSha),
    RUNNER: language === 'python' ? pythonRunner(env) : language,
    MEASURED_WITH: comparison.runner,
    BENCHMARK_PATH: label,
    REPRODUCE: repro.script,
    TESTS: testLines(project, session.id, comparison, label, proven),
    CHANGELOG_SECTION: changelogSection(
      root,
      `Performance: ${single ? `\`${name}\`` : 'several hot paths'}: ${headline(comparison, row)} on \`${label}\`.`,
    ),
  };
  const template = chooseTemplate(project.paths, request.template, { mode: comparison.mode, language });
  const notice = proven
    ? ''
    : `> **Not proven.** This body was written with allow_unproven: ${subject.unproven.join('; ')}. Treat its numbers as unconfirmed.\n\n`;
  const markdown = `${notice}${fillTemplate(template, fields)}`;
  const path = project.writeFile(`pr-body-${name}.md`, markdown);
  addPrBody(project.db, {
    session_id: session.id,
    name,
    mode: request.mode,
    comparison_id: comparison.id,
    experiments: subject.experiments.map((e) => ({ n: e.n, comparison_id: e.comparison_id })),
    template: `${template.origin}:${template.name}`,
    path,
    unproven: !proven,
  });
  return {
    path,
    name,
    markdown,
    template,
    proven,
    experiments: subject.experiments.map((e) => e.n),
    warnings: reviewWarnings(project, session),
  };
}

/** `$RUNNER` for reproducers: how the project's people run Python (an older session's environment may not say). */
function pythonRunner(env: ProjectEnvironment): string {
  const python = env.python;
  if (python?.project_runner) return python.project_runner;
  return python?.package_manager ? `${python.package_manager} run python` : 'python3';
}

async function singleSubject(project: Project, session: SessionRow, comparison: StoredComparison): Promise<Subject> {
  const using = listExperiments(project.db, session.id).filter((e) => e.comparison_id === comparison.id);
  const kept = using.filter((e) => e.status === 'keep').pop();
  if (!kept && using.length) {
    const last = using[using.length - 1]!;
    throw new UserError(
      `experiment #${last.n}, which rests on comparison ${comparison.id}, was recorded as ${last.status}: a PR body is for a kept change`,
    );
  }
  const unproven: string[] = [];
  if (!comparisonProves(comparison, kept?.comparison_row, kept?.direction)) {
    unproven.push(`comparison ${comparison.id} says ${verdictText(comparison, kept?.comparison_row)}`);
  }
  if (kept?.override_reason) unproven.push(`experiment #${kept.n} was kept on override: ${kept.override_reason}`);
  return {
    comparison,
    baseSha: comparison.base.sha,
    headSha: await measuredHead(project.paths.root, comparison, kept),
    experiments: kept ? [kept] : [],
    unproven,
  };
}

/** The commit a maintainer checks out for head: the compared one, or for a comparison of the uncommitted tree the keep's commit of that same tree. */
async function measuredHead(root: string, comparison: StoredComparison, kept: ExperimentRow | undefined): Promise<string> {
  if (comparison.head.ref !== 'WORKTREE') return comparison.head.sha;
  if (!kept?.commit_sha) {
    throw new UserError(
      `comparison ${comparison.id} measured uncommitted changes and no kept experiment commits them: record_result keep with files commits them, or benchmark_compare committed refs`,
    );
  }
  const [measured, committed] = await Promise.all([treeOf(root, comparison.head.sha), treeOf(root, kept.commit_sha)]);
  if (!measured || measured !== committed) {
    throw new UserError(
      `commit ${shortSha(kept.commit_sha)} is not the tree comparison ${comparison.id} measured: benchmark_compare ${comparison.base.ref} against ${shortSha(kept.commit_sha)} and write the body from that`,
    );
  }
  return kept.commit_sha;
}

/** A stacked body shows the branch point against the branch head: the comparison must be exactly that. */
async function stackedSubject(
  project: Project,
  session: SessionRow,
  env: ProjectEnvironment,
  comparison: StoredComparison,
): Promise<Subject> {
  const root = project.paths.root;
  const baseBranch = env.git.base_branch;
  const head = await headSha(root);
  const branchPoint = baseBranch && head ? await mergeBase(root, baseBranch, head) : undefined;
  if (!branchPoint || !head)
    throw new UserError('a stacked body needs a git branch with a base branch (origin HEAD, main or master) to compare against');
  if (comparison.base.sha !== branchPoint || comparison.head.sha !== head) {
    const call = JSON.stringify({
      base: branchPoint,
      head,
      ...(comparison.request?.benchmark ? { benchmark: comparison.request.benchmark } : { command: comparison.request?.command }),
      mode: comparison.mode,
    });
    throw new UserError(
      `comparison ${comparison.id} is ${shortSha(comparison.base.sha)} → ${shortSha(comparison.head.sha)}, not the branch point ${shortSha(branchPoint)} (of ${baseBranch}) → the branch head ${shortSha(head)}: run benchmark_compare ${call} for the cumulative gain`,
    );
  }
  const experiments = keptExperiments(project.db, session.id);
  if (!experiments.length) throw new UserError('no kept experiment in this session: a stacked body presents the kept ones');
  const unproven: string[] = [];
  if (!comparisonProves(comparison)) unproven.push(`the cumulative comparison ${comparison.id} says ${verdictText(comparison)}`);
  for (const e of experiments)
    if (e.proof !== 'proven') unproven.push(`#${e.n} ${e.target} is ${e.proof}${e.override_reason ? `: ${e.override_reason}` : ''}`);
  return { comparison, baseSha: branchPoint, headSha: head, experiments, unproven };
}

function stackedSummary(project: Project, subject: Subject): string[] {
  return subject.experiments.map((e) => {
    const own = e.comparison_id ? getComparison(project.db, e.comparison_id) : undefined;
    const row = own?.rows.find((r) => r.name === e.comparison_row) ?? own?.rows[0];
    const numbers = own && row ? `${headline(own, row)} (${own.id})` : `kept on override: ${e.override_reason ?? 'no comparison'}`;
    return `#${e.n} \`${e.target}\`: ${e.hypothesis.trim()} — ${numbers}`;
  });
}

function stackedDetails(project: Project, subject: Subject, authored: string | undefined): string {
  const sections = subject.experiments.map((e) => {
    const own = e.comparison_id ? getComparison(project.db, e.comparison_id) : undefined;
    const evidence = own
      ? `Measured on its own, ${own.base.ref} → ${own.head.ref}:\n\n${own.markdown}`
      : `Kept on override: ${e.override_reason ?? 'no comparison'}.`;
    return `### #${e.n} ${e.target}\n\n${detailsOf(e, own ?? subject.comparison)}\n\n${evidence}`;
  });
  return [authored?.trim() ?? '', ...sections].filter(Boolean).join('\n\n');
}

function reviewWarnings(project: Project, session: SessionRow): string[] {
  const review = latestReview(project.db, session.id);
  if (!review) return ['No review yet: run the six review passes and write_review before opening the PR.'];
  if (review.verdict !== 'APPROVE')
    return [`The last review says ${review.verdict}: address its findings and write_review again before opening the PR.`];
  return [];
}
