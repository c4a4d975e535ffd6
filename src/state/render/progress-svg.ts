import { formatMeasured, formatPct } from '../../format.js';
import { type ExperimentRow, improvementPct } from '../experiments.js';

const WIDTH = 760;
const HEIGHT = 380;
const PAD = { left: 84, right: 24, top: 64, bottom: 56 };
const PLOT = { x0: PAD.left, x1: WIDTH - PAD.right, y0: PAD.top, y1: HEIGHT - PAD.bottom };
const COLOR = { baseline: '#1f6feb', keep: '#1a7f37', discard: '#6e7781', crash: '#cf222e', grid: '#d8dee4', axis: '#57606a' };

const esc = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const num = (v: number) => formatMeasured(Number(v.toPrecision(4)));
const px = (v: number) => v.toFixed(1);

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The mark of one experiment: a diamond for the baseline, a filled dot kept, a hollow dot discarded, a cross crashed. */
function mark(status: ExperimentRow['status'], x: number, y: number): string {
  if (status === 'baseline') {
    return `<path d="M${px(x)},${px(y - 7)}l7,7l-7,7l-7,-7z" fill="${COLOR.baseline}"/>`;
  }
  if (status === 'keep') return `<circle cx="${px(x)}" cy="${px(y)}" r="6" fill="${COLOR.keep}"/>`;
  if (status === 'discard') {
    return `<circle cx="${px(x)}" cy="${px(y)}" r="5.5" fill="#ffffff" stroke="${COLOR.discard}" stroke-width="2"/>`;
  }
  return `<path d="M${px(x - 5)},${px(y - 5)}l10,10m0,-10l-10,10" stroke="${COLOR.crash}" stroke-width="2.5"/>`;
}

function legend(): string {
  const items: [string, string][] = [
    [mark('baseline', 0, 0), 'baseline'],
    [mark('keep', 0, 0), 'kept'],
    [mark('discard', 0, 0), 'discarded'],
    [mark('crash', 0, 0), 'crashed'],
    [`<path d="M-9,0h18" stroke="${COLOR.keep}" stroke-width="2.5"/>`, 'best so far'],
  ];
  return items
    .map(([glyph, label], i) => `<g transform="translate(${PAD.left + 10 + i * 112},44)">${glyph}<text x="14" y="4">${label}</text></g>`)
    .join('');
}

/**
 * The session's experiments on the baseline's metric as a picture: every
 * experiment a mark by its status, the baseline a dashed line, the best kept
 * value so far a step line, and both axes labelled (the value axis with the
 * metric's unit). A crash carries no usable measurement, so it sits on the
 * bottom edge and leaves the scale alone.
 */
export function renderProgressSvg(rows: readonly ExperimentRow[], title: string): string {
  const first = rows.find((r) => r.status === 'baseline') ?? rows[0];
  const metric = first?.metric;
  const unit = first?.unit ?? rows.find((r) => r.metric === metric && r.unit)?.unit ?? null;
  const axisLabel = metric ? `${metric}${unit ? ` (${unit})` : ''}` : '';
  const points = rows.filter((r) => r.metric === metric);
  const header = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" fill="#24292f"><rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`;
  const heading = `<text x="${PAD.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`;
  if (!first || !points.length) {
    return `${header}${heading}<text x="${PAD.left}" y="${HEIGHT / 2}">No experiments recorded yet.</text></svg>\n`;
  }
  const direction = first.direction;
  const baseline = first.status === 'baseline' ? first.value : first.baseline;
  const measured = points.filter((p) => p.status !== 'crash');
  const values = [...measured.map((p) => p.value), baseline];
  let [lo, hi] = [Math.min(...values), Math.max(...values)];
  const span = hi - lo || Math.abs(hi) * 0.2 || 1;
  [lo, hi] = [lo - span * 0.08, hi + span * 0.08];
  if (Math.min(...values) >= 0) lo = Math.max(0, lo);
  const yTicks = ticks(lo, hi);
  [lo, hi] = [Math.min(lo, yTicks[0]!), Math.max(hi, yTicks[yTicks.length - 1]!)];
  const [n0, n1] = [points[0]!.n, points[points.length - 1]!.n];
  const x = (n: number) => (n1 === n0 ? (PLOT.x0 + PLOT.x1) / 2 : PLOT.x0 + 16 + ((n - n0) / (n1 - n0)) * (PLOT.x1 - PLOT.x0 - 32));
  const y = (v: number) => PLOT.y0 + (1 - (v - lo) / (hi - lo)) * (PLOT.y1 - PLOT.y0);

  const grid = yTicks
    .map(
      (v) =>
        `<line x1="${PLOT.x0}" x2="${PLOT.x1}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="${COLOR.grid}"/><text x="${PLOT.x0 - 8}" y="${px(y(v) + 4)}" text-anchor="end">${num(v)}</text>`,
    )
    .join('');
  const every = Math.max(1, Math.ceil(points.length / 16));
  const xTicks = points
    .filter((_, i) => i % every === 0 || i === points.length - 1)
    .map(
      (p) =>
        `<line x1="${px(x(p.n))}" x2="${px(x(p.n))}" y1="${PLOT.y1}" y2="${PLOT.y1 + 5}" stroke="${COLOR.axis}"/><text x="${px(x(p.n))}" y="${PLOT.y1 + 18}" text-anchor="middle">${p.n}</text>`,
    )
    .join('');
  const axes = [
    `<line x1="${PLOT.x0}" y1="${PLOT.y1}" x2="${PLOT.x1}" y2="${PLOT.y1}" stroke="${COLOR.axis}"/>`,
    `<line x1="${PLOT.x0}" y1="${PLOT.y0}" x2="${PLOT.x0}" y2="${PLOT.y1}" stroke="${COLOR.axis}"/>`,
    `<text x="${(PLOT.x0 + PLOT.x1) / 2}" y="${HEIGHT - 12}" text-anchor="middle">experiment #</text>`,
    `<text transform="translate(18,${(PLOT.y0 + PLOT.y1) / 2}) rotate(-90)" text-anchor="middle">${esc(axisLabel)} · ${direction} is better</text>`,
  ].join('');

  let best = baseline;
  const steps = [`M${px(PLOT.x0)},${px(y(best))}`];
  for (const p of points) {
    if (p.status === 'keep' && (direction === 'lower' ? p.value < best : p.value > best)) {
      steps.push(`H${px(x(p.n))}`, `V${px(y(p.value))}`);
      best = p.value;
    }
  }
  steps.push(`H${px(PLOT.x1)}`);
  const unitText = unit ? ` ${esc(unit)}` : '';
  const gain = improvementPct(baseline, best, direction);
  const baselineLine = `<line x1="${PLOT.x0}" x2="${PLOT.x1}" y1="${px(y(baseline))}" y2="${px(y(baseline))}" stroke="${COLOR.baseline}" stroke-width="1.5" stroke-dasharray="6 4"/>`;
  const labels = [
    `<text x="${PLOT.x1 - 4}" y="${px(y(baseline) - 6)}" text-anchor="end" fill="${COLOR.baseline}">baseline ${num(baseline)}${unitText}</text>`,
    best === baseline
      ? ''
      : `<text x="${PLOT.x1 - 4}" y="${px(y(best) + 16)}" text-anchor="end" fill="${COLOR.keep}" font-weight="bold">best ${num(best)}${unitText}, ${gain === null ? '' : `${formatPct(gain)} % better`}</text>`,
  ].join('');
  const marks = points
    .map((p) => {
      const cy = p.status === 'crash' ? PLOT.y1 : y(p.value);
      return `<g>${mark(p.status, x(p.n), cy)}<title>#${p.n} ${p.status} ${esc(p.target)}: ${p.status === 'crash' ? 'crashed' : `${num(p.value)}${unitText}`}</title></g>`;
    })
    .join('');
  const bestLine = `<path d="${steps.join('')}" fill="none" stroke="${COLOR.keep}" stroke-width="2.5"/>`;
  return `${header}${heading}${legend()}${grid}${axes}${xTicks}${baselineLine}${bestLine}${labels}${marks}</svg>\n`;
}
