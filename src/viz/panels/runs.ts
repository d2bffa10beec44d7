/**
 * Runs panel: recorded run folders, from the dev server's read-only `/runs/` listing or picked with a
 * folder input. Tick runs to compare their learning curves (one chart per metric group, one colour per
 * run); the first ticked run's config is shown and its evaluation episodes are replayed (gridworlds on
 * the visit grid, PointMass as trajectories, Pendulum as the swinging rod).
 */
import { lineChart } from '../chart.js';
import { pendulumView, pointMassView, GOAL_COLORS, type AnimatedView } from '../control/draw.js';
import { visitGrid } from '../gridworld/draw.js';
import { GRID_ENVS, makeGridEnv } from '../gridworld/compute.js';
import { METRIC_GROUPS, loadRun, metricKeys, pickedRuns, serverRunFiles, serverRuns, type EpisodesFile, type RunData, type RunSource } from '../recorded/data.js';
import type { PanelModule } from '../panel.js';
import { Stage } from '../stage.js';
import { h, section, statTable } from '../ui.js';

const RUN_COLORS = [0x2bb3a3, 0xf0a030, 0xe05570, 0x5b8def, 0xb48ef0, 0x9fd356];

type Curve = { run: number; key: string; points: ReadonlyArray<readonly [number, number]> };

/** Splits curves into parts whose last steps are within a factor 4 of each other, shortest first. */
function byStepRange(curves: Curve[]): Curve[][] {
  const last = (c: Curve) => Math.max(...c.points.map((p) => p[0]));
  const sorted = [...curves].sort((a, b) => last(a) - last(b));
  const parts: Curve[][] = [];
  for (const c of sorted) {
    const part = parts.at(-1);
    if (part && last(c) <= 4 * Math.max(1, last(part[0]))) part.push(c);
    else parts.push([c]);
  }
  // Within a part, keep the metric keys' order (sorted), not the step order.
  return parts.map((p) => curves.filter((c) => p.includes(c)));
}

/**
 * Legend names for metric keys: the path segments shared by every key (same position) move to the
 * chart title, the rest name the series. `uniform/sac/charts/episodic_return` beside
 * `reference/sac/charts/episodic_return` becomes `uniform` and `reference`, under `sac/charts/episodic_return`.
 */
function shortNames(keys: string[]): { labels: string[]; common: string } {
  const parts = keys.map((k) => k.split('/'));
  const n = parts[0].length;
  if (keys.length < 2 || parts.some((p) => p.length !== n)) return { labels: keys.map((k) => (keys.length < 2 ? k.split('/').at(-1)! : k)), common: keys.length < 2 ? keys[0] : '' };
  const constant = Array.from({ length: n }, (_, i) => parts.every((p) => p[i] === parts[0][i]));
  return {
    labels: parts.map((p) => p.filter((_, i) => !constant[i]).join('/')),
    common: parts[0].filter((_, i) => constant[i]).join('/'),
  };
}

/** The index of each value among the distinct values, in order of first appearance. */
function distinctIndex(values: string[]): number[] {
  const seen: string[] = [];
  return values.map((v) => (seen.includes(v) ? seen.indexOf(v) : seen.push(v) - 1));
}

export const mount: PanelModule['mount'] = async (host, view) => {
  const sources = new Map<string, RunSource>();
  const loaded = new Map<string, RunData>();
  const picked = new Set<string>((view.state.extra.runs ?? '').split(',').filter(Boolean));

  const list = section(host.sidebar, 'Recorded runs', 'Run folders (with a config.json) under runs/, served read-only by the dev server. Tick one to replay it, several to compare their curves.');
  const listBox = h('div', { 'data-testid': 'runs-list' });
  list.append(listBox);
  const pick = section(host.sidebar, 'Open a folder', 'Or pick a run folder from disk (config.json, metrics.jsonl, *episode*.json), or a folder of runs. Files are only parsed as data.');
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
  info.style.cssText = 'display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start';
  const canvasHost = h('div');
  host.main.append(canvasHost, info);
  const stage = await Stage.create(canvasHost, 10, 10);
  let replay: AnimatedView | null = null;

  function drawList(): void {
    listBox.replaceChildren();
    if (sources.size === 0) listBox.append(h('p', { class: 'note' }, 'No run folders found. Run an experiment (npm run exp …) or open a folder below.'));
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
    replay?.root.destroy({ children: true });
    replay = null;
    stage.animate([]);
    stage.resize(10, 10);
    document.body.dataset.runsShown = runs.map((r) => r.name).join(',');
    if (runs.length === 0) {
      info.append(h('p', { class: 'note', 'data-testid': 'runs-empty' }, 'Tick a run on the left (or open a run folder) to replay its episodes and plot its curves.'));
      return;
    }
    const first = runs[0];
    const cfg = first.config ?? {};
    const options = (cfg.options ?? {}) as Record<string, unknown>;
    statTable(info, `run: ${first.name}`, [
      { key: 'experiment', label: 'experiment', value: String(cfg.experiment ?? '?') },
      { key: 'seed', label: 'seed', value: String(cfg.seed ?? '?') },
      ...Object.entries(options).slice(0, 12).map(([k, v]) => ({ key: `opt:${k}`, label: k, value: typeof v === 'object' ? JSON.stringify(v) : String(v) })),
      { key: 'metricRows', label: 'metric rows', value: String(first.metrics.length) },
      { key: 'episodes', label: 'episodes', value: String(first.episodes?.episodes.length ?? 0) },
    ], 'run-config');
    for (const r of runs) for (const w of r.warnings) info.append(h('p', { class: 'panel-error' }, `${r.name}: ${w}`));
    if (first.episodes) startReplay(first.episodes);
    drawCharts(runs);
  }

  function startReplay(file: EpisodesFile): void {
    const eps = file.episodes;
    const box = h('div', { class: 'card', 'data-testid': 'replay' });
    box.dataset.env = file.env;
    box.append(h('p', { class: 'card-title' }, `Replaying ${eps.length} evaluation episode(s) of ${file.env}`));
    const returns = eps.map((e) => (e.rewards ?? []).reduce((a, b) => a + b, 0));
    box.dataset.meanReturn = String(returns.reduce((a, b) => a + b, 0) / eps.length);
    box.append(h('p', { class: 'note' }, `mean return ${(returns.reduce((a, b) => a + b, 0) / eps.length).toFixed(3)}`));
    info.append(box);
    const entry = Object.values(GRID_ENVS).find((e) => e.id === file.env);
    if (entry) {
      const { grid } = makeGridEnv(entry);
      const states = eps.map((e) => e.obs.map((o) => Number(o)));
      const visits = new Float64Array(grid.model.nStates);
      for (const ep of states) for (const s of ep) if (Number.isInteger(s) && s >= 0 && s < visits.length) visits[s]++;
      const cell = Math.min(56, Math.floor(560 / grid.nCols));
      replay = visitGrid(grid, visits, states, RUN_COLORS[0], cell);
    } else if (file.env.startsWith('PointMass')) {
      const xy = eps.map((e) => Float32Array.from(e.obs.flatMap((o) => (Array.isArray(o) ? o.slice(0, 2) : []))));
      replay = pointMassView(480, xy, eps.map(() => GOAL_COLORS.far));
    } else if (file.env.startsWith('Pendulum')) {
      const ep = eps[0];
      const theta = ep.obs.map((o) => (Array.isArray(o) ? Math.atan2(o[1], o[0]) : 0));
      const torque = (ep.actions ?? []).map((a) => (Array.isArray(a) ? a[0] : a));
      replay = pendulumView(480, theta, torque);
    } else {
      box.append(h('p', { class: 'note' }, `No replay view for ${file.env}.`));
      return;
    }
    stage.app.stage.addChild(replay.root);
    stage.resize(replay.animation.width, replay.animation.height);
    stage.animate([replay.animation]);
  }

  function drawCharts(runs: RunData[]): void {
    const keys = metricKeys(runs);
    const used = new Set<string>();
    for (const g of METRIC_GROUPS) {
      const ks = keys.filter((k) => !used.has(k) && g.match.test(k));
      if (ks.length === 0) continue;
      ks.forEach((k) => used.add(k));
      const curves = runs.flatMap((r, run) =>
        ks.map((key) => ({ run, key, points: r.metrics.filter((m) => key in m).map((m) => [m.step, m[key]] as const) })).filter((c) => c.points.length > 0),
      );
      // Learners with very different step ranges (SAC's 6k steps beside KL-PPO's 256k) get a chart each.
      for (const part of byStepRange(curves)) {
        const { labels, common } = shortNames(part.map((c) => c.key));
        const colourOf = distinctIndex(labels.map((l) => l.split('/')[0]));
        const dashOf = distinctIndex(labels.map((l) => l.split('/').slice(1).join('/')));
        const series = part.map((c, i) => ({
          name: runs.length > 1 ? `${labels[i]} · run ${c.run + 1}` : labels[i],
          color: RUN_COLORS[(runs.length > 1 ? c.run : colourOf[i]) % RUN_COLORS.length],
          dashed: runs.length > 1 ? ks.indexOf(c.key) > 0 : dashOf[i] > 0,
          points: c.points,
        }));
        const title = common ? `${g.title} · ${common}` : g.title;
        const chart = lineChart({ title, xLabel: 'step', series, width: 460, height: 240 });
        chart.dataset.group = g.title;
        host.charts.append(chart);
      }
    }
    if (runs.length > 1) {
      host.charts.append(h('p', { class: 'note' }, runs.map((r, i) => `run ${i + 1} = ${r.name}`).join(' · ')));
    }
  }

  try {
    for (const src of await serverRuns(import.meta.env.BASE_URL, 'config.json')) sources.set(src.name, src);
  } catch (e) {
    listBox.append(h('p', { class: 'note' }, `No /runs/ listing (${(e as Error).message}); open a folder instead.`));
  }
  drawList();
  await show();
  return () => stage.destroy();
};
