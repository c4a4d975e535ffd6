import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Whether a process exists and is not a zombie waiting to be reaped. */
export function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, ms: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

/** Command lines of the running processes that contain `marker` (the `ps` that lists them left out). */
export function processesWith(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes(marker) && !line.startsWith('ps '));
}

/** Whether a process runs with exactly this command line. */
export function runningExactly(command: string): boolean {
  return processesWith(command).includes(command);
}
