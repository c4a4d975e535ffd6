/**
 * Numbers as people read them, one way each, for every table, summary and
 * ledger file: percentages, significant digits, durations, bytes and counts.
 */

/** Significant digits of a measured value unless a caller needs more to tell two apart. */
export const DEFAULT_DIGITS = 4;

/** Decimals of a percentage: one, two under 1 % and three under 0.1 % (instruction counts move in hundredths); one for an exact 0. */
export function pctDecimals(pct: number): number {
  const magnitude = Math.abs(pct);
  return magnitude >= 1 || magnitude === 0 ? 1 : magnitude >= 0.1 ? 2 : 3;
}

/** A percentage's number: `12.3`, `0.050`. */
export function formatPct(pct: number, decimals = pctDecimals(pct)): string {
  return pct.toFixed(decimals);
}

/** A signed percentage's number: `+12.3`, `−0.050` (a true minus sign), and no sign when it shows as zero. */
export function formatSignedPct(pct: number, decimals = pctDecimals(pct)): string {
  const text = Math.abs(pct).toFixed(decimals);
  if (Number(text) === 0) return text;
  return `${pct < 0 ? '−' : '+'}${text}`;
}

/** A change in percent, e.g. `+12.3 %`, or `n/a` when there is none. */
export function formatChangePct(pct: number | null | undefined): string {
  return pct === null || pct === undefined ? 'n/a' : `${formatSignedPct(pct)} %`;
}

/**
 * A change with its interval, e.g. `−10.0 % [−11.2, −8.7]`, with as many
 * decimals as the interval needs to show its width: `+2.000 % [+1.990, +2.010]`,
 * not `+2.0 % [+2.0, +2.0]`. `—` when the change is not a number.
 */
export function formatChangeInterval(changePct: number, lowPct: number, highPct: number): string {
  if (!Number.isFinite(changePct)) return '—';
  const width = highPct - lowPct;
  const decimals = Math.max(pctDecimals(changePct), width > 0 ? pctDecimals(width) : 0);
  const signed = (pct: number) => formatSignedPct(pct, decimals);
  return `${signed(changePct)} % [${signed(lowPct)}, ${signed(highPct)}]`;
}

/** `digits` significant digits without exponent notation (4: 1,235, 12.35, 0.1235). */
export function significant(value: number, digits: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  // Past what fixed notation can write (toFixed takes at most 100 decimals), the exponent form.
  if (decimals > 20 || Math.abs(value) >= 1e21) return String(Number(value.toPrecision(digits)));
  const fixed = value.toFixed(decimals);
  return decimals === 0 ? thousands(Number(fixed)) : fixed;
}

/** A measured value as given, to six significant digits without float noise or trailing zeros (176.59596900000003 → 176.596). */
export function formatMeasured(value: number): string {
  const text = significant(value, 6);
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

function thousands(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** Values of one unit written in one step of it (ms, MiB, M), so numbers read side by side. */
export interface Scale {
  /** The value in this scale, with the unit; a spread passes its own digit count and is written without the unit. */
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
 * The step of `unit` (a duration, bytes, instructions or any other name) for
 * values like `reference`: the largest step it reaches, so 98.12 ms and
 * 101.3 ms share one, never 98.12 ms against 0.1013 s.
 */
export function unitScale(unit: string, reference: number, digits = DEFAULT_DIGITS): Scale {
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

/** A count, e.g. `12,345`, `1.235 M`, `4.500 G`. */
export function formatCount(count: number): string {
  return stepScale(COUNT_STEPS, count).format(count);
}

/** A size in bytes, e.g. `512 B`, `1.500 KiB`, `12.50 MiB`. */
export function formatBytes(bytes: number): string {
  return stepScale(BYTE_STEPS, bytes).format(bytes);
}

/** The short form of a commit sha shown to people. */
export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}
