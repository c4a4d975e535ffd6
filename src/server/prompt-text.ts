import { basename } from 'node:path';
import { formatChangePct, formatMeasured } from '../format.js';
import type { ProjectDigest } from '../state/digest.js';

/**
 * The prompts' text, with what the store knows of the project filled in.
 * Each section is capped so a prompt stays well under 2k tokens; what is cut
 * is named by its resource URI (also readable with read_artifact).
 */

export interface PromptContext {
  digest?: ProjectDigest;
  /** The branch checked out now, for the resume prompt's branch check. */
  branch?: string | null;
  /** Names of the tools this server offers, so the prompts only point at tools that exist. */
  tools: ReadonlySet<string>;
}

/** The URIs a rendered prompt left detail to. */
export type Links = Set<string>;

const MAX_ITEM_CHARS = 160;
const clip = (text: string, max = MAX_ITEM_CHARS) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const fileUri = (name: string) => `codeflash://files/${name}`;

export const DOMAIN_HINTS =
  'Domains: cpu (algorithms, data structures, hot loops), memory (peak RSS, allocations, leaks), async (blocking calls, missing concurrency), structure (import time, module layout), deep (profile everything, then pick).';

/** A list capped at `max` entries, with where the rest is. */
function capped<T>(items: readonly T[], max: number, line: (item: T) => string, rest: string, links: Links): string[] {
  const shown = items.slice(0, max).map(line);
  if (items.length > max) {
    shown.push(`- … ${items.length - max} more in ${rest}`);
    links.add(rest);
  }
  return shown;
}

function setupLine(digest: ProjectDigest): string | undefined {
  const { setup, session } = digest;
  if (!setup || !session) return undefined;
  const test = setup.python?.test_command ?? setup.node?.test_command ?? setup.go?.test_command;
  const parts = [
    `${setup.language}${setup.python ? ` ${setup.python.version ?? ''} via ${setup.python.runner_display}`.trimEnd() : ''}`,
    test ? `tests \`${test.map((a) => basename(a)).join(' ')}\`` : 'no test command found',
    setup.python?.benchmarks_root ? `benchmarks in ${setup.python.benchmarks_root}` : undefined,
    `branch ${session.branch ?? '(none)'}, domain ${session.domain}`,
  ];
  return `Setup (${fileUri('setup.md')}): ${parts.filter(Boolean).join('; ')}.`;
}

function ledgerLine(digest: ProjectDigest): string | undefined {
  const { stats } = digest;
  if (!stats || (stats.experiments === 0 && !stats.baseline)) return undefined;
  const baseline = stats.baseline ? `baseline ${formatMeasured(stats.baseline.value)} ${stats.baseline.metric}` : 'no baseline yet';
  const best = stats.best
    ? `best #${stats.best.n} on ${clip(stats.best.target, 60)} ${formatChangePct(stats.best.improvement_pct)}`
    : 'nothing kept yet';
  const plateau = stats.plateau ? `; plateau (${stats.consecutive_discards} discards in a row)` : '';
  return `Ledger (${fileUri('results.tsv')}): ${stats.experiments} experiments, ${stats.keeps} kept, ${stats.discards} discarded, ${stats.crashes} crashed; ${baseline}; ${best}${plateau}.`;
}

/** What the store knows, for the optimize prompt: setup, conventions, learnings, old failures, ledger, scan ranking. */
export function stateSection(digest: ProjectDigest | undefined, links: Links): string[] {
  if (!digest?.session) return [];
  const lines = ['', 'What codeflash already knows about this project:'];
  const setup = setupLine(digest);
  if (setup) lines.push(setup);
  if (digest.conventions.length) {
    lines.push(
      `Conventions (binding, ${fileUri('conventions.md')}):`,
      ...capped(digest.conventions, 8, (c) => `- ${c.topic}: ${clip(c.rule)}`, fileUri('conventions.md'), links),
    );
  }
  if (digest.learnings.length) {
    lines.push(
      'Learnings from earlier sessions:',
      ...capped(digest.learnings, 5, (l) => `- ${clip(l.title, 80)}: ${clip(l.body, 120)}`, fileUri('learnings.md'), links),
    );
  }
  const failing = digest.tests?.failed ?? [];
  if (failing.length) {
    lines.push(
      `Tests that already failed before any change (${failing.length}; leave them, run_guard names new failures apart):`,
      ...capped(failing, 8, (name) => `- ${clip(name, 120)}`, fileUri('setup.md'), links),
    );
  } else if (digest.tests) lines.push(`Tests: every test passed before any change (\`${clip(digest.tests.command, 80)}\`).`);
  const ledger = ledgerLine(digest);
  if (ledger) lines.push(ledger);
  const { scan } = digest;
  if (scan) {
    links.add(fileUri('scan-report.md'));
    lines.push(
      `Scan ${scan.id} recommends ${scan.recommendedDomain}: ${clip(scan.reason, 240)}. Ranked targets (${fileUri('scan-report.md')}):`,
      ...scan.targets
        .slice(0, 5)
        .map(
          (t) =>
            `${t.rank}. ${t.domain} ${clip(t.function, 60)}${t.file ? ` (${basename(t.file)}:${t.at ?? t.line})` : ''}: ${(t.share * 100).toFixed(1)} %`,
        ),
    );
  }
  return lines;
}

export function optimizeText(args: { goal?: string; domain?: string; guard?: string }, context: PromptContext, links: Links): string {
  const { digest } = context;
  const session = digest?.session;
  const goal = args.goal ?? session?.goal ?? undefined;
  const start = session
    ? `Session ${session.id} is open on ${session.branch ?? 'no branch'} (domain ${session.domain}); continue it, or call session_start for a new goal.`
    : `Call session_start with the goal${args.domain ? `, domain "${args.domain}"` : ''}${args.guard ? `, guard "${args.guard}"` : ''} and a short branch slug. It picks the domain from the goal and asks the open setup questions (domain, scope, guard) in one batch; if it returns questions, ask me all of them in one message.`;
  const scanStep = digest?.scan
    ? 'The ranking above comes from the last scan; scan again after each keep.'
    : 'scan the workload: one call profiles cpu, memory, import time and async and ranks the targets.';
  const dossier = context.tools.has('target_dossier')
    ? ' While you work on target 1, hand targets 2–5 to a research teammate with target_dossier (rank 2…5), if you have one.'
    : '';
  return [
    `Optimize this project. Goal: ${goal ? clip(goal, 300) : 'ask me what should get faster or smaller'}.`,
    DOMAIN_HINTS,
    ...stateSection(digest, links),
    '',
    'The loop:',
    `1. ${start}`,
    '2. session_start runs the tests once and notes what already fails. run_guard on the untouched code, then measure the workload and record_result status "baseline".',
    `3. ${scanStep}${dossier}`,
    '4. One hypothesis at a time: edit, run_guard with revert_on_failure (a new failure reverts; old ones are named), benchmark_compare the previous commit against the new one, then record_result keep or discard with the comparison_id. Commit each keep.',
    '5. Only a "faster" verdict is a win; "unchanged" and "inconclusive" are not. Stop at plateau (3 discards in a row) or when the goal is met.',
    '6. record_learning for facts worth keeping; finish with write_handoff and write_changelog.',
  ].join('\n');
}

export function resumeText(context: PromptContext, links: Links): string {
  const { digest } = context;
  const intro =
    'Call session_resume: it reuses the session, checks the branch and returns the handoff, ledger, conventions and learnings. Continue the loop from the first open next step; do not redo experiments the ledger already discarded.';
  if (!digest?.session) return `${intro}\nNo session is recorded here yet: if there is nothing to resume, use the optimize prompt.`;
  const handoffBranch = digest.handoff?.branch ?? digest.session.branch;
  const check =
    !handoffBranch || handoffBranch === context.branch
      ? `Branch check: ${context.branch ?? 'no branch'} is checked out, as the handoff expects.`
      : `Branch check: the handoff was written on ${handoffBranch} but ${context.branch ?? 'no branch'} is checked out; ask me before calling session_resume with checkout true.`;
  const lines = [intro, '', check];
  if (digest.handoffText) {
    const max = 2400;
    const cut = digest.handoffText.length > max;
    if (cut) links.add(fileUri('HANDOFF.md'));
    lines.push(
      '',
      `Handoff (${fileUri('HANDOFF.md')}):`,
      digest.handoffText.slice(0, max).trim(),
      ...(cut ? ['… (cut; the rest is in the resource)'] : []),
    );
  }
  const ledger = ledgerLine(digest);
  if (ledger) lines.push('', ledger);
  const recent = digest.experiments.slice(-8);
  if (recent.length) {
    links.add(fileUri('results.tsv'));
    lines.push(
      '| n | status | target | metric | value | change |',
      '|---|---|---|---|---|---|',
      ...recent.map(
        (e) =>
          `| ${e.n} | ${e.status} | ${clip(e.target, 40)} | ${e.metric} | ${formatMeasured(e.value)} | ${formatChangePct(e.improvement_pct)} |`,
      ),
    );
  }
  return lines.join('\n');
}

function keptList(digest: ProjectDigest | undefined, links: Links): string[] {
  const kept = digest?.experiments.filter((e) => e.status === 'keep') ?? [];
  if (!kept.length) return [];
  return [
    '',
    'Kept experiments:',
    ...capped(
      kept,
      10,
      (e) =>
        `- #${e.n} ${clip(e.target, 60)}: ${formatChangePct(e.improvement_pct)} on ${e.metric}${e.commit_sha ? `, commit ${e.commit_sha.slice(0, 12)}` : ''}${e.comparison_id ? `, comparison ${e.comparison_id}` : ', no comparison recorded'}`,
      fileUri('results.tsv'),
      links,
    ),
  ];
}

export function reviewText(context: PromptContext, links: Links): string {
  const passes = context.tools.has('write_review')
    ? [
        "Review every kept experiment of this session before it goes to a maintainer, in six passes. 1 comprehension: read each diff (pr_inventory lists the commits) and say in one sentence what it changes and why it is faster. 2 correctness: edge cases (empty and large input, errors, concurrency, mutation of shared state). 3 safety: resources, security, compatibility of public behaviour. 4 benchmark verification: write_review does it itself (every keep proven by a faster comparison, the benchmark at both refs, the PR bodies' numbers equal to the comparisons); add what you see beyond that, such as a benchmark that misses the changed code, and benchmark_compare again whatever you doubt. 5 quality: readability, tests, the project's conventions. 6 disclosure: trade-offs (memory for speed) and limits stated in the bodies.",
        'Then call write_review with the verdict APPROVE, REQUEST_CHANGES or BLOCK and every finding (pass, severity critical|major|minor|info, file, line, text); a critical finding makes it BLOCK.',
      ]
    : [
        'Review every kept experiment of this session before it goes to a maintainer. For each: read the diff and say in one sentence what it changes; check correctness on edge cases (empty input, large input, errors, concurrency, mutation of shared state); check that the guard passed; check that the claimed numbers come from a benchmark_compare with a "faster" verdict (not from a single run) and that the benchmark exercises the changed code; check the change does not trade one resource for another unannounced (memory for speed).',
        'End with a verdict APPROVE, REQUEST_CHANGES or BLOCK and the findings.',
      ];
  return [...passes, ...keptList(context.digest, links)].join('\n');
}

export function prPrepText(context: PromptContext, links: Links): string {
  const steps = context.tools.has('pr_body')
    ? 'Prepare pull requests for the kept optimizations; do not push or open any unless I ask. 1 pr_inventory: the kept ones with files, commit, domain, whether the benchmark exists at both refs, and which have a body. 2 For each one without a benchmark that exercises the changed function with realistic input, write one in the project\'s benchmarks root and commit it. 3 benchmark_compare the commit before the change against the commit with it (inject a benchmark newer than the base); only a "faster" verdict goes in a PR. 4 pr_body with that comparison_id (one PR per optimization; add summary and details in your words, quoting only the comparison\'s numbers). 5 Optionally a stacked draft: benchmark_compare the branch point against the branch head, then pr_body mode "stacked" with it. 6 Run the review prompt and write_review. Report a table: optimization, benchmark, comparison verdict, PR body path, review status.'
    : "Prepare pull requests for the kept optimizations. For each one: make sure a benchmark exists that exercises the changed function with realistic input (in the project's benchmarks root); run benchmark_compare between the commit before and the commit with the change (pass inject when the benchmark is newer than the base); use its markdown table as the evidence; write_changelog. One optimization per PR. Do not push or open PRs unless I ask.";
  return [steps, ...keptList(context.digest, links)].join('\n');
}

export function statusText(context: PromptContext): string {
  const ledger = context.digest ? ledgerLine(context.digest) : undefined;
  return [
    'Call session_status and tell me in a few lines: experiments run, kept vs discarded, the best improvement against the baseline with how it was measured, whether we are at a plateau, and the next step. Do not start new work.',
    ...(ledger ? ['', `Last known: ${ledger}`] : []),
  ].join('\n');
}
