import type { ExperimentRow } from '../experiments.js';

export const RESULTS_COLUMNS = [
  'n',
  'commit',
  'target',
  'metric',
  'baseline',
  'value',
  'change_pct',
  'status',
  'description',
  'timestamp',
] as const;

export const RESULTS_HEADER = `${RESULTS_COLUMNS.join('\t')}\n`;

/** TSV cells hold no tabs or line breaks: fold them to spaces so each row stays one line for cut/awk. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  return String(value).replace(/[\t\r\n]+/g, ' ');
}

export function resultsRow(row: ExperimentRow): string {
  const description = row.notes ? `${row.hypothesis} (${row.notes})` : row.hypothesis;
  return (
    [
      row.n,
      row.commit_sha ?? '',
      row.target,
      row.metric,
      row.baseline,
      row.value,
      row.change_pct === null ? '' : row.change_pct.toFixed(2),
      row.status,
      description,
      row.created_at,
    ]
      .map(cell)
      .join('\t') + '\n'
  );
}
