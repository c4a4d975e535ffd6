import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Global setup: every temporary directory the tests make — repositories,
 * worktrees, profiles, the server's scratch files — goes under one directory of
 * this run (TMPDIR is inherited by the test workers and the servers they start),
 * removed when the run ends.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'codeflash-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
