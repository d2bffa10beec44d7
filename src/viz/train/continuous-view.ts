/**
 * Live training, continuous: continuous SAC on PointMass-v0 or Pendulum-v1 under the three priors at once
 * (uniform, the env's named controller as reference, none), one learner each with the same seed and α, on the
 * WebAssembly engine in a Web Worker (`worker.ts`). Per prior: its current policy's rollouts (PointMass: the
 * paths in the arena, coloured by the goal reached; Pendulum: |θ(t)| from upright, from the same start states), redrawn every
 * ROLLOUT_EVERY env steps; the return curves of all three on one chart (training episodes and the rollouts),
 * and each one's KL(π ‖ p) to its own prior. Numbers are in `train-stats-<prior>` and `train-stats` (shared).
 */
import { lineChart, type Series } from '../chart.js';
import { GOAL_COLORS, paintPointMass } from '../control/draw.js';
import { fanChart } from '../control/fan.js';
import { PRIOR_COLORS, css } from '../palette.js';
import type { ViewController } from '../panel.js';
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
import {
  button,
  frameScheduler,
  h,
  legend,
  section,
  select,
  slider,
  statTable,
  whatToNotice,
  type PanelHost,
} from '../ui.js';
import { RemoteTrainer, type RemoteRun } from './remote.js';
import { CONTINUOUS_ENVS, LIVE_ROLLOUTS, ROLLOUT_EVERY } from './session.js';

/** One worker training the three learners in turn (a core left to the page on 2 cores), or one each (`workers=3`). */
const WORKER_COUNTS = [1, 3] as const;
const LABEL_H = 22;
const GAP = 24;

interface Pane {
  prior: PriorName;
  run: RemoteRun;
  /** The pane's box under #main (a canvas for PointMass, a fan chart for Pendulum). */
  box: HTMLElement;
  /** The read-out step last drawn (−1: none). */
  drawn: number;
}

/** PointMass paths are coloured by the goal reached (`GOAL_COLORS`, as in the Continuous control tab). */
const GOAL_LABELS: Record<string, string> = {
  far: 'path: far goal',
  near: 'path: near goal',
  none: 'path: no goal (200 steps)',
};

const lastScalar = (run: RemoteRun, key: string): number | string =>
  run.log.findLast((l) => key in l.scalars)?.scalars[key] ?? '—';

export async function mountContinuousTraining(host: PanelHost, view: ViewController): Promise<() => void> {
  const st = view.state;
  let envName = Object.hasOwn(CONTINUOUS_ENVS, st.env) ? st.env : 'PointMass-v0';
  let alpha = 'alpha' in st.extra || st.env === envName ? st.alpha : CONTINUOUS_ENVS[envName].defaultAlpha;
  let seed = st.seed;
  const workers = WORKER_COUNTS.find((n) => String(n) === st.extra.workers) ?? 1;
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
  let trainers: RemoteTrainer[] = [];
  let panes: Pane[] = [];
  let running = false;
  let restarts = 0;

  const setup = section(
    host.sidebar,
    'Agent',
    'Continuous SAC, one learner per prior with the same seed and initial weights, on the WebAssembly engine under every prior. α is fixed and the same for uniform and reference (none: α = 0). Changing any of these restarts training.',
  );
  const envSelect = select(
    setup,
    'train-env',
    'env',
    Object.entries(CONTINUOUS_ENVS).map(([value, e]) => ({ value, label: e.label })),
    envName,
    (v) => ((envName = v), setAlpha(CONTINUOUS_ENVS[v].defaultAlpha)),
  );
  const alphaInput = slider(setup, {
    id: 'train-alpha',
    label: 'α, log scale',
    min: -2.5,
    max: 0,
    step: 0.01,
    value: Math.log10(Math.max(alpha, 0.003)),
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((alpha = 10 ** v), restart()),
  });
  const setAlpha = (a: number) => {
    alphaInput.value = String(Math.log10(a));
    alphaInput.parentElement!.querySelector('output')!.textContent = a.toPrecision(3);
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

  const preset = (env: string) => () => {
    envName = env;
    envSelect.value = env;
    setAlpha(CONTINUOUS_ENVS[env].defaultAlpha);
  };
  whatToNotice(
    host.sidebar,
    'train',
    'What each prior makes of the same task, as it learns. One click sets the view (then press Start):',
    'Start: the three learners train in turn; the rollouts are redrawn as they improve.',
    [
      {
        id: 'pointmass',
        label: 'PointMass: three routes',
        note: "The reference's paths gather on the steering controller's route below the obstacle to the far goal within a few thousand steps; uniform's stay broad (the highest entropy); none's (α = 0) collapse onto one path, its entropy far below the others' (at seed 1 it has reached no goal by 5,000 steps).",
        apply: preset('PointMass-v0'),
      },
      {
        id: 'pendulum',
        label: 'Pendulum: swing-up',
        note: "Each fan is |θ(t)| from upright for the same start states: a learner has learned the swing-up when its lines fall to 0 and stay there. The reference's prior is the swing-up controller; none's is no prior at all (α = 0).",
        apply: preset('Pendulum-v1'),
      },
    ],
  );

  const run = section(
    host.sidebar,
    'Training',
    'Runs in a Web Worker: the page stays responsive, and Pause stops every learner within one short slice of training.',
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

  const key = section(host.sidebar, 'Legend');
  const legendBox = h('div');
  key.append(legendBox);
  const drawLegend = () => {
    legendBox.replaceChildren();
    legend(legendBox, [
      ...PRIOR_NAMES.map((p) => ({ color: css(PRIOR_COLORS[p]), label: `prior ${p}`, shape: 'line' as const })),
      ...(envName === 'PointMass-v0'
        ? Object.entries(GOAL_LABELS).map(([g, label]) => ({ color: css(GOAL_COLORS[g]), label }))
        : []),
    ]);
  };
  key.append(
    h(
      'p',
      { class: 'note' },
      `Rollouts: ${LIVE_ROLLOUTS} episodes of each learner's current policy (actions sampled), from the same start states with the same noise every time, redrawn every ${ROLLOUT_EVERY} environment steps: only the policy changes between two pictures.`,
    ),
  );

  const paneRow = h('div', { class: 'train-panes' });
  paneRow.style.cssText = `display:flex;flex-wrap:wrap;gap:${GAP}px`;
  const statsRow = h('div', { class: 'stats-row' });
  host.main.append(paneRow, statsRow);

  /** Side of one pane: three in a row when they fit, else one per row. */
  const paneSize = () => {
    const avail = Math.max(280, host.main.clientWidth - 8);
    const three = Math.floor((avail - 2 * GAP) / 3);
    return Math.min(360, three >= 240 ? three : avail);
  };

  async function restart(): Promise<void> {
    const mine = ++restarts;
    running = false;
    runBtn.textContent = 'Start';
    view.update({ env: envName, alpha: +alpha.toPrecision(4), seed }, {});
    drawLegend();
    const used = Math.min(workers, PRIOR_NAMES.length);
    for (const t of pool.splice(used)) t.dispose();
    const active = Array.from({ length: used }, (_, k) => trainerAt(k));
    const specs = PRIOR_NAMES.map((prior) => ({ env: envName, agent: 'sac' as const, prior, alpha, seed }));
    await Promise.all(active.map((t, k) => t.start(specs.filter((_, i) => i % used === k))));
    if (mine !== restarts) return;
    trainers = active;
    stepNote.textContent = `Step = ${active[0].runs[0].chunk} environment steps per learner.`;
    paneRow.replaceChildren();
    panes = PRIOR_NAMES.map((prior, i) => {
      const box = h('div', { 'data-testid': `train-pane-${prior}` });
      paneRow.append(box);
      return { prior, run: active[i % used].runs[Math.floor(i / used)], box, drawn: -1 };
    });
    refresh();
  }

  function drawPane(p: Pane): void {
    const r = p.run.readout;
    if (r?.kind !== 'rollouts' || r.step === p.drawn) return;
    p.drawn = r.step;
    const size = paneSize();
    const a = p.run.alpha;
    const title = `${p.prior}, α = ${+a.toPrecision(3)}${a === 0 ? ' (plain RL)' : ''}: π at step ${r.step}`;
    p.box.replaceChildren();
    if (envName === 'PointMass-v0') {
      const label = h('div', { class: 'pane-label' }, title);
      label.style.cssText = `color:${css(PRIOR_COLORS[p.prior])};font-weight:600;font-size:12.5px;height:${LABEL_H}px`;
      const canvas = h('canvas', { 'data-testid': `train-rollouts-${p.prior}` });
      const dpr = Math.min(2, window.devicePixelRatio || 1);
      canvas.width = canvas.height = Math.ceil(size * dpr);
      canvas.style.cssText = `width:${size}px;height:${size}px;display:block`;
      const ctx = canvas.getContext('2d')!;
      ctx.scale(dpr, dpr);
      const xy = r.obs.map((o) =>
        Float32Array.from({ length: (o.length / r.obsDim) * 2 }, (_, k) => o[(k >> 1) * r.obsDim + (k & 1)]),
      );
      paintPointMass(
        ctx,
        size,
        xy,
        r.goals.map((g) => GOAL_COLORS[g ?? 'none']),
      );
      p.box.append(label, canvas);
    } else {
      // |θ| from (cos θ, sin θ): the angle from upright, 0 … π, with no jump where a spinning pendulum wraps.
      const theta = r.obs.map((o) =>
        Float32Array.from({ length: o.length / r.obsDim }, (_, t) =>
          Math.abs(Math.atan2(o[t * r.obsDim + 1], o[t * r.obsDim])),
        ),
      );
      const fan = fanChart({
        title,
        xLabel: 'step t',
        yLabel: '|θ| from upright (rad)',
        lines: theta,
        color: PRIOR_COLORS[p.prior],
        yRange: [0, Math.PI],
        level: { y: 0, label: 'upright' },
        width: size,
        height: Math.round(size * 0.75),
      });
      // No rollout picked; the step marker rests on the y axis.
      fan.show(-1, 0);
      fan.svg.dataset.testid = `train-rollouts-${p.prior}`;
      p.box.append(fan.svg);
    }
    p.box.dataset.step = String(r.step);
  }

  const stateOf = () =>
    running || trainers.some((t) => t.running) ? 'running' : panes.every((p) => p.run.steps === 0) ? 'ready' : 'paused';

  function refresh(): void {
    if (panes.length === 0) return;
    for (const p of panes) drawPane(p);
    statsRow.replaceChildren();
    for (const p of panes) {
      const rr = p.run.rolloutReturns.at(-1);
      const box = statTable(
        statsRow,
        `prior ${p.prior}`,
        [
          { key: 'steps', label: 'environment steps', value: p.run.steps, digits: 0 },
          { key: 'updates', label: 'gradient updates', value: p.run.updates, digits: 0 },
          { key: 'alpha', label: 'temperature α', value: p.run.alpha },
          { key: 'return', label: 'episodic return (last log)', value: lastScalar(p.run, 'charts/episodic_return') },
          {
            key: 'rolloutReturn',
            label: `rollout return (mean of ${LIVE_ROLLOUTS})`,
            value: rr ? rr[1] : '—',
            hint: `at step ${rr ? rr[0] : '—'}`,
          },
          {
            key: 'klPrior',
            label: 'KL(π ‖ p) per step (batch)',
            value: lastScalar(p.run, 'charts/kl_prior'),
            hint: "p: the Objective's prior (none: uniform, at α = 0)",
          },
          { key: 'entropy', label: 'policy entropy (batch)', value: lastScalar(p.run, 'charts/entropy') },
        ],
        `train-stats-${p.prior}`,
      );
      box.style.borderTop = `3px solid ${css(PRIOR_COLORS[p.prior])}`;
    }
    statTable(
      statsRow,
      `continuous SAC on ${envName}`,
      [
        { key: 'state', label: 'state', value: stateOf() },
        { key: 'backend', label: 'tfjs backend (worker)', value: trainers[0].backend },
        {
          key: 'engine',
          label: 'WebAssembly engine (every prior)',
          value: String(panes.every((p) => p.run.usesEngine === true)),
        },
        {
          key: 'tensors',
          label: 'live tfjs tensors (workers)',
          value: trainers.reduce((n, t) => n + t.tensors, 0),
          digits: 0,
        },
        { key: 'workers', label: 'workers', value: trainers.length, digits: 0 },
      ],
      'train-stats',
    );
    drawCharts();
    document.body.dataset.trainRefresh = String(Number(document.body.dataset.trainRefresh ?? 0) + 1);
  }
  const redraw = frameScheduler(refresh);

  /** A snapshot arrived: note when training last made progress (the bench's Pause latency), redraw at the next frame. */
  let progress = -1;
  function received(): void {
    const steps = panes.reduce((n, p) => n + p.run.steps, 0);
    if (steps !== progress) {
      progress = steps;
      document.body.dataset.trainProgressAt = performance.now().toFixed(1);
    }
    redraw.schedule();
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
    const logged = (p: Pane, key: string) =>
      p.run.log.filter((l) => key in l.scalars).map((l) => [l.step, l.scalars[key]] as const);
    chart(
      'Return per prior (dashed: the rollouts)',
      'return',
      panes.flatMap((p) => [
        { name: p.prior, color: PRIOR_COLORS[p.prior], points: logged(p, 'charts/episodic_return') },
        {
          name: `${p.prior}, rollouts`,
          color: PRIOR_COLORS[p.prior],
          dashed: true,
          points: p.run.rolloutReturns.length > 1 ? p.run.rolloutReturns : [],
        },
      ]),
      'train-chart-return',
    );
    chart(
      'KL(π ‖ p) per step (none: to uniform)',
      'nats',
      panes.map((p) => ({ name: p.prior, color: PRIOR_COLORS[p.prior], points: logged(p, 'charts/kl_prior') })),
      'train-chart-prior',
    );
    chart(
      'Policy entropy (batch)',
      'nats',
      panes.map((p) => ({ name: p.prior, color: PRIOR_COLORS[p.prior], points: logged(p, 'charts/entropy') })),
      'train-chart-entropy',
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

  await restart();
  return () => {
    running = false;
    redraw.cancel();
    for (const t of pool) t.dispose();
  };
}
