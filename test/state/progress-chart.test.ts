import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ExperimentInput, insertExperiment, listExperiments } from '../../src/state/experiments.js';
import { Project } from '../../src/state/project.js';
import { renderProgressSvg } from '../../src/state/render/progress-svg.js';
import { createSession } from '../../src/state/sessions.js';
import { countColor, decodePng } from '../helpers/png.js';
import { requireTool } from '../helpers/requires.js';

const KEEP = '#1a7f37';
const DISCARD = '#6e7781';
const CRASH = '#cf222e';
const BASELINE = '#1f6feb';

/** A session's worth of experiments on wall_ms: a baseline, keeps that improve (and one that does not), discards, a crash. */
function session() {
  const project = Project.open(mkdtempSync(join(tmpdir(), 'cf-chart-')));
  const s = createSession(project.db, { root: project.paths.root, domain: 'cpu', branch: 'perf/ds-chart' });
  const row = (status: ExperimentInput['status'], value: number): ExperimentInput => ({
    sessionId: s.id,
    target: `t${value}`,
    hypothesis: 'h',
    metric: 'wall_ms',
    unit: 'ms',
    baseline: 120,
    value,
    direction: 'lower',
    status,
    ...(status === 'keep' ? { proof: 'proven' as const, comparisonId: 'cmp-x' } : {}),
  });
  for (const [status, value] of [
    ['baseline', 120],
    ['discard', 125],
    ['keep', 90],
    ['crash', 0],
    ['discard', 95],
    ['keep', 60],
    ['keep', 65],
    ['discard', 70],
  ] as const) {
    insertExperiment(project.db, row(status, value));
  }
  return { project, s };
}

describe('the progress chart', () => {
  it('marks each status with its own shape, draws the best-so-far line against the baseline and labels the axes with the unit', () => {
    const { project, s } = session();
    const svg = renderProgressSvg(listExperiments(project.db, s.id), `Session ${s.id} on perf/ds-chart`);
    expect(svg).toContain('wall_ms (ms) · lower is better</text>');
    expect(svg).toContain('>experiment #</text>');
    expect(svg).toContain('baseline 120 ms</text>');
    expect(svg).toContain('best 60 ms, 50.0 % better</text>');
    // Kept: filled dots; discarded: hollow rings; crashed: a cross; the baseline: a diamond (each once more in the legend).
    expect(svg.match(new RegExp(`<circle [^>]*r="6" fill="${KEEP}"`, 'g'))).toHaveLength(3 + 1);
    expect(svg.match(new RegExp(`<circle [^>]*fill="#ffffff" stroke="${DISCARD}"`, 'g'))).toHaveLength(3 + 1);
    expect(svg.match(new RegExp(`stroke="${CRASH}" stroke-width="2.5"`, 'g'))).toHaveLength(1 + 1);
    // The best-so-far line steps down at #3 (90) and #6 (60), not at #7 (65, no better).
    const best = /<path d="(M[^"]+)" fill="none" stroke="#1a7f37"/.exec(svg)![1]!;
    expect(best.match(/V/g)).toHaveLength(2);
    project.close();
  });

  const rsvg = requireTool('rsvg-convert');
  it.skipIf(!rsvg.ok)('renders to a PNG (rsvg-convert) where every status colour, the line and the labels are on the canvas', () => {
    const { project, s } = session();
    const dir = mkdtempSync(join(tmpdir(), 'cf-chart-png-'));
    writeFileSync(join(dir, 'progress.svg'), project.progressSvg(s.id));
    execFileSync('rsvg-convert', ['-o', join(dir, 'progress.png'), join(dir, 'progress.svg')]);
    const raster = decodePng(readFileSync(join(dir, 'progress.png')));
    expect([raster.width, raster.height]).toEqual([760, 380]);
    expect(countColor(raster, KEEP)).toBeGreaterThan(1500); // three dots, the legend dot and line, the best-so-far line and label
    expect(countColor(raster, BASELINE)).toBeGreaterThan(300); // dashed baseline across the plot, its label, the diamond
    expect(countColor(raster, DISCARD)).toBeGreaterThan(150);
    expect(countColor(raster, CRASH)).toBeGreaterThan(40);
    expect(countColor(raster, '#24292f', 40)).toBeGreaterThan(1000); // title, tick labels, axis titles
    // The crash sits on the bottom edge of the plot (y = 324), apart from the legend's cross at y = 44.
    const bottom = { ...raster, pixels: raster.pixels.slice(310 * 760 * 4, 340 * 760 * 4) };
    expect(countColor(bottom, CRASH)).toBeGreaterThan(20);
    project.close();
  });
});
