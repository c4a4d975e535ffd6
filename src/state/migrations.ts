/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append only: a released migration is never edited.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    goal TEXT,
    domain TEXT NOT NULL,
    branch TEXT,
    head_sha TEXT,
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'ended')),
    environment_json TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    n INTEGER NOT NULL UNIQUE,
    session_id TEXT REFERENCES sessions(id),
    commit_sha TEXT,
    target TEXT NOT NULL,
    hypothesis TEXT NOT NULL,
    metric TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('lower', 'higher')),
    baseline REAL NOT NULL,
    value REAL NOT NULL,
    change_pct REAL,
    improvement_pct REAL,
    status TEXT NOT NULL CHECK (status IN ('baseline', 'keep', 'discard', 'crash')),
    comparison_id TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX experiments_session ON experiments (session_id, n);
  CREATE INDEX experiments_session_status ON experiments (session_id, status, n);
  CREATE INDEX experiments_best ON experiments (session_id, status, metric, value);
  CREATE TABLE learnings (
    id INTEGER PRIMARY KEY,
    session_id TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    evidence TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE conventions (
    topic TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY,
    session_id TEXT,
    branch TEXT,
    summary TEXT,
    next_steps_json TEXT NOT NULL,
    discoveries_json TEXT NOT NULL,
    blockers_json TEXT NOT NULL,
    imported_markdown TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    tool TEXT NOT NULL,
    session_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted')),
    progress REAL,
    total REAL,
    message TEXT,
    log_tail TEXT NOT NULL DEFAULT '',
    result_json TEXT,
    error TEXT,
    owner_pid INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE TABLE artifacts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('profile', 'comparison')),
    session_id TEXT,
    summary_json TEXT NOT NULL,
    data_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE test_baselines (
    id INTEGER PRIMARY KEY,
    session_id TEXT,
    command TEXT NOT NULL,
    head_sha TEXT,
    exit_code INTEGER,
    framework TEXT,
    failed_json TEXT NOT NULL,
    passed INTEGER,
    complete INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    session_id TEXT,
    command_json TEXT NOT NULL,
    recommended_domain TEXT NOT NULL,
    reason TEXT NOT NULL,
    targets_json TEXT NOT NULL,
    data_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // A job may run in a detached runner process of the CLI: it reads the call's arguments from
  // the row, and any server cancels it by setting cancel_requested_at.
  `
  ALTER TABLE jobs ADD COLUMN args_json TEXT;
  ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT;
  `,
  // The ledger believes measurements: a keep records its proof (a comparison, or an override with
  // its reason) and the files it committed; reviews and PR bodies are kept beside the experiments.
  `
  ALTER TABLE experiments ADD COLUMN unit TEXT;
  ALTER TABLE experiments ADD COLUMN comparison_row TEXT;
  ALTER TABLE experiments ADD COLUMN proof TEXT CHECK (proof IN ('proven', 'overridden', 'unproven'));
  ALTER TABLE experiments ADD COLUMN override_reason TEXT;
  ALTER TABLE experiments ADD COLUMN files_json TEXT;
  UPDATE experiments SET proof = 'unproven' WHERE status = 'keep';
  CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    session_id TEXT,
    verdict TEXT NOT NULL CHECK (verdict IN ('APPROVE', 'REQUEST_CHANGES', 'BLOCK')),
    given_verdict TEXT NOT NULL CHECK (given_verdict IN ('APPROVE', 'REQUEST_CHANGES', 'BLOCK')),
    summary TEXT,
    findings_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE pr_bodies (
    id INTEGER PRIMARY KEY,
    session_id TEXT,
    name TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('single', 'stacked')),
    comparison_id TEXT NOT NULL,
    experiments_json TEXT NOT NULL,
    template TEXT NOT NULL,
    path TEXT NOT NULL,
    unproven INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // Benchmark hosts for vm_bench, each with its pinned host-key fingerprint; no password or key is kept.
  `
  CREATE TABLE vm_hosts (
    name TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    user TEXT NOT NULL,
    auth TEXT NOT NULL CHECK (auth IN ('agent', 'key')),
    key_path TEXT,
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // Instruction counts per commit, keyed by what was run and how (see bench/sample-cache.ts): a bisect measures each commit once.
  `
  CREATE TABLE commit_samples (
    key TEXT NOT NULL,
    sha TEXT NOT NULL,
    samples_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (key, sha)
  );
  `,
];
