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
}

const NS = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
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
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const fmtTick = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(3)));

export function lineChart(spec: ChartSpec): SVGSVGElement {
  const W = spec.width ?? 420;
  const H = spec.height ?? 220;
  const m = { l: 52, r: 12, t: 40, b: 38 };
  const svg = el('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': spec.title });
  const pts = spec.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  svg.append(el('text', { x: m.l, y: 16, class: 'chart-title' }, spec.title));
  if (pts.length === 0) {
    svg.append(el('text', { x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'no data'));
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
  for (const t of ticks(x0, x1, 6)) axes.append(el('text', { x: sx(t), y: H - m.b + 15, 'text-anchor': 'middle' }, fmtTick(t)));
  axes.append(el('text', { x: (m.l + W - m.r) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, spec.xLabel));
  if (spec.yLabel) axes.append(el('text', { x: 12, y: (m.t + H - m.b) / 2, transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})`, 'text-anchor': 'middle', class: 'axis-label' }, spec.yLabel));
  svg.append(axes);
  for (const mk of spec.markers ?? []) {
    if (mk.x < x0 || mk.x > x1) continue;
    svg.append(el('line', { x1: sx(mk.x), x2: sx(mk.x), y1: m.t, y2: H - m.b, class: 'marker' }));
    svg.append(el('text', { x: sx(mk.x) + 4, y: m.t + 10, class: 'marker-label' }, mk.label));
  }
  let lx = W - m.r;
  const legend = el('g', { class: 'legend' });
  for (const s of [...spec.series].reverse()) {
    const ok = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (ok.length > 0) {
      const d = ok.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
      svg.append(el('path', { d, fill: 'none', stroke: css(s.color), 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '5 4' : 'none' }));
    }
    const w = 30 + s.name.length * 6.4;
    lx -= w;
    legend.append(el('line', { x1: lx, x2: lx + 14, y1: 29, y2: 29, stroke: css(s.color), 'stroke-width': 3, 'stroke-dasharray': s.dashed ? '4 3' : 'none' }));
    legend.append(el('text', { x: lx + 18, y: 33 }, s.name));
  }
  svg.append(legend);
  return svg;
}
