import { orphanedWorktrees, pruneWorktrees } from '../bench/worktrees.js';
import type { Project } from '../state/project.js';
import { endSession, type SessionRow } from '../state/sessions.js';
import { isGitRepo } from '../workspace/git.js';

export interface Cleanup {
  removed: string[];
  kept: string[];
  dryRun: boolean;
}

/**
 * End a session and clear what it leaves: the transient state files and the
 * worktrees of servers that have ended (a compare still running, here or in
 * another server, keeps its own). A dry run lists the same items and changes nothing.
 */
export async function cleanupSession(project: Project, session: SessionRow, options: { dryRun: boolean }): Promise<Cleanup> {
  const { transient, kept } = project.transientEntries();
  const git = await isGitRepo(project.paths.root);
  if (options.dryRun) {
    const worktrees = git ? await orphanedWorktrees(project.paths.worktreesDir) : [];
    return { removed: [...transient, ...worktrees], kept, dryRun: true };
  }
  const removed = project.removeTransientEntries();
  const worktrees = git ? await pruneWorktrees(project.paths.root, project.paths.worktreesDir) : [];
  endSession(project.db, session.id);
  return { removed: [...removed, ...worktrees], kept, dryRun: false };
}
