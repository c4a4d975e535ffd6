import { tsvFormatRows } from 'd3-dsv';
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

/**
 * One experiment as a results.tsv line. Written with the library the import
 * reads it with (d3-dsv): a cell holding a quote, tab or line break is quoted,
 * so every text comes back as it was.
 */
export function resultsRow(row: ExperimentRow): string {
  const description = row.notes ? `${row.hypothesis} (${row.notes})` : row.hypothesis;
  const cells = [
    String(row.n),
    row.commit_sha ?? '',
    row.target,
    row.metric,
    String(row.baseline),
    String(row.value),
    row.change_pct === null ? '' : row.change_pct.toFixed(2),
    row.status,
    description,
    row.created_at,
  ];
  return `${tsvFormatRows([cells])}\n`;
}
