import { UserError } from '../errors.js';
import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export const EXPERIMENT_STATUSES = ['baseline', 'keep', 'discard', 'crash'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export type Direction = 'lower' | 'higher';

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
       change_pct, improvement_pct, status, comparison_id, notes, created_at)
     VALUES ((SELECT COALESCE(MAX(n), 0) + 1 FROM experiments), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
      ) as ExperimentRow;
      if (input.sessionId) assertComparableWithBaseline(db, input.sessionId, row);
      return row;
    })
    .immediate();
}

function assertComparableWithBaseline(db: Db, sessionId: string, row: ExperimentRow): void {
  const { baseline, best } = sessionStats(db, sessionId);
  if (finiteOrNull(best?.improvement_pct ?? null)) return;
  throw new UserError(
    `value ${row.value} is too far from the session baseline ${baseline?.value} (experiment #${baseline?.n}) for an improvement in percent; record values in the baseline's unit`,
  );
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
