import { join } from 'node:path';
import { UserError } from '../errors.js';
import { isPlainObject, readToml, type TomlTable, tomlTable } from './files.js';

/** How much slower a benchmark may get before the gate fails, as the repository keeps it. */
export interface Thresholds {
  /** Percent for every benchmark without its own. */
  defaultPct?: number;
  /** Percent per benchmark name, as the comparison table names it. */
  perBenchmark: Record<string, number>;
  /** The files they came from, relative to the root. */
  sources: string[];
}

/** The two places, later ones overriding earlier ones key by key. */
const SOURCES = [
  { file: 'pyproject.toml', table: 'tool.codeflash', label: 'pyproject.toml [tool.codeflash]' },
  { file: '.codeflash/thresholds.toml', table: '', label: '.codeflash/thresholds.toml' },
] as const;

/**
 * Thresholds kept in the repository: `fail-on-regression = PCT` and a
 * `thresholds` table of `"benchmark name" = PCT`, under `[tool.codeflash]` of
 * pyproject.toml or at the top of `.codeflash/thresholds.toml`. A file that does
 * not parse, or a value that is not a percentage, is an error: a gate must not
 * quietly fall back to another threshold.
 */
export async function readThresholds(root: string): Promise<Thresholds> {
  const found: Thresholds = { perBenchmark: {}, sources: [] };
  for (const source of SOURCES) {
    const { table, error } = await readToml(join(root, source.file));
    if (error) throw new UserError(`${source.file} could not be parsed: ${error}`);
    const settings = source.table ? tomlTable(table, source.table) : table;
    if (!settings) continue;
    const defaultPct = setting(settings, 'fail-on-regression');
    const perBenchmark = setting(settings, 'thresholds');
    if (defaultPct === undefined && perBenchmark === undefined) continue;
    found.sources.push(source.label);
    if (defaultPct !== undefined) found.defaultPct = percentage(defaultPct, `${source.label} fail-on-regression`);
    if (perBenchmark === undefined) continue;
    if (!isPlainObject(perBenchmark)) throw new UserError(`${source.label} thresholds must be a table of "benchmark name" = percent`);
    for (const [name, value] of Object.entries(perBenchmark)) {
      found.perBenchmark[name] = percentage(value, `${source.label} thresholds."${name}"`);
    }
  }
  return found;
}

/** The threshold for one benchmark: its own, else the command line's, else the repository's default, else `fallback`. */
export function thresholdFor(thresholds: Thresholds, name: string, commandLinePct: number | undefined, fallback: number): number {
  return thresholds.perBenchmark[name] ?? commandLinePct ?? thresholds.defaultPct ?? fallback;
}

/** A key in either spelling (`fail-on-regression` or `fail_on_regression`). */
function setting(table: TomlTable, key: string): unknown {
  return table[key] ?? table[key.replaceAll('-', '_')];
}

function percentage(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1000) return value;
  throw new UserError(`${where} must be a percentage between 0 and 1000, not ${JSON.stringify(value)}`);
}
