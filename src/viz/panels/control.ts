/**
 * Continuous control tab. The default view: trained SAC agents (shipped in `src/viz/agents/`, made by
 * `npm run viewer-agents`; or any `train` run folder loaded from disk) under the three priors side by side,
 * on Pendulum, PointMass and MountainCarContinuous: a fan of rollouts per prior from the same start states,
 * per-prior stats, and at a chosen state each policy's action density π(a|s) next to its prior's p(a|s) with
 * KL(π‖p) (1-D curves; 2-D banded contours for PointMass). `view=controller` in the link opens the
 * hand-written controllers (the reference priors themselves) with adjustable noise (`control/controller-view.ts`).
 */
import { lineChart } from '../chart.js';
import {
  actionGrid,
  AGENT_ENVS,
  readSavedAgent,
  rollouts,
  ViewerAgent,
  type AgentEnv,
  type Rollout,
} from '../control/agents.js';
import { mountControllerView } from '../control/controller-view.js';
import { mountainCarView, pendulumView, pointMassView, type AnimatedView } from '../control/draw.js';
import { fanChart, type Fan } from '../control/fan.js';
import type { ViewerAgentEntry } from '../control/shipped.js';
import { Rng } from '../../core/rng.js';
import { initViewerBackend } from '../backend.js';
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
import { COLORS, css, PRIOR_COLORS, valueRamp } from '../palette.js';
import type { PanelModule, ViewController } from '../panel.js';
import { DEFAULT_STATE, extraNumber, formatHash } from '../state.js';
import { Stage } from '../stage.js';
import {
  button,
  h,
  legend,
  section,
  segmented,
  select,
  slider,
  statTable,
  whatToNotice,
  type PanelHost,
} from '../ui.js';

const INDEX = import.meta.glob<{ agents: ViewerAgentEntry[] }>('../agents/index.json', {
  eager: true,
  import: 'default',
});
const MANIFESTS = import.meta.glob<string>('../agents/*/*/agent.json', { query: '?raw', import: 'default' });
const BINS = import.meta.glob<string>('../agents/*/*/agent.bin', { query: '?url', import: 'default' });
const SHIPPED: ViewerAgentEntry[] = Object.values(INDEX)[0]?.agents ?? [];

const COL = 300;
const ENV_LABELS: Record<AgentEnv, string> = {
  'Pendulum-v1': 'Pendulum',
  'PointMass-v0': 'PointMass',
  'MountainCarContinuous-v0': 'MountainCar',
};
/** Draws per KL estimate at the chosen state (Monte Carlo, as the learners estimate it). */
const KL_SAMPLES = 2000;

export const mount: PanelModule['mount'] = async (host, view) => {
  const controller = view.state.extra.view === 'controller';
  viewSwitch(host, view, controller);
  return controller ? mountControllerView(host, view) : mountAgentsView(host, view);
};

/** Agents / controller: switching rewrites the link, which remounts the tab on the other view. */
function viewSwitch(host: PanelHost, view: ViewController, controller: boolean): void {
  const box = section(host.sidebar, 'View');
  segmented(
    box,
    'control-view',
    'what drives the env',
    [
      { value: 'agents', label: 'trained agents' },
      { value: 'controller', label: 'hand-written controller' },
    ],
    controller ? 'controller' : 'agents',
    (v) => {
      location.hash = formatHash({
        ...DEFAULT_STATE,
        panel: 'control',
        prior: view.state.prior,
        env: view.state.env,
        extra: v === 'controller' ? { view: 'controller' } : {},
      });
    },
  );
}

async function shippedAgent(env: string, prior: string): Promise<ViewerAgent> {
  const entry = SHIPPED.find((e) => e.env === env && e.prior === prior);
  const key = `../agents/${entry?.path}/agent`;
  if (!entry || !MANIFESTS[`${key}.json`] || !BINS[`${key}.bin`])
    throw new Error(`no shipped agent for ${env} under ${prior} (run: npm run viewer-agents)`);
  const [text, url] = await Promise.all([MANIFESTS[`${key}.json`](), BINS[`${key}.bin`]()]);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const { manifest, weights } = await readSavedAgent(
    text,
    new Uint8Array(await res.arrayBuffer()),
    `agents/${entry.path}`,
  );
  return new ViewerAgent(manifest, weights, 'shipped');
}

interface Column {
  agent: ViewerAgent;
  runs: Rollout[];
  entry: ViewerAgentEntry | undefined;
}

async function mountAgentsView(host: PanelHost, view: ViewController): Promise<() => void> {
  await initViewerBackend();
  let env: AgentEnv = (AGENT_ENVS as readonly string[]).includes(view.state.env)
    ? (view.state.env as AgentEnv)
    : 'MountainCarContinuous-v0';
  let n = Math.round(Math.min(32, Math.max(2, extraNumber(view.state, 'n', 12))));
  let deterministic = view.state.extra.actions === 'mean';
  let seed = view.state.seed;
  /** The chosen state: rollout `index` of prior `prior`, step `t`. */
  let pick: { prior: PriorName; index: number; t: number } = {
    prior: 'reference',
    index: 0,
    t: Math.max(0, extraNumber(view.state, 't', 40)),
  };
  // Promises, so two renders in flight share one load (and nothing is built twice, or left undisposed).
  const cache = new Map<string, Promise<ViewerAgent>>();
  let columns: Column[] = [];
  let fans: Partial<Record<PriorName, Fan>> = {};
  let stages: Stage[] = [];
  let generation = 0;
  let abort = new AbortController();
  let nTimer = 0;

  const ctl = section(
    host.sidebar,
    'Trained agents',
    'Continuous SAC trained with `priorlab train` under each prior (seed 1, small budgets; `npm run viewer-agents` remakes them). Every prior starts from the same start states; the fan shows its rollouts.',
  );
  const envSelect = select(
    ctl,
    'control-env',
    'environment',
    AGENT_ENVS.map((e) => ({ value: e, label: ENV_LABELS[e] })),
    env,
    (v) => ((env = v as AgentEnv), (pick = { ...pick, index: 0, t: 0 }), void render()),
  );
  slider(ctl, {
    id: 'control-n',
    label: 'rollouts per prior',
    min: 2,
    max: 32,
    step: 1,
    value: n,
    onInput: (v) => {
      n = v;
      // A drag fires many inputs: roll out once it rests.
      clearTimeout(nTimer);
      nTimer = window.setTimeout(() => void render(), 200);
    },
  });
  segmented(
    ctl,
    'control-actions',
    'actions',
    [
      { value: 'sampled', label: 'sampled a ~ π' },
      { value: 'mean', label: 'mean (deterministic)' },
    ],
    deterministic ? 'mean' : 'sampled',
    (v) => ((deterministic = v === 'mean'), void render()),
  );
  button(ctl, 'control-resample', 'Resample (next seed)', () => ((seed += 1), void render()));

  const stateBox = section(
    host.sidebar,
    'Chosen state',
    'Click a rollout in a fan (or use the sliders): the densities below are taken at its state at step t.',
  );
  const tSlider = slider(stateBox, {
    id: 'control-t',
    label: 'step t',
    min: 0,
    max: 200,
    step: 1,
    value: pick.t,
    onInput: (v) => ((pick.t = v), renderDensity()),
  });
  const stateText = h('p', { class: 'note', 'data-testid': 'control-state' });
  stateBox.append(stateText);

  whatToNotice(
    host.sidebar,
    'control',
    'How the prior shapes a trained agent. One click sets the view:',
    'Start with MountainCar: the three columns are the same SAC under three priors; the densities are at step 40 of the first reference rollout.',
    [
      {
        id: 'trap',
        label: 'MountainCar: the trap',
        note: 'Uniform and none stand still in the valley (no push, no force cost); the pumping reference rocks the car and climbs out: it reaches the flag in every rollout, the other two in none.',
        apply: () => preset('MountainCarContinuous-v0', true, 0),
      },
      {
        id: 'density',
        label: 'MountainCar: π next to p',
        note: "Mid-climb (t = 40): the reference agent's π(a|s) leans on the controller's p(a|s) (KL under 1 nat); uniform's π is nearly its flat prior (KL near 0: it never learned to push); none's π is a spike (KL to uniform about 4).",
        apply: () => preset('MountainCarContinuous-v0', false, 40),
      },
      {
        id: 'pendulum',
        label: 'Pendulum: none vs uniform',
        note: "All three swing up. Once upright (t = 150) none's torque density is a spike (α = 0: nothing keeps it wide; KL to uniform about 4 nats); uniform's is a bump it pays α·KL for (about 1.3); the reference's follows the controller's catch (about 0.1).",
        apply: () => preset('Pendulum-v1', false, 150),
      },
      {
        id: 'pointmass',
        label: 'PointMass: the route',
        note: 'The steering reference passes below the big obstacle to the far goal (+5) in every rollout; uniform settles for the near goal (+1); none stalls for 200 steps. The 2-D densities: none is a dot, the reference a blob where the controller points.',
        apply: () => preset('PointMass-v0', false, 20),
      },
    ],
  );

  const load = section(
    host.sidebar,
    'Load a run folder',
    "Choose a `train` run's agent.json and agent.bin (Pendulum, PointMass or MountainCar, --algo sac): it replaces the column of its prior.",
  );
  const file = h('input', { type: 'file', multiple: '', accept: '.json,.bin', 'data-testid': 'control-load' });
  const loadMsg = h('p', { class: 'note', 'data-testid': 'control-load-msg' });
  load.append(file, loadMsg);
  file.addEventListener('change', () => void loadFiles(Array.from(file.files ?? [])));

  const key = section(host.sidebar, 'Legend');
  legend(key, [
    ...PRIOR_NAMES.map((p) => ({
      color: css(PRIOR_COLORS[p]),
      label: `π under the ${p} prior`,
      shape: 'line' as const,
    })),
    { color: css(COLORS.prior), label: "p(a|s): the objective's prior (dashed)", shape: 'line' },
  ]);

  const status = h('p', { class: 'note', 'data-testid': 'control-status' });
  const cols = h('div', { class: 'cc-cols' });
  host.main.append(status, cols);
  const densityHost = h('div', { class: 'cc-cols', 'data-testid': 'control-density' });
  host.charts.append(densityHost);

  function preset(e: AgentEnv, mean: boolean, t: number): void {
    env = e;
    envSelect.value = e;
    deterministic = mean;
    for (const b of host.sidebar.querySelectorAll('[data-testid="control-actions"] button'))
      b.setAttribute('aria-checked', String(b.getAttribute('data-value') === (mean ? 'mean' : 'sampled')));
    pick = { prior: 'reference', index: 0, t };
    void render();
  }

  function agentFor(e: AgentEnv, prior: PriorName): Promise<ViewerAgent> {
    const k = `${e}/${prior}`;
    let a = cache.get(k);
    if (!a) cache.set(k, (a = shippedAgent(e, prior)));
    return a;
  }

  async function loadFiles(files: File[]): Promise<void> {
    loadMsg.classList.remove('error');
    try {
      const json = files.find((f) => f.name.endsWith('.json'));
      const bin = files.find((f) => f.name.endsWith('.bin'));
      if (!json || !bin)
        throw new Error(
          `chose ${files.map((f) => f.name).join(', ') || 'nothing'}; allowed: the two files agent.json and agent.bin of one run folder`,
        );
      const { manifest, weights } = await readSavedAgent(
        await json.text(),
        new Uint8Array(await bin.arrayBuffer()),
        'chosen files',
      );
      const agent = new ViewerAgent(manifest, weights, `${json.name} + ${bin.name}`);
      const k = `${agent.env}/${agent.prior}`;
      void cache.get(k)?.then(
        (old) => old.dispose(),
        () => {},
      );
      cache.set(k, Promise.resolve(agent));
      env = agent.env;
      envSelect.value = env;
      loadMsg.textContent = `Loaded an agent of ${env} (${agent.objective.label}, ${manifest.step} steps): it replaces the ${agent.prior} column.`;
      await render();
    } catch (err) {
      loadMsg.classList.add('error');
      loadMsg.textContent = `Not loaded: ${(err as Error).message}`;
    }
  }

  async function render(): Promise<void> {
    const gen = ++generation;
    abort.abort();
    abort = new AbortController();
    const signal = abort.signal;
    view.update({ env, seed }, { n: String(n), actions: deterministic ? 'mean' : 'sampled', t: String(pick.t) });
    status.textContent = `Running ${n} rollouts per prior on ${ENV_LABELS[env]}…`;
    delete host.main.dataset.done;
    status.classList.remove('error');
    const next: Column[] = [];
    try {
      for (const prior of PRIOR_NAMES) {
        const agent = await agentFor(env, prior);
        const runs = await rollouts(agent, n, seed, deterministic, signal);
        if (gen !== generation) return;
        next.push({
          agent,
          runs,
          entry: agent.source === 'shipped' ? SHIPPED.find((e) => e.env === env && e.prior === prior) : undefined,
        });
      }
    } catch (err) {
      if (gen !== generation) return;
      status.classList.add('error');
      status.textContent = `Could not show ${ENV_LABELS[env]}: ${(err as Error).message}`;
      return;
    }
    columns = next;
    stages.forEach((s) => s.destroy());
    stages = [];
    fans = {};
    cols.replaceChildren();
    for (const c of columns) await drawColumn(c);
    if (gen !== generation) return;
    status.textContent = `${n} rollouts per prior from the same ${n} start states (seed ${seed}), actions ${deterministic ? 'the mean of π' : 'sampled from π'}.`;
    renderDensity();
    host.main.dataset.done = String(gen);
  }

  async function drawColumn(c: Column): Promise<void> {
    const prior = c.agent.prior as PriorName;
    const col = h('div', { class: 'cc-col', 'data-testid': `control-col-${prior}` });
    const head = h('h4', { class: 'cc-head' }, `${prior} prior`);
    head.style.color = css(PRIOR_COLORS[prior]);
    const src = c.entry ? `shipped: seed ${c.entry.seed}, ${c.entry.steps} steps` : `loaded: ${c.agent.source}`;
    col.append(
      head,
      h('p', { class: 'note cc-src', title: c.entry?.command ?? '' }, `${c.agent.objective.label} · ${src}`),
    );
    cols.append(col);
    const picked = prior === pick.prior ? Math.min(pick.index, c.runs.length - 1) : 0;
    let scene: AnimatedView;
    const stageBox = h('div');
    col.append(stageBox);
    if (env === 'PointMass-v0') {
      scene = pointMassView(
        COL,
        c.runs.map((r) => Float32Array.from(r.obs.flatMap((o) => [o[0], o[1]]))),
        c.runs.map(() => PRIOR_COLORS[prior]),
      );
    } else if (env === 'Pendulum-v1') {
      const r = c.runs[picked];
      scene = pendulumView(
        COL,
        r.obs.map((o) => Math.atan2(o[1], o[0])),
        r.actions.map((a) => a[0]),
      );
    } else {
      scene = mountainCarView(
        COL,
        COL * 0.62,
        c.runs.map((r) => r.obs.map((o) => o[0])),
        picked,
        c.runs[picked].actions.map((a) => a[0]),
      );
    }
    const stage = await Stage.create(stageBox, COL, env === 'MountainCarContinuous-v0' ? Math.round(COL * 0.62) : COL);
    stage.app.stage.addChild(scene.root);
    stage.render();
    stage.animate([scene.animation]);
    stages.push(stage);
    if (env !== 'PointMass-v0') {
      const pendulum = env === 'Pendulum-v1';
      const fan = fanChart({
        title: pendulum ? 'θ(t), 0 = upright' : 'position x(t)',
        xLabel: 'step',
        yLabel: pendulum ? 'rad' : 'x',
        lines: c.runs.map((r) => r.obs.map((o) => (pendulum ? Math.atan2(o[1], o[0]) : o[0]))),
        color: PRIOR_COLORS[prior],
        yRange: pendulum ? [-Math.PI, Math.PI] : [-1.2, 0.6],
        level: pendulum ? undefined : { y: 0.45, label: 'flag' },
        width: COL,
        height: 170,
        onPick: (index) => {
          pick = { prior, index, t: Math.min(pick.t, c.runs[index].obs.length - 1) };
          renderDensity();
        },
      });
      fans[prior] = fan;
      col.append(fan.svg);
    }
    const ret = c.runs.map((r) => r.return);
    const mean = ret.reduce((a, b) => a + b, 0) / ret.length;
    const std = Math.sqrt(ret.reduce((a, b) => a + (b - mean) ** 2, 0) / ret.length);
    const stats = [
      { key: 'meanReturn', label: 'mean return', value: mean, digits: 1 },
      { key: 'stdReturn', label: 'std of return', value: std, digits: 1 },
      {
        key: 'meanLength',
        label: 'mean length',
        value: c.runs.reduce((a, r) => a + r.actions.length, 0) / c.runs.length,
        digits: 1,
      },
    ];
    if (env === 'MountainCarContinuous-v0')
      stats.push({
        key: 'success',
        label: 'reached the flag',
        value: share(c.runs, (r) => r.success === true),
        digits: 2,
      });
    if (env === 'PointMass-v0') {
      stats.push({
        key: 'success',
        label: 'reached far goal (+5)',
        value: share(c.runs, (r) => r.goal === 'far'),
        digits: 2,
      });
      stats.push({
        key: 'near',
        label: 'reached near goal (+1)',
        value: share(c.runs, (r) => r.goal === 'near'),
        digits: 2,
      });
    }
    if (env === 'Pendulum-v1')
      stats.push({
        key: 'upright',
        label: 'ends upright (|θ| < 0.3)',
        value: share(c.runs, (r) => Math.abs(Math.atan2(r.obs.at(-1)![1], r.obs.at(-1)![0])) < 0.3),
        digits: 2,
      });
    statTable(col, `${c.runs.length} rollouts`, stats, `control-stats-${prior}`);
  }

  /** The chosen state's densities: each prior's π(a|s) and p(a|s) at the same state s, with KL(π‖p). */
  function renderDensity(): void {
    const src = columns.find((c) => c.agent.prior === pick.prior) ?? columns[0];
    if (!src) return;
    const index = Math.min(pick.index, src.runs.length - 1);
    const run = src.runs[index];
    pick = { ...pick, index, t: Math.min(pick.t, run.obs.length - 1) };
    tSlider.max = String(run.obs.length - 1);
    tSlider.value = String(pick.t);
    tSlider.parentElement!.querySelector('output')!.textContent = String(pick.t);
    for (const [p, fan] of Object.entries(fans)) fan.show(p === pick.prior ? index : -1, pick.t);
    const s = run.obs[pick.t];
    stateText.textContent = `${pick.prior} rollout ${index + 1}, step ${pick.t}: s = (${Array.from(s, (v) => v.toFixed(3)).join(', ')})`;
    view.update({}, { t: String(pick.t) });
    densityHost.replaceChildren();
    const space = src.agent.actionSpace;
    for (const c of columns) {
      const prior = c.agent.prior as PriorName;
      const box = h('div', { class: 'cc-density', 'data-testid': `control-density-${prior}` });
      const grid = actionGrid(space, space.dim === 1 ? 241 : 41);
      const d = c.agent.densityAt(s, grid, KL_SAMPLES, new Rng(`${seed}/kl`));
      // The Objective's prior; at α = 0 (none) it is the uniform prior, which the objective does not weigh.
      const o = c.agent.objective;
      const pLabel = `p: ${o.prior.kind === 'uniform' ? 'uniform' : 'the reference'}${o.alpha === 0 && o.targetKl === null ? ' (α = 0, not in J)' : ''}`;
      if (space.dim === 1) {
        box.append(
          lineChart({
            title: `${prior}: π(a|s) and p(a|s)`,
            xLabel: `action (${env === 'Pendulum-v1' ? 'torque' : 'force'})`,
            yLabel: 'density',
            width: COL,
            height: 200,
            series: [
              {
                name: 'π(a|s)',
                color: PRIOR_COLORS[prior],
                points: Array.from(grid, (a, i) => [a, Math.exp(d.logPi[i])] as const),
              },
              {
                name: pLabel,
                color: COLORS.prior,
                dashed: true,
                points: Array.from(grid, (a, i) => [a, Math.exp(d.logPrior[i])] as const),
              },
            ],
          }),
        );
      } else {
        box.append(
          contours(`${prior}: π(a|s)`, d.logPi, 41, PRIOR_COLORS[prior]),
          contours(pLabel, d.logPrior, 41, COLORS.prior),
        );
      }
      statTable(
        box,
        '',
        [
          {
            key: 'kl',
            label: 'KL(π‖p) at s (nats)',
            value: d.kl,
            hint: `E_{a~π}[log π(a|s) − log p(a|s)] over ${KL_SAMPLES} draws, as the learner estimates it`,
          },
          { key: 'mean', label: 'mean action of π', value: meanAction(grid, d.logPi, space.dim) },
        ],
        `control-kl-${prior}`,
      );
      densityHost.append(box);
    }
  }

  await render();
  return () => {
    generation++;
    abort.abort();
    clearTimeout(nTimer);
    stages.forEach((s) => s.destroy());
    for (const a of cache.values())
      void a.then(
        (agent) => agent.dispose(),
        () => {},
      );
  };
}

function share(runs: Rollout[], f: (r: Rollout) => boolean): number {
  return runs.filter(f).length / runs.length;
}

/** The mean action under the grid density (per dimension, shown as text). */
function meanAction(grid: Float32Array, logP: Float32Array, dim: number): string {
  const w = Array.from(logP, Math.exp);
  const z = w.reduce((a, b) => a + b, 0);
  return Array.from({ length: dim }, (_, j) =>
    (w.reduce((a, wi, i) => a + wi * grid[i * dim + j], 0) / z).toFixed(2),
  ).join(', ');
}

/** A 2-D density on an n×n action grid (row j = y_j, from `actionGrid`) as banded contours: 8 levels of density / max. */
function contours(title: string, logP: Float32Array, n: number, color: number): HTMLElement {
  const size = 140;
  const box = h('figure', { class: 'cc-contour' });
  const c = h('canvas');
  c.width = c.height = n;
  c.style.cssText = `width:${size}px;height:${size}px;image-rendering:pixelated`;
  const ctx = c.getContext('2d')!;
  const max = Math.max(...logP);
  const img = ctx.createImageData(n, n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      // Bands of equal density ratio: level ⌊8·p/max⌋ (the top band holds the mode).
      const level = Math.min(7, Math.floor(8 * Math.exp(logP[j * n + k] - max)));
      const rgb = level === 0 ? COLORS.panel : valueRamp(level / 7);
      // Canvas rows run top-down: y = high at the top.
      const o = 4 * ((n - 1 - j) * n + k);
      img.data.set([(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, 255], o);
    }
  }
  ctx.putImageData(img, 0, 0);
  const cap = h('figcaption', {}, title);
  cap.style.color = css(color);
  box.append(cap, c, h('span', { class: 'note' }, 'x: aₓ, y: a_y ∈ [−1, 1]'));
  return box;
}
