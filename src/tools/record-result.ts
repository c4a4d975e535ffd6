import { z } from 'zod';
import { UserError } from '../errors.js';
import { formatChangePct, formatMeasured } from '../format.js';
import { defineTool } from '../server/define-tool.js';
import { getArtifact } from '../state/artifacts.js';
import { EXPERIMENT_STATUSES, insertExperiment, PLATEAU_AFTER, sessionStats } from '../state/experiments.js';
import { refuseOptionLike } from '../workspace/paths.js';
import { sessionIdInput } from './shared.js';

export const recordResult = defineTool({
  name: 'record_result',
  title: 'Record an experiment',
  description: 'Append one experiment to the ledger (results.tsv). Returns improvement_pct, consecutive discards and plateau (3 in a row).',
  input: {
    target: z.string().min(1).max(300).describe('e.g. "pkg/parse.py:tokenize".'),
    hypothesis: z.string().min(1).max(2000).describe('Why it should help.'),
    metric: z.string().min(1).max(100).describe('e.g. wall_s, peak_rss_mb, instructions.'),
    baseline: z.number().positive('baseline must be greater than 0 (percentages are taken of it)').describe('Before the change.'),
    value: z.number().nonnegative('value must not be negative').describe('After the change.'),
    direction: z.enum(['lower', 'higher']).optional().describe('Default lower.'),
    status: z.enum(EXPERIMENT_STATUSES).describe('baseline: the starting measurement.'),
    commit: z
      .string()
      .max(40)
      .regex(/^[0-9a-fA-F]{7,40}$/, 'commit must be a hex sha (7–40 characters)')
      .optional(),
    comparison_id: z.string().max(40).optional().describe('From benchmark_compare.'),
    notes: z.string().max(2000).optional(),
    session_id: sessionIdInput,
  },
  output: {
    experiment_id: z.number().describe('n in results.tsv'),
    n: z.number().describe('experiments (keep, discard, crash) in this session so far'),
    session_id: z.string(),
    change_pct: z.number().nullable(),
    improvement_pct: z.number().nullable().describe('positive is better'),
    consecutive_discards: z.number(),
    plateau: z.boolean(),
    best_improvement_pct: z.number().nullable(),
    results_tsv: z.string(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    refuseOptionLike('target', args.target);
    if (args.comparison_id && !getArtifact(project.db, args.comparison_id, 'comparison')) {
      throw new UserError(`unknown comparison ${args.comparison_id}; pass the comparison_id a benchmark_compare returned`);
    }
    const row = insertExperiment(project.db, {
      sessionId: session.id,
      target: args.target,
      hypothesis: args.hypothesis,
      metric: args.metric,
      baseline: args.baseline,
      value: args.value,
      direction: args.direction ?? 'lower',
      status: args.status,
      commit: args.commit,
      comparisonId: args.comparison_id,
      notes: args.notes,
    });
    const path = project.renderResults();
    const stats = sessionStats(project.db, session.id);
    const next = stats.plateau
      ? [
          `${PLATEAU_AFTER}+ discards in a row: plateau. Re-profile for a new target or domain, or wrap up with write_handoff and write_changelog.`,
        ]
      : args.status === 'keep'
        ? ['Commit the change, re-profile (the ranking moved), then try the next target.']
        : args.status === 'baseline'
          ? ['Now profile, form one hypothesis and edit.']
          : ['Revert the change (run_guard revert_on_failure does it when the guard fails), then try the next hypothesis.'];
    return {
      experiment_id: row.n,
      n: stats.experiments,
      session_id: session.id,
      change_pct: row.change_pct,
      improvement_pct: row.improvement_pct,
      consecutive_discards: stats.consecutive_discards,
      plateau: stats.plateau,
      best_improvement_pct: stats.best?.improvement_pct ?? null,
      results_tsv: path,
      summary: `Experiment #${row.n} (${args.status}) on ${args.target}: ${formatMeasured(args.baseline)} → ${formatMeasured(args.value)} ${args.metric}, ${formatChangePct(row.improvement_pct)} improvement.${stats.plateau ? ' Plateau reached.' : ''}`,
      next,
    };
  },
});
