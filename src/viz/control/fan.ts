/**
 * A fan chart: one thin line per rollout of a quantity over time (θ(t), x(t)), the picked rollout drawn
 * bold, and a dashed marker at the chosen step. Clicking a line picks that rollout. SVG, styled like `chart.ts`.
 */
import { fmtTick, ticks } from '../chart.js';
import { css } from '../palette.js';

export interface FanSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  lines: ReadonlyArray<ArrayLike<number>>;
  color: number;
  /** The y range (e.g. [−π, π]); else the data's. */
  yRange?: readonly [number, number];
  /** A horizontal reference line (e.g. the flag's x), with its label. */
  level?: { y: number; label: string };
  width?: number;
  height?: number;
  onPick?: (index: number) => void;
}

export interface Fan {
  svg: SVGSVGElement;
  /** Draws rollout `index` bold and the marker at step `t`. */
  show(index: number, t: number): void;
}

const NS = 'http://www.w3.org/2000/svg';
const el = (tag: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e as SVGElement;
};

export function fanChart(spec: FanSpec): Fan {
  const W = spec.width ?? 320;
  const H = spec.height ?? 200;
  const m = { l: 46, r: 10, t: 26, b: 34 };
  const svg = el('svg', {
    width: W,
    height: H,
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart fan',
    role: 'img',
    'aria-label': spec.title,
  }) as SVGSVGElement;
  svg.append(el('text', { x: m.l, y: 16, class: 'chart-title' }, spec.title));
  const xMax = Math.max(1, ...spec.lines.map((l) => l.length - 1));
  let [y0, y1] = spec.yRange ?? [
    Math.min(...spec.lines.flatMap((l) => Array.from(l))),
    Math.max(...spec.lines.flatMap((l) => Array.from(l))),
  ];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number) => m.l + (x / xMax) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  for (const t of ticks(y0, y1, 4)) {
    svg.append(el('line', { x1: m.l, x2: W - m.r, y1: sy(t), y2: sy(t), class: 'gridline' }));
    svg.append(el('text', { x: m.l - 5, y: sy(t) + 4, 'text-anchor': 'end' }, fmtTick(t)));
  }
  for (const t of ticks(0, xMax, 4))
    svg.append(el('text', { x: sx(t), y: H - m.b + 14, 'text-anchor': 'middle' }, fmtTick(t)));
  svg.append(
    el('text', { x: (m.l + W - m.r) / 2, y: H - 4, 'text-anchor': 'middle', class: 'axis-label' }, spec.xLabel),
  );
  svg.append(
    el(
      'text',
      {
        x: 11,
        y: (m.t + H - m.b) / 2,
        transform: `rotate(-90 11 ${(m.t + H - m.b) / 2})`,
        'text-anchor': 'middle',
        class: 'axis-label',
      },
      spec.yLabel,
    ),
  );
  if (spec.level) {
    svg.append(el('line', { x1: m.l, x2: W - m.r, y1: sy(spec.level.y), y2: sy(spec.level.y), class: 'marker' }));
    svg.append(
      el(
        'text',
        { x: W - m.r - 2, y: sy(spec.level.y) - 3, 'text-anchor': 'end', class: 'marker-label' },
        spec.level.label,
      ),
    );
  }
  const paths = spec.lines.map((l, i) => {
    const d = Array.from(
      l,
      (y, k) => `${k ? 'L' : 'M'}${sx(k).toFixed(1)},${sy(Math.min(y1, Math.max(y0, y))).toFixed(1)}`,
    ).join('');
    // A wide transparent twin under each line makes it easy to click.
    const hit = el('path', {
      d,
      fill: 'none',
      stroke: 'transparent',
      'stroke-width': 8,
      'data-rollout': i,
      style: 'cursor:pointer',
    });
    const p = el('path', {
      d,
      fill: 'none',
      stroke: css(spec.color),
      'stroke-width': 1.2,
      'stroke-opacity': 0.35,
      'pointer-events': 'none',
    });
    if (spec.onPick) hit.addEventListener('click', () => spec.onPick!(i));
    svg.append(p, hit);
    return p;
  });
  const marker = el('line', { y1: m.t, y2: H - m.b, class: 'marker' });
  svg.append(marker);
  return {
    svg,
    show(index, t) {
      paths.forEach((p, i) => {
        p.setAttribute('stroke-width', i === index ? '2.6' : '1.2');
        p.setAttribute('stroke-opacity', i === index ? '1' : '0.35');
      });
      paths[index]?.parentNode?.append(paths[index]);
      marker.setAttribute('x1', sx(t).toFixed(1));
      marker.setAttribute('x2', sx(t).toFixed(1));
    },
  };
}
