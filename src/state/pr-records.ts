import type { Db } from './database.js';
import { nowIso, stmt } from './database.js';

export const REVIEW_VERDICTS = ['APPROVE', 'REQUEST_CHANGES', 'BLOCK'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/** The six passes of a review, in order; benchmark_verification is the server's own. */
export const REVIEW_PASSES = ['comprehension', 'correctness', 'safety', 'benchmark_verification', 'quality', 'disclosure'] as const;
export type ReviewPass = (typeof REVIEW_PASSES)[number];

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  pass: ReviewPass;
  severity: Severity;
  file?: string;
  line?: number;
  text: string;
  /** True for what the server found itself. */
  by_server?: boolean;
}

export interface ReviewRow {
  id: number;
  session_id: string | null;
  verdict: ReviewVerdict;
  given_verdict: ReviewVerdict;
  summary: string | null;
  findings: Finding[];
  created_at: string;
}

export function addReview(
  db: Db,
  input: { sessionId: string | null; verdict: ReviewVerdict; givenVerdict: ReviewVerdict; summary?: string; findings: Finding[] },
): ReviewRow {
  const row = stmt(
    db,
    `INSERT INTO reviews (session_id, verdict, given_verdict, summary, findings_json, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  ).get(input.sessionId, input.verdict, input.givenVerdict, input.summary ?? null, JSON.stringify(input.findings), nowIso()) as {
    id: number;
  };
  return latestReview(db, input.sessionId, row.id)!;
}

/** The last review of a session (or the one with `id`). */
export function latestReview(db: Db, sessionId: string | null, id?: number): ReviewRow | undefined {
  const raw = (
    id === undefined
      ? stmt(db, 'SELECT * FROM reviews WHERE session_id IS ? ORDER BY id DESC LIMIT 1').get(sessionId)
      : stmt(db, 'SELECT * FROM reviews WHERE id = ?').get(id)
  ) as (Omit<ReviewRow, 'findings'> & { findings_json: string }) | undefined;
  if (!raw) return undefined;
  const { findings_json, ...rest } = raw;
  return { ...rest, findings: JSON.parse(findings_json) as Finding[] };
}

export interface PrBodyRow {
  id: number;
  session_id: string | null;
  name: string;
  mode: 'single' | 'stacked';
  comparison_id: string;
  /** Experiment numbers the body presents, with the comparison each rests on. */
  experiments: { n: number; comparison_id: string | null }[];
  template: string;
  path: string;
  unproven: boolean;
  created_at: string;
}

export function addPrBody(db: Db, input: Omit<PrBodyRow, 'id' | 'created_at'>): PrBodyRow {
  const row = stmt(
    db,
    `INSERT INTO pr_bodies (session_id, name, mode, comparison_id, experiments_json, template, path, unproven, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  ).get(
    input.session_id,
    input.name,
    input.mode,
    input.comparison_id,
    JSON.stringify(input.experiments),
    input.template,
    input.path,
    input.unproven ? 1 : 0,
    nowIso(),
  ) as RawPrBody;
  return fromRaw(row);
}

type RawPrBody = Omit<PrBodyRow, 'experiments' | 'unproven'> & { experiments_json: string; unproven: number };

function fromRaw(raw: RawPrBody): PrBodyRow {
  const { experiments_json, unproven, ...rest } = raw;
  return { ...rest, unproven: unproven === 1, experiments: JSON.parse(experiments_json) as PrBodyRow['experiments'] };
}

/** The latest body of each name a session wrote (a body written again replaces the earlier one). */
export function listPrBodies(db: Db, sessionId: string): PrBodyRow[] {
  const rows = stmt(
    db,
    `SELECT * FROM pr_bodies WHERE id IN (SELECT MAX(id) FROM pr_bodies WHERE session_id = ? GROUP BY name) ORDER BY id`,
  ).all(sessionId) as RawPrBody[];
  return rows.map(fromRaw);
}
