/**
 * Dependency-free SVG charts for run reports, viewable in any browser or image viewer:
 * - `linePlot`: lines with optional shaded bands (learning curves: mean ± std over seeds);
 * - `scatterPlot`: labelled points, optionally joined (a reward–KL frontier across α);
 * - `barChart`: grouped bars with optional error bars (route frequencies per prior);
 * - `heatMaps`: grids of values side by side (a reward per gridworld cell, true vs recovered).
 * Each returns the SVG text; write it with `ctx.writeFile('plot.svg', svg)`. Axes get "nice"
 * ticks (1, 2, 5 × 10^k), a title, axis labels and a legend beside the plot. Every mean line is
 * one `<path class="line">`, every band one `<path class="band">`, every bar one `<rect class="bar">`.
 * Pure string code: safe to import from the browser too.
 */
import { css, namedColor } from '../../core/palette.js';

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

/**
 * The colours of a chart's legend entries: the project palette's fixed colour (`src/core/palette.ts`) when every
 * label names a different prior, route or outcome (so `routes.svg` and the viewer agree), else Okabe–Ito by index.
 */
export function legendColors(labels: readonly string[]): string[] {
  const named = labels.map(namedColor);
  const distinct = new Set(named).size === named.length && named.every((c) => c !== null);
  return labels.map((_, i) => (distinct ? css(named[i]!) : PALETTE[i % PALETTE.length]));
}

/** One line of a line plot: label, x and y, and an optional band (lower, upper). */
export interface LineSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
  /** Band bounds (same length as `x`), e.g. mean − std and mean + std. */
  lower?: readonly number[];
  upper?: readonly number[];
}

export interface PointSeries {
  label: string;
  points: ReadonlyArray<{ x: number; y: number; text?: string }>;
  /** Join the points with a line, in the given order. */
  connect?: boolean;
}

export interface BarGroup {
  label: string;
  values: readonly number[];
  /** Half-length of the error bar per value. */
  errors?: readonly number[];
}

/** A chart's title, axis labels and caption. */
export interface ChartText {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Escapes text for SVG content and attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values inside [lo, hi] (steps of 1, 2, 2.5 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(+(k * step).toPrecision(12));
  return ticks;
}

/** Tick label: compact, no float noise (`0.30000000000000004` → `0.3`, `25000` → `25k`). */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(4));
}

interface Frame {
  svg: string[];
  px(x: number): number;
  py(y: number): number;
  plotRight: number;
  plotTop: number;
  /** One colour per legend entry, in order (`legendColors`). */
  colors: string[];
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Pads a range by 5% (so lines do not touch the frame) unless it should start exactly at zero. */
function pad([lo, hi]: [number, number], frac = 0.05): [number, number] {
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * frac, hi + span * frac];
}

/** The legend's widest column (px) and the width it allots a character of 12 px text. */
const LEGEND_MAX_WIDTH = 240;
const CHAR_WIDTH = 7;

/** `text` broken at spaces into lines of at most `width` characters (a longer word keeps its own line). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Title, axes, grid, ticks and legend; returns pixel mappers for the data. */
function frame(
  text: ChartText,
  xRange: [number, number],
  yRange: [number, number],
  legend: string[],
  xTickValues?: number[],
): Frame {
  const colors = legendColors(legend);
  const width = text.width ?? 760;
  const height = text.height ?? 440;
  const legendWidth = legend.length
    ? Math.min(LEGEND_MAX_WIDTH, 28 + CHAR_WIDTH * Math.max(...legend.map((l) => l.length)))
    : 0;
  const m = { left: 72, right: 24 + legendWidth, top: 48, bottom: 58 };
  const plotRight = width - m.right;
  const plotBottom = height - m.bottom;
  const xTicks = xTickValues ?? niceTicks(...xRange);
  const yTicks = niceTicks(...yRange);
  const [x0, x1] = xTickValues
    ? xRange
    : [Math.min(xRange[0], xTicks[0] ?? xRange[0]), Math.max(xRange[1], xTicks.at(-1) ?? xRange[1])];
  const [y0, y1] = [Math.min(yRange[0], yTicks[0] ?? yRange[0]), Math.max(yRange[1], yTicks.at(-1) ?? yRange[1])];
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0 || 1)) * (plotRight - m.left);
  const py = (y: number): number => plotBottom - ((y - y0) / (y1 - y0 || 1)) * (plotBottom - m.top);
  const f = (n: number): string => n.toFixed(1);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${f((m.left + plotRight) / 2)}" y="28" text-anchor="middle" font-size="16" font-weight="600" fill="#222">${esc(text.title)}</text>`,
  ];
  for (const t of yTicks) {
    svg.push(`<line x1="${m.left}" x2="${plotRight}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#e6e6e6"/>`);
    svg.push(`<text x="${m.left - 8}" y="${f(py(t) + 4)}" text-anchor="end" fill="#444">${esc(tickLabel(t))}</text>`);
  }
  if (!xTickValues) {
    for (const t of xTicks) {
      svg.push(`<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${m.top}" y2="${plotBottom}" stroke="#f0f0f0"/>`);
      svg.push(`<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${plotBottom}" y2="${plotBottom + 5}" stroke="#444"/>`);
      svg.push(
        `<text x="${f(px(t))}" y="${plotBottom + 19}" text-anchor="middle" fill="#444">${esc(tickLabel(t))}</text>`,
      );
    }
  }
  svg.push(
    `<rect x="${m.left}" y="${m.top}" width="${f(plotRight - m.left)}" height="${f(plotBottom - m.top)}" fill="none" stroke="#888"/>`,
  );
  if (y0 < 0 && y1 > 0)
    svg.push(
      `<line x1="${m.left}" x2="${plotRight}" y1="${f(py(0))}" y2="${f(py(0))}" stroke="#999" stroke-dasharray="3 3"/>`,
    );
  if (text.xLabel)
    svg.push(
      `<text x="${f((m.left + plotRight) / 2)}" y="${height - 14}" text-anchor="middle" fill="#222">${esc(text.xLabel)}</text>`,
    );
  if (text.yLabel) {
    svg.push(
      `<text transform="translate(18 ${f((m.top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" fill="#222">${esc(text.yLabel)}</text>`,
    );
  }
  // Entries wrap at spaces to the legend's width, one line per 16 px, 6 px between entries.
  let y = m.top + 8;
  legend.forEach((label, i) => {
    const x = plotRight + 16;
    svg.push(`<rect x="${x}" y="${y - 6}" width="16" height="10" rx="2" fill="${colors[i]}"/>`);
    for (const line of wrap(label, Math.floor((legendWidth - 28) / CHAR_WIDTH))) {
      svg.push(`<text x="${x + 22}" y="${y + 3}" fill="#222">${esc(line)}</text>`);
      y += 16;
    }
    y += 6;
  });
  return { svg, px, py, plotRight, plotTop: m.top, colors };
}

const close = (svg: string[]): string => `${svg.join('\n')}\n</svg>\n`;

/** Lines with optional shaded bands (one band and one line per series). */
export function linePlot(text: ChartText, series: readonly LineSeries[]): string {
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => [...s.y, ...(s.lower ?? []), ...(s.upper ?? [])]);
  const fr = frame(
    text,
    extent(xs),
    pad(extent(ys)),
    series.map((s) => s.label),
  );
  const pt = (x: number, y: number): string => `${fr.px(x).toFixed(1)},${fr.py(y).toFixed(1)}`;
  series.forEach((s, i) => {
    const color = fr.colors[i];
    const idx = s.x.map((_, j) => j).filter((j) => Number.isFinite(s.y[j]));
    if (s.lower && s.upper && idx.length > 1) {
      const top = idx.map((j) => pt(s.x[j], s.upper![j]));
      const bottom = idx.map((j) => pt(s.x[j], s.lower![j])).reverse();
      fr.svg.push(
        `<path class="band" d="M${[...top, ...bottom].join('L')}Z" fill="${color}" fill-opacity="0.18" stroke="none"/>`,
      );
    }
    if (idx.length) {
      fr.svg.push(
        `<path class="line" d="M${idx.map((j) => pt(s.x[j], s.y[j])).join('L')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"><title>${esc(s.label)}</title></path>`,
      );
    }
  });
  return close(fr.svg);
}

/** Labelled points per series, optionally joined in order (e.g. a frontier traced by α). */
export function scatterPlot(text: ChartText, series: readonly PointSeries[]): string {
  const all = series.flatMap((s) => s.points);
  const fr = frame(
    text,
    pad(extent(all.map((p) => p.x))),
    pad(extent(all.map((p) => p.y))),
    series.map((s) => s.label),
  );
  const placed: Box[] = [];
  series.forEach((s, i) => {
    const color = fr.colors[i];
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (s.connect && pts.length > 1) {
      fr.svg.push(
        `<path class="line" d="M${pts.map((p) => `${fr.px(p.x).toFixed(1)},${fr.py(p.y).toFixed(1)}`).join('L')}" fill="none" stroke="${color}" stroke-width="1.5"/>`,
      );
    }
    for (const p of pts)
      fr.svg.push(
        `<circle class="point" cx="${fr.px(p.x).toFixed(1)}" cy="${fr.py(p.y).toFixed(1)}" r="4" fill="${color}" stroke="#fff"/>`,
      );
    for (const c of labelClusters(pts, fr.px, fr.py)) {
      const spot = labelSpot(c, placed);
      fr.svg.push(
        `<text x="${spot.x.toFixed(1)}" y="${spot.y.toFixed(1)}" text-anchor="${spot.anchor}" font-size="10" fill="#444">${esc(c.text)}</text>`,
      );
    }
  });
  return close(fr.svg);
}

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * Where a point's label goes: up-right of it, else down-right, up-left or down-left, the first spot whose box
 * (10 px text, ~5.6 px a character) overlaps no label placed before; up-right when every spot does.
 */
function labelSpot(
  c: { x: number; y: number; text: string },
  placed: Box[],
): { x: number; y: number; anchor: 'start' | 'end' } {
  const w = 5.6 * c.text.length;
  const spots = [
    { x: c.x + 6, y: c.y - 6, anchor: 'start' as const },
    { x: c.x + 6, y: c.y + 14, anchor: 'start' as const },
    { x: c.x - 6, y: c.y - 6, anchor: 'end' as const },
    { x: c.x - 6, y: c.y + 14, anchor: 'end' as const },
  ];
  const boxOf = (p: (typeof spots)[number]): Box =>
    p.anchor === 'start'
      ? { x0: p.x, x1: p.x + w, y0: p.y - 10, y1: p.y }
      : { x0: p.x - w, x1: p.x, y0: p.y - 10, y1: p.y };
  const free = spots.find((p) => {
    const b = boxOf(p);
    return placed.every((q) => b.x1 <= q.x0 || q.x1 <= b.x0 || b.y1 <= q.y0 || q.y1 <= b.y0);
  });
  const spot = free ?? spots[0];
  placed.push(boxOf(spot));
  return spot;
}

/**
 * One label per cluster of points that land within a label's height of each other (drawn apart, their labels
 * would print over one another): `alpha=0.01, 0.03` when the texts share a `key=`.
 */
function labelClusters(
  pts: readonly { x: number; y: number; text?: string }[],
  px: (x: number) => number,
  py: (y: number) => number,
): { x: number; y: number; text: string }[] {
  const near = 10;
  const clusters: { x: number; y: number; texts: string[] }[] = [];
  for (const p of pts) {
    if (!p.text) continue;
    const [x, y] = [px(p.x), py(p.y)];
    const c = clusters.find((k) => Math.abs(k.x - x) < near && Math.abs(k.y - y) < near);
    if (c) c.texts.push(p.text);
    else clusters.push({ x, y, texts: [p.text] });
  }
  return clusters.map(({ x, y, texts }) => {
    const key = /^[^=]+=/.exec(texts[0])?.[0];
    const shared = key !== undefined && texts.every((t) => t.startsWith(key));
    return { x, y, text: shared ? key + texts.map((t) => t.slice(key.length)).join(', ') : texts.join(', ') };
  });
}

/** Grouped bars: one cluster per category, one bar per group, optional error bars. */
export function barChart(text: ChartText, categories: readonly string[], groups: readonly BarGroup[]): string {
  const ys = groups.flatMap((g) => g.values.flatMap((v, j) => [v + (g.errors?.[j] ?? 0), v - (g.errors?.[j] ?? 0)]));
  const [lo, hi] = extent([0, ...ys]);
  const yRange: [number, number] = [lo < 0 ? lo - 0.05 * (hi - lo) : 0, hi + 0.05 * (hi - lo || 1)];
  const n = categories.length;
  const fr = frame(
    text,
    [0, n],
    yRange,
    groups.map((g) => g.label),
    [],
  );
  const slot = (fr.px(1) - fr.px(0)) * 0.8;
  const barW = slot / Math.max(1, groups.length);
  const base = fr.py(Math.max(0, yRange[0]));
  categories.forEach((cat, c) => {
    const left = fr.px(c) + (fr.px(1) - fr.px(0)) * 0.1;
    fr.svg.push(
      `<text x="${fr.px(c + 0.5).toFixed(1)}" y="${(fr.py(yRange[0]) + 19).toFixed(1)}" text-anchor="middle" fill="#444">${esc(cat)}</text>`,
    );
    groups.forEach((g, i) => {
      const v = g.values[c];
      if (!Number.isFinite(v)) return;
      const x = left + i * barW;
      const y = fr.py(v);
      fr.svg.push(
        `<rect class="bar" x="${(x + 1).toFixed(1)}" y="${Math.min(y, base).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.abs(base - y).toFixed(1)}" fill="${fr.colors[i]}"><title>${esc(`${g.label} · ${cat}: ${tickLabel(v)}`)}</title></rect>`,
      );
      const e = g.errors?.[c];
      if (e !== undefined && e > 0) {
        const cx = (x + barW / 2).toFixed(1);
        fr.svg.push(
          `<path class="error" d="M${cx},${fr.py(v - e).toFixed(1)}V${fr.py(v + e).toFixed(1)}" stroke="#222" stroke-width="1.2"/>`,
        );
      }
    });
  });
  return close(fr.svg);
}

/**
 * One bar per entry of `bars`, its `values` stacked bottom to top in the order of `segments` (fractions of
 * a whole, say), with the segment colours fixed by that order so every bar reads the same way; the
 * bars' labels under them (a `\n` starts a second line), the segments in the legend.
 */
export function stackedBars(
  text: ChartText,
  segments: readonly string[],
  bars: readonly { label: string; values: readonly number[] }[],
): string {
  const top = Math.max(0, ...bars.map((b) => b.values.reduce((a, v) => a + (Number.isFinite(v) && v > 0 ? v : 0), 0)));
  const yRange: [number, number] = [0, top > 0 ? top * 1.02 : 1];
  const fr = frame(text, [0, bars.length], yRange, [...segments], []);
  const slot = fr.px(1) - fr.px(0);
  bars.forEach((b, c) => {
    const x = fr.px(c) + slot * 0.15;
    const lines = b.label
      .split('\n')
      .map((l, k) => `<tspan x="${fr.px(c + 0.5).toFixed(1)}" dy="${k === 0 ? 0 : 15}">${esc(l)}</tspan>`);
    fr.svg.push(`<text y="${(fr.py(0) + 19).toFixed(1)}" text-anchor="middle" fill="#444">${lines.join('')}</text>`);
    let acc = 0;
    b.values.forEach((v, k) => {
      if (!(Number.isFinite(v) && v > 0)) return;
      const y0 = fr.py(acc);
      const y1 = fr.py(acc + v);
      acc += v;
      fr.svg.push(
        `<rect class="bar" x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(y0 - y1).toFixed(1)}" fill="${fr.colors[k]}"><title>${esc(`${b.label} · ${segments[k]}: ${tickLabel(v)}`)}</title></rect>`,
      );
    });
  });
  return close(fr.svg);
}

export interface HeatPanel {
  label: string;
  nRows: number;
  nCols: number;
  /** Row-major, nRows·nCols values. */
  values: readonly number[];
  /** Cells drawn hatched grey instead of coloured (walls, cells without data). */
  blank?: readonly boolean[];
}

/** White → `to` at fraction f ∈ [0, 1]. */
function mix(to: string, f: number): string {
  const c = [1, 3, 5].map((i) => parseInt(to.slice(i, i + 2), 16));
  return `rgb(${c.map((v) => Math.round(255 + (v - 255) * Math.min(1, Math.max(0, f)))).join(',')})`;
}

/**
 * Grids side by side, one heat map per panel (e.g. a true and a recovered reward per cell): a diverging
 * scale, blue below 0 and vermilion above, white at 0, symmetric per panel about its largest |value|, with
 * the value printed in each cell. Every cell is one `<rect class="cell">`.
 */
export function heatMaps(text: ChartText, panels: readonly HeatPanel[]): string {
  const width = text.width ?? 760;
  const gap = 28;
  const cols = Math.max(...panels.map((p) => p.nCols));
  const rows = Math.max(...panels.map((p) => p.nRows));
  const cell = Math.min(44, (width - 48 - gap * (panels.length - 1)) / (cols * panels.length));
  const height = text.height ?? Math.ceil(80 + rows * cell + (text.xLabel ? 24 : 0));
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="26" text-anchor="middle" font-size="16" font-weight="600" fill="#222">${esc(text.title)}</text>`,
  ];
  const left0 = (width - (cols * cell * panels.length + gap * (panels.length - 1))) / 2;
  panels.forEach((p, i) => {
    if (p.values.length !== p.nRows * p.nCols)
      throw new RangeError(
        `heatMaps: panel '${p.label}' has ${p.values.length} values, expected ${p.nRows}x${p.nCols}`,
      );
    const left = left0 + i * (cols * cell + gap);
    const top = 62;
    const scale = Math.max(1e-12, ...p.values.filter((v, k) => !p.blank?.[k] && Number.isFinite(v)).map(Math.abs));
    svg.push(
      `<text x="${(left + (p.nCols * cell) / 2).toFixed(1)}" y="50" text-anchor="middle" fill="#222">${esc(p.label)}</text>`,
    );
    p.values.forEach((v, k) => {
      const x = (left + (k % p.nCols) * cell).toFixed(1);
      const y = (top + Math.floor(k / p.nCols) * cell).toFixed(1);
      const blank = p.blank?.[k] || !Number.isFinite(v);
      const fill = blank ? '#d9d9d9' : mix(v < 0 ? PALETTE[0] : PALETTE[3], Math.abs(v) / scale);
      svg.push(
        `<rect class="cell" x="${x}" y="${y}" width="${cell.toFixed(1)}" height="${cell.toFixed(1)}" fill="${fill}" stroke="#fff"><title>${esc(`${p.label} [${Math.floor(k / p.nCols)}, ${k % p.nCols}]: ${blank ? '—' : tickLabel(v)}`)}</title></rect>`,
      );
      if (!blank && cell >= 22) {
        svg.push(
          `<text x="${(+x + cell / 2).toFixed(1)}" y="${(+y + cell / 2 + 4).toFixed(1)}" text-anchor="middle" font-size="${Math.min(11, cell / 3.2).toFixed(1)}" fill="#222">${esc(tickLabel(+v.toFixed(2)))}</text>`,
        );
      }
    });
  });
  if (text.xLabel)
    svg.push(`<text x="${width / 2}" y="${height - 10}" text-anchor="middle" fill="#444">${esc(text.xLabel)}</text>`);
  return close(svg);
}
