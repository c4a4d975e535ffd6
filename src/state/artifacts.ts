import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export type ArtifactKind = 'profile' | 'comparison';

export interface Artifact<TSummary = unknown, TData = unknown> {
  id: string;
  kind: ArtifactKind;
  session_id: string | null;
  summary: TSummary;
  data: TData;
  created_at: string;
}

const PREFIX: Record<ArtifactKind, string> = { profile: 'prof', comparison: 'cmp' };

/** Store the full detail of a profile or comparison; tool results only point to it. */
export function saveArtifact(db: Db, kind: ArtifactKind, sessionId: string | null, summary: unknown, data: unknown): string {
  const id = `${PREFIX[kind]}-${randomBytes(5).toString('hex')}`;
  stmt(db, `INSERT INTO artifacts (id, kind, session_id, summary_json, data_json, created_at) VALUES (?, ?, ?, ?, ?, ?)`).run(
    id,
    kind,
    sessionId,
    JSON.stringify(summary),
    JSON.stringify(data),
    nowIso(),
  );
  return id;
}

export function getArtifact<TSummary = unknown, TData = unknown>(
  db: Db,
  id: string,
  kind?: ArtifactKind,
): Artifact<TSummary, TData> | undefined {
  const row = stmt(db, 'SELECT * FROM artifacts WHERE id = ?').get(id) as
    | { id: string; kind: ArtifactKind; session_id: string | null; summary_json: string; data_json: string; created_at: string }
    | undefined;
  if (!row || (kind && row.kind !== kind)) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    session_id: row.session_id,
    summary: JSON.parse(row.summary_json) as TSummary,
    data: JSON.parse(row.data_json) as TData,
    created_at: row.created_at,
  };
}

export function listArtifactIds(db: Db, kind: ArtifactKind, limit = 100): string[] {
  return (
    stmt(db, 'SELECT id FROM artifacts WHERE kind = ? ORDER BY created_at DESC LIMIT ?').all(kind, limit) as {
      id: string;
    }[]
  ).map((r) => r.id);
}
