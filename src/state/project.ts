import { appendFileSync, existsSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import { processAlive } from '../proc/children.js';
import { writeFileAtomic } from './atomic-write.js';
import { type Db, openDatabase, stmt } from './database.js';
import { type ExperimentRow, keptExperiments, listExperiments, sessionStats } from './experiments.js';
import { markInterruptedJobs } from './jobs.js';
import { hasLegacyFiles, type ImportReport, importLegacyFiles } from './legacy-import.js';
import { measuredOn } from './measured-on.js';
import { latestHandoff, listConventions, listLearnings } from './notes.js';
import { CASE_STUDY_DIR, KEPT_FILES, type StatePaths, statePaths } from './paths.js';
import { type PlainFileRead, readPlainFile } from './plain-file.js';
import { renderChangelog, renderConventions, renderHandoff, renderLearnings } from './render/markdown.js';
import { renderProgressSvg } from './render/progress-svg.js';
import { RESULTS_HEADER, resultsRow } from './render/results-tsv.js';
import { getSession, latestSession } from './sessions.js';

/**
 * The whole state directory stays out of git by default: optimization branches
 * become pull requests, and ledgers, drafts and stores do not belong in them.
 * A team that wants learnings.md in the repository adds it with `git add -f`.
 */
// thresholds.toml is the repository's own (the gate's thresholds), kept beside the state and committed.
const STATE_GITIGNORE = '# Written by codeflash-mcp: session state is not part of the project.\n*\n!thresholds.toml\n';

/** Temp files of an atomic write whose writer was killed before its rename. */
function removeStaleTempFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !processAlive(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

/**
 * One project's state: its store (the truth) and the `.codeflash/` files
 * rendered from it. Each render reads and writes under the store's write lock,
 * so when two servers write at once the last file written holds every row.
 */
export class Project {
  readonly paths: StatePaths;
  readonly db: Db;
  /** What opening found: a fresh store that imported hand-written files, if any; see takeImportReport. */
  private importReport: ImportReport | undefined;
  readonly interruptedJobs: number;
  private resultsCache: { lastN: number; count: number; size: number; mtimeMs: number } | undefined;

  private constructor(paths: StatePaths, db: Db, imported: ImportReport | undefined, ownJob: string | undefined) {
    this.paths = paths;
    this.db = db;
    this.importReport = imported;
    this.interruptedJobs = markInterruptedJobs(db, ownJob);
  }

  /** The import done when this store was made, once: a later caller (a second session_start) gets nothing. */
  takeImportReport(): ImportReport | undefined {
    const report = this.importReport;
    this.importReport = undefined;
    return report;
  }

  /**
   * `stateHome`: a case-study workspace outside the repository (see statePaths); default `<root>/.codeflash`.
   * `ownJob`: the job this process was started to run, which must not be taken for one cut off.
   */
  static open(root: string, options: { stateHome?: string; ownJob?: string } = {}): Project {
    const paths = statePaths(root, options.stateHome);
    // A state home asked for may live anywhere; the default directory must not lead out of the project.
    if (!options.stateHome && lstatSync(paths.stateDir, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new UserError(
        `${paths.stateDir} is a symbolic link; the state is kept only in a real .codeflash directory of the project (remove the link, or pass --state-dir)`,
      );
    }
    const fresh = !existsSync(paths.database);
    const db = openDatabase(paths.database);
    if (!existsSync(paths.gitignore)) writeFileAtomic(paths.gitignore, STATE_GITIGNORE);
    removeStaleTempFiles(paths.stateDir);
    const imported = fresh && hasLegacyFiles(paths) ? importLegacyFiles(db, paths) : undefined;
    return new Project(paths, db, imported, options.ownJob);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private locked<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * results.tsv holds every experiment, and rows never change once written.
   * When the file on disk is exactly the one this process last wrote, new rows
   * are appended with one write (a killed process cannot leave half of it);
   * otherwise (first render, another writer, a hand edit) it is rewritten whole
   * through a temp file and rename.
   */
  renderResults(): string {
    const path = this.paths.file('results.tsv');
    return this.locked(() => {
      const { count, lastN } = stmt(this.db, 'SELECT COUNT(*) AS count, COALESCE(MAX(n), 0) AS lastN FROM experiments').get() as {
        count: number;
        lastN: number;
      };
      const cache = this.resultsCache;
      const onDisk = existsSync(path) ? statSync(path) : undefined;
      if (cache && onDisk && onDisk.size === cache.size && onDisk.mtimeMs === cache.mtimeMs && cache.lastN <= lastN) {
        const newer = stmt(this.db, 'SELECT * FROM experiments WHERE n > ? ORDER BY n').all(cache.lastN) as ExperimentRow[];
        if (cache.count + newer.length === count) {
          if (newer.length) appendFileSync(path, newer.map(resultsRow).join(''));
          this.rememberResults(path, count, lastN);
          return path;
        }
      }
      writeFileAtomic(path, RESULTS_HEADER + listExperiments(this.db).map(resultsRow).join(''));
      this.rememberResults(path, count, lastN);
      return path;
    });
  }

  private rememberResults(path: string, count: number, lastN: number): void {
    const { size, mtimeMs } = statSync(path);
    this.resultsCache = { count, lastN, size, mtimeMs };
  }

  renderLearnings(): string {
    return this.locked(() => this.writeFile('learnings.md', renderLearnings(listLearnings(this.db))));
  }

  renderConventions(): string {
    return this.locked(() => this.writeFile('conventions.md', renderConventions(listConventions(this.db))));
  }

  renderHandoff(sessionId: string): string {
    return this.locked(() => {
      const session = getSession(this.db, sessionId);
      const handoff = latestHandoff(this.db);
      if (!session || !handoff) throw new Error('nothing to render: no session or no handoff');
      const rows = listExperiments(this.db, sessionId);
      return this.writeFile(
        'HANDOFF.md',
        renderHandoff({
          session,
          stats: sessionStats(this.db, sessionId),
          kept: rows.filter((r) => r.status === 'keep'),
          recentDiscards: rows.filter((r) => r.status === 'discard' || r.status === 'crash').slice(-5),
          handoff,
          conventions: listConventions(this.db),
          measuredOn: (row) => measuredOn(this.db, row.comparison_id),
        }),
      );
    });
  }

  /** A session's experiment history as SVG (the latest session's when none is named; an empty chart before any). */
  progressSvg(sessionId?: string): string {
    const session = sessionId ? getSession(this.db, sessionId) : latestSession(this.db);
    return renderProgressSvg(
      session ? listExperiments(this.db, session.id) : [],
      session ? `Session ${session.id}${session.branch ? ` on ${session.branch}` : ''}` : 'No session yet',
    );
  }

  renderProgressChart(sessionId: string): string {
    return this.locked(() => this.writeFile('progress.svg', this.progressSvg(sessionId)));
  }

  renderChangelog(sessionId: string): string {
    return this.locked(() => {
      const session = getSession(this.db, sessionId);
      if (!session) throw new Error(`unknown session ${sessionId}`);
      return this.writeFile('changelog.md', renderChangelog(session, keptExperiments(this.db, sessionId)));
    });
  }

  /**
   * The entries of the state directory a cleanup removes (rendered drafts,
   * setup.md, profiles) and the ones it keeps: the project's long-term memory
   * (KEPT_FILES), the store and its WAL files, its git rules, revert patches,
   * the project's own templates and a case study exported into it.
   */
  transientEntries(): { transient: string[]; kept: string[] } {
    const dir = this.paths.stateDir;
    const entries = existsSync(dir) ? readdirSync(dir) : [];
    const keep = new Set<string>([
      ...KEPT_FILES,
      basename(this.paths.gitignore),
      basename(this.paths.revertsDir),
      basename(this.paths.templatesDir),
      CASE_STUDY_DIR,
      ...['', '-wal', '-shm'].map((suffix) => `${basename(this.paths.database)}${suffix}`),
    ]);
    return {
      transient: entries.filter((name) => !keep.has(name)).map((name) => join(dir, name)),
      kept: entries.filter((name) => keep.has(name)).map((name) => join(dir, name)),
    };
  }

  /** Remove the transient entries of the state directory; returns what was removed. */
  removeTransientEntries(): string[] {
    const { transient } = this.transientEntries();
    for (const path of transient) rmSync(path, { recursive: true, force: true });
    return transient;
  }

  /** Write one state file atomically; also for content made outside the store (setup.md from detection). */
  writeFile(name: string, content: string): string {
    const path = this.paths.file(name);
    writeFileAtomic(path, content);
    return path;
  }

  /** A state file's text; undefined when it is missing or not a plain file (see readStateFile). */
  readFile(name: string): string | undefined {
    const read = this.readStateFile(name);
    return 'text' in read ? read.text : undefined;
  }

  /** Read a state file only when it is a plain file of the state directory, else say why not. */
  readStateFile(name: string): PlainFileRead {
    return readPlainFile(this.paths.file(name));
  }
}
