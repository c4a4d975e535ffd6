import { z } from 'zod';
import { formatChangePct, formatMeasured } from '../format.js';
import { defineTool } from '../server/define-tool.js';
import { recordExperiment } from '../session/record.js';
import { EXPERIMENT_STATUSES, experimentFiles, PLATEAU_AFTER, PROOFS, sessionStats } from '../state/experiments.js';
import { refuseOptionLike } from '../workspace/paths.js';
import { sessionIdInput } from './shared.js';

export const recordResult = defineTool({
  name: 'record_result',
  title: 'Record an experiment',
  description:
    'Append an experiment to the ledger (results.tsv); comparison_id supplies its numbers. keep needs a faster verdict or override_reason; with files, keep commits exactly those (hooks run) and discard restores them.',
  input: {
    target: z.string().min(1).max(300).describe('e.g. "pkg/parse.py:tokenize".'),
    hypothesis: z.string().min(1).max(2000).describe('Also the commit message.'),
    metric: z.string().min(1).max(100).optional().describe('Needed without comparison_id.'),
    baseline: z.number().positive('baseline must be greater than 0 (percentages are taken of it)').optional(),
    value: z.number().nonnegative('value must not be negative').optional(),
    direction: z.enum(['lower', 'higher']).optional().describe('Default lower.'),
    status: z.enum(EXPERIMENT_STATUSES),
    commit: z
      .string()
      .max(40)
      .regex(/^[0-9a-fA-F]{7,40}$/, 'commit must be a hex sha (7–40 characters)')
      .optional(),
    comparison_id: z.string().max(40).optional(),
    row: z.string().max(500).optional().describe('Comparison row, if several.'),
    files: z.array(z.string().min(1).max(1000)).max(200).optional(),
    override_reason: z.string().min(1).max(1000).optional(),
    notes: z.string().max(2000).optional(),
    session_id: sessionIdInput,
  },
  output: {
    experiment_id: z.number().describe('n in results.tsv'),
    n: z.number().describe('experiments so far'),
    improvement_pct: z.number().nullable().describe('positive is better'),
    proof: z.enum(PROOFS).nullable(),
    commit: z.string().nullable(),
    restored: z.array(z.string()).optional(),
    consecutive_discards: z.number(),
    plateau: z.boolean(),
    best_improvement_pct: z.number().nullable(),
  },
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    refuseOptionLike('target', args.target);
    const recorded = await recordExperiment(project, session, {
      target: args.target,
      hypothesis: args.hypothesis,
      metric: args.metric,
      baseline: args.baseline,
      value: args.value,
      direction: args.direction,
      status: args.status,
      commit: args.commit,
      comparisonId: args.comparison_id,
      row: args.row,
      files: args.files,
      overrideReason: args.override_reason,
      notes: args.notes,
    });
    const { row } = recorded;
    project.renderResults();
    const stats = sessionStats(project.db, session.id);
    const git = recorded.committed
      ? ` Committed ${experimentFiles(row).length} file(s) as ${recorded.committed.slice(0, 12)}.`
      : recorded.restored
        ? ` Restored ${recorded.restored.files.length} file(s) to HEAD${recorded.restored.patch ? `; the undone change is in ${recorded.restored.patch}` : ''}.`
        : '';
    const next = stats.plateau
      ? [
          `${PLATEAU_AFTER}+ discards in a row: plateau. Re-profile for a new target or domain, or wrap up with write_handoff and pr_inventory.`,
        ]
      : args.status === 'keep'
        ? [
            recorded.committed || row.commit_sha
              ? 'Re-profile (the ranking moved), then try the next target.'
              : 'Commit the change (or pass files next time), then re-profile.',
          ]
        : args.status === 'baseline'
          ? ['Now profile, form one hypothesis and edit.']
          : [
              recorded.restored
                ? 'Try the next hypothesis.'
                : 'Revert the change (pass files, or run_guard revert_on_failure), then try the next hypothesis.',
            ];
    return {
      experiment_id: row.n,
      n: stats.experiments,
      improvement_pct: row.improvement_pct,
      proof: row.proof,
      commit: row.commit_sha,
      ...(recorded.restored ? { restored: recorded.restored.files.map((f) => f.path) } : {}),
      consecutive_discards: stats.consecutive_discards,
      plateau: stats.plateau,
      best_improvement_pct: stats.best?.improvement_pct ?? null,
      summary: `Experiment #${row.n} (${args.status}${row.proof ? `, ${row.proof}` : ''}) on ${args.target}: ${formatMeasured(row.baseline)} → ${formatMeasured(row.value)} ${row.metric}, ${formatChangePct(row.improvement_pct)} improvement.${git}${stats.plateau ? ' Plateau reached.' : ''}`,
      next: [...recorded.warnings, ...next],
    };
  },
});
