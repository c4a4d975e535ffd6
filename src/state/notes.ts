import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export interface LearningRow {
  id: number;
  session_id: string | null;
  title: string;
  body: string;
  evidence: string;
  created_at: string;
}

export interface ConventionRow {
  topic: string;
  rule: string;
  updated_at: string;
}

/** The convention topic whose rule is the guard command run after every change. */
export const GUARD_TOPIC = 'guard';

/** The convention topic naming the code a session works in (a path prefix or module). */
export const SCOPE_TOPIC = 'scope';

export function addLearning(db: Db, input: { sessionId: string | null; title: string; body: string; evidence: string }): LearningRow {
  return stmt(db, `INSERT INTO learnings (session_id, title, body, evidence, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *`).get(
    input.sessionId,
    input.title,
    input.body,
    input.evidence,
    nowIso(),
  ) as LearningRow;
}

export function listLearnings(db: Db): LearningRow[] {
  return stmt(db, 'SELECT * FROM learnings ORDER BY id').all() as LearningRow[];
}

/** Topics are case-insensitive: `Guard` and `guard` are one rule. */
export function normalizeTopic(topic: string): string {
  return topic.trim().toLowerCase().replace(/\s+/g, '-');
}

export function setConvention(db: Db, topic: string, rule: string): ConventionRow {
  return stmt(
    db,
    `INSERT INTO conventions (topic, rule, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (topic) DO UPDATE SET rule = excluded.rule, updated_at = excluded.updated_at
       RETURNING *`,
  ).get(normalizeTopic(topic), rule, nowIso()) as ConventionRow;
}

export function listConventions(db: Db): ConventionRow[] {
  return stmt(db, 'SELECT * FROM conventions ORDER BY topic').all() as ConventionRow[];
}

export function getConvention(db: Db, topic: string): ConventionRow | undefined {
  return stmt(db, 'SELECT * FROM conventions WHERE topic = ?').get(normalizeTopic(topic)) as ConventionRow | undefined;
}

export interface HandoffInput {
  sessionId: string | null;
  branch: string | null;
  summary?: string;
  nextSteps: string[];
  discoveries?: string[];
  blockers?: string[];
  importedMarkdown?: string;
}

export interface HandoffRow {
  id: number;
  session_id: string | null;
  branch: string | null;
  summary: string | null;
  next_steps: string[];
  discoveries: string[];
  blockers: string[];
  imported_markdown: string | null;
  created_at: string;
}

export function addHandoff(db: Db, input: HandoffInput): HandoffRow {
  const row = stmt(
    db,
    `INSERT INTO handoffs (session_id, branch, summary, next_steps_json, discoveries_json, blockers_json,
         imported_markdown, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  ).get(
    input.sessionId,
    input.branch,
    input.summary ?? null,
    JSON.stringify(input.nextSteps),
    JSON.stringify(input.discoveries ?? []),
    JSON.stringify(input.blockers ?? []),
    input.importedMarkdown ?? null,
    nowIso(),
  ) as { id: number };
  return latestHandoff(db, row.id)!;
}

export function latestHandoff(db: Db, id?: number): HandoffRow | undefined {
  const raw = (
    id === undefined
      ? stmt(db, 'SELECT * FROM handoffs ORDER BY id DESC LIMIT 1').get()
      : stmt(db, 'SELECT * FROM handoffs WHERE id = ?').get(id)
  ) as (Omit<HandoffRow, 'next_steps' | 'discoveries' | 'blockers'> & Record<string, string>) | undefined;
  if (!raw) return undefined;
  return {
    id: raw.id,
    session_id: raw.session_id,
    branch: raw.branch,
    summary: raw.summary,
    next_steps: JSON.parse(raw.next_steps_json!) as string[],
    discoveries: JSON.parse(raw.discoveries_json!) as string[],
    blockers: JSON.parse(raw.blockers_json!) as string[],
    imported_markdown: raw.imported_markdown,
    created_at: raw.created_at,
  };
}
