import os from 'node:os';
import type { MachineInfo } from '../env/types.js';
import { DEFAULT_DIGITS, formatChangeInterval, formatPct, shortSha, unitScale } from '../format.js';
import { DETERMINISTIC_FLOOR_PCT, MIN_TIMED_FLOOR_PCT } from './stats.js';
import { unchangedBoundPct, type Verdict } from './verdict.js';

/** One benchmark compared: medians, change with its interval, the smallest change it could have seen, p-value and verdict. */
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
  /** The band a change must clear to be called, ± this many percent. */
  noiseFloorPct: number;
  /** The smallest change this run would have called (80 % of the time) at the noise it measured. */
  mdePct: number;
  verdict: Verdict;
  /** Spread of each side (median absolute deviation), in `unit`, shown as ± when present. */
  baseSpread?: number;
  headSpread?: number;
  /** Why the verdict is not what the interval alone would give. */
  note?: string;
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
  /** The stopping rule, e.g. `fixed: 20 pairs` or the sequential schedule. */
  stopping?: string;
  stopReason?: string;
  schedule?: { ran: string; cpus?: number[]; note?: string };
  layoutRandomized?: boolean;
  timer?: string;
  /** `unchanged` means inside ± this (default 1 %). */
  equivalencePct?: number;
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
    `| benchmark | base | head | change (${interval}) | smallest detectable | p | verdict |`,
    '|:--|--:|--:|--:|--:|--:|:--|',
    ...rows.map((row) => {
      const [base, head] = formatPair(row);
      return `| ${escapeCell(row.name)} | ${base} | ${head} | ${formatChangeInterval(row.changePct, row.ciLowPct, row.ciHighPct)} | ±${formatPct(row.mdePct)} % | ${formatPValue(row.pValue)} | ${verdictCell(row)} |`;
    }),
    '',
    ...rows.flatMap((row) => (row.note ? [`Note on ${escapeCell(row.name)}: ${row.note}.  `] : [])),
    ...footer(meta, methodOf(meta.mode, confidencePct, withSpread, meta.equivalencePct ?? 1)),
  ];
  return lines.join('\n');
}

function footer(meta: ReportMeta, method: string): string[] {
  const runs =
    `${meta.pairs} base/head pair${meta.pairs === 1 ? '' : 's'}` +
    (meta.warmups === undefined ? '' : ` after ${meta.warmups} warmup run${meta.warmups === 1 ? '' : 's'} per ref`);
  const precision =
    meta.precisionPct !== undefined && Number.isFinite(meta.precisionPct) ? `, precision ±${formatPct(meta.precisionPct)} %` : '';
  const stopping = meta.stopping
    ? [`Stopping: ${meta.stopping}${meta.stopReason ? `; stopped: ${meta.stopReason.replaceAll('_', ' ')}` : ''}.`]
    : [];
  const schedule = meta.schedule
    ? [
        `Schedule: ${meta.schedule.ran === 'duet' ? `duet, base and head at once on cores ${meta.schedule.cpus?.join(' and ')}` : 'interleaved ABBA pairs'}${meta.schedule.note ? ` (${meta.schedule.note})` : ''}${meta.layoutRandomized ? '; random environment padding per run (0–4 KiB), worktree paths of equal length' : ''}.`,
      ]
    : [];
  const timer = meta.timer ? [`Timer: ${meta.timer}.`] : [];
  const refs =
    meta.base && meta.head
      ? [`Refs: base \`${meta.base.ref}\` (${shortSha(meta.base.sha)}) → head \`${meta.head.ref}\` (${shortSha(meta.head.sha)})`]
      : [];
  return [
    `Mode: ${meta.mode} — ${method}.`,
    `Runs: ${runs}${precision}.`,
    ...stopping,
    ...schedule,
    ...timer,
    ...refs,
    `Runner: \`${meta.runner.replaceAll('`', "'")}\``,
    `Machine: ${meta.machine ?? machineDescription()}`,
    `Date: ${formatDate(meta.date ?? new Date())}`,
  ].map((line) => `${line}  `);
}

function methodOf(mode: string, confidencePct: number, withSpread: boolean, equivalence: number): string {
  if (mode === 'instructions') {
    return (
      'instruction counts under callgrind; the range spans every head/base ratio of the runs, ' +
      `a change is called when it exceeds the spread within each ref (at least ${DETERMINISTIC_FLOOR_PCT} %)`
    );
  }
  const clock =
    mode === 'cpu' ? 'user + system CPU time of the process tree, which leaves out waits and time the machine gave to others; ' : '';
  return (
    `${clock}medians of paired runs${withSpread ? ' ± median absolute deviation' : ''}; change = Hodges–Lehmann estimate of the per-pair head/base log ratios with its ${confidencePct} % Wilcoxon signed-rank interval, ` +
    `p from the signed-rank test, read through the looks' boundary; faster/slower when the interval clears the noise band (what each ref shows against itself, at least ${MIN_TIMED_FLOOR_PCT} %), ` +
    `unchanged when it lies within ±${formatPct(equivalence)} %, inconclusive otherwise; smallest detectable = noise band + the interval's reach at 80 % power`
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

function verdictCell(row: ComparisonRow): string {
  if (row.verdict === 'unchanged') return `unchanged (within ±${formatPct(unchangedBoundPct(row))} %)`;
  return row.verdict === 'inconclusive' ? 'inconclusive' : `**${row.verdict}**`;
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
