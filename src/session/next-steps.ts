import type { SessionStats } from '../state/experiments.js';

/** What the loop says to do next, from where the session stands. */
export function nextSteps(stats: SessionStats, hasGuard: boolean): string[] {
  if (!hasGuard) return ['Set the guard: set_convention topic "guard" with the command that must keep passing.'];
  if (!stats.baseline) return ['Measure the current code and record it with record_result status "baseline".'];
  if (stats.plateau) {
    return [
      `Plateau: ${stats.consecutive_discards} discards in a row. Re-profile for a different target or domain, or finish: write_handoff, write_changelog.`,
    ];
  }
  return [
    'Pick the top hotspot from profile, form one hypothesis, edit.',
    'run_guard with revert_on_failure, then benchmark_compare base against head.',
    'record_result keep or discard with the measured numbers and the comparison_id.',
  ];
}
