import { killAllGroups } from '../proc/children.js';
import type { Logger } from './logger.js';

/** Total time shutdown may take before the process exits regardless. */
const HARD_LIMIT_MS = 1800;

/**
 * End the process cleanly when stdin closes (the host went away), on SIGINT or
 * SIGTERM: stop jobs, kill every child process group, close the stores, exit.
 * A hard timer guarantees the exit even if a step hangs.
 */
export function installShutdown(close: () => Promise<void>, logger: Logger, options: { watchStdin: boolean }): () => Promise<void> {
  let started = false;
  const shutdown = async (why: string) => {
    if (started) return;
    started = true;
    logger.info(`shutting down (${why})`);
    setTimeout(() => {
      void killAllGroups(0).finally(() => process.exit(0));
    }, HARD_LIMIT_MS).unref();
    try {
      await Promise.race([close(), new Promise((r) => setTimeout(r, 1200).unref())]);
    } catch (error) {
      logger.error('error while closing', { error: (error as Error).message });
    }
    await killAllGroups(300);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  if (options.watchStdin) {
    process.stdin.once('end', () => void shutdown('stdin closed'));
    process.stdin.once('close', () => void shutdown('stdin closed'));
  }
  return () => shutdown('requested');
}
