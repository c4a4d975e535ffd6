import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export const DOMAINS = ['cpu', 'memory', 'async', 'structure', 'deep'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface SessionRow {
  id: string;
  root: string;
  goal: string | null;
  domain: Domain;
  branch: string | null;
  head_sha: string | null;
  state: 'active' | 'ended';
  environment_json: string | null;
  started_at: string;
  ended_at: string | null;
}

export function newSessionId(): string {
  return `s-${randomBytes(4).toString('hex')}`;
}

export function createSession(
  db: Db,
  input: { root: string; goal?: string; domain: Domain; branch?: string; headSha?: string; environment?: unknown },
): SessionRow {
  const id = newSessionId();
  stmt(
    db,
    `INSERT INTO sessions (id, root, goal, domain, branch, head_sha, environment_json, started_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    input.root,
    input.goal ?? null,
    input.domain,
    input.branch ?? null,
    input.headSha ?? null,
    input.environment === undefined ? null : JSON.stringify(input.environment),
    nowIso(),
  );
  return getSession(db, id)!;
}

export function getSession(db: Db, id: string): SessionRow | undefined {
  return stmt(db, 'SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
}

export function latestSession(db: Db, state?: SessionRow['state']): SessionRow | undefined {
  const sql = state
    ? 'SELECT * FROM sessions WHERE state = ? ORDER BY started_at DESC, rowid DESC LIMIT 1'
    : 'SELECT * FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1';
  return (state ? stmt(db, sql).get(state) : stmt(db, sql).get()) as SessionRow | undefined;
}

export function endSession(db: Db, id: string): void {
  stmt(db, `UPDATE sessions SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'active'`).run(nowIso(), id);
}

/** Give rows that belong to no session (imported from files) to this one. */
export function adoptOrphanRows(db: Db, sessionId: string): number {
  return db
    .transaction(() => {
      let changed = 0;
      for (const table of ['experiments', 'learnings', 'handoffs']) {
        changed += stmt(db, `UPDATE ${table} SET session_id = ? WHERE session_id IS NULL`).run(sessionId).changes;
      }
      return changed;
    })
    .immediate();
}

/** End every active session but `keep` (a new session_start supersedes the old ones). */
export function endOtherSessions(db: Db, keep: string): string[] {
  const ended = stmt(db, `SELECT id FROM sessions WHERE state = 'active' AND id <> ?`).all(keep) as { id: string }[];
  stmt(db, `UPDATE sessions SET state = 'ended', ended_at = ? WHERE state = 'active' AND id <> ?`).run(nowIso(), keep);
  return ended.map((r) => r.id);
}
