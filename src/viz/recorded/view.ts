/**
 * The Runs panel's drawing, from the loaded runs: the first run's config, its evaluation episodes (gridworlds
 * as visit maps, one per part, PointMass as trajectories, Pendulum as the swinging rod) and the SVG figures it
 * wrote, and per metric group the learning curves of every run × part.
 */
import { lineChart } from '../chart.js';
import { pendulumView, pointMassView, GOAL_COLORS, type AnimatedView } from '../control/draw.js';
import { paintVisitGrid } from '../gridworld/draw.js';
import { GRID_ENVS, makeGridEnv } from '../gridworld/compute.js';
import { PRIOR_COLORS, css, namedColor } from '../palette.js';
import { METRIC_GROUPS, partCurves, type Episode, type EpisodesFile, type RunData } from './data.js';
import { CanvasStage, Stage } from '../stage.js';
import { h, legend, statTable } from '../ui.js';
import type { PriorName } from '../../priors/index.js';

const RUN_COLORS = [0x2bb3a3, 0xf0a030, 0xe05570, 0x5b8def, 0xb48ef0, 0x9fd356];
/** A `.card`'s padding and border, left and right (style.css). */
const CARD_PAD = 26;

type Curve = { run: number; part: string; points: ReadonlyArray<readonly [number, number]> };

/** Splits curves into sets whose last steps are within a factor 4 of each other, shortest first. */
function byStepRange(curves: Curve[]): Curve[][] {
  const last = (c: Curve) => Math.max(...c.points.map((p) => p[0]));
  const sorted = [...curves].sort((a, b) => last(a) - last(b));
  const sets: Curve[][] = [];
  for (const c of sorted) {
    const set = sets.at(-1);
    if (set && last(c) <= 4 * Math.max(1, last(set[0]))) set.push(c);
    else sets.push([c]);
  }
  // Within a set, keep the parts' order of appearance, not the step order.
  return sets.map((p) => curves.filter((c) => p.includes(c)));
}

/**
 * Legend names for parts: the path segments shared by every part (same position) move to the chart
 * title, the rest name the series. `uniform/sac` beside `reference/sac` becomes `uniform` and `reference`,
 * under `sac`.
 */
function shortNames(parts: string[]): { labels: string[]; common: string } {
  const segs = parts.map((k) => k.split('/'));
  const n = segs[0].length;
  if (parts.length < 2 || segs.some((p) => p.length !== n)) return { labels: parts.map(partLabel), common: '' };
  const constant = Array.from({ length: n }, (_, i) => segs.every((p) => p[i] === segs[0][i]));
  return {
    labels: segs.map((p) => p.filter((_, i) => !constant[i]).join(' · ')),
    common: segs[0].filter((_, i) => constant[i]).join(' · '),
  };
}

/** `uniform/sac` (a metric prefix) or `uniform / sac` (an episode label) → `uniform · sac`. */
const partLabel = (part: string): string =>
  part
    .split('/')
    .map((s) => s.trim())
    .join(' · ');
/** An episode label in the metric prefixes' spelling, so a part's map and its curves share one name. */
const partKey = (label: string | undefined): string =>
  (label ?? '')
    .split('/')
    .map((s) => s.trim())
    .join('/');

/** The index of each value among the distinct values, in order of first appearance. */
function distinctIndex(values: string[]): number[] {
  const seen: string[] = [];
  return values.map((v) => (seen.includes(v) ? seen.indexOf(v) : seen.push(v) - 1));
}

/** A part's colour: its prior's (the part's first segment) when it names one, else a colour per distinct first segment. */
/**
 * What tells compared runs apart: the options (and seed) whose values differ between them, as `prior=none
 * seed=2`, coloured by the palette when each label names a different prior or route, else by run index.
 */
export function runIdentities(runs: readonly RunData[]): { labels: string[]; colors: number[] } {
  const values = runs.map((r): Record<string, unknown> => ({
    ...((r.config?.options ?? {}) as Record<string, unknown>),
    seed: r.config?.seed,
  }));
  const keys = [...new Set(values.flatMap((v) => Object.keys(v)))].filter(
    (k) => new Set(values.map((v) => JSON.stringify(v[k]))).size > 1,
  );
  const labels = values.map((v, i) =>
    keys.length
      ? keys.map((k) => `${k}=${typeof v[k] === 'object' ? JSON.stringify(v[k]) : String(v[k])}`).join(' ')
      : `run ${i + 1}`,
  );
  const named = labels.map(namedColor);
  const distinct = named.every((c) => c !== null) && new Set(named).size === named.length;
  return { labels, colors: labels.map((_, i) => (distinct ? named[i]! : RUN_COLORS[i % RUN_COLORS.length])) };
}

function partColors(parts: string[]): number[] {
  const first = parts.map((p) => p.split('/')[0]);
  const index = distinctIndex(first);
  return first.map((f, i) =>
    f in PRIOR_COLORS ? PRIOR_COLORS[f as PriorName] : RUN_COLORS[index[i] % RUN_COLORS.length],
  );
}

/** The width and height an SVG document declares (its root's attributes, else its viewBox); null if neither. */
function svgSize(svg: string): { width: number; height: number } | null {
  const root = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
  const box = (root.getAttribute('viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  const width = parseFloat(root.getAttribute('width') ?? '') || box[2];
  const height = parseFloat(root.getAttribute('height') ?? '') || box[3];
  return width > 0 && height > 0 ? { width, height } : null;
}

const meanReturn = (eps: readonly Episode[]): number =>
  eps.reduce((a, e) => a + (e.rewards ?? []).reduce((x, y) => x + y, 0), 0) / eps.length;

export class RunsView {
  private readonly info = h('div');
  private readonly replayHost = h('div', { 'data-testid': 'runs-parts' });
  private stages: Array<CanvasStage | Stage> = [];
  private figureUrls: string[] = [];

  constructor(
    main: HTMLElement,
    private readonly charts: HTMLElement,
  ) {
    this.info.style.cssText = 'display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start;width:100%';
    this.replayHost.style.cssText = 'display:flex;gap:12px;flex-wrap:wrap;align-items:flex-start;width:100%';
    main.append(this.info, this.replayHost);
  }

  /** Replaces what is shown with `runs` (the ticked runs, loaded). */
  draw(runs: RunData[]): void {
    this.info.replaceChildren();
    this.charts.replaceChildren();
    this.clearReplay();
    document.body.dataset.runsShown = runs.map((r) => r.name).join(',');
    if (runs.length === 0) {
      this.info.append(
        h(
          'p',
          { class: 'note', 'data-testid': 'runs-empty' },
          'Tick a run on the left (or open a run folder) to replay its episodes and plot its curves.',
        ),
      );
      return;
    }
    const first = runs[0];
    const cfg = first.config ?? {};
    const options = (cfg.options ?? {}) as Record<string, unknown>;
    const parts = new Set(partCurves(first.metrics).map((c) => c.part));
    statTable(
      this.info,
      `run: ${first.name}`,
      [
        { key: 'experiment', label: 'experiment', value: String(cfg.experiment ?? '?') },
        { key: 'seed', label: 'seed', value: String(cfg.seed ?? '?') },
        // Options under their own names, marked so none is mistaken for a count the viewer made.
        ...Object.entries(options).map(([k, v]) => ({
          key: `opt:${k}`,
          label: `--${k}`,
          value: typeof v === 'object' ? JSON.stringify(v) : String(v),
        })),
        { key: 'parts', label: 'parts with learning curves', value: String(parts.size) },
        { key: 'metricRows', label: 'metric rows', value: String(first.metrics.length) },
        { key: 'replayed', label: 'episodes to replay', value: String(first.episodes?.episodes.length ?? 0) },
      ],
      'run-config',
    );
    for (const r of runs)
      for (const w of r.warnings) this.info.append(h('p', { class: 'panel-error' }, `${r.name}: ${w}`));
    if (first.episodes) this.startReplay(first.episodes);
    this.drawCharts(runs);
    this.drawFigures(first);
  }

  /** Frees the replay's stages and the figures' object URLs. */
  clearReplay(): void {
    for (const s of this.stages) s.destroy();
    this.stages = [];
    this.replayHost.replaceChildren();
    for (const u of this.figureUrls) URL.revokeObjectURL(u);
    this.figureUrls = [];
  }

  /** One card per part (episode label): its visit map with an agent replaying the part's episodes. */
  private startReplay(file: EpisodesFile): void {
    const entry = Object.values(GRID_ENVS).find((e) => e.id === file.env);
    const groups = new Map<string, Episode[]>();
    for (const e of file.episodes) {
      const k = partKey(e.label);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(e);
    }
    const keys = [...groups.keys()];
    const colors = partColors(keys);
    const head = h('p', { class: 'note', 'data-testid': 'replay' });
    head.style.cssText = 'width:100%;margin:0';
    head.dataset.env = file.env;
    head.dataset.meanReturn = String(meanReturn(file.episodes));
    head.textContent = `Replaying ${file.episodes.length} evaluation episode(s) of ${file.env}${keys.length > 1 ? `, ${keys.length} parts: one map each` : ''}.`;
    this.replayHost.append(head);
    if (!entry && !file.env.startsWith('PointMass') && !file.env.startsWith('Pendulum')) {
      head.textContent += ` No replay view for ${file.env}.`;
      return;
    }
    const grid = entry ? makeGridEnv(entry).grid : null;
    // Small multiples: at least two maps side by side even on a phone; a run of one part gets one larger map.
    const half = Math.floor(((this.replayHost.clientWidth || 800) - 12) / 2) - CARD_PAD;
    const cell = grid
      ? Math.max(12, Math.min(keys.length > 1 ? 22 : 48, Math.floor((keys.length > 1 ? half : 520) / grid.nCols)))
      : 0;
    keys.forEach((k, i) => {
      const eps = groups.get(k)!;
      // Each prior (a part's first name) starts a row of its learners.
      if (i > 0 && k.split('/')[0] !== keys[i - 1].split('/')[0])
        this.replayHost.append(h('div', { style: 'flex-basis:100%;height:0' }));
      const card = h('div', { class: 'card', 'data-testid': 'run-part' });
      // As wide as its map: the labels wrap instead of widening the card.
      if (grid) card.style.width = `${grid.nCols * cell + CARD_PAD}px`;
      card.dataset.part = k;
      card.dataset.meanReturn = String(meanReturn(eps));
      card.append(
        h('p', { class: 'card-title' }, k ? partLabel(k) : 'all episodes'),
        h(
          'p',
          { class: 'note' },
          `mean return ${meanReturn(eps).toFixed(2)} · ${eps.length} episode${eps.length === 1 ? '' : 's'}`,
        ),
      );
      this.replayHost.append(card);
      if (grid) {
        const states = eps.map((e) => e.obs.map((o) => Number(o)));
        const visits = new Float64Array(grid.model.nStates);
        for (const ep of states)
          for (const s of ep) if (Number.isInteger(s) && s >= 0 && s < visits.length) visits[s]++;
        const stage = new CanvasStage(card, grid.nCols * cell, grid.nRows * cell);
        stage.animate([paintVisitGrid(stage.ctx, grid, visits, states, colors[i], cell)]);
        this.stages.push(stage);
      } else void this.continuousReplay(card, file.env, eps);
    });
  }

  private async continuousReplay(card: HTMLElement, env: string, eps: Episode[]): Promise<void> {
    let replay: AnimatedView;
    if (env.startsWith('PointMass')) {
      const xy = eps.map((e) => Float32Array.from(e.obs.flatMap((o) => (Array.isArray(o) ? o.slice(0, 2) : []))));
      replay = pointMassView(
        360,
        xy,
        eps.map(() => GOAL_COLORS.far),
      );
    } else {
      const ep = eps[0];
      const theta = ep.obs.map((o) => (Array.isArray(o) ? Math.atan2(o[1], o[0]) : 0));
      const torque = (ep.actions ?? []).map((a) => (Array.isArray(a) ? a[0] : a));
      replay = pendulumView(360, theta, torque);
    }
    const stage = await Stage.create(card, replay.animation.width, replay.animation.height);
    // Another run was shown while pixi started: this card is gone.
    if (!card.isConnected) return stage.destroy();
    this.stages.push(stage);
    stage.app.stage.addChild(replay.root);
    stage.render();
    stage.animate([replay.animation]);
  }

  /** Per metric group a row of charts: one per metric (and per step range), one series per run × part. */
  private drawCharts(runs: RunData[]): void {
    const { labels: runLabels, colors: runColors } = runIdentities(runs);
    const curves = runs.flatMap((r, run) => partCurves(r.metrics).map((c) => ({ ...c, run })));
    const multiPart = new Set(curves.map((c) => c.part)).size > 1;
    if (multiPart) {
      const parts = [...new Set(curves.map((c) => c.part))];
      const priors = [...new Set(parts.map((p) => p.split('/')[0]))];
      const box = h('div', { class: 'card', 'data-testid': 'runs-legend' });
      box.style.width = '100%';
      box.append(
        h(
          'p',
          { class: 'card-title' },
          "Each part's curves start at its own step 0. Colour: the part's prior (first name); legends name the rest.",
        ),
      );
      legend(
        box,
        priors.map((p) => ({ color: css(partColors([p])[0]), label: p, shape: 'line' })),
      );
      this.charts.append(box);
    }
    const used = new Set<string>();
    for (const g of METRIC_GROUPS) {
      const metrics = [...new Set(curves.map((c) => c.metric))].filter((m) => !used.has(m) && g.match.test(m));
      if (metrics.length === 0) continue;
      metrics.forEach((m) => used.add(m));
      const row = h('section', { 'data-testid': 'runs-group' });
      row.dataset.group = g.title;
      row.style.cssText = 'width:100%;display:flex;flex-wrap:wrap;gap:12px';
      const title = h('h3', {}, g.title);
      title.style.cssText = 'width:100%;margin:6px 0 0;font-size:14px;text-transform:none';
      row.append(title);
      this.charts.append(row);
      for (const metric of metrics) {
        const mine = curves.filter((c) => c.metric === metric && c.points.length > 0);
        // Learners with very different step ranges (SAC's 6k steps beside KL-PPO's 256k) get a chart each.
        for (const set of byStepRange(mine)) {
          const { labels, common } = shortNames(set.map((c) => c.part));
          const colours = partColors(set.map((c) => c.part));
          const dashOf = distinctIndex(set.map((c) => c.part.split('/').slice(1).join('/')));
          const series = set.map((c, i) => ({
            name: [labels[i] || metric.split('/')[1], runs.length > 1 ? runLabels[c.run] : '']
              .filter(Boolean)
              .join(' · '),
            color: multiPart ? colours[i] : runColors[c.run],
            dashed: multiPart ? dashOf[i] > 0 || (runs.length > 1 && c.run > 0) : false,
            points: c.points,
          }));
          const chart = lineChart({
            title: [metric.split('/')[1], common].filter(Boolean).join(' · '),
            xLabel: multiPart ? "step (each part's own)" : 'step',
            series,
            width: 360,
            height: 210,
          });
          chart.dataset.group = g.title;
          chart.dataset.metric = metric;
          row.append(chart);
        }
      }
    }
    if (runs.length > 1)
      this.charts.append(h('p', { class: 'note' }, runs.map((r, i) => `${runLabels[i]} = ${r.name}`).join(' · ')));
  }

  /** The SVG figures the run wrote (routes.svg, learning-curve.svg, ...), as images (never inlined: no script runs). */
  private drawFigures(run: RunData): void {
    if (run.figures.length === 0) return;
    const row = h('section', { 'data-testid': 'runs-figures' });
    row.style.cssText = 'width:100%;display:flex;flex-wrap:wrap;gap:12px';
    const title = h('h3', {}, `Figures in ${run.name}`);
    title.style.cssText = 'width:100%;margin:6px 0 0;font-size:14px;text-transform:none';
    row.append(title);
    for (const f of run.figures) {
      const url = URL.createObjectURL(new Blob([f.svg], { type: 'image/svg+xml' }));
      this.figureUrls.push(url);
      const fig = h('figure', { class: 'card', 'data-figure': f.name });
      fig.style.cssText = 'margin:0;max-width:100%';
      const img = h('img', { src: url, alt: f.name });
      // The figure's own size, set before it loads: an image that grows when it decodes moves the page under a
      // reader who just scrolled to a chart group (the browser's scroll anchoring shifts the view by its height).
      const size = svgSize(f.svg);
      if (size) [img.width, img.height] = [size.width, size.height];
      img.style.cssText = 'max-width:100%;height:auto;display:block;background:#fff';
      fig.append(img, h('figcaption', { class: 'note' }, f.name));
      row.append(fig);
    }
    this.charts.append(row);
  }
}
