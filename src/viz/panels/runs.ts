/**
 * Runs panel: recorded run folders, from the dev server's read-only `/runs/` listing or picked with a
 * folder input. It opens on the newest run. Tick runs to compare their learning curves. A run made of
 * parts (gridworld-priors: prior × learner) is shown part by part: one small visit map per part (labelled
 * `prior · learner`), each part's curves overlaid from its own step 0, one chart per metric with the colour
 * naming the prior. The first ticked run's config, its evaluation episodes (gridworlds as visit maps,
 * PointMass as trajectories, Pendulum as the swinging rod) and the SVG figures it wrote are shown.
 */
import { lineChart } from '../chart.js';
import { pendulumView, pointMassView, GOAL_COLORS, type AnimatedView } from '../control/draw.js';
import { paintVisitGrid } from '../gridworld/draw.js';
import { GRID_ENVS, makeGridEnv } from '../gridworld/compute.js';
import { PRIOR_COLORS, css } from '../palette.js';
import {
  METRIC_GROUPS,
  loadRun,
  partCurves,
  pickedRuns,
  serverRunFiles,
  serverRuns,
  type Episode,
  type EpisodesFile,
  type RunData,
  type RunSource,
} from '../recorded/data.js';
import type { PanelModule } from '../panel.js';
import { CanvasStage, Stage } from '../stage.js';
import { h, legend, section, statTable, whatToNotice } from '../ui.js';
import type { PriorName } from '../../priors/index.js';

const RUN_COLORS = [0x2bb3a3, 0xf0a030, 0xe05570, 0x5b8def, 0xb48ef0, 0x9fd356];
const PRIORS_EXPERIMENT = 'gridworld-priors';
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
function partColors(parts: string[]): number[] {
  const first = parts.map((p) => p.split('/')[0]);
  const index = distinctIndex(first);
  return first.map((f, i) =>
    f in PRIOR_COLORS ? PRIOR_COLORS[f as PriorName] : RUN_COLORS[index[i] % RUN_COLORS.length],
  );
}

const meanReturn = (eps: readonly Episode[]): number =>
  eps.reduce((a, e) => a + (e.rewards ?? []).reduce((x, y) => x + y, 0), 0) / eps.length;

export const mount: PanelModule['mount'] = async (host, view) => {
  const sources = new Map<string, RunSource>();
  const loaded = new Map<string, RunData>();
  // No `runs` in the link: open on the newest run (names start with the date); `runs=` (empty) keeps none.
  const fromLink = view.state.extra.runs;
  const picked = new Set<string>((fromLink ?? '').split(',').filter(Boolean));

  const noticeBox = h('div');
  host.sidebar.append(noticeBox);
  const list = section(
    host.sidebar,
    'Recorded runs',
    'Run folders (with a config.json) under runs/, served read-only by the dev server. Tick one to replay it, several to compare their curves.',
  );
  const listBox = h('div', { 'data-testid': 'runs-list' });
  list.append(listBox);
  const pick = section(
    host.sidebar,
    'Open a folder',
    'Or pick a run folder from disk (config.json, metrics.jsonl, *episode*.json, *.svg), or a folder of runs. Files are only parsed as data.',
  );
  const input = h('input', { type: 'file', multiple: '', 'data-testid': 'runs-file' });
  input.setAttribute('webkitdirectory', '');
  pick.append(input);
  input.addEventListener('change', () => {
    // Only run folders (with a config.json), as in the server listing.
    for (const src of pickedRuns(input.files ?? []).filter((r) => r.files.has('config.json'))) {
      sources.set(src.name, src);
      loaded.delete(src.name);
      picked.add(src.name);
    }
    drawList();
    void show();
  });

  const info = h('div');
  info.style.cssText = 'display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start;width:100%';
  const replayHost = h('div', { 'data-testid': 'runs-parts' });
  replayHost.style.cssText = 'display:flex;gap:12px;flex-wrap:wrap;align-items:flex-start;width:100%';
  host.main.append(info, replayHost);
  let stages: Array<CanvasStage | Stage> = [];
  let figureUrls: string[] = [];

  function clearReplay(): void {
    for (const s of stages) s.destroy();
    stages = [];
    replayHost.replaceChildren();
    for (const u of figureUrls) URL.revokeObjectURL(u);
    figureUrls = [];
  }

  function drawList(): void {
    listBox.replaceChildren();
    if (sources.size === 0)
      listBox.append(
        h('p', { class: 'note' }, 'No run folders found. Run an experiment (npm run exp …) or open a folder below.'),
      );
    for (const name of [...sources.keys()].sort()) {
      const row = h('label', { class: 'run-row' });
      row.style.cssText = 'display:flex;gap:6px;align-items:center;font-size:13px;margin:4px 0;word-break:break-all';
      const cb = h('input', { type: 'checkbox', 'data-run': name });
      cb.checked = picked.has(name);
      cb.addEventListener('change', () => {
        if (cb.checked) picked.add(name);
        else picked.delete(name);
        void show();
      });
      row.append(cb, h('span', {}, name));
      listBox.append(row);
    }
  }

  async function load(name: string): Promise<RunData> {
    let run = loaded.get(name);
    if (!run) {
      let src = sources.get(name)!;
      if (src.files.size === 0) src = await serverRunFiles(import.meta.env.BASE_URL, src);
      run = await loadRun(src);
      loaded.set(name, run);
    }
    return run;
  }

  async function show(): Promise<void> {
    view.update({}, { runs: [...picked].join(',') });
    const runs = await Promise.all([...picked].filter((n) => sources.has(n)).map(load));
    info.replaceChildren();
    host.charts.replaceChildren();
    clearReplay();
    document.body.dataset.runsShown = runs.map((r) => r.name).join(',');
    if (runs.length === 0) {
      info.append(
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
      info,
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
    for (const r of runs) for (const w of r.warnings) info.append(h('p', { class: 'panel-error' }, `${r.name}: ${w}`));
    if (first.episodes) startReplay(first.episodes);
    drawCharts(runs);
    drawFigures(first);
  }

  /** One card per part (episode label): its visit map with an agent replaying the part's episodes. */
  function startReplay(file: EpisodesFile): void {
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
    replayHost.append(head);
    if (!entry && !file.env.startsWith('PointMass') && !file.env.startsWith('Pendulum')) {
      head.textContent += ` No replay view for ${file.env}.`;
      return;
    }
    const grid = entry ? makeGridEnv(entry).grid : null;
    // Small multiples: at least two maps side by side even on a phone; a run of one part gets one larger map.
    const half = Math.floor(((replayHost.clientWidth || 800) - 12) / 2) - CARD_PAD;
    const cell = grid
      ? Math.max(12, Math.min(keys.length > 1 ? 22 : 48, Math.floor((keys.length > 1 ? half : 520) / grid.nCols)))
      : 0;
    keys.forEach((k, i) => {
      const eps = groups.get(k)!;
      // Each prior (a part's first name) starts a row of its learners.
      if (i > 0 && k.split('/')[0] !== keys[i - 1].split('/')[0])
        replayHost.append(h('div', { style: 'flex-basis:100%;height:0' }));
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
      replayHost.append(card);
      if (grid) {
        const states = eps.map((e) => e.obs.map((o) => Number(o)));
        const visits = new Float64Array(grid.model.nStates);
        for (const ep of states)
          for (const s of ep) if (Number.isInteger(s) && s >= 0 && s < visits.length) visits[s]++;
        const stage = new CanvasStage(card, grid.nCols * cell, grid.nRows * cell);
        stage.animate([paintVisitGrid(stage.ctx, grid, visits, states, colors[i], cell)]);
        stages.push(stage);
      } else void continuousReplay(card, file.env, eps);
    });
  }

  async function continuousReplay(card: HTMLElement, env: string, eps: Episode[]): Promise<void> {
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
    stages.push(stage);
    stage.app.stage.addChild(replay.root);
    stage.render();
    stage.animate([replay.animation]);
  }

  /** Per metric group a row of charts: one per metric (and per step range), one series per run × part. */
  function drawCharts(runs: RunData[]): void {
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
      host.charts.append(box);
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
      host.charts.append(row);
      for (const metric of metrics) {
        const mine = curves.filter((c) => c.metric === metric && c.points.length > 0);
        // Learners with very different step ranges (SAC's 6k steps beside KL-PPO's 256k) get a chart each.
        for (const set of byStepRange(mine)) {
          const { labels, common } = shortNames(set.map((c) => c.part));
          const colours = partColors(set.map((c) => c.part));
          const dashOf = distinctIndex(set.map((c) => c.part.split('/').slice(1).join('/')));
          const series = set.map((c, i) => ({
            name: [labels[i] || metric.split('/')[1], runs.length > 1 ? `run ${c.run + 1}` : '']
              .filter(Boolean)
              .join(' · '),
            color: multiPart ? colours[i] : RUN_COLORS[c.run % RUN_COLORS.length],
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
      host.charts.append(h('p', { class: 'note' }, runs.map((r, i) => `run ${i + 1} = ${r.name}`).join(' · ')));
  }

  /** The SVG figures the run wrote (routes.svg, learning-curve.svg, ...), as images (never inlined: no script runs). */
  function drawFigures(run: RunData): void {
    if (run.figures.length === 0) return;
    const row = h('section', { 'data-testid': 'runs-figures' });
    row.style.cssText = 'width:100%;display:flex;flex-wrap:wrap;gap:12px';
    const title = h('h3', {}, `Figures in ${run.name}`);
    title.style.cssText = 'width:100%;margin:6px 0 0;font-size:14px;text-transform:none';
    row.append(title);
    for (const f of run.figures) {
      const url = URL.createObjectURL(new Blob([f.svg], { type: 'image/svg+xml' }));
      figureUrls.push(url);
      const fig = h('figure', { class: 'card', 'data-figure': f.name });
      fig.style.cssText = 'margin:0;max-width:100%';
      const img = h('img', { src: url, alt: f.name });
      img.style.cssText = 'max-width:100%;height:auto;display:block;background:#fff';
      fig.append(img, h('figcaption', { class: 'note' }, f.name));
      row.append(fig);
    }
    host.charts.append(row);
  }

  try {
    for (const src of await serverRuns(import.meta.env.BASE_URL, 'config.json')) sources.set(src.name, src);
  } catch (e) {
    listBox.append(h('p', { class: 'note' }, `No /runs/ listing (${(e as Error).message}); open a folder instead.`));
  }
  const names = [...sources.keys()].sort();
  if (fromLink === undefined && names.length > 0) picked.add(names.at(-1)!);
  const newestPriors = names.filter((n) => n.includes(PRIORS_EXPERIMENT)).at(-1);
  const only = (name: string, scrollTo?: string) => async () => {
    picked.clear();
    picked.add(name);
    drawList();
    await show();
    if (scrollTo) host.charts.querySelector(`[data-group="${scrollTo}"]`)?.scrollIntoView({ block: 'start' });
  };
  whatToNotice(
    noticeBox,
    'runs',
    'A run of several parts is shown part by part. One click opens:',
    newestPriors
      ? 'The newest run opens by itself; the presets open a gridworld-priors run.'
      : 'No gridworld-priors run yet: `npm run exp -- gridworld-priors` writes one (about a minute).',
    newestPriors
      ? [
          {
            id: 'parts',
            label: 'one map per prior × learner',
            note: "Each map is one prior × learner: with no prior every learner walks the ledge, with the reference prior the guide's room route.",
            apply: only(newestPriors),
          },
          {
            id: 'kl',
            label: 'KL to the prior, overlaid',
            note: 'KL to the prior per part, from each part’s own step 0: the reference parts stay closest to their prior; with no prior (α = 0) nothing holds the KL to the uniform prior down.',
            apply: only(newestPriors, 'KL to prior / reference'),
          },
        ]
      : [],
  );
  drawList();
  await show();
  return () => clearReplay();
};
