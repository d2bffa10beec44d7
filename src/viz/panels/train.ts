/**
 * Live training panel, two tasks (the `train-task` switch rewrites the link, which remounts the tab):
 * continuous SAC on PointMass or Pendulum under the three priors (`train/continuous-view.ts`, an env of
 * `CONTINUOUS_ENVS` in the link), or the gridworlds, below.
 *
 * Gridworld agents (discrete SAC or KL-PPO) train in a Web Worker (`train/worker.ts`)
 * on its tfjs backend (wasm when available). Two views: "three priors" (the default) trains one learner
 * per prior at once, with the same env, seed and α, their learned policies side by side and one chart of
 * each one's KL to the exact optimum of its own Objective; "one prior" sets one learner beside that
 * exact soft-optimal π*. Start / pause / step / reset act on every learner. Grid cells are shaded by the
 * per-state KL to π*. Numbers are in `train-stats` (shared) and `train-stats-<prior>` (one per learner
 * in the three-prior view; the one-prior view puts everything in `train-stats`), `data-stat` cells;
 * `klInitial` is the KL of the untrained policy, so a reader (or a test) sees how far training has come.
 */
import { klAt, weightedMean } from '../../agents/exact/index.js';
import { lineChart, type Series } from '../chart.js';
import { GRID_ENVS, exactOptimum, gridObjective, makeGridEnv } from '../gridworld/compute.js';
import { paintPolicyGrid, valueRange } from '../gridworld/draw.js';
import { COLORS, PRIOR_COLORS, css, valueRamp, visitRamp } from '../palette.js';
import type { PanelModule, ViewController } from '../panel.js';
import { CanvasStage } from '../stage.js';
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
import { AGENTS, AGENT_LABELS, CONTINUOUS_ENVS, klToExact, type AgentName } from '../train/session.js';
import { mountContinuousTraining } from '../train/continuous-view.js';
import { DEFAULT_STATE, formatHash } from '../state.js';
import { RemoteTrainer, type RemoteRun } from '../train/remote.js';
import {
  button,
  fixSlider,
  frameScheduler,
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

/** The per-state KL that saturates the learned grid's shading (nats). */
const KL_SHADE_MAX = 1;
/** The shading stops at this point of the visitation ramp (orange): past it the white arrows vanish into pale yellow. */
const SHADE_TOP = 0.8;
const klShade = (kl: number) => visitRamp(SHADE_TOP * Math.sqrt(Math.min(1, kl / KL_SHADE_MAX)));
type Mode = 'three' | 'single';
/**
 * Workers for the three-prior view: one worker training the learners in turn, or one each (`workers=3`
 * in the URL). One leaves the page a core of its own on a 2-core machine: `npm run bench` (bench/viz.ts)
 * measures both.
 */
const WORKER_COUNTS = [1, 3] as const;
/** Room above each grid for its label, and between grids (CSS px). */
const LABEL_H = 24;
const GAP = 30;

const rampCss = (f: (t: number) => number) =>
  `linear-gradient(90deg, ${[0, 0.25, 0.5, 0.75, 1].map((t) => css(f(t))).join(', ')})`;

/** One learner as the panel shows it: its run in a worker, the exact optimum of its Objective, its KL so far. */
interface Learner {
  prior: PriorName;
  run: RemoteRun;
  exact: ReturnType<typeof exactOptimum>;
  /** Where its grid is drawn (top left, under the label). */
  x: number;
  y: number;
  /** KL(π ‖ π*) where finite, else (π* greedy, α = 0) KL(π* ‖ π): the direction charted. */
  forward: boolean;
  klInitial: number;
  kl: ReturnType<typeof klToExact>;
  /** Visitation-weighted KL(π ‖ p) to the Objective's prior table (uniform for `none`, whose α is 0). */
  klPrior: number;
  /** (env steps, KL(π ‖ π*), KL(π* ‖ π), KL to the prior) at each snapshot. */
  trace: Array<[number, number, number, number]>;
}

export const mount: PanelModule['mount'] = async (host, view) => {
  const continuous = Object.hasOwn(CONTINUOUS_ENVS, view.state.env);
  segmented(
    section(host.sidebar, 'Task'),
    'train-task',
    'what learns',
    [
      { value: 'grid', label: 'gridworld (exact π*)' },
      { value: 'continuous', label: 'continuous SAC' },
    ],
    continuous ? 'continuous' : 'grid',
    (v) => {
      const [env, entry] = Object.entries(CONTINUOUS_ENVS)[0];
      location.hash = formatHash(
        v === 'continuous'
          ? { ...DEFAULT_STATE, panel: 'train', env, alpha: entry.defaultAlpha }
          : { ...DEFAULT_STATE, panel: 'train' },
      );
    },
  );
  return continuous ? mountContinuousTraining(host, view) : mountGridTraining(host, view);
};

async function mountGridTraining(host: PanelHost, view: ViewController): Promise<() => void> {
  const st = view.state;
  let envName = GRID_ENVS[st.env] ? st.env : 'TwoRoute-v0';
  let agentName: AgentName = (AGENTS as readonly string[]).includes(st.extra.agent)
    ? (st.extra.agent as AgentName)
    : 'sac';
  let mode: Mode = st.extra.mode === 'single' ? 'single' : 'three';
  const workers = WORKER_COUNTS.find((n) => String(n) === st.extra.workers) ?? 1;
  let prior: PriorName = st.prior;
  let alpha = 'alpha' in st.extra || st.env === envName ? st.alpha : GRID_ENVS[envName].defaultAlpha;
  let seed = st.seed;
  const priorsFor = () => PRIOR_NAMES.filter((p) => p !== 'reference' || GRID_ENVS[envName].reference);
  if (!priorsFor().includes(prior)) prior = 'uniform';

  // The learners run in Web Workers (their own tfjs), so the page stays responsive while they train.
  const pool: RemoteTrainer[] = [];
  const trainerAt = (k: number): RemoteTrainer => {
    if (pool[k]) return pool[k];
    const t = new RemoteTrainer();
    t.onError = (message) => {
      document.body.dataset.error = message;
      host.main.append(h('div', { class: 'panel-error' }, `Training failed: ${message}`));
    };
    t.onSnapshot = received;
    return (pool[k] = t);
  };
  /** The trainers of the current run. */
  let trainers: RemoteTrainer[] = [];

  const setup = section(
    host.sidebar,
    'Agent',
    'Changing any of these restarts training from scratch. α is fixed (no auto-temperature), so each learner has one exact target: π* from soft value iteration.',
  );
  const envSelect = select(setup, 'train-env', 'gridworld', Object.keys(GRID_ENVS), envName, (v) => {
    envName = v;
    alpha = GRID_ENVS[v].defaultAlpha;
    if (!priorsFor().includes(prior)) prior = 'uniform';
    rebuildPickers();
    setAlpha(alpha);
  });
  const pickBox = h('div');
  setup.append(pickBox);
  const rebuildPickers = () => {
    pickBox.replaceChildren();
    segmented(
      pickBox,
      'train-mode',
      'view',
      [
        { value: 'three', label: 'three priors' },
        { value: 'single', label: 'one prior' },
      ],
      mode,
      (v) => ((mode = v), rebuildPickers(), restart()),
    );
    segmented(
      pickBox,
      'train-agent',
      'agent',
      AGENTS.map((a) => ({ value: a, label: AGENT_LABELS[a] })),
      agentName,
      (v) => ((agentName = v), restart()),
    );
    const priorBox = h('div');
    pickBox.append(priorBox);
    segmented(
      priorBox,
      'train-prior',
      'prior p(a|s)',
      priorsFor().map((p) => ({ value: p, label: p, color: css(PRIOR_COLORS[p]) })),
      prior,
      (v) => ((prior = v), restart()),
    );
    priorBox.classList.toggle('inactive', mode === 'three');
    priorBox.title =
      mode === 'three' ? 'the three-prior view trains every prior; switch to "one prior" to pick one' : '';
  };
  const alphaInput = slider(setup, {
    id: 'train-alpha',
    label: 'α (SAC) = β (KL-PPO), log scale',
    min: -2,
    max: 0.5,
    step: 0.01,
    value: Math.log10(Math.max(alpha, 0.01)),
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((alpha = 10 ** v), restart()),
  });
  /** Sets α exactly (not the slider's 0.01 grid of log10 α) and restarts training. */
  const setAlpha = (a: number) => {
    alphaInput.value = String(Math.log10(a));
    alpha = a;
    void restart();
  };
  const seedInput = h('input', { type: 'number', min: '0', step: '1', 'data-testid': 'train-seed' });
  seedInput.value = String(seed);
  seedInput.addEventListener(
    'change',
    () => ((seed = Math.max(0, Math.floor(Number(seedInput.value)) || 0)), restart()),
  );
  const seedLabel = h('label', { class: 'select' });
  seedLabel.append(h('span', {}, 'seed'), seedInput);
  setup.append(seedLabel);

  const preset = (mode_: Mode, prior_: PriorName, alpha_: number) => () => {
    envName = 'TwoRoute-v0';
    envSelect.value = envName;
    agentName = 'sac';
    mode = mode_;
    prior = prior_;
    rebuildPickers();
    setAlpha(alpha_);
  };
  whatToNotice(
    host.sidebar,
    'train',
    'How each learner closes in on the exact optimum of its own Objective. One click sets the view (then press Start):',
    'Start with "three priors": one seed, one α, one learner per prior.',
    [
      {
        id: 'three',
        label: 'three priors at once',
        note: "Each curve falls towards 0 as its learner nears its own π*, and their arrows part ways with them: none's π* takes the short ledge every time, the reference's the guide's route through the room, uniform's splits about 1 : 2 between ledge and room.",
        apply: preset('three', prior, 0.15),
      },
      {
        id: 'alpha',
        label: 'α = 1: none ignores α',
        note: "At α = 1 uniform's π* is close to random moves (two thirds of its episodes end in the lava) while the reference's stays on the guide's route. none's α is 0 whatever the slider says: its learner is the same run as at α = 0.15 (same seed).",
        apply: preset('three', prior, 1),
      },
      {
        id: 'single',
        label: 'one learner beside π*',
        note: 'The learned grid (left) is shaded by its per-state KL to π* (right): bright cells are where it still differs, and they darken as its arrows come to match.',
        apply: preset('single', 'uniform', 0.15),
      },
    ],
  );

  const run = section(
    host.sidebar,
    'Training',
    'Runs in a Web Worker (its own tfjs backend): the page stays responsive, and Pause stops every learner within one short slice of training.',
  );
  const runBtn = button(run, 'train-run', 'Start', () => (running ? void pause() : start()));
  button(run, 'train-step', 'Step', () => {
    running = false;
    runBtn.textContent = 'Start';
    for (const t of trainers) void t.step();
  });
  button(run, 'train-reset', 'Reset', () => restart());
  const stepNote = h('p', { class: 'note' });
  run.append(stepNote);
  // The tab's main control leads its sidebar: on a laptop screen Start is in view while the charts say "press Start".
  host.sidebar.prepend(run);

  const key = section(host.sidebar, 'Legend');
  legend(key, [
    {
      color: rampCss((t) => visitRamp(SHADE_TOP * t)),
      label: `learned grid: KL(π(·|s) ‖ π*(·|s)), 0 → ≥ ${KL_SHADE_MAX} nat (KL(π* ‖ π) at α = 0, where π* is greedy)`,
      shape: 'ramp',
    },
    { color: rampCss(valueRamp), label: 'exact grid (one-prior view): soft value V*(s), low → high', shape: 'ramp' },
  ]);
  key.append(
    h(
      'p',
      { class: 'note' },
      'Arrows: one per action, length and opacity ∝ π(a|s). The KL numbers average over π*’s exact state visitation. Colours: uniform, reference and none as everywhere in the viewer.',
    ),
  );

  const canvasHost = h('div');
  const statsRow = h('div', { class: 'stats-row' });
  host.main.append(canvasHost, statsRow);
  // A 2D canvas: with software GL a pixi redraw of the grids at every snapshot held the page near 20 fps.
  const stage = new CanvasStage(canvasHost, 900, 400);

  let grid!: ReturnType<typeof makeGridEnv>['grid'];
  let cell = 40;
  let learners: Learner[] = [];
  let running = false;
  let restarts = 0;
  let progress = -1;

  async function restart(): Promise<void> {
    const mine = ++restarts;
    running = false;
    runBtn.textContent = 'Start';
    learners = [];
    view.update({ env: envName, prior, alpha: +alpha.toPrecision(4), seed }, { agent: agentName, mode });
    const entry = GRID_ENVS[envName];
    grid = makeGridEnv(entry).grid;
    const priors = mode === 'three' ? priorsFor() : [prior];
    const exacts = priors.map((p) => {
      const objective = gridObjective(entry, grid, p, alpha);
      try {
        return exactOptimum(entry, grid, objective);
      } finally {
        objective.dispose();
      }
    });
    // The learners take the Objective's α (0 for the prior none), so the slider shows that one; with
    // three priors it is the α of the other two, and none's grid is labelled α = 0.
    fixSlider(
      alphaInput,
      mode === 'single' && exacts[0].alpha !== alpha ? exacts[0].alpha : null,
      alpha.toPrecision(3),
    );
    const used = mode === 'three' ? Math.min(workers, priors.length) : 1;
    for (const t of pool.splice(used)) t.dispose();
    const active = Array.from({ length: used }, (_, k) => trainerAt(k));
    const specs = priors.map((p) => ({ env: envName, agent: agentName, prior: p, alpha, seed }));
    await Promise.all(active.map((t, k) => t.start(specs.filter((_, i) => i % used === k))));
    // A later restart (another slider step) supersedes this one.
    if (mine !== restarts) return;
    trainers = active;
    stepNote.textContent = `Step = ${active[0].runs[0].chunk} environment steps${agentName === 'klppo' ? ' (one PPO iteration)' : ''}${priors.length > 1 ? ' per learner' : ''}.`;

    // Panes: the learners' grids, plus the exact π* in the one-prior view; in a row if they fit at 18 px a cell, else in a column.
    const panes = mode === 'single' ? 2 : priors.length;
    const avail = Math.max(300, host.main.clientWidth - 8);
    const paneW = (c: number) => grid.nCols * c + GAP;
    const cols = paneW(18) * panes - GAP <= avail ? panes : 1;
    cell = Math.max(12, Math.min(48, Math.floor((avail - GAP * (cols - 1)) / (cols * grid.nCols))));
    const rows = Math.ceil(panes / cols);
    const paneH = grid.nRows * cell + LABEL_H + 8;
    stage.resize(paneW(cell) * cols - GAP, paneH * rows);
    const at = (k: number) => ({ x: (k % cols) * paneW(cell), y: Math.floor(k / cols) * paneH + LABEL_H });
    const label = (text: string, k: number, color: number) => {
      stage.ctx.font = '600 12.5px system-ui, DejaVu Sans, sans-serif';
      stage.ctx.textBaseline = 'top';
      stage.ctx.fillStyle = css(color);
      stage.ctx.fillText(text, at(k).x, at(k).y - LABEL_H + 4, grid.nCols * cell);
    };
    learners = priors.map((p, i) => ({
      prior: p,
      run: active[i % used].runs[Math.floor(i / used)],
      exact: exacts[i],
      ...at(i),
      forward: true,
      klInitial: NaN,
      kl: { learnedExact: NaN, exactLearned: NaN, perState: new Float64Array(0) },
      klPrior: NaN,
      trace: [],
    }));
    if (mode === 'single') {
      const exact = exacts[0];
      const [lo, hi] = valueRange(grid, exact.V);
      paintPolicyGrid(stage.ctx, at(1).x, at(1).y, grid, exact.pi, cell, (s) =>
        valueRamp(hi > lo ? (exact.V[s] - lo) / (hi - lo) : 0.5),
      );
      label(`learned π: ${AGENT_LABELS[agentName]}, prior ${prior}`, 0, PRIOR_COLORS[prior]);
      label(`exact π* (soft value iteration), α = ${+exact.alpha.toPrecision(3)}`, 1, COLORS.muted);
    } else {
      for (const [i, L] of learners.entries())
        label(
          `${L.prior}, α = ${+L.exact.alpha.toPrecision(3)}${L.exact.alpha === 0 ? ' (plain RL)' : ''}`,
          i,
          PRIOR_COLORS[L.prior],
        );
    }
    progress = -1;
    refresh();
  }

  /** Reads each learned policy back, redraws its grid, the stats and the charts. */
  function refresh(): void {
    if (learners.length === 0) return;
    const nA = grid.model.nActions;
    for (const L of learners) {
      const pi = L.run.policy();
      L.kl = klToExact(pi, L.exact.pi, L.exact.visitation, nA);
      L.klPrior = weightedMean(L.exact.visitation, (s) => klAt(pi, L.exact.table, s, nA));
      if (Number.isNaN(L.klInitial)) {
        L.forward = Number.isFinite(L.kl.learnedExact);
        L.klInitial = L.forward ? L.kl.learnedExact : L.kl.exactLearned;
      }
      if (L.trace.length === 0 || L.trace[L.trace.length - 1][0] !== L.run.steps)
        L.trace.push([L.run.steps, L.kl.learnedExact, L.kl.exactLearned, L.klPrior]);
      paintPolicyGrid(stage.ctx, L.x, L.y, grid, pi, cell, (s) => klShade(L.kl.perState[s]));
    }
    drawStats();
    drawCharts();
    document.body.dataset.trainRefresh = String(Number(document.body.dataset.trainRefresh ?? 0) + 1);
  }
  const redraw = frameScheduler(refresh);

  /** A snapshot arrived: note when training last made progress (the bench's Pause latency), redraw at the next frame. */
  function received(): void {
    const steps = learners.reduce((n, L) => n + L.run.steps, 0);
    if (steps !== progress) {
      progress = steps;
      document.body.dataset.trainProgressAt = performance.now().toFixed(1);
    }
    redraw.schedule();
  }

  const stateOf = () =>
    running || trainers.some((t) => t.running)
      ? 'running'
      : learners.every((L) => L.run.steps === 0)
        ? 'ready'
        : 'paused';
  const klRows = (L: Learner) => [
    { key: 'steps', label: 'environment steps', value: L.run.steps, digits: 0 },
    { key: 'updates', label: 'gradient updates', value: L.run.updates, digits: 0 },
    { key: 'alpha', label: agentName === 'sac' ? 'temperature α' : 'KL coefficient β', value: L.exact.alpha },
    // At α = 0 π* is greedy, so this direction is infinite as long as the learner still explores.
    {
      key: 'kl',
      label: 'KL(π_learned ‖ π*)',
      value: Number.isFinite(L.kl.learnedExact) ? L.kl.learnedExact : '∞ (π* greedy at α = 0)',
      hint: 'visitation-weighted mean over the states π* visits',
    },
    { key: 'klReverse', label: 'KL(π* ‖ π_learned)', value: L.kl.exactLearned },
    {
      key: 'klInitial',
      label: `${L.forward ? 'KL(π_learned ‖ π*)' : 'KL(π* ‖ π_learned)'} at step 0`,
      value: L.klInitial,
    },
    {
      key: 'klPrior',
      label: 'KL(π_learned ‖ p)',
      value: L.klPrior,
      hint: "p: the Objective's prior (none is the uniform prior at α = 0)",
    },
  ];
  const lastReturn = (L: Learner) =>
    L.run.log.findLast((l) => 'charts/episodic_return' in l.scalars)?.scalars['charts/episodic_return'] ?? '—';

  function drawStats(): void {
    statsRow.replaceChildren();
    const shared = [
      // 'paused' only once the worker's own snapshot says it has stopped (one sent just before may still arrive).
      { key: 'state', label: 'state', value: stateOf() },
      { key: 'backend', label: 'tfjs backend (worker)', value: trainers[0].backend },
      // Restarting must free the old sessions' tensors (agents and priors): this count shows a leak.
      {
        key: 'tensors',
        label: 'live tfjs tensors (workers)',
        value: trainers.reduce((n, t) => n + t.tensors, 0),
        digits: 0,
      },
    ];
    if (mode === 'single') {
      const L = learners[0];
      const box = statTable(
        statsRow,
        `${AGENT_LABELS[agentName]} on ${envName}`,
        [
          ...shared,
          ...klRows(L),
          { key: 'return', label: 'episodic return (last log)', value: lastReturn(L) },
          {
            key: 'entropy',
            label: 'policy entropy (batch)',
            value: L.run.log.at(-1)?.scalars['charts/entropy'] ?? '—',
          },
        ],
        'train-stats',
      );
      box.style.borderTop = `3px solid ${css(PRIOR_COLORS[L.prior])}`;
      return;
    }
    // The learners' tables first, in the order of their grids.
    for (const L of learners) {
      const box = statTable(
        statsRow,
        `prior ${L.prior}`,
        [...klRows(L), { key: 'return', label: 'episodic return (last log)', value: lastReturn(L) }],
        `train-stats-${L.prior}`,
      );
      box.style.borderTop = `3px solid ${css(PRIOR_COLORS[L.prior])}`;
    }
    statTable(
      statsRow,
      `${AGENT_LABELS[agentName]} on ${envName}`,
      [...shared, { key: 'workers', label: 'workers', value: trainers.length, digits: 0 }],
      'train-stats',
    );
  }

  function drawCharts(): void {
    host.charts.replaceChildren();
    const chart = (title: string, yLabel: string, series: Series[], testid: string) => {
      const c = lineChart({
        title,
        xLabel: 'environment steps',
        yLabel,
        series,
        width: 400,
        height: 220,
        emptyText: 'no data yet: press Start or Step',
      });
      c.dataset.testid = testid;
      host.charts.append(c);
    };
    const returns = (L: Learner) =>
      L.run.log
        .filter((l) => 'charts/episodic_return' in l.scalars)
        .map((l) => [l.step, l.scalars['charts/episodic_return']] as const);
    // One point (step 0) is not a curve yet: until the first step every chart shows the same empty state.
    const trace = (L: Learner, k: 1 | 2 | 3) =>
      L.trace.length > 1 ? L.trace.map((p) => [p[0], p[k]] as const).filter((p) => Number.isFinite(p[1])) : [];
    const direction = (L: Learner) => (L.forward ? 'KL(π ‖ π*)' : 'KL(π* ‖ π), π* greedy');
    if (mode === 'three') {
      chart(
        'KL of each learner to its exact π*',
        'nats',
        learners.map((L) => ({
          name: `${L.prior}: ${direction(L)}`,
          color: PRIOR_COLORS[L.prior],
          points: trace(L, L.forward ? 1 : 2),
        })),
        'train-chart-kl',
      );
      chart(
        'Episodic return',
        'return',
        learners.map((L) => ({ name: L.prior, color: PRIOR_COLORS[L.prior], points: returns(L) })),
        'train-chart-return',
      );
      chart(
        'KL to the prior (none: to uniform)',
        'nats',
        learners.map((L) => ({ name: L.prior, color: PRIOR_COLORS[L.prior], dashed: true, points: trace(L, 3) })),
        'train-chart-prior',
      );
      return;
    }
    const L = learners[0];
    const series = (key: string) =>
      L.run.log.filter((l) => key in l.scalars).map((l) => [l.step, l.scalars[key]] as const);
    chart(
      'KL between learned π and exact π*',
      'nats',
      [
        { name: 'KL(π ‖ π*)', color: PRIOR_COLORS[L.prior], points: trace(L, 1) },
        { name: 'KL(π* ‖ π)', color: COLORS.muted, dashed: true, points: trace(L, 2) },
      ],
      'train-chart-kl',
    );
    chart(
      'Episodic return',
      'return',
      [{ name: 'mean return per log', color: COLORS.goal, points: returns(L) }],
      'train-chart-return',
    );
    chart(
      'α / β and KL to the prior',
      'nats',
      [
        { name: agentName === 'sac' ? 'α' : 'β', color: COLORS.q, points: series('charts/alpha') },
        {
          name: 'KL(π ‖ prior)',
          color: PRIOR_COLORS[L.prior],
          dashed: true,
          points: agentName === 'sac' ? series('charts/kl_prior') : series('kl/exact'),
        },
      ],
      'train-chart-alpha',
    );
  }

  function start(): void {
    if (running) return;
    running = true;
    runBtn.textContent = 'Pause';
    for (const t of trainers) t.run();
  }
  async function pause(): Promise<void> {
    running = false;
    runBtn.textContent = 'Start';
    await Promise.all(trainers.map((t) => t.pause()));
  }

  rebuildPickers();
  await restart();
  return () => {
    running = false;
    redraw.cancel();
    for (const t of pool) t.dispose();
    stage.destroy();
  };
}
