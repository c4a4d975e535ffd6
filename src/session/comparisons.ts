import { type BisectHooks, type BisectRequest, type BisectResult, bisectRefs } from '../bench/bisect.js';
import type { Comparison } from '../bench/compare.js';
import { type PublicComparison, publicComparison } from '../bench/public.js';
import type { SampleStore } from '../bench/sample-cache.js';
import { saveArtifact } from '../state/artifacts.js';
import { getCommitSamples, putCommitSamples } from '../state/commit-samples.js';
import type { StoredRequest } from '../state/comparisons.js';
import type { Project } from '../state/project.js';

/**
 * Store a comparison in its public fields, as benchmark_compare, vm_bench,
 * benchmark_bisect and the CLI's compare and bisect all store theirs, so
 * record_result, PR bodies and the handoff can cite any of them by id; with the
 * inputs it ran with, a PR body builds its reproducer from them.
 */
export function recordComparison<Place extends { host: string; address: string } | Record<never, never>>(
  project: Project,
  sessionId: string | null,
  comparison: Comparison,
  request?: StoredRequest,
  /** Where a remote host measured it (vm_bench): its name, and user@host:port. */
  place?: Place,
): { id: string; record: PublicComparison & Place } {
  const record = { ...(request ? { request } : {}), ...publicComparison(comparison), ...place } as PublicComparison & Place;
  const summary = {
    mode: record.mode,
    base: record.base,
    head: record.head,
    rows: record.rows,
    ...(place && 'host' in place ? { host: place.host } : {}),
  };
  return { id: saveArtifact(project.db, 'comparison', sessionId, summary, record), record };
}

/** The project's store of instruction counts per commit. */
export function commitSampleStore(project: Project): SampleStore {
  return {
    get: (key, sha) => getCommitSamples(project.db, key, sha),
    put: (key, sha, samples) => putCommitSamples(project.db, key, sha, samples),
  };
}

/** A bisect whose every comparison is stored, and whose commits' counts are kept for the next bisect of the same range. */
export function bisectInProject(
  project: Project,
  sessionId: string | null,
  request: BisectRequest,
  hooks: Omit<BisectHooks, 'onComparison' | 'samples'>,
): Promise<BisectResult> {
  return bisectRefs(request, {
    ...hooks,
    samples: commitSampleStore(project),
    onComparison: (comparison) => recordComparison(project, sessionId, comparison).id,
  });
}
