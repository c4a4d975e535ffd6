import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { groupAlive } from '../../src/proc/children.js';
import { type ProfileResult, SPEEDSCOPE_SCHEMA } from '../../src/profilers/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/profile/', import.meta.url));

const made: string[] = [];

export function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codeflash-profile-'));
  made.push(dir);
  return dir;
}

export function removeOutDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The process group ends within the kill grace (SIGTERM, then SIGKILL). */
export async function expectGroupGone(pid: number | undefined): Promise<void> {
  expect(pid).toBeTypeOf('number');
  const deadline = Date.now() + 5000;
  while (groupAlive(pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(groupAlive(pid!)).toBe(false);
}

/** Command lines of every live process that mention `text`. */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text)) found.push(cmdline);
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

export function topFunction(result: ProfileResult): string {
  return result.hotspots[0]?.function ?? '(none)';
}

/** The speedscope file parses, names the schema, and every sample points at a real frame. */
export function expectValidSpeedscope(result: ProfileResult): void {
  const file = JSON.parse(readFileSync(result.artifacts.speedscope, 'utf8'));
  expect(file.$schema).toBe(SPEEDSCOPE_SCHEMA);
  const frames = file.shared.frames.length;
  expect(frames).toBeGreaterThan(0);
  const [profile] = file.profiles;
  expect(profile.type).toBe('sampled');
  expect(profile.samples.length).toBe(profile.weights.length);
  expect(profile.samples.length).toBeGreaterThan(0);
  for (const sample of profile.samples) for (const id of sample) expect(id).toBeLessThan(frames);
  expect(profile.endValue).toBeGreaterThan(0);
}
