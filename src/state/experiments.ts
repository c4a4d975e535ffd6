import { UserError } from '../errors.js';
import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export const EXPERIMENT_STATUSES = ['baseline', 'keep', 'discard', 'crash'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export type Direction = 'lower' | 'higher';

/** How a kept experiment is backed: a comparison that shows it better, a stated reason to keep it anyway, or nothing (imported rows). */
export const PROOFS = ['proven', 'overridden', 'unproven'] as const;
export type Proof = (typeof PROOFS)[number];

/** Consecutive discards (crashes count: a broken attempt is not progress) that mark a plateau. */
export const PLATEAU_AFTER = 3;

export interface ExperimentInput {
  sessionId: string | null;
  target: string;
  hypothesis: string;
  metric: string;
  baseline: number;
  value: number;
  direction: Direction;
  status: ExperimentStatus;
  commit?: string;
  comparisonId?: string;
  notes?: string;
  unit?: string;
  /** The comparison row the numbers come from. */
  comparisonRow?: string;
  /** Set for keeps only. */
  proof?: Proof;
  overrideReason?: string;
  /** Files the server committed (keep) or restored (discard). */
  files?: string[];
}

export interface ExperimentRow {
  id: number;
  n: number;
  session_id: string | null;
  commit_sha: string | null;
  target: string;
  hypothesis: string;
  metric: string;
  direction: Direction;
  baseline: number;
  value: number;
  change_pct: number | null;
  improvement_pct: number | null;
  status: ExperimentStatus;
  comparison_id: string | null;
  notes: string | null;
  created_at: string;
  unit: string | null;
  comparison_row: string | null;
  proof: Proof | null;
  override_reason: string | null;
  files_json: string | null;
}

/** Signed change of value against baseline, in percent. */
export function changePct(baseline: number, value: number): number | null {
  return baseline === 0 ? null : ((value - baseline) / baseline) * 100;
}

/** How much better value is than baseline, in percent, for the metric's direction. */
export function improvementPct(baseline: number, value: number, direction: Direction): number | null {
  const change = changePct(baseline, value);
  if (change === null) return null;
  return direction === 'lower' ? -change : change;
}

/**
 * Whether a comparison row shows the change better in the metric's direction:
 * a verdict that clears the noise (`faster`, or for a higher-is-better metric a
 * significant rise) on the right side of base. `unchanged` and `inconclusive`
 * prove nothing.
 */
export function improves(row: { verdict: string; base: number; head: number }, direction: Direction): boolean {
  if (direction === 'lower') return row.verdict === 'faster' && row.head < row.base;
  return (row.verdict === 'faster' || row.verdict === 'slower') && row.head > row.base;
}

const finiteOrNull = (pct: number | null) => pct === null || Number.isFinite(pct);

/**
 * The change and improvement of an experiment, refused (UserError) when they
 * are no finite numbers: 5e-324 against 1.8e308 overflows to Infinity, which
 * no result, ledger file or later read could carry.
 */
function derivedPcts(input: ExperimentInput): { change: number | null; improvement: number | null } {
  const change = changePct(input.baseline, input.value);
  const improvement = improvementPct(input.baseline, input.value, input.direction);
  if (!Number.isFinite(input.baseline) || !Number.isFinite(input.value) || !finiteOrNull(change) || !finiteOrNull(improvement)) {
    throw new UserError(
      `baseline ${input.baseline} and value ${input.value} are too far apart for a change in percent; record both in one unit, as measured`,
    );
  }
  return { change, improvement };
}

/**
 * Append one experiment. The number is taken and the row written in one
 * write-locked transaction, so concurrent writers (two servers on one project)
 * never share or skip a number. Everything derived from the row is checked
 * first, its improvement over the session baseline too (inside the same
 * transaction, which a refusal rolls back): nothing stored can make a later
 * result unrepresentable.
 */
export function insertExperiment(db: Db, input: ExperimentInput, createdAt = nowIso()): ExperimentRow {
  const { change, improvement } = derivedPcts(input);
  const insert = stmt(
    db,
    `INSERT INTO experiments (n, session_id, commit_sha, target, hypothesis, metric, direction, baseline, value,
       change_pct, improvement_pct, status, comparison_id, notes, created_at, unit, comparison_row, proof,
       override_reason, files_json)
     VALUES ((SELECT COALESCE(MAX(n), 0) + 1 FROM experiments), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING *`,
  );
  return db
    .transaction(() => {
      const row = insert.get(
        input.sessionId,
        input.commit ?? null,
        input.target,
        input.hypothesis,
        input.metric,
        input.direction,
        input.baseline,
        input.value,
        change,
        improvement,
        input.status,
        input.comparisonId ?? null,
        input.notes ?? null,
        createdAt,
        input.unit ?? null,
        input.comparisonRow ?? null,
        input.status === 'keep' ? (input.proof ?? 'unproven') : null,
        input.overrideReason ?? null,
        input.files ? JSON.stringify(input.files) : null,
      ) as ExperimentRow;
      if (input.sessionId) assertComparableWithBaseline(db, input.sessionId, row);
      return row;
    })
    .immediate();
}

/**
 * Refuse (UserError) what insertExperiment would refuse, without writing: so a
 * caller can check before work that cannot be undone (a commit) and then insert.
 */
export function assertRecordable(db: Db, input: ExperimentInput): void {
  derivedPcts(input);
  if (!input.sessionId || input.status !== 'keep') return;
  const { baseline } = sessionStats(db, input.sessionId);
  if (baseline && baseline.metric === input.metric && !finiteOrNull(improvementPct(baseline.value, input.value, baseline.direction))) {
    throw farFromBaseline(input.value, baseline);
  }
}

function assertComparableWithBaseline(db: Db, sessionId: string, row: ExperimentRow): void {
  const { baseline, best } = sessionStats(db, sessionId);
  if (finiteOrNull(best?.improvement_pct ?? null)) return;
  throw farFromBaseline(row.value, baseline);
}

function farFromBaseline(value: number, baseline: SessionStats['baseline']): UserError {
  return new UserError(
    `value ${value} is too far from the session baseline ${baseline?.value} (experiment #${baseline?.n}) for an improvement in percent; record values in the baseline's unit`,
  );
}

/** The files an experiment's row says the server committed or restored. */
export function experimentFiles(row: ExperimentRow): string[] {
  return row.files_json ? (JSON.parse(row.files_json) as string[]) : [];
}

/** The kept experiments of a session, in order. */
export function keptExperiments(db: Db, sessionId: string): ExperimentRow[] {
  return stmt(db, `SELECT * FROM experiments WHERE session_id = ? AND status = 'keep' ORDER BY n`).all(sessionId) as ExperimentRow[];
}

export function listExperiments(db: Db, sessionId?: string): ExperimentRow[] {
  return (
    sessionId
      ? stmt(db, 'SELECT * FROM experiments WHERE session_id = ? ORDER BY n').all(sessionId)
      : stmt(db, 'SELECT * FROM experiments ORDER BY n').all()
  ) as ExperimentRow[];
}

export interface SessionStats {
  experiments: number;
  keeps: number;
  discards: number;
  crashes: number;
  consecutive_discards: number;
  plateau: boolean;
  baseline: { n: number; metric: string; value: number; direction: Direction } | null;
  best: { n: number; target: string; metric: string; value: number; improvement_pct: number | null } | null;
}

/**
 * The session's standing, computed in SQL so it stays cheap with thousands of
 * rows. The baseline is the first row marked `baseline` (else the first row's
 * own baseline); the best is the kept value furthest in the good direction on
 * that same metric, measured against the session baseline, not its own step.
 */
export function sessionStats(db: Db, sessionId: string): SessionStats {
  const byStatus = stmt(db, 'SELECT status, COUNT(*) AS count FROM experiments WHERE session_id = ? GROUP BY status').all(sessionId) as {
    status: ExperimentStatus;
    count: number;
  }[];
  const countOf = (status: ExperimentStatus) => byStatus.find((r) => r.status === status)?.count ?? 0;
  const lastKeep =
    (stmt(db, `SELECT MAX(n) AS n FROM experiments WHERE session_id = ? AND status = 'keep'`).get(sessionId) as { n: number | null }).n ??
    0;
  const consecutive = (
    stmt(db, `SELECT COUNT(*) AS count FROM experiments WHERE session_id = ? AND status IN ('discard', 'crash') AND n > ?`).get(
      sessionId,
      lastKeep,
    ) as { count: number }
  ).count;
  const first = (stmt(db, `SELECT * FROM experiments WHERE session_id = ? AND status = 'baseline' ORDER BY n LIMIT 1`).get(sessionId) ??
    stmt(db, 'SELECT * FROM experiments WHERE session_id = ? ORDER BY n LIMIT 1').get(sessionId)) as ExperimentRow | undefined;
  const baseline = first
    ? {
        n: first.n,
        metric: first.metric,
        value: first.status === 'baseline' ? first.value : first.baseline,
        direction: first.direction,
      }
    : null;
  let best: SessionStats['best'] = null;
  if (baseline) {
    const order = baseline.direction === 'lower' ? 'ASC' : 'DESC';
    const row = stmt(
      db,
      `SELECT * FROM experiments WHERE session_id = ? AND status = 'keep' AND metric = ?
         ORDER BY value ${order}, n LIMIT 1`,
    ).get(sessionId, baseline.metric) as ExperimentRow | undefined;
    if (row) {
      best = {
        n: row.n,
        target: row.target,
        metric: row.metric,
        value: row.value,
        improvement_pct: improvementPct(baseline.value, row.value, baseline.direction),
      };
    }
  }
  return {
    experiments: countOf('keep') + countOf('discard') + countOf('crash'),
    keeps: countOf('keep'),
    discards: countOf('discard'),
    crashes: countOf('crash'),
    consecutive_discards: consecutive,
    plateau: consecutive >= PLATEAU_AFTER,
    baseline,
    best,
  };
}
