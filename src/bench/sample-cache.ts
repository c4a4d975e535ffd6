import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VERSION } from '../package.js';
import { confinedPath } from '../workspace/paths.js';
import type { CompareRequest } from './compare.js';
import type { Measured, PreparedSide } from './measure.js';
import { machineDescription } from './report.js';
import type { Runner, Side } from './runners/runner.js';
import { WORKING_TREE_REF } from './worktrees.js';

/** Samples per benchmark name, as one side of a compare measured them. */
export type CommitSamples = Record<string, number[]>;

/**
 * Where deterministic runs (instruction counts) of a commit are kept, so a
 * commit measured once need not run again for the same command on the same
 * machine: a bisect compares every commit it visits against the same good one.
 */
export interface SampleStore {
  get(key: string, sha: string): CommitSamples | undefined;
  put(key: string, sha: string, samples: CommitSamples): void;
}

/**
 * What makes two runs of a commit count the same instructions: the mode, the
 * runner's exact command (interpreter path included), the setup, the content of
 * injected files and the machine (glibc picks its string routines by CPU).
 * Undefined for runners whose numbers differ from run to run: those are only
 * comparable within one interleaved compare.
 */
export async function sampleKey(request: CompareRequest, runner: Runner): Promise<string | undefined> {
  if (!runner.deterministic) return undefined;
  const hash = createHash('sha256');
  hash.update(JSON.stringify([VERSION, request.mode, runner.describe(), request.setup ?? null, machineDescription()]));
  for (const path of [...(request.inject ?? [])].sort()) await hashTree(hash, confinedPath(request.root, path, 'inject path'), path);
  return hash.digest('hex').slice(0, 32);
}

async function hashTree(hash: ReturnType<typeof createHash>, path: string, name: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return void hash.update(`\0missing ${name}`);
  if (!info.isDirectory()) return void hash.update(`\0${name}\0`).update(await readFile(path));
  for (const entry of (await readdir(path)).sort()) await hashTree(hash, join(path, entry), `${name}/${entry}`);
}

/** The sides whose commit already has at least `runs` samples in the store; a working-tree snapshot never has. */
export function recallSides(store: SampleStore, key: string, sides: PreparedSide[], runs: number): Partial<Record<Side, CommitSamples>> {
  const recalled: Partial<Record<Side, CommitSamples>> = {};
  for (const side of sides) {
    if (side.ref.ref === WORKING_TREE_REF) continue;
    const samples = store.get(key, side.ref.sha);
    if (samples && Object.values(samples).every((values) => values.length >= runs)) recalled[side.side] = samples;
  }
  return recalled;
}

/** Keep the samples of the sides that ran (not recalled, not a working-tree snapshot). */
export function rememberSides(
  store: SampleStore,
  key: string,
  sides: PreparedSide[],
  measured: Measured,
  recalled: Partial<Record<Side, CommitSamples>>,
): void {
  for (const side of sides) {
    if (recalled[side.side] || side.ref.ref === WORKING_TREE_REF) continue;
    const samples = Object.fromEntries([...measured.samples].map(([name, values]) => [name, values[side.side]]));
    store.put(key, side.ref.sha, samples);
  }
}
