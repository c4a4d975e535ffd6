import { pruneWorktrees } from '../bench/worktrees.js';
import {
  assertPlainBranchName,
  detectEnvironment,
  domainFromBranch,
  type ProjectEnvironment,
  perfBranchName,
  renderSetupMarkdown,
  validateBranchName,
} from '../env/index.js';
import { excerpt, UserError } from '../errors.js';
import { parseCommand } from '../proc/command.js';
import type { ImportReport } from '../state/legacy-import.js';
import { GUARD_TOPIC, setConvention } from '../state/notes.js';
import type { Project } from '../state/project.js';
import { adoptOrphanRows, createSession, type Domain, endOtherSessions, type SessionRow } from '../state/sessions.js';
import { currentBranch, headSha, isGitRepo, switchToBranch } from '../workspace/git.js';
import { refuseOptionLike } from '../workspace/paths.js';

export interface StartRequest {
  goal?: string;
  domain?: Domain;
  guard?: string;
  /** A slug (becomes `perf/<marker>-<slug>`) or, with a slash, a full branch name. */
  branch?: string;
}

export interface StartedSession {
  session: SessionRow;
  env: ProjectEnvironment;
  branch: string | null;
  branchCreated: boolean;
  domain: Domain;
  guard: string | null;
  filesWritten: string[];
  imported: ImportReport | undefined;
  endedSessions: string[];
}

/** A bare slug becomes `perf/<marker>-<slug>`; a name with a slash is taken as the full branch name. */
function resolveBranchName(branch: string, domain: Domain): string {
  refuseOptionLike('branch', branch);
  if (branch.includes('/')) assertPlainBranchName(branch);
  const name = branch.includes('/') ? branch : perfBranchName(domain, branch);
  const problem = validateBranchName(name);
  if (problem) throw new UserError(`branch ${JSON.stringify(excerpt(branch))} is not usable: ${problem}`);
  return name;
}

function checkGuard(guard: string): void {
  refuseOptionLike('guard', guard);
  try {
    parseCommand(guard);
  } catch (error) {
    throw new UserError(`guard is not a command: ${(error as Error).message}`);
  }
}

/**
 * Begin an optimization session in a project: pick the domain (asked for, else
 * the branch's marker, else deep), check out or create the session branch,
 * clear worktrees a killed server left, detect the environment, record the
 * session (ending older active ones), write setup.md and, when given, the guard.
 * Everything that can be refused is checked before anything changes.
 */
export async function startSession(project: Project, request: StartRequest): Promise<StartedSession> {
  const root = project.paths.root;
  if (request.guard !== undefined) checkGuard(request.guard);
  const git = await isGitRepo(root);
  const startBranch = git ? await currentBranch(root) : undefined;
  // A full branch name asked for carries its own marker; else the branch we are on may.
  const named = request.branch?.includes('/') ? domainFromBranch(request.branch) : undefined;
  const domain: Domain = request.domain ?? named ?? domainFromBranch(startBranch ?? '') ?? 'deep';
  const branchName = request.branch !== undefined ? resolveBranchName(request.branch, domain) : undefined;
  if (branchName && !git) throw new UserError(`${root} is not a git repository, so no branch can be made; omit branch or run git init`);

  let branchCreated = false;
  if (branchName && branchName !== startBranch) {
    try {
      branchCreated = (await switchToBranch(root, branchName)).created;
    } catch (error) {
      throw new UserError(`could not check out ${branchName}: ${(error as Error).message}`);
    }
  }
  if (git) await pruneWorktrees(root, project.paths.worktreesDir);
  const env = await detectEnvironment(root);
  const branch = git ? ((await currentBranch(root)) ?? null) : null;
  const session = createSession(project.db, {
    root,
    goal: request.goal,
    domain,
    branch: branch ?? undefined,
    headSha: git ? await headSha(root) : undefined,
    environment: env,
  });
  const endedSessions = endOtherSessions(project.db, session.id);
  adoptOrphanRows(project.db, session.id);
  const filesWritten = [project.writeFile('setup.md', renderSetupMarkdown(env))];
  if (request.guard !== undefined) {
    setConvention(project.db, GUARD_TOPIC, request.guard);
    filesWritten.push(project.renderConventions());
  }
  const imported = project.takeImportReport();
  if (imported) filesWritten.push(project.renderResults());
  return { session, env, branch, branchCreated, domain, guard: request.guard ?? null, filesWritten, imported, endedSessions };
}
