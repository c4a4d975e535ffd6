import { type ExperimentRow, listExperiments, type SessionStats, sessionStats } from './experiments.js';
import { type ConventionRow, type HandoffRow, type LearningRow, latestHandoff, listConventions, listLearnings } from './notes.js';
import type { Project } from './project.js';
import { getScan, type ScanRow } from './scans.js';
import { latestSession, type SessionRow } from './sessions.js';
import { latestTestBaseline, type TestBaseline } from './test-baselines.js';

/** The parts of a session's detected environment a digest shows (the store keeps the whole detection as JSON). */
export interface SetupFacts {
  language: string;
  python?: { runner_display?: string; version?: string; test_command?: string[]; benchmarks_root?: string };
  node?: { package_manager?: string; test_command?: string[] };
  go?: { go_version?: string; test_command?: string[] };
}

/** Everything a prompt or a status report tells about a project, read in one place. */
export interface ProjectDigest {
  root: string;
  session?: SessionRow;
  setup?: SetupFacts;
  stats?: SessionStats;
  /** The session's experiments, oldest first. */
  experiments: ExperimentRow[];
  conventions: ConventionRow[];
  learnings: LearningRow[];
  tests?: TestBaseline;
  scan?: ScanRow;
  handoff?: HandoffRow;
  /** HANDOFF.md as written (rendered or imported). */
  handoffText?: string;
}

/** The latest session (active, else the last one) and what the store holds around it. */
export function projectDigest(project: Project): ProjectDigest {
  const { db } = project;
  const session = latestSession(db, 'active') ?? latestSession(db);
  const handoff = latestHandoff(db);
  return {
    root: project.paths.root,
    session,
    setup: session?.environment_json ? (JSON.parse(session.environment_json) as SetupFacts) : undefined,
    stats: session ? sessionStats(db, session.id) : undefined,
    experiments: session ? listExperiments(db, session.id) : [],
    conventions: listConventions(db),
    learnings: listLearnings(db),
    tests: latestTestBaseline(db),
    scan: getScan(db),
    handoff,
    handoffText: project.readFile('HANDOFF.md') ?? handoff?.imported_markdown ?? undefined,
  };
}
