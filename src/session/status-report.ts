import { formatChangeInterval, formatChangePct, formatMeasured } from '../format.js';
import { getArtifact } from '../state/artifacts.js';
import { keptExperiments, listExperiments, type Proof, type SessionStats, sessionStats } from '../state/experiments.js';
import { measuredOn } from '../state/measured-on.js';
import { GUARD_TOPIC, getConvention, latestHandoff } from '../state/notes.js';
import type { Project } from '../state/project.js';
import { evidenceOf, proofCounts } from '../state/render/markdown.js';
import { getScan } from '../state/scans.js';
import type { SessionRow } from '../state/sessions.js';
import { latestTestBaseline } from '../state/test-baselines.js';
import { currentBranch } from '../workspace/git.js';
import { nextSteps } from './next-steps.js';

export interface StatusReport {
  stats: SessionStats;
  branch: string | null;
  guard: string | null;
  /** How the best kept result was measured: the comparison behind it, or that there was none. */
  bestMeasured: string | null;
  /** What the last handoff planned next. */
  planned: string[];
  failingBefore: number | null;
  scan: string | null;
  /** Every kept experiment, proven by its comparison or overridden with the reason given. */
  kept: { n: number; target: string; proof: Proof | null; evidence: string }[];
  next: string[];
  summary: string;
}

interface StoredComparison {
  mode?: string;
  pairs?: number;
  base?: { ref?: string };
  head?: { ref?: string };
  rows?: Record<string, unknown>[];
}

/** A number field of a stored row, under either spelling the store has used (`changePct`, `change_pct`). */
function field(row: Record<string, unknown> | undefined, camel: string): number | undefined {
  const value = row?.[camel] ?? row?.[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
  return typeof value === 'number' ? value : undefined;
}

/** The comparison behind an experiment, in one line: mode, pairs, refs, change with its interval and verdict. */
function describeComparison(project: Project, comparisonId: string | null): string {
  if (!comparisonId) return 'recorded by hand, with no benchmark_compare behind it';
  const data = getArtifact<unknown, StoredComparison>(project.db, comparisonId, 'comparison')?.data;
  if (!data) return `comparison ${comparisonId} (no longer stored)`;
  const row = data.rows?.[0];
  const [change, low, high] = [field(row, 'changePct'), field(row, 'ciLowPct'), field(row, 'ciHighPct')];
  const verdict = typeof row?.verdict === 'string' ? ` ${row.verdict}` : '';
  const shown =
    change !== undefined && low !== undefined && high !== undefined ? `, ${formatChangeInterval(change, low, high)}${verdict}` : '';
  const refs = data.base?.ref && data.head?.ref ? ` ${data.base.ref} → ${data.head.ref}` : '';
  const where = measuredOn(project.db, comparisonId);
  const tool = where === 'local' ? 'benchmark_compare (local)' : `vm_bench on ${where}`;
  return `${tool} ${data.mode ?? ''} mode, ${data.pairs ?? '?'} pairs${refs}${shown} (${comparisonId})`;
}

/**
 * The session as the router reports it: experiments, keeps against discards,
 * the branch, the best improvement against the baseline and how it was
 * measured, the plateau, what the handoff planned and what to do next.
 */
export async function statusReport(project: Project, session: SessionRow): Promise<StatusReport> {
  const { db } = project;
  const stats = sessionStats(db, session.id);
  const guard = getConvention(db, GUARD_TOPIC)?.rule ?? null;
  const branch = (await currentBranch(project.paths.root).catch(() => undefined)) ?? null;
  const bestRow = stats.best ? listExperiments(db, session.id).find((e) => e.n === stats.best!.n) : undefined;
  const kept = keptExperiments(db, session.id);
  const bestMeasured = bestRow ? describeComparison(project, bestRow.comparison_id) : null;
  const handoff = latestHandoff(db);
  const planned = handoff && (!handoff.session_id || handoff.session_id === session.id) ? handoff.next_steps : [];
  const tests = latestTestBaseline(db);
  const scan = getScan(db);
  const scanLine = scan ? `scan ${scan.id} recommends ${scan.recommendedDomain}; top target ${scan.targets[0]?.function ?? 'none'}` : null;
  const best =
    stats.best && stats.baseline
      ? `best #${stats.best.n} ${formatChangePct(stats.best.improvement_pct)} against the baseline ${formatMeasured(stats.baseline.value)} ${stats.baseline.metric}, measured by ${bestMeasured}`
      : 'nothing kept yet';
  const plateau = stats.plateau
    ? `plateau: ${stats.consecutive_discards} discards in a row`
    : `no plateau (${stats.consecutive_discards} discard(s) in a row)`;
  const summary = [
    `${stats.experiments} experiments: ${stats.keeps} kept against ${stats.discards} discarded (${stats.crashes} crashed) on ${branch ?? 'no branch'}`,
    best,
    plateau,
    kept.length ? proofCounts(kept) : '',
    planned.length ? `planned next: ${planned[0]}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    stats,
    branch,
    guard,
    bestMeasured,
    planned,
    failingBefore: tests ? tests.failed.length : null,
    scan: scanLine,
    kept: kept.map((row) => ({ n: row.n, target: row.target, proof: row.proof, evidence: evidenceOf(row) })),
    next: nextSteps(stats, guard !== null),
    summary: `${summary}.`,
  };
}
