import { getArtifact } from './artifacts.js';
import type { Db } from './database.js';

/** What a stored comparison says about where it ran: a vm_bench host's name, and the machine record (env/machine.ts). */
export interface StoredPlace {
  host?: string;
  machine?: { host_name: string } & Record<string, unknown>;
}

export function storedPlace(db: Db, comparisonId: string): StoredPlace | undefined {
  return getArtifact<unknown, StoredPlace>(db, comparisonId, 'comparison')?.data;
}

/** Where an experiment's numbers come from, for tables and status lines: `local`, `host bench-1`, or `by hand`. */
export function measuredOn(db: Db, comparisonId: string | null): string {
  if (!comparisonId) return 'by hand';
  const stored = storedPlace(db, comparisonId);
  if (!stored) return 'unknown';
  return stored.host ? `host ${stored.host}` : 'local';
}
