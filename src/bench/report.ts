import os from 'node:os';
import type { MachineInfo } from '../env/types.js';
import { shortSha } from '../workspace/git.js';
import { DETERMINISTIC_FLOOR_PCT, type Verdict } from './stats.js';

export interface ReportRow {
  name: string;
  /** Medians, in `unit`. */
  base: number;
  head: number;
  unit: string;
  change_pct: number;
  ci_low_pct: number;
  ci_high_pct: number;
  p_value: number;
  verdict: Verdict;
  /** Spread of each side (median absolute deviation), in `unit`, shown as ± when present. */
  base_spread?: number;
  head_spread?: number;
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
export function markdownTable(rows: readonly ReportRow[], meta: ReportMeta): string {
  const confidencePct = Math.round((meta.confidence ?? 0.95) * 100);
  const interval = meta.mode === 'instructions' ? 'range of runs' : `${confidencePct} % CI`;
  const withSpread = rows.some((row) => row.base_spread !== undefined);
  const lines = [
    `| benchmark | base | head | change (${interval}) | p | verdict |`,
    '|:--|--:|--:|--:|--:|:--|',
    ...rows.map((row) => {
      const [base, head] = formatPair(row);
      return `| ${escapeCell(row.name)} | ${base} | ${head} | ${formatChange(row)} | ${formatPValue(row.p_value)} | ${verdictCell(row.verdict)} |`;
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

function formatPair(row: ReportRow): [string, string] {
  const scale = scaleFor(row.unit, Math.min(Math.abs(row.base), Math.abs(row.head)), digitsToShow(row.base, row.head));
  const cell = (value: number, spread?: number) =>
    spread === undefined ? scale.format(value) : `${scale.format(value)} ± ${scale.format(spread, SPREAD_DIGITS)}`;
  return [cell(row.base, row.base_spread), cell(row.head, row.head_spread)];
}

const DEFAULT_DIGITS = 4;
const MAX_DIGITS = 8;
const SPREAD_DIGITS = 2;

/** Enough significant digits that base and head differ on the page when the numbers do (instruction counts move by 0.01 %). */
function digitsToShow(base: number, head: number): number {
  const difference = Math.abs(head - base);
  if (difference === 0) return DEFAULT_DIGITS;
  const needed = Math.ceil(Math.log10(Math.max(Math.abs(base), Math.abs(head)) / difference)) + 1;
  return Math.min(MAX_DIGITS, Math.max(DEFAULT_DIGITS, needed));
}

function formatChange(row: ReportRow): string {
  if (!Number.isFinite(row.change_pct)) return '—';
  // As many decimals as the interval needs to show its width: 2.000 % [1.990, 2.010], not 2.0 % [2.0, 2.0].
  const width = row.ci_high_pct - row.ci_low_pct;
  const decimals = Math.max(pctDecimals(row.change_pct), width > 0 ? pctDecimals(width) : 0);
  const signed = (pct: number) => signedPct(pct, decimals);
  return `${signed(row.change_pct)} % [${signed(row.ci_low_pct)}, ${signed(row.ci_high_pct)}]`;
}

function verdictCell(verdict: Verdict): string {
  return verdict === 'unchanged' ? 'unchanged' : `**${verdict}**`;
}

function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

interface Scale {
  /** The value in this scale; a spread passes its own digit count and is printed without the unit. */
  format(value: number, spreadDigits?: number): string;
}

const DURATION_UNITS_NS: Record<string, number> = { ns: 1, 'ns/op': 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };
const DURATION_STEPS: ReadonlyArray<[string, number]> = [
  ['s', 1e9],
  ['ms', 1e6],
  ['µs', 1e3],
  ['ns', 1],
];
const BYTE_STEPS: ReadonlyArray<[string, number]> = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
  ['B', 1],
];
const COUNT_STEPS: ReadonlyArray<[string, number]> = [
  ['G', 1e9],
  ['M', 1e6],
  ['', 1],
];

/**
 * One unit step for both sides of a row (chosen by the smaller value), so base
 * and head read side by side: 98.12 ms against 101.3 ms, never 98.12 ms against 0.1013 s.
 */
function scaleFor(unit: string, reference: number, digits: number): Scale {
  const perUnit = DURATION_UNITS_NS[unit];
  if (perUnit !== undefined) return stepScale(DURATION_STEPS, reference * perUnit, { factor: perUnit, digits });
  if (unit === 'bytes' || unit === 'B') return stepScale(BYTE_STEPS, reference, { digits });
  if (unit === 'instructions') return stepScale(COUNT_STEPS, reference, { digits, suffix: ' instr' });
  return stepScale([[unit, 1]], reference, { digits });
}

function stepScale(
  steps: ReadonlyArray<[string, number]>,
  reference: number,
  { factor = 1, digits = DEFAULT_DIGITS, suffix = '' }: { factor?: number; digits?: number; suffix?: string } = {},
): Scale {
  const [name, size] = steps.find(([, size]) => Math.abs(reference) >= size) ?? steps[steps.length - 1]!;
  const label = `${name}${suffix}`.trim();
  return {
    format: (value, spreadDigits) => {
      const scaled = (value * factor) / size;
      const text = size === 1 && Number.isInteger(scaled) ? thousands(scaled) : significant(scaled, spreadDigits ?? digits);
      return spreadDigits === undefined && label ? `${text} ${label}` : text;
    },
  };
}

/** A duration given in nanoseconds, e.g. `12.34 ms`. */
export function formatDuration(ns: number): string {
  return stepScale(DURATION_STEPS, ns).format(ns);
}

/** A count, e.g. `12,345`, `1.235 M`, `4.5 G`. */
export function formatCount(count: number): string {
  return stepScale(COUNT_STEPS, count).format(count);
}

/** A size in bytes, e.g. `512 B`, `1.5 KiB`, `12.34 MiB`. */
export function formatBytes(bytes: number): string {
  return stepScale(BYTE_STEPS, bytes).format(bytes);
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

/** `digits` significant digits without exponent notation (4: 1235, 12.35, 0.1235). */
function significant(value: number, digits: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  const fixed = value.toFixed(decimals);
  return decimals === 0 ? thousands(Number(fixed)) : fixed;
}

function thousands(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function signedPct(pct: number, decimals: number): string {
  const text = Math.abs(pct).toFixed(decimals);
  if (Number(text) === 0) return text;
  return `${pct < 0 ? '−' : '+'}${text}`;
}

/** Percentages: one decimal, two under 1 % and three under 0.1 % (instruction counts move in hundredths). */
function formatPct(pct: number): string {
  return pct.toFixed(pctDecimals(pct));
}

function pctDecimals(pct: number): number {
  const magnitude = Math.abs(pct);
  return magnitude >= 1 ? 1 : magnitude >= 0.1 ? 2 : 3;
}

function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function escapeCell(text: string): string {
  return `\`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
}
