import { existsSync, readFileSync, statSync } from 'node:fs';
import { canonical, isInside } from '../workspace/paths.js';

/** The most source lines a dossier quotes. */
export const MAX_SOURCE_LINES = 80;

export interface SourceLines {
  /** 1-based number of the first line quoted. */
  first: number;
  lines: string[];
  /** True when the function went on past MAX_SOURCE_LINES. */
  cut: boolean;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * The source of the function that starts at `firstLine` (decorators
 * included): for Python the lines indented deeper than its `def`, for brace
 * languages up to the brace that closes at its indentation. A file outside the
 * project, or missing, gives nothing.
 */
export function functionSource(root: string, file: string, firstLine: number): SourceLines | undefined {
  if (!file || firstLine < 1 || !existsSync(file) || !statSync(file).isFile() || !isInside(canonical(file), canonical(root))) {
    return undefined;
  }
  const all = readFileSync(file, 'utf8').split('\n');
  const start = firstLine - 1;
  if (start >= all.length) return undefined;
  const python = file.endsWith('.py');
  // A module (line 1 of an import target) is quoted from its top.
  let end = python ? pythonEnd(all, start) : braceEnd(all, start);
  const cut = end - start > MAX_SOURCE_LINES;
  if (cut) end = start + MAX_SOURCE_LINES;
  return { first: firstLine, lines: all.slice(start, end), cut };
}

function pythonEnd(all: string[], start: number): number {
  let def = start;
  while (def < all.length && !/^\s*(async\s+def|def|class)\s/.test(all[def]!)) {
    if (def > start + 20) return Math.min(all.length, start + MAX_SOURCE_LINES + 1);
    def++;
  }
  if (def >= all.length) return Math.min(all.length, start + MAX_SOURCE_LINES + 1);
  const indent = indentOf(all[def]!);
  let end = def + 1;
  for (let i = def + 1; i < all.length; i++) {
    const line = all[i]!;
    if (line.trim() === '') continue;
    if (indentOf(line) <= indent) break;
    end = i + 1;
  }
  return end;
}

function braceEnd(all: string[], start: number): number {
  const indent = indentOf(all[start]!);
  for (let i = start + 1; i < all.length && i <= start + MAX_SOURCE_LINES; i++) {
    const line = all[i]!;
    if (line.trim().startsWith('}') && indentOf(line) <= indent) return i + 1;
  }
  return Math.min(all.length, start + MAX_SOURCE_LINES + 1);
}
