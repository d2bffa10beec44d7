/**
 * Live training panel: a gridworld agent (discrete SAC or KL-PPO) trains in a Web Worker (`train/worker.ts`)
 * on its tfjs backend (wasm when available). Start / pause / step; as it learns, its policy arrows are redrawn
 * beside the exact soft-optimal π* for the same prior and α, the cells of the learned grid are shaded by
 * the per-state KL(π_learned ‖ π*), and the charts follow KL to π*, episodic return, α and KL to the
 * prior. Numbers are in the `train-stats` table (`data-stat` cells); `klInitial` is the KL of the
 * untrained policy, so a reader (or a test) sees how far training has come.
 */
import { lineChart } from '../chart.js';
import { GRID_ENVS, exactOptimum, gridObjective, makeGridEnv } from '../gridworld/compute.js';
import { paintPolicyGrid, valueRange } from '../gridworld/draw.js';
import { COLORS, PRIOR_COLORS, css, valueRamp, visitRamp } from '../palette.js';
import type { PanelModule } from '../panel.js';
import { CanvasStage } from '../stage.js';
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
import { AGENTS, AGENT_LABELS, klToExact, type AgentName } from '../train/session.js';
import { RemoteTrainer } from '../train/remote.js';
import { button, fixSlider, h, legend, section, segmented, select, slider, statTable } from '../ui.js';

/** The per-state KL that saturates the learned grid's shading (nats). */
const KL_SHADE_MAX = 1;

const rampCss = (f: (t: number) => number) => `linear-gradient(90deg, ${[0, 0.25, 0.5, 0.75, 1].map((t) => css(f(t))).join(', ')})`;

export const mount: PanelModule['mount'] = async (host, view) => {
  const st = view.state;
  let envName = GRID_ENVS[st.env] ? st.env : 'TwoRoute-v0';
  let agentName: AgentName = (AGENTS as readonly string[]).includes(st.extra.agent) ? (st.extra.agent as AgentName) : 'sac';
  let prior: PriorName = st.prior;
  let alpha = 'alpha' in st.extra || st.env === envName ? st.alpha : GRID_ENVS[envName].defaultAlpha;
  let seed = st.seed;
  const priorsFor = () => PRIOR_NAMES.filter((p) => p !== 'reference' || GRID_ENVS[envName].reference);
  if (!priorsFor().includes(prior)) prior = 'uniform';

  // The learner runs in a Web Worker (its own tfjs), so the page stays responsive while it trains.
  const trainer = new RemoteTrainer();
  trainer.onError = (message) => {
    document.body.dataset.error = message;
    host.main.append(h('div', { class: 'panel-error' }, `Training failed: ${message}`));
  };

  const setup = section(host.sidebar, 'Agent', 'Changing any of these restarts training from scratch. α is fixed (no auto-temperature), so the learned policy has one exact target: π* from soft value iteration.');
  select(setup, 'train-env', 'gridworld', Object.keys(GRID_ENVS), envName, (v) => {
    envName = v;
    alpha = GRID_ENVS[v].defaultAlpha;
    if (!priorsFor().includes(prior)) prior = 'uniform';
    rebuildPriorButtons();
    alphaInput.value = String(Math.log10(alpha));
    alphaInput.dispatchEvent(new Event('input'));
  });
  segmented(setup, 'train-agent', 'agent', AGENTS.map((a) => ({ value: a, label: AGENT_LABELS[a] })), agentName, (v) => ((agentName = v), restart()));
  const priorBox = h('div');
  setup.append(priorBox);
  const rebuildPriorButtons = () => {
    priorBox.replaceChildren();
    segmented(priorBox, 'train-prior', 'prior p(a|s)', priorsFor().map((p) => ({ value: p, label: p, color: css(PRIOR_COLORS[p]) })), prior, (v) => ((prior = v), restart()));
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
  const seedInput = h('input', { type: 'number', min: '0', step: '1', 'data-testid': 'train-seed' });
  seedInput.value = String(seed);
  seedInput.addEventListener('change', () => ((seed = Math.max(0, Math.floor(Number(seedInput.value)) || 0)), restart()));
  const seedLabel = h('label', { class: 'select' });
  seedLabel.append(h('span', {}, 'seed'), seedInput);
  setup.append(seedLabel);

  const run = section(host.sidebar, 'Training', 'Runs in a Web Worker (its own tfjs backend): the page stays responsive, and Pause stops it within one short slice of training.');
  const runBtn = button(run, 'train-run', 'Start', () => (running ? void pause() : start()));
  button(run, 'train-step', 'Step', () => {
    running = false;
    runBtn.textContent = 'Start';
    void trainer.step();
  });
  button(run, 'train-reset', 'Reset', () => restart());
  const stepNote = h('p', { class: 'note' });
  run.append(stepNote);

  const key = section(host.sidebar, 'Legend');
  legend(key, [
    { color: rampCss(visitRamp), label: `learned grid: KL(π(·|s) ‖ π*(·|s)), 0 → ≥ ${KL_SHADE_MAX} nat (KL(π* ‖ π) at α = 0, where π* is greedy)`, shape: 'ramp' },
    { color: rampCss(valueRamp), label: 'exact grid: soft value V*(s), low → high', shape: 'ramp' },
  ]);
  key.append(h('p', { class: 'note' }, 'Arrows: one per action, length and opacity ∝ π(a|s). The KL numbers average over π*’s exact state visitation.'));

  const canvasHost = h('div');
  const statsRow = h('div', { class: 'stats-row' });
  host.main.append(canvasHost, statsRow);
  // A 2D canvas: with software GL a pixi redraw of both grids at every snapshot held the page near 20 fps.
  const stage = new CanvasStage(canvasHost, 900, 400);

  const session = trainer;
  let exact!: ReturnType<typeof exactOptimum>;
  let grid!: ReturnType<typeof makeGridEnv>['grid'];
  let cell = 40;
  let klInitial = NaN;
  let klNow = { learnedExact: NaN, exactLearned: NaN };
  /** (env steps, KL(learned ‖ π*), KL(π* ‖ learned)) at each redraw. */
  let klTrace: Array<[number, number, number]> = [];
  let running = false;
  let restarts = 0;

  async function restart(): Promise<void> {
    const mine = ++restarts;
    running = false;
    runBtn.textContent = 'Start';
    view.update({ env: envName, prior, alpha: +alpha.toPrecision(4), seed }, { agent: agentName });
    const entry = GRID_ENVS[envName];
    grid = makeGridEnv(entry).grid;
    const objective = gridObjective(entry, grid, prior, alpha);
    exact = exactOptimum(entry, grid, objective);
    // The learners take the Objective's α (0 for the prior none), so the slider shows that one.
    fixSlider(alphaInput, objective.alpha !== alpha ? objective.alpha : null, alpha.toPrecision(3));
    objective.dispose();
    await trainer.start({ env: envName, agent: agentName, prior, alpha, seed });
    // A later restart (another slider step) supersedes this one.
    if (mine !== restarts) return;
    stepNote.textContent = `Step = ${session.chunk} environment steps${agentName === 'klppo' ? ' (one PPO iteration)' : ''}.`;
    const avail = Math.max(600, host.main.clientWidth - 8);
    cell = Math.max(18, Math.min(48, Math.floor((avail - 40) / (2 * grid.nCols))));
    stage.resize(2 * grid.nCols * cell + 30, grid.nRows * cell + 28);
    const [lo, hi] = valueRange(grid, exact.V);
    const exactX = grid.nCols * cell + 30;
    paintPolicyGrid(stage.ctx, exactX, 24, grid, exact.pi, cell, (s) => valueRamp(hi > lo ? (exact.V[s] - lo) / (hi - lo) : 0.5));
    const label = (text: string, x: number, color: number = COLORS.muted) => {
      stage.ctx.font = '600 12.5px system-ui, DejaVu Sans, sans-serif';
      stage.ctx.textBaseline = 'top';
      stage.ctx.fillStyle = css(color);
      stage.ctx.fillText(text, x, 4, grid.nCols * cell);
    };
    label(`learned π: ${AGENT_LABELS[agentName]}, prior ${prior}`, 0, PRIOR_COLORS[prior]);
    label(`exact π* (soft value iteration), α = ${+exact.alpha.toPrecision(3)}`, exactX);
    klTrace = [];
    klInitial = NaN;
    refresh();
  }

  /** Reads the learned policy back, redraws its grid, the stats and the charts. */
  function refresh(): void {
    const pi = session.policy();
    const nA = grid.model.nActions;
    const kl = klToExact(pi, exact.pi, exact.visitation, nA);
    klNow = kl;
    if (Number.isNaN(klInitial)) klInitial = kl.learnedExact;
    if (klTrace.length === 0 || klTrace[klTrace.length - 1][0] !== session.steps) klTrace.push([session.steps, kl.learnedExact, kl.exactLearned]);
    paintPolicyGrid(stage.ctx, 0, 24, grid, pi, cell, (s) => visitRamp(Math.sqrt(Math.min(1, kl.perState[s] / KL_SHADE_MAX))));
    drawStats();
    drawCharts();
    document.body.dataset.trainRefresh = String(Number(document.body.dataset.trainRefresh ?? 0) + 1);
  }

  function drawStats(): void {
    const last = session.log.at(-1)?.scalars ?? {};
    const returns = session.log.filter((l) => 'charts/episodic_return' in l.scalars);
    statsRow.replaceChildren();
    const box = statTable(statsRow, `${AGENT_LABELS[agentName]} on ${envName}`, [
      // 'paused' only once the worker's own snapshot says it has stopped (one sent just before may still arrive).
      { key: 'state', label: 'state', value: running || session.running ? 'running' : session.steps === 0 ? 'ready' : 'paused' },
      { key: 'backend', label: 'tfjs backend (worker)', value: trainer.backend },
      { key: 'steps', label: 'environment steps', value: session.steps, digits: 0 },
      { key: 'updates', label: 'gradient updates', value: session.updates, digits: 0 },
      { key: 'alpha', label: agentName === 'sac' ? 'temperature α' : 'KL coefficient β', value: exact.alpha },
      // At α = 0 π* is greedy, so this direction is infinite as long as the learner still explores.
      { key: 'kl', label: 'KL(π_learned ‖ π*)', value: Number.isFinite(klNow.learnedExact) ? klNow.learnedExact : '∞ (π* greedy at α = 0)', hint: 'visitation-weighted mean over the states π* visits' },
      { key: 'klReverse', label: 'KL(π* ‖ π_learned)', value: klNow.exactLearned },
      { key: 'klInitial', label: 'KL(π_learned ‖ π*) at step 0', value: Number.isFinite(klInitial) ? klInitial : '∞' },
      { key: 'return', label: 'episodic return (last log)', value: returns.at(-1)?.scalars['charts/episodic_return'] ?? '—' },
      { key: 'entropy', label: 'policy entropy (batch)', value: last['charts/entropy'] ?? '—' },
      // Restarting must free the old session's tensors (agent and prior): this count shows a leak.
      { key: 'tensors', label: 'live tfjs tensors (worker)', value: trainer.tensors, digits: 0 },
    ], 'train-stats');
    box.style.borderTop = `3px solid ${css(PRIOR_COLORS[prior])}`;
  }

  function drawCharts(): void {
    host.charts.replaceChildren();
    const series = (key: string) => session.log.filter((l) => key in l.scalars).map((l) => [l.step, l.scalars[key]] as const);
    const chart = (title: string, yLabel: string, s: Parameters<typeof lineChart>[0]['series'], testid: string) => {
      const c = lineChart({ title, xLabel: 'environment steps', yLabel, series: s, width: 400, height: 220, emptyText: 'no data yet: press Start or Step' });
      c.dataset.testid = testid;
      host.charts.append(c);
    };
    // One point (step 0) is not a curve yet: until the first step every chart shows the same empty state.
    const kl = klTrace.length > 1 ? klTrace : [];
    chart('KL between learned π and exact π*', 'nats', [
      { name: 'KL(π ‖ π*)', color: PRIOR_COLORS[prior], points: kl.filter((p) => Number.isFinite(p[1])).map((p) => [p[0], p[1]] as const) },
      { name: 'KL(π* ‖ π)', color: COLORS.muted, dashed: true, points: kl.map((p) => [p[0], p[2]] as const) },
    ], 'train-chart-kl');
    chart('Episodic return', 'return', [{ name: 'mean return per log', color: COLORS.goal, points: series('charts/episodic_return') }], 'train-chart-return');
    chart('α / β and KL to the prior', 'nats', [
      { name: agentName === 'sac' ? 'α' : 'β', color: COLORS.q, points: series('charts/alpha') },
      { name: 'KL(π ‖ prior)', color: PRIOR_COLORS[prior], dashed: true, points: agentName === 'sac' ? series('charts/kl_prior') : series('kl/exact') },
    ], 'train-chart-alpha');
  }

  // Every snapshot (a few per second while running, one after each step or pause) redraws the learned side.
  trainer.onSnapshot = refresh;
  function start(): void {
    if (running) return;
    running = true;
    runBtn.textContent = 'Pause';
    trainer.run();
  }
  async function pause(): Promise<void> {
    running = false;
    runBtn.textContent = 'Start';
    await trainer.pause();
  }

  rebuildPriorButtons();
  await restart();
  return () => {
    running = false;
    trainer.dispose();
    stage.destroy();
  };
};
