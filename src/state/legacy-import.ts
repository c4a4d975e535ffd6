import { tsvParse } from 'd3-dsv';
import { UserError } from '../errors.js';
import type { Db } from './database.js';
import { EXPERIMENT_STATUSES, type ExperimentStatus, insertExperiment } from './experiments.js';
import { addHandoff, addLearning, setConvention } from './notes.js';
import type { StatePaths } from './paths.js';
import { entryExists, readPlainFile } from './plain-file.js';

export interface ImportReport {
  experiments: number;
  learnings: number;
  conventions: number;
  handoff: boolean;
  warnings: string[];
}

export const LEGACY_FILES = ['results.tsv', 'learnings.md', 'conventions.md', 'HANDOFF.md'] as const;

export function hasLegacyFiles(paths: StatePaths): boolean {
  return LEGACY_FILES.some((name) => entryExists(paths.file(name)));
}

/** Split markdown into `## heading` sections; text before the first one is dropped. */
export function markdownSections(text: string): { heading: string; body: string }[] {
  const sections: { heading: string; body: string }[] = [];
  let current: { heading: string; lines: string[] } | undefined;
  for (const line of text.split(/\r?\n/)) {
    const match = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (match) {
      if (current) sections.push({ heading: current.heading, body: current.lines.join('\n').trim() });
      current = { heading: match[1]!, lines: [] };
    } else {
      current?.lines.push(line);
    }
  }
  if (current) sections.push({ heading: current.heading, body: current.lines.join('\n').trim() });
  return sections;
}

function importResults(db: Db, text: string, report: ImportReport): void {
  const rows = tsvParse(text.replace(/^\uFEFF/, ''));
  rows.forEach((row, index) => {
    const baseline = Number(row.baseline);
    const value = Number(row.value);
    if (!Number.isFinite(baseline) || !Number.isFinite(value)) {
      report.warnings.push(`results.tsv line ${index + 2}: baseline/value are not numbers; row skipped`);
      return;
    }
    const status = (row.status ?? '').trim().toLowerCase();
    try {
      insertExperiment(
        db,
        {
          sessionId: null,
          target: row.target?.trim() || '(unknown)',
          hypothesis: row.description?.trim() || row.hypothesis?.trim() || '(imported)',
          metric: row.metric?.trim() || 'value',
          baseline,
          value,
          direction: 'lower',
          status: (EXPERIMENT_STATUSES as readonly string[]).includes(status) ? (status as ExperimentStatus) : 'discard',
          commit: row.commit?.trim() || undefined,
        },
        row.timestamp?.trim() || undefined,
      );
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      report.warnings.push(`results.tsv line ${index + 2}: ${error.message}; row skipped`);
      return;
    }
    report.experiments++;
  });
}

/**
 * Bring hand-written (or plugin-written) `.codeflash/` files into a new store,
 * so a project that kept its ledger in files continues where it stopped. Rows
 * get no session; the session that triggers the import adopts them.
 */
export function importLegacyFiles(db: Db, paths: StatePaths): ImportReport {
  const report: ImportReport = { experiments: 0, learnings: 0, conventions: 0, handoff: false, warnings: [] };
  const read = (name: (typeof LEGACY_FILES)[number]) => {
    const file = readPlainFile(paths.file(name));
    if ('refused' in file) report.warnings.push(`${name} ${file.refused}; not imported (only plain files of the state directory are read)`);
    return 'text' in file ? file.text : undefined;
  };
  db.transaction(() => {
    const results = read('results.tsv');
    if (results) importResults(db, results, report);
    const learnings = read('learnings.md');
    for (const section of learnings ? markdownSections(learnings) : []) {
      const evidence = /^Evidence:\s*(.+)$/im.exec(section.body);
      const body = section.body.replace(/^Evidence:.*$/im, '').trim();
      addLearning(db, {
        sessionId: null,
        title: section.heading,
        body: body || section.heading,
        evidence: evidence?.[1]?.trim() ?? 'imported from learnings.md',
      });
      report.learnings++;
    }
    const conventions = read('conventions.md');
    for (const section of conventions ? markdownSections(conventions) : []) {
      const guard = /^guard$/i.test(section.heading);
      const fenced = /`{1,3}(?:\w+\n)?([^`]+?)`{1,3}/.exec(section.body);
      const rule = guard && fenced ? fenced[1]!.trim() : section.body;
      if (!rule) continue;
      setConvention(db, section.heading, rule);
      report.conventions++;
    }
    const handoff = read('HANDOFF.md');
    if (handoff) {
      const branch = /^#.*?\b((?:perf|codeflash)\/[\w./-]+)/m.exec(handoff)?.[1] ?? /branch[:\s`*]+([\w./-]+)/i.exec(handoff)?.[1];
      addHandoff(db, { sessionId: null, branch: branch ?? null, nextSteps: [], importedMarkdown: handoff });
      report.handoff = true;
    }
  }).immediate();
  return report;
}
