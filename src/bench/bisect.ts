import { excerpt, UserError } from '../errors.js';
import { formatChangeInterval, shortSha } from '../format.js';
import { git } from '../workspace/git.js';
import { type CompareRequest, type CompareReuse, type Comparison, checkCompareRequest, compareRefs, worktreeSetFor } from './compare.js';
import type { CompareHooks } from './measure.js';
import type { ComparisonRow } from './report.js';
import type { CommitSamples, SampleStore } from './sample-cache.js';
import { resolveRef, WORKING_TREE_REF } from './worktrees.js';

export interface BisectRequest extends Omit<CompareRequest, 'base' | 'head'> {
  /** A ref where the benchmark was fast, and one where it is slow; good must be on bad's first-parent history. */
  good: string;
  bad: string;
}

export interface BisectHooks extends CompareHooks {
  /** Every comparison made, as it is made (to store it); returns the id it was stored under. */
  onComparison?: (comparison: Comparison) => string;
  /** Instruction counts kept per commit across runs; without one, a bisect still measures each commit once. */
  samples?: SampleStore;
}

export interface BisectCommit {
  sha: string;
  subject: string;
}

/** A change between two commits for the benchmark the bisect follows, and the comparison that measured it. */
export interface BisectChange {
  from: string;
  to: string;
  changePct: number;
  ciLowPct: number;
  ciHighPct: number;
  verdict: ComparisonRow['verdict'];
  comparisonId?: string;
}

export interface BisectResult {
  good: { ref: string; sha: string };
  bad: { ref: string; sha: string };
  /** The benchmark followed: the row that slowed most from good to bad. */
  benchmark: string;
  /** Commits after good up to and including bad, on bad's first-parent line. */
  commits: number;
  /** good → bad. */
  range: BisectChange;
  /** `found`: one culprit; `ambiguous`: commits that did not run hide which of `candidates` it is; `no_slowdown`: bad is not slower. */
  outcome: 'found' | 'ambiguous' | 'no_slowdown';
  culprit?: BisectCommit;
  /** The culprit against its first parent. */
  step?: BisectChange;
  candidates: BisectCommit[];
  /** Commits that failed to build or run, with the first line of why. */
  skipped: Array<BisectCommit & { reason: string }>;
  /** Each commit compared against good, in order, and which side of the midpoint it fell on. */
  probes: Array<BisectCommit & { changePct: number; slow: boolean }>;
  /** Comparisons started, those that failed included. */
  comparisons: number;
  markdown: string;
}

/**
 * Find the first commit on bad's first-parent line where the benchmark got
 * slower: compare good against bad once, then binary-search the commits
 * between, comparing each against good with the same engine and calling it slow
 * when its change passes half of good → bad. Each commit is measured once (its
 * instruction counts are kept), worktrees are made once per commit, and a commit
 * that fails to build or run is skipped for its nearest neighbour.
 */
export async function bisectRefs(request: BisectRequest, hooks: BisectHooks = {}): Promise<BisectResult> {
  checkCompareRequest({ ...request, base: request.good, head: request.bad });
  if (request.good === WORKING_TREE_REF || request.bad === WORKING_TREE_REF) {
    throw new UserError('bisect walks commits: pass committed refs for good and bad, not WORKTREE');
  }
  const good = await resolveRef(request.root, request.good, hooks.signal);
  const bad = await resolveRef(request.root, request.bad, hooks.signal);
  const chain = await firstParentChain(request.root, good.sha, bad.sha, request, hooks.signal);
  const expected = 2 + Math.ceil(Math.log2(Math.max(2, chain.length)));
  const worktrees = await worktreeSetFor(request, hooks.log);
  const reuse: CompareReuse = { worktrees, samples: hooks.samples ?? memoryStore() };
  let comparisons = 0;
  const compare = async (from: BisectCommit | 'good', to: BisectCommit, row?: string) => {
    comparisons++;
    const base = from === 'good' ? good.sha : from.sha;
    const label = `${from === 'good' ? 'good' : shortSha(from.sha)} → ${shortSha(to.sha)} ${excerpt(to.subject, 60)}`;
    hooks.onProgress?.(comparisons - 1, expected, `comparison ${comparisons} of about ${expected}: ${label}`);
    const comparison = await compareRefs({ ...request, base, head: to.sha }, forward(hooks, comparisons - 1, expected, label), reuse);
    const id = hooks.onComparison?.(comparison);
    const followed = row ?? slowestRow(comparison).name;
    const found = comparison.rows.find((r) => r.name === followed);
    if (!found) throw new Error(`benchmark ${followed} did not run at ${shortSha(to.sha)}`);
    return { change: changeOf(found, base, to.sha, id), comparison };
  };
  try {
    const badCommit = chain.at(-1)!;
    const range = await compare('good', badCommit);
    const benchmark = slowestRow(range.comparison).name;
    const result: BisectResult = {
      good: { ref: good.ref, sha: good.sha },
      bad: { ref: bad.ref, sha: bad.sha },
      benchmark,
      commits: chain.length,
      range: range.change,
      outcome: 'no_slowdown',
      candidates: [],
      skipped: [],
      probes: [],
      comparisons: 0,
      markdown: range.comparison.markdown,
    };
    if (range.change.verdict !== 'slower') return { ...result, comparisons };
    const midpoint = range.change.changePct / 2;
    // Invariant: chain[lo] is fast (lo = -1 stands for good), chain[hi] is slow.
    let lo = -1;
    let hi = chain.length - 1;
    const measured = new Map<number, { change: BisectChange; markdown: string }>([
      [hi, { change: range.change, markdown: range.comparison.markdown }],
    ]);
    const skippedAt = new Set<number>();
    for (;;) {
      const probe = nextProbe(lo, hi, skippedAt);
      if (probe === undefined) break;
      const commit = chain[probe]!;
      try {
        const { change, comparison } = await compare('good', commit, benchmark);
        const slow = change.changePct > midpoint;
        result.probes.push({ ...commit, changePct: change.changePct, slow });
        measured.set(probe, { change, markdown: comparison.markdown });
        if (slow) hi = probe;
        else lo = probe;
      } catch (error) {
        if (hooks.signal?.aborted || error instanceof UserError) throw error;
        skippedAt.add(probe);
        const reason = failureReason(error as Error);
        result.skipped.push({ ...commit, reason });
        hooks.log?.(`skipped ${shortSha(commit.sha)}: ${reason}`);
      }
    }
    if (hi - lo > 1) {
      result.outcome = 'ambiguous';
      result.candidates = chain.slice(lo + 1, hi + 1);
      return { ...result, comparisons };
    }
    result.outcome = 'found';
    result.culprit = chain[hi]!;
    // Against good, the culprit's probe already is its step; otherwise its parent was probed and both are measured.
    const step = lo === -1 ? measured.get(hi)! : await compare(chain[lo]!, chain[hi]!, benchmark).then(toStep);
    result.step = step.change;
    result.markdown = step.markdown;
    return { ...result, comparisons };
  } finally {
    await worktrees.close();
  }
}

/** The commits after good up to bad, oldest first, along bad's first parents; good must be on that line. */
async function firstParentChain(
  root: string,
  goodSha: string,
  badSha: string,
  refs: { good: string; bad: string },
  signal?: AbortSignal,
): Promise<BisectCommit[]> {
  const text = await git(root, ['log', '--first-parent', '--format=%H%x00%P%x00%s', badSha, `^${goodSha}`], { signal, readOnly: true });
  const commits = text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha, parents, subject] = line.split('\0');
      return { sha: sha!, firstParent: parents?.split(' ')[0], subject: subject ?? '' };
    })
    .reverse();
  if (commits.length === 0) {
    throw new UserError(`bad (${excerpt(refs.bad)}) has no commit after good (${excerpt(refs.good)}): pass the older, fast ref as good`);
  }
  if (commits[0]!.firstParent !== goodSha) {
    throw new UserError(
      `good (${excerpt(refs.good)}) is not on the first-parent history of bad (${excerpt(refs.bad)}): bisect walks bad's first parents back to good; pass a good commit on that line, such as their merge base`,
    );
  }
  return commits.map(({ sha, subject }) => ({ sha, subject }));
}

/** The untried commit strictly between lo and hi nearest their middle (the lower one on a tie), or none left. */
function nextProbe(lo: number, hi: number, skipped: Set<number>): number | undefined {
  const middle = (lo + hi) / 2;
  let best: number | undefined;
  for (let i = lo + 1; i < hi; i++) {
    if (skipped.has(i)) continue;
    if (best === undefined || Math.abs(i - middle) < Math.abs(best - middle)) best = i;
  }
  return best;
}

function toStep({ change, comparison }: { change: BisectChange; comparison: Comparison }) {
  return { change, markdown: comparison.markdown };
}

/** Why a commit did not run, in one line: the error's first line and the last line of the program's output it quotes. */
function failureReason(error: Error): string {
  // valgrind's own lines (==pid==) say nothing about why the program failed.
  const lines = error.message.split('\n').filter((line) => line.trim() && !/^==\d+==/.test(line.trim()));
  const text = lines.length > 1 ? `${lines[0]} ${lines.at(-1)!.trim()}` : (lines[0] ?? 'unknown error');
  return excerpt(text, 300);
}

function slowestRow(comparison: Comparison): ComparisonRow {
  const slower = comparison.rows.filter((row) => row.verdict === 'slower');
  const pool = slower.length ? slower : comparison.rows;
  return pool.reduce((a, b) => (b.changePct > a.changePct ? b : a));
}

function changeOf(row: ComparisonRow, from: string, to: string, comparisonId?: string): BisectChange {
  return { from, to, changePct: row.changePct, ciLowPct: row.ciLowPct, ciHighPct: row.ciHighPct, verdict: row.verdict, comparisonId };
}

/** A compare's own progress, as a fraction of the comparison it belongs to. */
function forward(hooks: BisectHooks, done: number, total: number, label: string): CompareHooks {
  let runs = 0;
  return {
    signal: hooks.signal,
    log: hooks.log,
    onProgress: (_done, _total, message) => {
      runs++;
      hooks.onProgress?.(done + runs / (runs + 4), total, `${label}: ${message}`);
    },
  };
}

function memoryStore(): SampleStore {
  const kept = new Map<string, CommitSamples>();
  return {
    get: (key, sha) => kept.get(`${key}:${sha}`),
    put: (key, sha, samples) => void kept.set(`${key}:${sha}`, samples),
  };
}

/** The result in a few lines: the culprit and its step, or why there is none, and what it cost. */
export function describeBisect(result: BisectResult): string {
  const cost = `${result.comparisons} comparison${result.comparisons === 1 ? '' : 's'} over ${result.commits} commit${result.commits === 1 ? '' : 's'}`;
  const skipped = result.skipped.length
    ? ` Skipped (did not build or run): ${result.skipped.map((s) => `${shortSha(s.sha)} (${s.reason})`).join('; ')}.`
    : '';
  const range = `good → bad ${formatChangeInterval(result.range.changePct, result.range.ciLowPct, result.range.ciHighPct)} (${result.range.verdict})`;
  if (result.outcome === 'no_slowdown') return `No slowdown to bisect for ${result.benchmark}: ${range}; ${cost}.`;
  if (result.outcome === 'ambiguous') {
    const names = result.candidates.map((c) => `${shortSha(c.sha)} ${excerpt(c.subject, 60)}`).join(', ');
    return `The slowdown of ${result.benchmark} (${range}) starts at one of ${names}: commits that did not run hide which; ${cost}.${skipped}`;
  }
  const step = result.step!;
  return (
    `First slow commit for ${result.benchmark}: ${shortSha(result.culprit!.sha)} "${excerpt(result.culprit!.subject, 100)}", ` +
    `${formatChangeInterval(step.changePct, step.ciLowPct, step.ciHighPct)} against its parent (${range}); ${cost}.${skipped}`
  );
}
