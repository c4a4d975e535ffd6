import { spawn } from 'node:child_process';

/**
 * Start a program meant to outlive this process: its own process group, no
 * stdio, not tracked for shutdown (the caller hands it work it ends by itself).
 * Returns its pid.
 */
export function startDetached(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): number {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty command');
  const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: 'ignore' });
  // A start failure also arrives as an event; without a listener it would end this process.
  child.once('error', () => {});
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${file}`);
  return child.pid;
}
