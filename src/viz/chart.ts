/**
 * A small hand-written SVG line chart: titled axes with ticks, one polyline per series, a legend.
 * Used for densities (ELBO playground), learning curves (Runs) and live-training curves.
 */
import { css } from './palette.js';

export interface Series {
  name: string;
  color: number;
  points: ReadonlyArray<readonly [number, number]>;
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel?: string;
  series: Series[];
  width?: number;
  height?: number;
  /** Vertical marker lines (e.g. the observed x). */
  markers?: Array<{ x: number; label: string }>;
  /** Plots x on a log10 axis with ticks at whole decades (x must be > 0). */
  logX?: boolean;
  /** Shown instead of the axes while no series has a finite point (default "no data"). */
  emptyText?: string;
}

const NS = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** About five round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * A tick label: compact for large magnitudes (50k, 1.5M), plain for ordinary ones, short for tiny ones.
 * Ticks come from `ticks`, so they are round and the labels never repeat.
 */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a < 1e-3 && v !== 0) return v.toExponential(1).replace(/\.0e/, 'e');
  return String(+v.toPrecision(4));
}

const CHAR_W = 6.4;
const LEGEND_ROW = 16;

/** Cuts `name` to about `maxW` pixels, keeping its end (the most specific part of a metric key). */
function fitLabel(name: string, maxW: number): string {
  const n = Math.max(4, Math.floor(maxW / CHAR_W));
  return name.length <= n ? name : `…${name.slice(name.length - n + 1)}`;
}

export function lineChart(spec: ChartSpec): SVGSVGElement {
  if (spec.logX) {
    const lg = (x: number) => Math.log10(x);
    return linear({
      ...spec,
      series: spec.series.map((s) => ({ ...s, points: s.points.map(([x, y]) => [lg(x), y] as const) })),
      xTicks: (lo, hi) =>
        ticks(Math.ceil(lo), Math.floor(hi), Math.max(1, Math.floor(hi) - Math.ceil(lo))).map(
          (t) => [t, fmtTick(10 ** t)] as const,
        ),
    });
  }
  return linear(spec);
}

const markerScale = new WeakMap<SVGSVGElement, (x: number) => number | null>();

/** Moves a chart's markers (in the order they were given) to new x values and labels; one off the x range is hidden. */
export function setMarker(svg: SVGSVGElement, ...markers: ReadonlyArray<{ x: number; label: string }>): void {
  const scale = markerScale.get(svg);
  svg.querySelectorAll<SVGGElement>('g.marker-group').forEach((g, i) => {
    const px = scale && markers[i] ? scale(markers[i].x) : null;
    g.style.display = px === null ? 'none' : '';
    if (px === null) return;
    g.setAttribute('transform', `translate(${px.toFixed(1)} 0)`);
    const text = g.querySelector('text')!;
    text.textContent = markers[i].label;
    // Near the right edge the label goes left of its line, so it is never clipped (β = 0.001 on the frontier).
    const width = svg.viewBox?.baseVal?.width || Number(svg.getAttribute('width')) || Infinity;
    const right = px + 4 + 7 * markers[i].label.length > width - 4;
    text.setAttribute('x', right ? '-4' : '4');
    text.setAttribute('text-anchor', right ? 'end' : 'start');
  });
}

function linear(
  spec: ChartSpec & { xTicks?: (lo: number, hi: number) => ReadonlyArray<readonly [number, string]> },
): SVGSVGElement {
  const W = spec.width ?? 420;
  const baseH = spec.height ?? 220;
  // Legend: left to right under the title, wrapping onto more rows (the chart grows to keep its plot area).
  const items: Array<{ s: Series; label: string; x: number; row: number }> = [];
  let lx = 52;
  let row = 0;
  for (const s of spec.series) {
    const label = fitLabel(s.name, W - 52 - 12 - 20);
    const w = 26 + label.length * CHAR_W;
    if (lx + w > W - 12 && lx > 52) {
      row++;
      lx = 52;
    }
    items.push({ s, label, x: lx, row });
    lx += w;
  }
  const extra = spec.series.length > 0 ? row * LEGEND_ROW : 0;
  const H = baseH + extra;
  const m = { l: 52, r: 18, t: 40 + extra, b: 38 };
  const svg = el('svg', {
    width: W,
    height: H,
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-label': spec.title,
  });
  const pts = spec.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  svg.append(el('text', { x: m.l, y: 16, class: 'chart-title' }, fitLabel(spec.title, W - m.l - m.r)));
  if (pts.length === 0) {
    svg.append(
      el('text', { x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle' }, spec.emptyText ?? 'no data'),
    );
    return svg;
  }
  let [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.06;
  [y0, y1] = [y0 - pad, y1 + pad];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const axes = el('g', { class: 'axes' });
  for (const t of ticks(y0, y1)) {
    axes.append(el('line', { x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t), class: 'gridline' }));
    axes.append(el('text', { x: m.l - 6, y: sy(t) + 4, 'text-anchor': 'end' }, fmtTick(t)));
  }
  const xTicks = spec.xTicks?.(x0, x1) ?? ticks(x0, x1, 5).map((t) => [t, fmtTick(t)] as const);
  for (const [t, label] of xTicks)
    axes.append(el('text', { x: sx(t), y: H - m.b + 15, 'text-anchor': 'middle' }, label));
  axes.append(
    el('text', { x: (m.l + W - m.r) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, spec.xLabel),
  );
  if (spec.yLabel)
    axes.append(
      el(
        'text',
        {
          x: 12,
          y: (m.t + H - m.b) / 2,
          transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})`,
          'text-anchor': 'middle',
          class: 'axis-label',
        },
        spec.yLabel,
      ),
    );
  svg.append(axes);
  for (const mk of spec.markers ?? []) {
    const g = el('g', { class: 'marker-group' });
    g.append(
      el('line', { x1: 0, x2: 0, y1: m.t, y2: H - m.b, class: 'marker' }),
      el('text', { x: 4, y: m.t + 10, class: 'marker-label' }, mk.label),
    );
    svg.append(g);
  }
  // `setMarker` moves the markers later without redrawing the chart.
  markerScale.set(svg, (x) => (x < x0 || x > x1 ? null : sx(spec.logX ? Math.log10(x) : x)));
  setMarker(svg, ...(spec.markers ?? []));
  const legend = el('g', { class: 'legend' });
  for (const { s, label, x, row: r } of [...items].reverse()) {
    const ok = s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
    if (ok.length > 0) {
      const d = ok.map(([px, py], i) => `${i ? 'L' : 'M'}${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join('');
      svg.append(
        el('path', {
          d,
          fill: 'none',
          stroke: css(s.color),
          'stroke-width': 2,
          'stroke-dasharray': s.dashed ? '5 4' : 'none',
        }),
      );
    }
    const y = 29 + r * LEGEND_ROW;
    legend.append(
      el('line', {
        x1: x,
        x2: x + 14,
        y1: y,
        y2: y,
        stroke: css(s.color),
        'stroke-width': 3,
        'stroke-dasharray': s.dashed ? '4 3' : 'none',
      }),
    );
    const t = el('text', { x: x + 18, y: y + 4 }, label);
    if (label !== s.name) t.append(el('title', {}, s.name));
    legend.append(t);
  }
  svg.append(legend);
  return svg;
}
