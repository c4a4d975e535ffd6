import { describeMachine, type MachineRecord, sameMachine } from '../env/machine.js';
import { UserError } from '../errors.js';
import type { Db } from '../state/database.js';
import { listExperiments } from '../state/experiments.js';
import { storedPlace } from '../state/measured-on.js';

/**
 * Numbers from different machines never meet under one metric: a host's
 * comparison is recorded under a metric naming the host (`wall_ms@bench-1`,
 * see comparisonMetric), and a comparison whose machine differs from one
 * already cited under the same metric in the session is refused.
 */
export function assertOneMachinePerMetric(db: Db, sessionId: string, metric: string, comparisonId: string): void {
  const machine = storedPlace(db, comparisonId)?.machine as MachineRecord | undefined;
  if (!machine) return;
  for (const row of listExperiments(db, sessionId)) {
    if (row.metric !== metric || !row.comparison_id || row.comparison_id === comparisonId) continue;
    const other = storedPlace(db, row.comparison_id)?.machine as MachineRecord | undefined;
    if (other && !sameMachine(other, machine)) {
      throw new UserError(
        `comparison ${comparisonId} ran on another machine than experiment #${row.n} recorded under "${metric}" (${describeMachine(machine)} against ${describeMachine(other)}): numbers from two machines are never set against each other`,
      );
    }
  }
}
