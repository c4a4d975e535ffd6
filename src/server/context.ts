import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { statePaths } from '../state/paths.js';
import { Project } from '../state/project.js';
import { getSession, latestSession, type SessionRow } from '../state/sessions.js';
import { JobManager } from './jobs.js';
import { Logger } from './logger.js';
import { RootPolicy } from './roots.js';

export interface ServerOptions {
  /** Project root given on the command line (`--root`). */
  root?: string;
  /** Where the state lives, if not `<root>/.codeflash`. */
  stateDir?: string;
  logger?: Logger;
  /** How long a call that starts a job waits for it before answering with the job id (default 8 s). */
  jobStartWaitMs?: number;
  /** Run jobs in detached runner processes started by this command (`[node, cli.js]`), so they outlive the server. */
  detachJobs?: { argv: string[] };
  /** Set in a runner process: the job it runs. */
  runJobId?: string;
}

/**
 * What every tool call shares: which directories are allowed, the open project
 * stores (one per root, opened on first use), the active project and the jobs.
 */
export class ServerContext {
  readonly roots: RootPolicy;
  readonly logger: Logger;
  readonly jobs: JobManager;
  private readonly projects = new Map<string, Project>();
  private activeRoot: string | undefined;
  private readonly projectOpenedListeners: ((project: Project) => void)[] = [];
  private rootsKnown: Promise<void> = Promise.resolve();

  constructor(readonly options: ServerOptions = {}) {
    this.roots = new RootPolicy(options.root);
    this.logger = options.logger ?? new Logger();
    this.jobs = new JobManager(this.logger);
  }

  /** Call `listener` for every open project and each one opened later; returns the unsubscribe. */
  onProjectOpened(listener: (project: Project) => void): () => void {
    this.projectOpenedListeners.push(listener);
    for (const project of this.projects.values()) listener(project);
    return () => {
      const i = this.projectOpenedListeners.indexOf(listener);
      if (i >= 0) this.projectOpenedListeners.splice(i, 1);
    };
  }

  /** The store of a root (the `root` argument, confined), opening it on first use. */
  project(root?: string): Project {
    const path = this.roots.resolve(root ?? this.activeRoot);
    let project = this.projects.get(path);
    if (!project) {
      project = Project.open(path, { stateDir: this.options.stateDir, ownJob: this.options.runJobId });
      this.projects.set(path, project);
      if (project.interruptedJobs)
        this.logger.warn(`${project.interruptedJobs} job(s) were cut off by an earlier stop and are marked interrupted`);
      for (const listener of this.projectOpenedListeners) listener(project);
    }
    return project;
  }

  /** The active project's store if it is open or exists on disk; undefined rather than creating one. */
  existingProject(): Project | undefined {
    let path: string;
    try {
      path = this.roots.resolve(this.activeRoot);
    } catch {
      return undefined;
    }
    if (this.projects.has(path) || existsSync(statePaths(path, this.options.stateDir).database)) return this.project(path);
    return undefined;
  }

  /** Remember an in-flight fetch of the client's roots, so the first tool call can wait for it. */
  setRootsLoading(loading: Promise<void>): void {
    this.rootsKnown = loading;
  }

  /** Wait (at most 2 s) until the client's roots are known. */
  async whenRootsKnown(): Promise<void> {
    await Promise.race([this.rootsKnown, new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  setActiveRoot(root: string): void {
    this.activeRoot = root;
  }

  /**
   * The session a call works on: the one named, else the latest active one in
   * the active project. Unknown ids and a missing session are errors that say
   * what to do.
   */
  session(project: Project, sessionId?: string): SessionRow {
    if (sessionId) {
      const session = getSession(project.db, sessionId);
      if (!session) throw new UserError(`unknown session ${sessionId} in ${project.paths.root}; session_status lists the current one`);
      return session;
    }
    const session = latestSession(project.db, 'active');
    if (!session) throw new UserError(`no active session in ${project.paths.root}; call session_start first`);
    return session;
  }

  /** The active project and the session a call names (or its latest active one). */
  current(sessionId?: string): { project: Project; session: SessionRow } {
    const project = this.project();
    return { project, session: this.session(project, sessionId) };
  }

  async close(): Promise<void> {
    await this.jobs.shutdown();
    for (const project of this.projects.values()) project.close();
    this.projects.clear();
  }
}
