import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type NodeInstallPlan, nodeInstallPlan } from '../env/node.js';
import { formatCommand } from '../proc/command.js';
import { type CompareHooks, contextFor, type PreparedSide } from './measure.js';
import { runChecked } from './runners/runner.js';
import { markSetupDone, setupDone } from './worktrees.js';

/** Whether a compare of this project installs dependencies into its worktrees (and so keeps them for the next compare). */
export async function needsNodeInstall(root: string): Promise<boolean> {
  return (await nodeInstallPlan(root)) !== undefined;
}

/**
 * Make each worktree of a JavaScript/TypeScript project ready the way the
 * project does: its frozen-lockfile install, then its build script when an
 * entry point of package.json or a path the benchmark needs is missing after
 * the install. A kept worktree remembers what ran (install command, lockfile
 * hash, build script) beside it, so the next compare of the same commit
 * installs nothing.
 */
export async function installNodeWorktrees(
  sides: PreparedSide[],
  options: { timeoutMs: number; requiredPaths: string[] },
  hooks: CompareHooks,
): Promise<void> {
  const done = new Set<string>();
  for (const side of sides) {
    const { worktree } = side;
    if (done.has(worktree.dir)) continue;
    done.add(worktree.dir);
    const plan = await nodeInstallPlan(worktree.dir);
    if (!plan) continue;
    const key = await planKey(worktree.dir, plan);
    if (await setupDone(worktree, key, 'install')) {
      hooks.log?.(`dependencies already installed for ${side.label}`);
      continue;
    }
    const run = async (argv: string[]) => {
      hooks.log?.(`${formatCommand(argv)} on ${side.label}`);
      const context = contextFor(side, { scratchDir: '', warmup: false, timeoutMs: options.timeoutMs, signal: hooks.signal });
      await runChecked({ argv, shell: false, env: {} }, { ...context, label: `${side.label} during ${formatCommand(argv)}` });
    };
    await run(plan.install);
    const missing = [...plan.entryPoints, ...options.requiredPaths].filter((path) => !existsSync(join(worktree.dir, path)));
    if (plan.build && missing.length > 0) await run(plan.build);
    await markSetupDone(worktree, key, 'install');
  }
}

async function planKey(dir: string, plan: NodeInstallPlan): Promise<string> {
  const lock = plan.lockfile ? await readFile(join(dir, plan.lockfile)) : undefined;
  const lockHash = lock ? createHash('sha256').update(lock).digest('hex') : 'none';
  return [
    formatCommand(plan.install),
    `${plan.lockfile ?? 'no lockfile'} ${lockHash}`,
    plan.build ? formatCommand(plan.build) : 'no build',
  ].join('\n');
}
