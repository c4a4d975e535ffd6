import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { schemaVersion } from '../../src/state/database.js';
import { type ExperimentInput, insertExperiment, listExperiments, sessionStats } from '../../src/state/experiments.js';
import { MIGRATIONS } from '../../src/state/migrations.js';
import { addHandoff, addLearning, GUARD_TOPIC, getConvention, listLearnings, setConvention } from '../../src/state/notes.js';
import { Project } from '../../src/state/project.js';
import { RESULTS_COLUMNS } from '../../src/state/render/results-tsv.js';
import { adoptOrphanRows, createSession } from '../../src/state/sessions.js';
import { gitIn, makeRepo } from '../helpers/git-repo.js';

const tempRoot = () => mkdtempSync(join(tmpdir(), 'cf-store-'));

function exp(sessionId: string, status: ExperimentInput['status'], value: number, extra: Partial<ExperimentInput> = {}): ExperimentInput {
  return { sessionId, target: 'f', hypothesis: 'h', metric: 'wall_s', baseline: 10, value, direction: 'lower', status, ...extra };
}

describe('project store', () => {
  it('creates the state directory and the schema, and keeps the state out of git', () => {
    const root = makeRepo({ 'app.py': 'print(1)\n' });
    const project = Project.open(root);
    expect(schemaVersion(project.db)).toBe(MIGRATIONS.length);
    expect(project.db.pragma('journal_mode', { simple: true })).toBe('wal');
    project.renderResults();
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    project.close();
  });

  it('numbers experiments 1..n and computes improvement by direction', () => {
    const project = Project.open(tempRoot());
    const s = createSession(project.db, { root: project.paths.root, domain: 'cpu' });
    const a = insertExperiment(project.db, exp(s.id, 'baseline', 10));
    const b = insertExperiment(project.db, exp(s.id, 'keep', 8));
    const c = insertExperiment(project.db, exp(s.id, 'keep', 1200, { metric: 'ops', baseline: 1000, direction: 'higher' }));
    expect([a.n, b.n, c.n]).toEqual([1, 2, 3]);
    expect(b.improvement_pct).toBeCloseTo(20);
    expect(b.change_pct).toBeCloseTo(-20);
    expect(c.improvement_pct).toBeCloseTo(20);
    project.close();
  });

  it('counts consecutive discards (crashes too) and calls a plateau at three; a keep resets it', () => {
    const project = Project.open(tempRoot());
    const s = createSession(project.db, { root: project.paths.root, domain: 'cpu' });
    insertExperiment(project.db, exp(s.id, 'baseline', 10));
    insertExperiment(project.db, exp(s.id, 'discard', 11));
    insertExperiment(project.db, exp(s.id, 'crash', 10));
    expect(sessionStats(project.db, s.id)).toMatchObject({ consecutive_discards: 2, plateau: false });
    insertExperiment(project.db, exp(s.id, 'discard', 10.5));
    expect(sessionStats(project.db, s.id)).toMatchObject({ consecutive_discards: 3, plateau: true, discards: 2, crashes: 1 });
    insertExperiment(project.db, exp(s.id, 'keep', 9));
    expect(sessionStats(project.db, s.id)).toMatchObject({ consecutive_discards: 0, plateau: false, keeps: 1, experiments: 4 });
    project.close();
  });

  it('refuses, writing nothing, an experiment whose change or improvement over the session baseline is not a finite number', () => {
    const project = Project.open(tempRoot());
    const s = createSession(project.db, { root: project.paths.root, domain: 'cpu' });
    const huge = { baseline: 5e-324, value: Number.MAX_VALUE, direction: 'higher' as const };
    expect(() => insertExperiment(project.db, exp(s.id, 'keep', huge.value, huge))).toThrow(UserError);
    expect(() => insertExperiment(project.db, exp(s.id, 'keep', huge.value, huge))).toThrow(/too far apart/);
    // Each row fine on its own, but the kept value is not comparable with the session's baseline.
    insertExperiment(project.db, exp(s.id, 'baseline', 5e-324, { baseline: 5e-324 }));
    expect(() => insertExperiment(project.db, exp(s.id, 'keep', 1, { baseline: 1 }))).toThrow(/session baseline/);
    expect(listExperiments(project.db).map((r) => r.n)).toEqual([1]);
    expect(sessionStats(project.db, s.id).best).toBeNull();
    project.close();
  });

  it('measures the best kept value against the session baseline, not its own step', () => {
    const project = Project.open(tempRoot());
    const s = createSession(project.db, { root: project.paths.root, domain: 'cpu' });
    insertExperiment(project.db, exp(s.id, 'baseline', 10));
    insertExperiment(project.db, exp(s.id, 'keep', 8, { baseline: 10 }));
    insertExperiment(project.db, exp(s.id, 'keep', 6, { baseline: 8 }));
    insertExperiment(project.db, exp(s.id, 'discard', 5, { baseline: 6 }));
    const stats = sessionStats(project.db, s.id);
    expect(stats.baseline).toMatchObject({ value: 10, metric: 'wall_s' });
    expect(stats.best).toMatchObject({ n: 3, value: 6 });
    expect(stats.best!.improvement_pct).toBeCloseTo(40);
    project.close();
  });

  it('renders results.tsv with the contract columns, one row per experiment, incrementally equal to a full render', () => {
    const root = tempRoot();
    const project = Project.open(root);
    const s = createSession(project.db, { root, domain: 'cpu' });
    insertExperiment(project.db, exp(s.id, 'baseline', 10, { hypothesis: 'tab\there\nnewline' }));
    project.renderResults();
    for (let i = 0; i < 5; i++) {
      insertExperiment(project.db, exp(s.id, 'discard', 11 + i));
      project.renderResults();
    }
    const text = readFileSync(project.paths.file('results.tsv'), 'utf8');
    expect(text.split('\n')[0]).toBe(RESULTS_COLUMNS.join('\t'));
    const rows = tsvParse(text);
    expect(rows).toHaveLength(6);
    // A text with a tab or line break is quoted, not flattened.
    expect(rows[0]!.description).toBe('tab\there\nnewline');
    expect(rows.map((r) => r.n)).toEqual(['1', '2', '3', '4', '5', '6']);
    project.close();
    const reopened = Project.open(root);
    reopened.renderResults();
    expect(readFileSync(reopened.paths.file('results.tsv'), 'utf8')).toBe(text);
    reopened.close();
  });

  it('reads back every row it wrote to results.tsv, with quotes, tabs, line breaks and unicode in the text columns', () => {
    const awkward = (i: number) => `"fast path" for ints\tand "more"\nline two ✓ ${i} — naïve ½`;
    const root = tempRoot();
    const project = Project.open(root);
    const s = createSession(project.db, { root, domain: 'cpu' });
    const row = (i: number, status: ExperimentInput['status']) =>
      exp(s.id, status, 9 - i, {
        target: awkward(i),
        metric: `wall "s"\t${i}`,
        hypothesis: awkward(i),
        notes: `note "${i}"\r\nend`,
        commit: `"c\t${i}`,
      });
    insertExperiment(project.db, row(0, 'baseline'));
    project.renderResults();
    // Appended to the file written above, then rewritten whole by the second store.
    insertExperiment(project.db, row(1, 'keep'));
    insertExperiment(project.db, row(2, 'discard'));
    project.renderResults();
    const written = readFileSync(project.paths.file('results.tsv'), 'utf8');
    project.close();

    const copy = tempRoot();
    mkdirSync(join(copy, '.codeflash'));
    writeFileSync(join(copy, '.codeflash', 'results.tsv'), written);
    const imported = Project.open(copy);
    expect(imported.takeImportReport()).toMatchObject({ experiments: 3, warnings: [] });
    const rows = listExperiments(imported.db);
    expect(rows.map((r) => [r.target, r.metric, r.hypothesis, r.commit_sha, r.status])).toEqual(
      [0, 1, 2].map((i) => [
        awkward(i),
        `wall "s"\t${i}`,
        `${awkward(i)} (note "${i}"\r\nend)`,
        `"c\t${i}`,
        ['baseline', 'keep', 'discard'][i],
      ]),
    );
    unlinkSync(imported.paths.file('results.tsv'));
    imported.renderResults();
    expect(readFileSync(imported.paths.file('results.tsv'), 'utf8')).toBe(written);
    imported.close();
  });

  it('imports hand-written .codeflash files into a new store, and a session adopts the rows', () => {
    const root = tempRoot();
    const dir = join(root, '.codeflash');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'results.tsv'),
      'n\tcommit\ttarget\tmetric\tbaseline\tvalue\tchange_pct\tstatus\tdescription\ttimestamp\n' +
        '0\tabc1234\tparse\twall_s\t2.0\t2.0\t0\tbaseline\tstart\t2026-01-01T00:00:00Z\n' +
        '1\tdef5678\tparse\twall_s\t2.0\t1.5\t-25\tkeep\tuse a dict\t2026-01-02T00:00:00Z\n' +
        '2\t\tparse\twall_s\tfast\t1.5\t\tdiscard\tbad row\t2026-01-03T00:00:00Z\n' +
        '3\t\tparse\twall_s\t1e-320\t1e300\t\tdiscard\tno ratio\t2026-01-04T00:00:00Z\n',
    );
    writeFileSync(join(dir, 'learnings.md'), '# Learnings\n\n## PIL close keeps metadata\n\nClosing early is safe.\n\nEvidence: exp 4\n');
    writeFileSync(join(dir, 'conventions.md'), '# Conventions\n\n## Guard\n\n`pytest -q tests/`\n\n## Style\n\nNo walrus.\n');
    writeFileSync(join(dir, 'HANDOFF.md'), '# Handoff — perf/ds-parse\n\nNext: try slots.\n');
    const project = Project.open(root);
    const report = project.takeImportReport();
    expect(report).toMatchObject({ experiments: 2, learnings: 1, conventions: 2, handoff: true });
    expect(report!.warnings[0]).toMatch(/line 4/);
    expect(report!.warnings[1]).toMatch(/line 5: .*too far apart.*row skipped/);
    expect(project.takeImportReport()).toBeUndefined();
    expect(getConvention(project.db, GUARD_TOPIC)?.rule).toBe('pytest -q tests/');
    expect(listLearnings(project.db)[0]).toMatchObject({ title: 'PIL close keeps metadata', evidence: 'exp 4' });
    const s = createSession(project.db, { root, domain: 'cpu' });
    adoptOrphanRows(project.db, s.id);
    expect(sessionStats(project.db, s.id)).toMatchObject({ keeps: 1, baseline: { value: 2 }, best: { value: 1.5 } });
    project.close();
    // A second open finds the store and imports nothing again.
    const reopened = Project.open(root);
    expect(reopened.takeImportReport()).toBeUndefined();
    reopened.close();
  });

  it('renders learnings, conventions, handoff and changelog from the store', () => {
    const root = tempRoot();
    const project = Project.open(root);
    const s = createSession(project.db, { root, domain: 'memory', branch: 'perf/mem-peak', goal: 'cut peak RSS' });
    insertExperiment(project.db, exp(s.id, 'baseline', 100, { metric: 'peak_mb', baseline: 100 }));
    insertExperiment(
      project.db,
      exp(s.id, 'keep', 60, { metric: 'peak_mb', baseline: 100, target: 'load()', hypothesis: 'stream rows', commit: 'abcdef1234' }),
    );
    addLearning(project.db, { sessionId: s.id, title: 'rows are copied twice', body: 'pandas copies on astype', evidence: 'exp 2' });
    setConvention(project.db, 'Guard', 'pytest -q');
    setConvention(project.db, 'code style', 'black');
    addHandoff(project.db, { sessionId: s.id, branch: 'perf/mem-peak', nextSteps: ['try mmap'], discoveries: ['astype copies'] });
    project.renderLearnings();
    project.renderConventions();
    project.renderHandoff(s.id);
    project.renderChangelog(s.id);
    expect(project.readFile('learnings.md')).toContain('## rows are copied twice');
    const conventions = project.readFile('conventions.md')!;
    expect(conventions.indexOf('## Guard')).toBeLessThan(conventions.indexOf('## Code style'));
    const handoff = project.readFile('HANDOFF.md')!;
    expect(handoff).toContain('# Handoff — perf/mem-peak');
    expect(handoff).toContain('1. try mmap');
    expect(handoff).toContain('+40.0 % vs baseline');
    expect(project.readFile('changelog.md')).toContain(
      '**load()**: stream rows — peak_mb 100 → 60 (+40.0 %) [commit abcdef1234, unproven: no comparison]',
    );
    expect(readdirSync(project.paths.stateDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    project.close();
  });

  it('removes temp files left by a killed writer when the project is opened', () => {
    const root = tempRoot();
    Project.open(root).close();
    const stale = join(root, '.codeflash', '.results.tsv.999999.0a1b2c3d.tmp');
    writeFileSync(stale, 'half');
    Project.open(root).close();
    expect(existsSync(stale)).toBe(false);
  });
});

describe('progress chart', () => {
  it('draws one mark per experiment on the baseline metric, one shape per status, and the best-so-far line', async () => {
    const { renderProgressSvg } = await import('../../src/state/render/progress-svg.js');
    const project = Project.open(tempRoot());
    const s = createSession(project.db, { root: project.paths.root, domain: 'cpu' });
    insertExperiment(project.db, exp(s.id, 'baseline', 10));
    insertExperiment(project.db, exp(s.id, 'keep', 8));
    insertExperiment(project.db, exp(s.id, 'discard', 9));
    insertExperiment(project.db, exp(s.id, 'crash', 10));
    insertExperiment(project.db, exp(s.id, 'keep', 999, { metric: 'other' }));
    const { listExperiments } = await import('../../src/state/experiments.js');
    const svg = renderProgressSvg(listExperiments(project.db, s.id), 'Session <x>');
    // One <title> per plotted experiment: the four on wall_s, not the one on another metric.
    expect(svg.match(/<title>#\d+ /g)).toEqual(['<title>#1 ', '<title>#2 ', '<title>#3 ', '<title>#4 ']);
    expect(svg).toContain('<title>#4 crash f: crashed</title>');
    expect(svg).toContain('Session &lt;x&gt;');
    expect(svg).toContain('wall_s · lower is better');
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+H[\d.]+V[\d.]+H[\d.]+" fill="none" stroke="#1a7f37"/);
    expect(renderProgressSvg([], 'empty')).toContain('No experiments recorded yet.');
    project.close();
  });
});
