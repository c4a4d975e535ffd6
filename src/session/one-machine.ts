import { describeMachine, type MachineRecord, sameMachine } from '../env/machine.js';
import { UserError } from '../errors.js';
import type { Db } from '../state/database.js';
import { listExperiments } from '../state/experiments.js';
import { storedPlace } from '../state/measured-on.js';
import { getVmHost } from '../state/vm-hosts.js';

/**
 * Numbers from different machines never meet under one metric: a host's
 * comparison is recorded under a metric naming the host (`ms@bench-1`), a local
 * one under a metric naming no registered host, and a comparison whose machine differs from
 * one already cited under the same metric in the session is refused.
 */
export function assertOneMachinePerMetric(db: Db, sessionId: string, metric: string, comparisonId: string): void {
  const stored = storedPlace(db, comparisonId);
  if (!stored) return;
  const suffix = /@([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(metric)?.[1];
  if (stored.host && suffix !== stored.host) {
    throw new UserError(
      `comparison ${comparisonId} was measured on host ${stored.host}, not here: record it under a metric naming the host, e.g. "${metric.replace(/@.*$/, '')}@${stored.host}", so it is never set against local numbers`,
    );
  }
  if (!stored.host && suffix && getVmHost(db, suffix)) {
    throw new UserError(`comparison ${comparisonId} was measured locally, but metric "${metric}" names host ${suffix}: drop "@${suffix}"`);
  }
  const machine = stored.machine as MachineRecord | undefined;
  if (!machine) return;
  for (const row of listExperiments(db, sessionId)) {
    if (row.metric !== metric || !row.comparison_id || row.comparison_id === comparisonId) continue;
    const other = storedPlace(db, row.comparison_id)?.machine as MachineRecord | undefined;
    if (other && !sameMachine(other, machine)) {
      throw new UserError(
        `comparison ${comparisonId} ran on another machine than experiment #${row.n} recorded under "${metric}" (${describeMachine(machine)} against ${describeMachine(other)}): record it under a metric of its own, e.g. "${metric}@${machine.host_name}"`,
      );
    }
  }
}
