import { domainFromBranch } from '../env/index.js';
import { UserError } from '../errors.js';
import { type ExperimentRow, listExperiments, type SessionStats, sessionStats } from '../state/experiments.js';
import { GUARD_TOPIC, getConvention, latestHandoff } from '../state/notes.js';
import type { Project } from '../state/project.js';
import { adoptOrphanRows, createSession, type Domain, latestSession, type SessionRow } from '../state/sessions.js';
import { currentBranch, headSha, isGitRepo, switchToBranch } from '../workspace/git.js';
import { nextSteps } from './next-steps.js';

const RECENT_ROWS = 15;

export interface ResumedSession {
  session: SessionRow;
  branch: string | null;
  handoffBranch: string | null;
  branchMatches: boolean;
  checkedOut: boolean;
  domain: Domain;
  handoff: string | null;
  recent: ExperimentRow[];
  stats: SessionStats;
  guard: string | null;
  conventions: string | null;
  learnings: string | null;
  next: string[];
}

/**
 * Pick up where the last session stopped: compare the checked-out branch with
 * the handoff's (checking it out when asked), take the domain from the branch
 * markers, reuse the active session or open one, and gather the handoff, the
 * recent ledger, the guard, conventions and learnings in one bundle.
 */
export async function resumeSession(project: Project, options: { checkout?: boolean }): Promise<ResumedSession> {
  const root = project.paths.root;
  const handoff = latestHandoff(project.db);
  const git = await isGitRepo(root);
  let branch = git ? ((await currentBranch(root)) ?? null) : null;
  const handoffBranch = handoff?.branch ?? latestSession(project.db)?.branch ?? null;
  let checkedOut = false;
  if (options.checkout && handoffBranch && branch !== handoffBranch) {
    try {
      await switchToBranch(root, handoffBranch);
    } catch (error) {
      throw new UserError(`could not check out ${handoffBranch}: ${(error as Error).message}`);
    }
    branch = handoffBranch;
    checkedOut = true;
  }
  const domain = domainFromBranch(branch ?? handoffBranch ?? '') ?? latestSession(project.db)?.domain ?? 'deep';
  const session =
    latestSession(project.db, 'active') ??
    createSession(project.db, { root, domain, branch: branch ?? undefined, headSha: git ? await headSha(root) : undefined });
  adoptOrphanRows(project.db, session.id);
  const stats = sessionStats(project.db, session.id);
  const guard = getConvention(project.db, GUARD_TOPIC)?.rule ?? null;
  const branchMatches = !handoffBranch || handoffBranch === branch;
  return {
    session,
    branch,
    handoffBranch,
    branchMatches,
    checkedOut,
    domain,
    handoff: project.readFile('HANDOFF.md') ?? handoff?.imported_markdown ?? null,
    recent: listExperiments(project.db, session.id).slice(-RECENT_ROWS),
    stats,
    guard,
    conventions: project.readFile('conventions.md') ?? null,
    learnings: project.readFile('learnings.md') ?? null,
    next: branchMatches
      ? nextSteps(stats, guard !== null)
      : [
          `The handoff was written on ${handoffBranch} but ${branch ?? 'no branch'} is checked out: call session_resume with checkout true, or git switch ${handoffBranch}.`,
        ],
  };
}
