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
import { formatCommand, parseCommand } from '../proc/command.js';
import type { ImportReport } from '../state/legacy-import.js';
import { GUARD_TOPIC, getConvention, SCOPE_TOPIC, setConvention } from '../state/notes.js';
import type { Project } from '../state/project.js';
import { adoptOrphanRows, createSession, type Domain, endOtherSessions, type SessionRow } from '../state/sessions.js';
import { currentBranch, headSha, isGitRepo, switchToBranch } from '../workspace/git.js';
import { refuseOptionLike } from '../workspace/paths.js';
import { chooseDomain, type DomainChoice } from './route.js';
import { type AskUser, choicesMarkdown, isDomain, openQuestions, QUESTIONS_MESSAGE, type SetupQuestion } from './setup-questions.js';

export interface StartRequest {
  goal?: string;
  domain?: Domain;
  guard?: string;
  /** A path prefix or module the work stays in; kept as the `scope` convention. */
  scope?: string;
  /** A slug (becomes `perf/<marker>-<slug>`) or, with a slash, a full branch name. */
  branch?: string;
  /** Unattended: ask nothing, decide every open choice from the signals and write it down. */
  autonomous?: boolean;
}

export interface StartedSession {
  session: SessionRow;
  env: ProjectEnvironment;
  branch: string | null;
  branchCreated: boolean;
  domain: Domain;
  domainReason: string;
  guard: string | null;
  /** Every choice made and where it came from, as written into setup.md. */
  choices: string[];
  /** Questions nobody answered yet: the caller asks them in chat. */
  questions: SetupQuestion[];
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

/** Why a guard command cannot be used, or undefined when it can. */
function guardProblem(guard: string): string | undefined {
  try {
    refuseOptionLike('guard', guard);
    parseCommand(guard);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function checkGuard(guard: string): void {
  const problem = guardProblem(guard);
  if (problem) throw new UserError(`guard is not a command: ${problem}`);
}

function testCommandOf(env: ProjectEnvironment): string | undefined {
  const argv = env.python?.test_command ?? env.node?.test_command ?? env.go?.test_command;
  return argv ? formatCommand(argv) : undefined;
}

interface Settled {
  goal?: string;
  domain: DomainChoice;
  guard?: string;
  scope?: string;
  choices: string[];
  questions: SetupQuestion[];
}

/**
 * Settle goal, domain, guard and scope before anything changes: what the call
 * gave, else what the store already holds, else the user's answers to one
 * batch of questions, else (unattended) the signals. Each choice is written
 * down with where it came from.
 */
async function settleChoices(
  project: Project,
  request: StartRequest,
  context: { env: ProjectEnvironment; startBranch?: string; ask?: AskUser },
): Promise<Settled> {
  const route = (goal: string | undefined, asked: Domain | undefined) =>
    chooseDomain({
      asked,
      goal,
      namedBranch: request.branch?.includes('/') ? { name: request.branch, domain: domainFromBranch(request.branch) } : undefined,
      currentBranch: context.startBranch ? { name: context.startBranch, domain: domainFromBranch(context.startBranch) } : undefined,
    });
  const testCommand = testCommandOf(context.env);
  const keptGuard = getConvention(project.db, GUARD_TOPIC)?.rule;
  const keptScope = getConvention(project.db, SCOPE_TOPIC)?.rule;
  let goal = request.goal?.trim() || undefined;
  let domain = route(goal, request.domain);
  let guard = request.guard ?? keptGuard;
  let scope = request.scope?.trim() || keptScope;
  const source = {
    guard: request.guard ? 'given' : keptGuard ? 'kept from conventions.md' : '',
    scope: request.scope ? 'given' : 'kept from conventions.md',
  };

  const asked = request.autonomous ? [] : openQuestions({ goal, domain, scope, guard, testCommand });
  let questions: SetupQuestion[] = [];
  if (asked.length) {
    const answers = context.ask ? await context.ask(QUESTIONS_MESSAGE, asked) : undefined;
    if (!answers) questions = asked;
    else {
      goal = answers.goal?.trim() || goal;
      domain = route(goal, isDomain(answers.domain) ? answers.domain : request.domain);
      if (answers.scope?.trim()) [scope, source.scope] = [answers.scope.trim(), 'answered'];
      const answeredGuard = answers.guard?.trim();
      const problem = answeredGuard ? guardProblem(answeredGuard) : undefined;
      if (answeredGuard && !problem) [guard, source.guard] = [answeredGuard, 'answered'];
      if (problem)
        questions.push({
          ...asked.find((q) => q.name === 'guard')!,
          question: `The guard answered is not a command (${problem}); which command must keep passing?`,
        });
    }
  }
  if (request.autonomous && !guard && testCommand) [guard, source.guard] = [testCommand, 'the detected test command (unattended)'];

  const choices = [
    goal ? `goal: ${goal}` : 'goal: not given',
    `domain ${domain.domain}: ${domain.reason}`,
    guard ? `guard \`${guard}\`: ${source.guard}` : 'guard: none yet, so run_guard cannot check changes',
    scope ? `scope ${scope}: ${source.scope}` : 'scope: the whole project',
  ];
  if (request.autonomous) choices.push('unattended: nothing was asked');
  return { goal, domain, guard, scope, choices, questions };
}

/**
 * Begin an optimization session in a project: settle the choices (asking the
 * open ones in one batch when a way to ask is given), check out or create the
 * session branch, clear worktrees a killed server left, detect the
 * environment, record the session (ending older active ones), write setup.md
 * with the choices, and the guard and scope conventions. Everything that can
 * be refused is checked before anything changes.
 */
export async function startSession(project: Project, request: StartRequest, options: { ask?: AskUser } = {}): Promise<StartedSession> {
  const root = project.paths.root;
  if (request.guard !== undefined) checkGuard(request.guard);
  if (request.scope !== undefined) refuseOptionLike('scope', request.scope);
  // Checked now with a stand-in domain, so a bad name is refused before anything is asked.
  if (request.branch !== undefined) resolveBranchName(request.branch, 'deep');
  const git = await isGitRepo(root);
  const startBranch = git ? await currentBranch(root) : undefined;
  if (request.branch !== undefined && !git) {
    throw new UserError(`${root} is not a git repository, so no branch can be made; omit branch or run git init`);
  }
  let env = await detectEnvironment(root);
  const settled = await settleChoices(project, request, { env, startBranch, ask: options.ask });
  const domain = settled.domain.domain;
  // A slug's branch name carries the domain's marker: while the domain is an open question, no branch is made.
  const domainOpen = settled.questions.some((q) => q.name === 'domain') && !request.branch?.includes('/');
  const branchName = request.branch !== undefined && !domainOpen ? resolveBranchName(request.branch, domain) : undefined;
  if (request.branch !== undefined && domainOpen) settled.choices.push(`branch: made once the domain is answered`);

  let branchCreated = false;
  if (branchName && branchName !== startBranch) {
    try {
      branchCreated = (await switchToBranch(root, branchName)).created;
    } catch (error) {
      throw new UserError(`could not check out ${branchName}: ${(error as Error).message}`);
    }
    // A new branch starts from HEAD with the same files; an existing one may hold others.
    if (!branchCreated) env = await detectEnvironment(root);
  }
  if (git) await pruneWorktrees(root, project.paths.worktreesDir);
  const branch = git ? ((await currentBranch(root)) ?? null) : null;
  const session = createSession(project.db, {
    root,
    goal: settled.goal,
    domain,
    branch: branch ?? undefined,
    headSha: git ? await headSha(root) : undefined,
    environment: env,
  });
  const endedSessions = endOtherSessions(project.db, session.id);
  adoptOrphanRows(project.db, session.id);
  const setup = `${renderSetupMarkdown(env)}\n${choicesMarkdown(settled.choices, settled.questions)}`;
  const filesWritten = [project.writeFile('setup.md', setup)];
  const conventions: [string, string | undefined][] = [
    [GUARD_TOPIC, settled.guard],
    [SCOPE_TOPIC, settled.scope],
  ];
  let conventionsChanged = false;
  for (const [topic, rule] of conventions) {
    if (rule === undefined || getConvention(project.db, topic)?.rule === rule) continue;
    setConvention(project.db, topic, rule);
    conventionsChanged = true;
  }
  if (conventionsChanged) filesWritten.push(project.renderConventions());
  const imported = project.takeImportReport();
  if (imported) filesWritten.push(project.renderResults());
  return {
    session,
    env,
    branch,
    branchCreated,
    domain,
    domainReason: settled.domain.reason,
    guard: settled.guard ?? null,
    choices: settled.choices,
    questions: settled.questions,
    filesWritten,
    imported,
    endedSessions,
  };
}
