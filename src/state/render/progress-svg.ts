import type { ExperimentRow } from '../experiments.js';

const WIDTH = 720;
const HEIGHT = 320;
const PAD = { left: 64, right: 16, top: 28, bottom: 40 };
const COLORS: Record<ExperimentRow['status'], string> = { baseline: '#1f6feb', keep: '#1a7f37', discard: '#8c959f', crash: '#cf222e' };

const esc = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const fmt = (v: number) =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();

/**
 * The session's experiments on one metric as a picture: each experiment a dot
 * coloured by status, the baseline as a dashed line, the best kept value so far
 * as a step line. Only rows on the baseline's metric are drawn.
 */
export function renderProgressSvg(rows: readonly ExperimentRow[], title: string): string {
  const metric = (rows.find((r) => r.status === 'baseline') ?? rows[0])?.metric;
  const points = rows.filter((r) => r.metric === metric);
  const header = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`;
  const heading = `<text x="${PAD.left}" y="18" font-size="14">${esc(title)}${metric ? ` — ${esc(metric)}` : ''}</text>`;
  if (!points.length) return `${header}${heading}<text x="${PAD.left}" y="${HEIGHT / 2}">No experiments recorded yet.</text></svg>\n`;
  const direction = points[0]!.direction;
  const baseline = points[0]!.status === 'baseline' ? points[0]!.value : points[0]!.baseline;
  const values = [...points.map((p) => p.value), baseline];
  let [lo, hi] = [Math.min(...values), Math.max(...values)];
  if (lo === hi) [lo, hi] = [lo * 0.9, hi * 1.1 || 1];
  const [n0, n1] = [points[0]!.n, points[points.length - 1]!.n];
  const x = (n: number) => PAD.left + (n1 === n0 ? 0.5 : (n - n0) / (n1 - n0)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (HEIGHT - PAD.top - PAD.bottom);
  let best = baseline;
  const steps: string[] = [`M${x(n0).toFixed(1)},${y(best).toFixed(1)}`];
  for (const p of points) {
    if (p.status === 'keep' && (direction === 'lower' ? p.value < best : p.value > best)) {
      steps.push(`H${x(p.n).toFixed(1)}`, `V${y(p.value).toFixed(1)}`);
      best = p.value;
    }
  }
  steps.push(`H${x(n1).toFixed(1)}`);
  const dots = points
    .map(
      (p) =>
        `<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="4" fill="${COLORS[p.status]}"><title>#${p.n} ${p.status} ${esc(p.target)}: ${fmt(p.value)}</title></circle>`,
    )
    .join('');
  const axis = [
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#57606a"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#57606a"/>`,
    `<text x="${PAD.left - 6}" y="${y(hi) + 4}" text-anchor="end">${fmt(hi)}</text>`,
    `<text x="${PAD.left - 6}" y="${y(lo) + 4}" text-anchor="end">${fmt(lo)}</text>`,
    `<text x="${(WIDTH + PAD.left) / 2}" y="${HEIGHT - 10}" text-anchor="middle">experiment # (${direction} is better)</text>`,
  ].join('');
  const legend = (['baseline', 'keep', 'discard', 'crash'] as const)
    .map(
      (s, i) =>
        `<circle cx="${WIDTH - 300 + i * 75}" cy="14" r="4" fill="${COLORS[s]}"/><text x="${WIDTH - 292 + i * 75}" y="18">${s}</text>`,
    )
    .join('');
  return `${header}${heading}${legend}${axis}<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(baseline).toFixed(1)}" y2="${y(baseline).toFixed(1)}" stroke="${COLORS.baseline}" stroke-dasharray="4 4"/><path d="${steps.join('')}" fill="none" stroke="${COLORS.keep}" stroke-width="2"/>${dots}</svg>\n`;
}
