import { randomBytes } from 'node:crypto';
import { processAlive } from '../proc/children.js';
import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export const JOB_STATES = ['running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobRow {
  id: string;
  tool: string;
  session_id: string | null;
  state: JobState;
  progress: number | null;
  total: number | null;
  message: string | null;
  log_tail: string;
  result_json: string | null;
  error: string | null;
  owner_pid: number;
  /** The tool call's arguments, for a job run by a detached runner. */
  args_json: string | null;
  cancel_requested_at: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** What a client sees of a job: its row without storage details, the result parsed. */
export interface JobView<T = Record<string, unknown>> {
  job_id: string;
  tool: string;
  state: JobState;
  progress: number | null;
  total: number | null;
  message: string | null;
  log_tail: string;
  result?: T;
  error?: string;
}

export function toView<T>(row: JobRow): JobView<T> {
  return {
    job_id: row.id,
    tool: row.tool,
    state: row.state,
    progress: row.progress,
    total: row.total,
    message: row.message,
    log_tail: row.log_tail,
    ...(row.result_json ? { result: JSON.parse(row.result_json) as T } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

export function createJob(db: Db, tool: string, sessionId: string | null, args?: Record<string, unknown>): JobRow {
  const now = nowIso();
  return stmt(
    db,
    `INSERT INTO jobs (id, tool, session_id, state, owner_pid, args_json, created_at, updated_at)
     VALUES (?, ?, ?, 'running', ?, ?, ?, ?) RETURNING *`,
  ).get(`job-${randomBytes(5).toString('hex')}`, tool, sessionId, process.pid, args ? JSON.stringify(args) : null, now, now) as JobRow;
}

/** Hand a running job to the process that runs it (a detached runner). */
export function setJobOwner(db: Db, id: string, pid: number): void {
  stmt(db, `UPDATE jobs SET owner_pid = ?, updated_at = ? WHERE id = ? AND state = 'running'`).run(pid, nowIso(), id);
}

/** Ask whichever process runs a job to stop it; that process notices within a second. */
export function requestJobCancel(db: Db, id: string): void {
  stmt(db, `UPDATE jobs SET cancel_requested_at = ? WHERE id = ? AND state = 'running' AND cancel_requested_at IS NULL`).run(nowIso(), id);
}

export function jobCancelRequested(db: Db, id: string): boolean {
  return (
    (stmt(db, 'SELECT cancel_requested_at FROM jobs WHERE id = ?').get(id) as { cancel_requested_at: string | null } | undefined)
      ?.cancel_requested_at != null
  );
}

export function getJob(db: Db, id: string): JobRow | undefined {
  return stmt(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
}

export function listJobs(db: Db, limit = 50): JobRow[] {
  return stmt(db, 'SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?').all(limit) as JobRow[];
}

export function updateJobProgress(
  db: Db,
  id: string,
  fields: { progress?: number; total?: number; message?: string; logTail?: string },
): void {
  stmt(
    db,
    `UPDATE jobs SET progress = COALESCE(?, progress), total = COALESCE(?, total), message = COALESCE(?, message),
       log_tail = COALESCE(?, log_tail), updated_at = ?
     WHERE id = ? AND state = 'running'`,
  ).run(fields.progress ?? null, fields.total ?? null, fields.message ?? null, fields.logTail ?? null, nowIso(), id);
}

/** Move a running job to its final state; a job already final is left as it is. */
export function finishJob(
  db: Db,
  id: string,
  state: Exclude<JobState, 'running'>,
  outcome: { result?: unknown; error?: string; logTail?: string },
): void {
  const now = nowIso();
  stmt(
    db,
    `UPDATE jobs SET state = ?, result_json = ?, error = ?, log_tail = COALESCE(?, log_tail), updated_at = ?,
       finished_at = ?
     WHERE id = ? AND state = 'running'`,
  ).run(
    state,
    outcome.result === undefined ? null : JSON.stringify(outcome.result),
    outcome.error ?? null,
    outcome.logTail ?? null,
    now,
    now,
    id,
  );
}

/** Why a job cut off by its server's exit ended, in the words job_status shows. */
export const INTERRUPTED_ERROR = 'the server that ran this job exited before it finished';

/**
 * Jobs still marked running whose server is gone (or is an earlier process that
 * had this same pid) were cut off by a restart: say so instead of leaving them
 * running forever. Jobs of another live process on the same project are left
 * alone, and so is `ownJob`: the job a detached runner was started to run.
 */
export function markInterruptedJobs(db: Db, ownJob?: string): number {
  const running = stmt(db, `SELECT id, owner_pid FROM jobs WHERE state = 'running'`).all() as {
    id: string;
    owner_pid: number;
  }[];
  let count = 0;
  for (const job of running) {
    if (job.id === ownJob || (job.owner_pid !== process.pid && processAlive(job.owner_pid))) continue;
    finishJob(db, job.id, 'interrupted', { error: INTERRUPTED_ERROR });
    count++;
  }
  return count;
}

/** One running job whose owner (another process) is gone without recording its end: interrupted. */
export function finishOrphanedJob(db: Db, id: string): void {
  const row = stmt(db, `SELECT owner_pid FROM jobs WHERE id = ? AND state = 'running'`).get(id) as { owner_pid: number } | undefined;
  if (row && row.owner_pid !== process.pid && !processAlive(row.owner_pid)) finishJob(db, id, 'interrupted', { error: INTERRUPTED_ERROR });
}
