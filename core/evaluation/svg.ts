/*
 * A small SVG chart renderer (pure, no dependencies): a scatter plot with error bars and a grouped
 * bar chart with negative values. Enough for evaluation reports; every label is XML-escaped.
 */

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

function fmt(v: number, percent: boolean): string {
  if (percent) return `${Math.round(v * 1000) / 10}%`;
  if (Math.abs(v) >= 10000) return `${Math.round(v / 100) / 10}k`;
  return `${Math.round(v * 100) / 100}`;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frame(width: number, height: number, legendWidth: number): Frame {
  return { width, height, left: 70, right: width - 20 - legendWidth, top: 40, bottom: height - 55 };
}

function header(f: Frame, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n` +
    `<text x="${f.width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${escapeXml(title)}</text>\n`
  );
}

function yAxis(f: Frame, ticks: number[], y: (v: number) => number, label: string, percent: boolean): string {
  let out = '';
  for (const t of ticks) {
    const py = y(t);
    out += `<line x1="${f.left}" x2="${f.right}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>\n`;
    out += `<text x="${f.left - 6}" y="${py + 4}" text-anchor="end" font-size="11" ${FONT}>${fmt(t, percent)}</text>\n`;
  }
  const mid = (f.top + f.bottom) / 2;
  out += `<text x="16" y="${mid}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${mid})" ${FONT}>${escapeXml(label)}</text>\n`;
  out += `<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.bottom}" stroke="#333"/>\n`;
  return out;
}

/** Room for a legend: swatch + the longest label (about 7 px per character at 12 px). */
function legendWidth(names: string[]): number {
  return 40 + 7 * Math.max(8, ...names.map((n) => n.length));
}

function legend(f: Frame, names: string[]): string {
  return names
    .map((n, i) => {
      const y = f.top + 10 + i * 20;
      const x = f.right + 18;
      return (
        `<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>\n` +
        `<text x="${x + 18}" y="${y + 1}" font-size="12" ${FONT}>${escapeXml(n)}</text>\n`
      );
    })
    .join('');
}

export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  yLow?: number;
  yHigh?: number;
}

/** Scatter with optional vertical error bars; one colour and legend entry per point label. */
export function scatterSvg(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  points: ScatterPoint[];
  yPercent?: boolean;
  width?: number;
  height?: number;
}): string {
  const lw = legendWidth(opts.points.map((p) => p.label));
  const f = frame((opts.width ?? 520) + lw, opts.height ?? 400, lw);
  const xs = opts.points.map((p) => p.x);
  const ys = opts.points.flatMap((p) => [p.y, p.yLow ?? p.y, p.yHigh ?? p.y]);
  const xt = niceTicks(0, Math.max(1, ...xs));
  const pct = opts.yPercent ?? false;
  const yMin = pct ? Math.max(0, Math.min(...ys) - 0.05) : Math.min(...ys);
  const yMax = pct ? Math.min(1, Math.max(...ys) + 0.05) : Math.max(...ys);
  const yt = niceTicks(yMin, yMax);
  const x = (v: number) => f.left + ((v - xt[0]!) / (xt[xt.length - 1]! - xt[0]!)) * (f.right - f.left);
  const y = (v: number) => f.bottom - ((v - yt[0]!) / (yt[yt.length - 1]! - yt[0]!)) * (f.bottom - f.top);
  let out = header(f, opts.title) + yAxis(f, yt, y, opts.yLabel, opts.yPercent ?? false);
  out += `<line x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}" stroke="#333"/>\n`;
  for (const t of xt) {
    out += `<text x="${x(t)}" y="${f.bottom + 16}" text-anchor="middle" font-size="11" ${FONT}>${fmt(t, false)}</text>\n`;
  }
  out += `<text x="${(f.left + f.right) / 2}" y="${f.height - 18}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(opts.xLabel)}</text>\n`;
  opts.points.forEach((p, i) => {
    const c = PALETTE[i % PALETTE.length];
    if (p.yLow !== undefined && p.yHigh !== undefined) {
      out += `<line x1="${x(p.x)}" x2="${x(p.x)}" y1="${y(p.yLow)}" y2="${y(p.yHigh)}" stroke="${c}" stroke-width="2"/>\n`;
      for (const v of [p.yLow, p.yHigh])
        out += `<line x1="${x(p.x) - 5}" x2="${x(p.x) + 5}" y1="${y(v)}" y2="${y(v)}" stroke="${c}" stroke-width="2"/>\n`;
    }
    out += `<circle cx="${x(p.x)}" cy="${y(p.y)}" r="6" fill="${c}" stroke="white" stroke-width="1.5"/>\n`;
    out += `<text x="${x(p.x) + 9}" y="${y(p.y) - 8}" font-size="11" fill="${c}" ${FONT}>${escapeXml(`${fmt(p.y, opts.yPercent ?? false)}`)}</text>\n`;
  });
  out += legend(
    f,
    opts.points.map((p) => p.label),
  );
  return `${out}</svg>\n`;
}

/** Grouped bars: one group per category, one bar per series; values may be negative or missing (null). */
export function barsSvg(opts: {
  title: string;
  yLabel: string;
  xLabel?: string;
  categories: string[];
  series: { name: string; values: (number | null)[] }[];
  percent?: boolean;
  width?: number;
  height?: number;
}): string {
  const lw = legendWidth(opts.series.map((x) => x.name));
  const f = frame(
    (opts.width ?? Math.max(420, 90 * opts.categories.length + 90)) + lw,
    opts.height ?? 400,
    lw,
  );
  const vals = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const lo = Math.min(0, ...vals);
  const hi = Math.max(0, ...vals, opts.percent ? 0.1 : 1);
  // headroom on both sides so value labels never sit on the axis labels
  const pad = (hi - lo) * 0.08;
  const yt = niceTicks(lo < 0 ? lo - pad : 0, hi + pad);
  const y = (v: number) => f.bottom - ((v - yt[0]!) / (yt[yt.length - 1]! - yt[0]!)) * (f.bottom - f.top);
  let out = header(f, opts.title) + yAxis(f, yt, y, opts.yLabel, opts.percent ?? false);
  const groupW = (f.right - f.left) / Math.max(1, opts.categories.length);
  const barW = Math.min(40, (groupW * 0.75) / Math.max(1, opts.series.length));
  opts.categories.forEach((cat, ci) => {
    const gx = f.left + ci * groupW + (groupW - barW * opts.series.length) / 2;
    opts.series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || v === undefined) return;
      const top = y(Math.max(0, v));
      const h = Math.abs(y(v) - y(0));
      const bx = gx + si * barW;
      out += `<rect x="${bx}" y="${top}" width="${barW - 2}" height="${Math.max(0.5, h)}" fill="${PALETTE[si % PALETTE.length]}"/>\n`;
      const ty = v >= 0 ? top - 4 : top + h + 12;
      out += `<text x="${bx + (barW - 2) / 2}" y="${ty}" text-anchor="middle" font-size="10" ${FONT}>${fmt(v, opts.percent ?? false)}</text>\n`;
    });
    out += `<text x="${f.left + ci * groupW + groupW / 2}" y="${f.bottom + 16}" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(cat)}</text>\n`;
  });
  out += `<line x1="${f.left}" x2="${f.right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>\n`;
  if (opts.xLabel) {
    out += `<text x="${(f.left + f.right) / 2}" y="${f.height - 18}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(opts.xLabel)}</text>\n`;
  }
  out += legend(
    f,
    opts.series.map((s) => s.name),
  );
  return `${out}</svg>\n`;
}
