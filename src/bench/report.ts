import os from 'node:os';
import type { MachineInfo } from '../env/types.js';
import { DEFAULT_DIGITS, formatChangeInterval, formatPct, shortSha, unitScale } from '../format.js';
import { DETERMINISTIC_FLOOR_PCT, type Verdict } from './stats.js';

/** One benchmark compared: medians, change with its interval, p-value and verdict. */
export interface ComparisonRow {
  name: string;
  /** Medians, in `unit`. */
  base: number;
  head: number;
  unit: string;
  /** Head relative to base, in percent: negative means head is faster. */
  changePct: number;
  ciLowPct: number;
  ciHighPct: number;
  pValue: number;
  verdict: Verdict;
  /** Spread of each side (median absolute deviation), in `unit`, shown as ± when present. */
  baseSpread?: number;
  headSpread?: number;
}

export interface ReportMeta {
  mode: string;
  base?: { ref: string; sha: string };
  head?: { ref: string; sha: string };
  /** Measured base/head pairs. */
  pairs: number;
  /** Runs per ref whose numbers were dropped. */
  warmups?: number;
  /** The widest ± half-width of the confidence intervals, in percent. */
  precisionPct?: number;
  /** The command or runner, as it ran. */
  runner: string;
  /** Where it ran; default: this machine. */
  machine?: string;
  date?: Date;
  /** Confidence level of the intervals (default 0.95). */
  confidence?: number;
}

/**
 * A table for a pull request: one line per benchmark with both medians and their
 * spread, the change with its interval, the p-value and the verdict, and under it
 * everything needed to judge or repeat the measurement.
 */
export function markdownTable(rows: readonly ComparisonRow[], meta: ReportMeta): string {
  const confidencePct = Math.round((meta.confidence ?? 0.95) * 100);
  const interval = meta.mode === 'instructions' ? 'range of runs' : `${confidencePct} % CI`;
  const withSpread = rows.some((row) => row.baseSpread !== undefined);
  const lines = [
    `| benchmark | base | head | change (${interval}) | p | verdict |`,
    '|:--|--:|--:|--:|--:|:--|',
    ...rows.map((row) => {
      const [base, head] = formatPair(row);
      return `| ${escapeCell(row.name)} | ${base} | ${head} | ${formatChangeInterval(row.changePct, row.ciLowPct, row.ciHighPct)} | ${formatPValue(row.pValue)} | ${verdictCell(row.verdict)} |`;
    }),
    '',
    ...footer(meta, methodOf(meta.mode, confidencePct, withSpread)),
  ];
  return lines.join('\n');
}

function footer(meta: ReportMeta, method: string): string[] {
  const runs =
    `${meta.pairs} base/head pair${meta.pairs === 1 ? '' : 's'}` +
    (meta.warmups === undefined ? '' : ` after ${meta.warmups} warmup run${meta.warmups === 1 ? '' : 's'} per ref`);
  const precision =
    meta.precisionPct !== undefined && Number.isFinite(meta.precisionPct) ? `, precision ±${formatPct(meta.precisionPct)} %` : '';
  const refs =
    meta.base && meta.head
      ? [`Refs: base \`${meta.base.ref}\` (${shortSha(meta.base.sha)}) → head \`${meta.head.ref}\` (${shortSha(meta.head.sha)})`]
      : [];
  return [
    `Mode: ${meta.mode} — ${method}.`,
    `Runs: ${runs}${precision}.`,
    ...refs,
    `Runner: \`${meta.runner.replaceAll('`', "'")}\``,
    `Machine: ${meta.machine ?? machineDescription()}`,
    `Date: ${formatDate(meta.date ?? new Date())}`,
  ].map((line) => `${line}  `);
}

function methodOf(mode: string, confidencePct: number, withSpread: boolean): string {
  if (mode === 'instructions') {
    return (
      'instruction counts under callgrind; the range spans every head/base ratio of the runs, ' +
      `a change is called when it exceeds the spread within each ref (at least ${DETERMINISTIC_FLOOR_PCT} %)`
    );
  }
  return (
    `medians of interleaved (ABBA) runs${withSpread ? ' ± median absolute deviation' : ''}; change = median of the per-pair head/base ratios with its ${confidencePct} % bootstrap interval, ` +
    'Mann–Whitney U p-value; unchanged when the interval holds 0 %, p ≥ 0.05, or the change is below what each ref shows against itself (at least 0.5 %)'
  );
}

function formatPair(row: ComparisonRow): [string, string] {
  const scale = unitScale(row.unit, Math.min(Math.abs(row.base), Math.abs(row.head)), digitsToShow(row.base, row.head));
  const cell = (value: number, spread?: number) =>
    spread === undefined ? scale.format(value) : `${scale.format(value)} ± ${scale.format(spread, SPREAD_DIGITS)}`;
  return [cell(row.base, row.baseSpread), cell(row.head, row.headSpread)];
}

const MAX_DIGITS = 8;
const SPREAD_DIGITS = 2;

/** Enough significant digits that base and head differ on the page when the numbers do (instruction counts move by 0.01 %). */
function digitsToShow(base: number, head: number): number {
  const difference = Math.abs(head - base);
  if (difference === 0) return DEFAULT_DIGITS;
  const needed = Math.ceil(Math.log10(Math.max(Math.abs(base), Math.abs(head)) / difference)) + 1;
  return Math.min(MAX_DIGITS, Math.max(DEFAULT_DIGITS, needed));
}

function verdictCell(verdict: Verdict): string {
  return verdict === 'unchanged' ? 'unchanged' : `**${verdict}**`;
}

function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** CPU model, cores, OS and architecture, e.g. `AMD EPYC 7B13, 2 cores, Ubuntu 24.04, x86_64`. */
export function machineDescription(info?: Pick<MachineInfo, 'cpu_model' | 'cpu_cores' | 'os' | 'arch'>): string {
  const machine = info ?? {
    cpu_model: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cpu_cores: os.availableParallelism(),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
  };
  return `${machine.cpu_model}, ${machine.cpu_cores} core${machine.cpu_cores === 1 ? '' : 's'}, ${machine.os}, ${machine.arch}`;
}

function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function escapeCell(text: string): string {
  return `\`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
}
