import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

/** One ranked target as a scan stored it. */
export interface StoredScanTarget {
  rank: number;
  domain: string;
  kind: string;
  function: string;
  file: string;
  line: number;
  at?: number;
  share: number;
  measure: string;
  calls: number | null;
  step: string;
}

export interface ScanRow<TData = unknown> {
  id: string;
  sessionId: string | null;
  command: string | string[];
  recommendedDomain: string;
  reason: string;
  targets: StoredScanTarget[];
  /** The rest of what the scan measured: steps, stored profile ids, domain shares. */
  data: TData;
  createdAt: string;
}

interface Row {
  id: string;
  session_id: string | null;
  command_json: string;
  recommended_domain: string;
  reason: string;
  targets_json: string;
  data_json: string;
  created_at: string;
}

function fromRow<TData>(row: Row): ScanRow<TData> {
  return {
    id: row.id,
    sessionId: row.session_id,
    command: JSON.parse(row.command_json) as string | string[],
    recommendedDomain: row.recommended_domain,
    reason: row.reason,
    targets: JSON.parse(row.targets_json) as StoredScanTarget[],
    data: JSON.parse(row.data_json) as TData,
    createdAt: row.created_at,
  };
}

export function saveScan(db: Db, input: Omit<ScanRow, 'id' | 'createdAt'>): string {
  const id = `scan-${randomBytes(5).toString('hex')}`;
  stmt(
    db,
    `INSERT INTO scans (id, session_id, command_json, recommended_domain, reason, targets_json, data_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    input.sessionId,
    JSON.stringify(input.command),
    input.recommendedDomain,
    input.reason,
    JSON.stringify(input.targets),
    JSON.stringify(input.data),
    nowIso(),
  );
  return id;
}

/** A scan by id, or the latest one of the project. */
export function getScan<TData = unknown>(db: Db, id?: string): ScanRow<TData> | undefined {
  const row = (
    id
      ? stmt(db, 'SELECT * FROM scans WHERE id = ?').get(id)
      : stmt(db, 'SELECT * FROM scans ORDER BY created_at DESC, rowid DESC LIMIT 1').get()
  ) as Row | undefined;
  return row ? fromRow<TData>(row) : undefined;
}
