import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

/** The tests that failed before any change: one run of the test command at the start of a session. */
export interface TestBaseline {
  id: number;
  sessionId: string | null;
  command: string;
  headSha: string | null;
  exitCode: number | null;
  framework: string | null;
  failed: string[];
  passed: number | null;
  /** False when the output could not name every failure (a run cut short, an unknown runner). */
  complete: boolean;
  durationMs: number;
  createdAt: string;
}

interface Row {
  id: number;
  session_id: string | null;
  command: string;
  head_sha: string | null;
  exit_code: number | null;
  framework: string | null;
  failed_json: string;
  passed: number | null;
  complete: number;
  duration_ms: number;
  created_at: string;
}

function fromRow(row: Row): TestBaseline {
  return {
    id: row.id,
    sessionId: row.session_id,
    command: row.command,
    headSha: row.head_sha,
    exitCode: row.exit_code,
    framework: row.framework,
    failed: JSON.parse(row.failed_json) as string[],
    passed: row.passed,
    complete: row.complete === 1,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
  };
}

export function saveTestBaseline(db: Db, input: Omit<TestBaseline, 'id' | 'createdAt'>): TestBaseline {
  const row = stmt(
    db,
    `INSERT INTO test_baselines (session_id, command, head_sha, exit_code, framework, failed_json, passed, complete, duration_ms, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  ).get(
    input.sessionId,
    input.command,
    input.headSha,
    input.exitCode,
    input.framework,
    JSON.stringify(input.failed),
    input.passed,
    input.complete ? 1 : 0,
    input.durationMs,
    nowIso(),
  ) as Row;
  return fromRow(row);
}

/** The latest baseline of the project, or of one command at one commit. */
export function latestTestBaseline(db: Db, match?: { command: string; headSha: string }): TestBaseline | undefined {
  const row = (
    match
      ? stmt(db, 'SELECT * FROM test_baselines WHERE command = ? AND head_sha = ? ORDER BY id DESC LIMIT 1').get(
          match.command,
          match.headSha,
        )
      : stmt(db, 'SELECT * FROM test_baselines ORDER BY id DESC LIMIT 1').get()
  ) as Row | undefined;
  return row ? fromRow(row) : undefined;
}
