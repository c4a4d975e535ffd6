import { type Db, nowIso, stmt } from './database.js';

/** Samples per benchmark name that one commit gave under one measuring key. */
export type StoredSamples = Record<string, number[]>;

export function getCommitSamples(db: Db, key: string, sha: string): StoredSamples | undefined {
  const row = stmt(db, 'SELECT samples_json FROM commit_samples WHERE key = ? AND sha = ?').get(key, sha) as
    | { samples_json: string }
    | undefined;
  return row ? (JSON.parse(row.samples_json) as StoredSamples) : undefined;
}

export function putCommitSamples(db: Db, key: string, sha: string, samples: StoredSamples): void {
  stmt(db, 'INSERT OR REPLACE INTO commit_samples (key, sha, samples_json, created_at) VALUES (?, ?, ?, ?)').run(
    key,
    sha,
    JSON.stringify(samples),
    nowIso(),
  );
}
