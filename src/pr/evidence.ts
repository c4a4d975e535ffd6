import { formatChangeInterval, formatPct } from '../format.js';
import type { StoredComparison, StoredRow } from '../state/comparisons.js';
import { type Direction, improves } from '../state/experiments.js';

/** How much faster (or slower) head is, as a factor: `2.41×`; none when unchanged. */
export function factorOf(row: StoredRow): string | undefined {
  if (row.verdict === 'faster' && row.head > 0) return `${(row.base / row.head).toFixed(2)}×`;
  if (row.verdict === 'slower' && row.base > 0) return `${(row.head / row.base).toFixed(2)}×`;
  return undefined;
}

function pValue(p: number): string {
  if (!Number.isFinite(p)) return 'no p-value';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** A row's change as its interval writes it (`−58.5 %`), so the two never differ in their digits. */
export function changeText(row: StoredRow): string {
  return formatChangeInterval(row.change_pct, row.ci_low_pct, row.ci_high_pct).split(' [')[0]!;
}

/** One row's result as a PR states it: `faster: −58.5 % [−59.0, −58.1] (2.41× faster, p < 0.001)`. */
export function rowResult(row: StoredRow): string {
  const factor = factorOf(row);
  const change = formatChangeInterval(row.change_pct, row.ci_low_pct, row.ci_high_pct);
  return `${row.verdict}: ${change} (${factor ? `${factor} ${row.verdict}, ` : ''}${pValue(row.p_value)})`;
}

/** Every sentence about a comparison's numbers that a body may carry besides its table. */
export function measurementLines(comparison: StoredComparison): string[] {
  const precision = Number.isFinite(comparison.precision_reached_pct) ? `, ±${formatPct(comparison.precision_reached_pct)} %` : '';
  return comparison.rows.map((row) => `\`${row.name}\` ${rowResult(row)}; ${comparison.mode} mode, ${comparison.pairs} pairs${precision}`);
}

/** Percentages and factors as written (`−58.5 %`, `+1.2%`, `2.41×`), normalized: one minus sign, no plus, no spaces. */
const FIGURE = /[−+-]?\d[\d,]*(?:\.\d+)?\s?(?:%|×)/g;

export function figuresIn(text: string): string[] {
  return [...text.matchAll(FIGURE)].map(([figure]) => figure.replace(/\s/g, '').replace('−', '-').replace(/^\+/, ''));
}

/** The figures a comparison supports: those of its table and of the sentences about it. */
export function comparisonFigures(comparison: StoredComparison): Set<string> {
  return new Set(figuresIn([comparison.markdown, ...measurementLines(comparison)].join('\n')));
}

/** Figures in `text` that none of the comparisons supports (a number typed by hand, or one edited after the fact). */
export function unsupportedFigures(text: string, comparisons: readonly StoredComparison[]): string[] {
  const supported = new Set(comparisons.flatMap((c) => [...comparisonFigures(c)]));
  return [...new Set(figuresIn(text).filter((figure) => !supported.has(figure)))];
}

/**
 * Whether a comparison proves a change: the named row shows it better in the
 * direction given, or without a row, some row is faster and none slower.
 */
export function comparisonProves(comparison: StoredComparison, rowName?: string | null, direction: Direction = 'lower'): boolean {
  if (rowName) {
    const row = comparison.rows.find((r) => r.name === rowName);
    return row !== undefined && improves(row, direction);
  }
  return comparison.rows.some((row) => improves(row, 'lower')) && !comparison.rows.some((row) => row.verdict === 'slower');
}

/** Why a comparison proves nothing, in a few words: `unchanged: −0.4 % [−1.2, +0.5]`. */
export function verdictText(comparison: StoredComparison, rowName?: string | null): string {
  const rows = rowName ? comparison.rows.filter((r) => r.name === rowName) : comparison.rows;
  return rows
    .slice(0, 3)
    .map((row) => `${row.name} ${row.verdict} (${formatChangeInterval(row.change_pct, row.ci_low_pct, row.ci_high_pct)})`)
    .join('; ');
}
