/**
 * Runs panel: recorded run folders, from the dev server's read-only `/runs/` listing or picked with a
 * folder input. Tick runs to compare their learning curves (one chart per metric group, one colour per
 * run); the first ticked run's config is shown and its evaluation episodes are replayed (gridworlds on
 * the visit grid, PointMass as trajectories, Pendulum as the swinging rod).
 */
import { lineChart } from '../chart.js';
import { pendulumView, pointMassView, type AnimatedView } from '../control/draw.js';
import { visitGrid } from '../gridworld/draw.js';
import { GRID_ENVS, makeGridEnv } from '../gridworld/compute.js';
import { METRIC_GROUPS, loadRun, metricKeys, pickedRuns, serverRunFiles, serverRuns, type EpisodesFile, type RunData, type RunSource } from '../recorded/data.js';
import type { PanelModule } from '../panel.js';
import { Stage } from '../stage.js';
import { h, section, statTable } from '../ui.js';

const RUN_COLORS = [0x2bb3a3, 0xf0a030, 0xe05570, 0x5b8def, 0xb48ef0, 0x9fd356];

export const mount: PanelModule['mount'] = async (host, view) => {
  const sources = new Map<string, RunSource>();
  const loaded = new Map<string, RunData>();
  const picked = new Set<string>((view.state.extra.runs ?? '').split(',').filter(Boolean));

  const list = section(host.sidebar, 'Recorded runs', 'Run folders under runs/ (served read-only by the dev server). Tick one to replay it, several to compare their curves.');
  const listBox = h('div', { 'data-testid': 'runs-list' });
  list.append(listBox);
  const pick = section(host.sidebar, 'Open a folder', 'Or pick a run folder from disk (config.json, metrics.jsonl, *episode*.json). Files are only parsed as data.');
  const input = h('input', { type: 'file', multiple: '', 'data-testid': 'runs-file' });
  input.setAttribute('webkitdirectory', '');
  pick.append(input);
  input.addEventListener('change', () => {
    for (const src of pickedRuns(input.files ?? [])) {
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
    if (runs.length === 0) return;
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
      replay = pointMassView(480, xy, eps.map(() => 'far'));
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
      const series = runs.flatMap((r, ri) =>
        ks.map((k, ki) => ({
          name: runs.length > 1 ? `${k} · run ${ri + 1}` : k,
          color: RUN_COLORS[(runs.length > 1 ? ri : ki) % RUN_COLORS.length],
          dashed: runs.length > 1 && ki > 0,
          points: r.metrics.filter((m) => k in m).map((m) => [m.step, m[k]] as const),
        })),
      );
      const chart = lineChart({ title: g.title, xLabel: 'step', series, width: 460, height: 240 });
      chart.dataset.group = g.title;
      host.charts.append(chart);
    }
    if (runs.length > 1) {
      host.charts.append(h('p', { class: 'note' }, runs.map((r, i) => `run ${i + 1} = ${r.name}`).join(' · ')));
    }
  }

  try {
    for (const src of await serverRuns(import.meta.env.BASE_URL)) sources.set(src.name, src);
  } catch (e) {
    listBox.append(h('p', { class: 'note' }, `No /runs/ listing (${(e as Error).message}); open a folder instead.`));
  }
  drawList();
  await show();
  return () => stage.destroy();
};
