import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { orphanedWorktrees, pruneWorktrees } from '../bench/worktrees.js';
import { defineTool } from '../server/define-tool.js';
import { listExperiments } from '../state/experiments.js';
import { addHandoff } from '../state/notes.js';
import { KEPT_FILES } from '../state/paths.js';
import { endSession } from '../state/sessions.js';
import { currentBranch, isGitRepo } from '../workspace/git.js';
import { sessionIdInput } from './shared.js';

const lines = (max: number) => z.array(z.string().min(1).max(1000)).max(max);

export const writeHandoff = defineTool({
  name: 'write_handoff',
  title: 'Write HANDOFF.md',
  description:
    'Write .codeflash/HANDOFF.md for the next session: status, best result, kept and discarded experiments, conventions, plus the next steps, discoveries and blockers given.',
  input: {
    next_steps: lines(20).min(1).describe('Concrete next actions, most important first.'),
    discoveries: lines(30).optional().describe('Non-obvious facts found this session.'),
    blockers: lines(20).optional(),
    summary: z.string().max(4000).optional().describe('A short paragraph on where things stand.'),
    session_id: sessionIdInput,
  },
  output: { path: z.string(), branch: z.string().nullable() },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const branch = (await currentBranch(project.paths.root)) ?? session.branch;
    addHandoff(project.db, {
      sessionId: session.id,
      branch,
      summary: args.summary,
      nextSteps: args.next_steps,
      discoveries: args.discoveries,
      blockers: args.blockers,
    });
    const path = project.renderHandoff(session.id);
    return {
      path,
      branch,
      summary: `HANDOFF.md written for ${branch ?? 'this session'} with ${args.next_steps.length} next step(s).`,
      next: ['A later session continues with session_resume.'],
    };
  },
});

export const writeChangelog = defineTool({
  name: 'write_changelog',
  title: 'Write changelog.md',
  description: "Write .codeflash/changelog.md from the session's kept experiments.",
  input: { session_id: sessionIdInput },
  output: { path: z.string(), kept: z.number() },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const kept = listExperiments(project.db, session.id).filter((r) => r.status === 'keep').length;
    const path = project.renderChangelog(session.id);
    return { path, kept, summary: `changelog.md lists ${kept} kept optimization(s).`, next: [] };
  },
});

/** The store and its git rules stay: they are the ledger, not transient files. */
const ALWAYS_KEPT = new Set<string>([...KEPT_FILES, '.gitignore', 'state.sqlite', 'state.sqlite-wal', 'state.sqlite-shm', 'reverts']);

export const sessionCleanup = defineTool({
  name: 'session_cleanup',
  title: 'Clean up the session',
  description:
    'End the session; remove transient .codeflash/ files (HANDOFF.md, setup.md, conventions.md, drafts, profiles) and worktrees left by ended servers. Keeps learnings.md, results.tsv, changelog.md, the store and revert patches. dry_run lists first.',
  input: {
    dry_run: z.boolean().optional().describe('Only list what would go.'),
    session_id: sessionIdInput,
  },
  output: { removed: z.array(z.string()), kept: z.array(z.string()), dry_run: z.boolean(), session_ended: z.boolean() },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const dir = project.paths.stateDir;
    const entries = existsSync(dir) ? readdirSync(dir) : [];
    const files = entries.filter((name) => !ALWAYS_KEPT.has(name)).map((name) => join(dir, name));
    const kept = entries.filter((name) => ALWAYS_KEPT.has(name)).map((name) => join(dir, name));
    // Only worktrees whose server has ended: a compare still running (here or in another server) keeps its own.
    const git = await isGitRepo(project.paths.root);
    const dryRun = args.dry_run ?? false;
    if (!dryRun) for (const path of files) rmSync(path, { recursive: statSync(path).isDirectory(), force: true });
    const worktrees = !git
      ? []
      : dryRun
        ? await orphanedWorktrees(project.paths.worktreesDir)
        : await pruneWorktrees(project.paths.root, project.paths.worktreesDir);
    if (!dryRun) endSession(project.db, session.id);
    const removed = [...files, ...worktrees];
    return {
      removed,
      kept,
      dry_run: dryRun,
      session_ended: !dryRun,
      summary: dryRun
        ? `Would remove ${removed.length} item(s) and keep ${kept.length}.`
        : `Removed ${removed.length} item(s); session ${session.id} ended. learnings.md, results.tsv and changelog.md stay.`,
      next: dryRun ? ['Call again without dry_run to remove them.'] : [],
    };
  },
});
