/**
 * Gridworld panel: the exact soft-optimal policy for the chosen prior and α, recomputed on every slider
 * move, with 1,000 seeded rollouts re-sampled each time. Single mode shows one prior; compare mode shows
 * every prior the env supports side by side with the same seed (common random numbers). Each scene's
 * numbers are in a stats table (`data-testid="grid-stats-<prior>"`, one `data-stat` cell per number, the
 * start state's policy in `data-pi-start`).
 */
import { GRID_ENVS, computeScene, gridObjective, makeGridEnv, type GridScene } from '../gridworld/compute.js';
import { buildScene, valueRange, type SceneView } from '../gridworld/draw.js';
import { PRIOR_COLORS, css, valueRamp, visitRamp } from '../palette.js';
import type { PanelModule } from '../panel.js';
import { Stage, shifted } from '../stage.js';
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
import { button, frameScheduler, h, legend, section, segmented, select, slider, statTable, type Stat } from '../ui.js';

export const ROLLOUTS = 1000;

const rampCss = (f: (t: number) => number) => `linear-gradient(90deg, ${[0, 0.25, 0.5, 0.75, 1].map((t) => css(f(t))).join(', ')})`;

export const mount: PanelModule['mount'] = async (host, view) => {
  const st = view.state;
  let envName = GRID_ENVS[st.env] ? st.env : 'TwoRoute-v0';
  let prior: PriorName = st.prior;
  let alpha = 'alpha' in st.extra || st.env === envName ? st.alpha : GRID_ENVS[envName].defaultAlpha;
  let seed = st.seed;
  let mode: 'single' | 'compare' = st.extra.mode === 'compare' ? 'compare' : 'single';
  const priorsFor = () => PRIOR_NAMES.filter((p) => p !== 'reference' || GRID_ENVS[envName].reference);
  if (!priorsFor().includes(prior)) prior = 'uniform';

  const env = section(host.sidebar, 'Environment', 'Exact soft value iteration gives π*(a|s) ∝ p(a|s)·exp(Q(s,a)/α). Move α or switch the prior: the policy and the rollouts update at once.');
  select(env, 'grid-env', 'gridworld', Object.keys(GRID_ENVS), envName, (v) => {
    envName = v;
    alpha = GRID_ENVS[v].defaultAlpha;
    if (!priorsFor().includes(prior)) prior = 'uniform';
    alphaInput.value = String(Math.log10(alpha));
    alphaInput.dispatchEvent(new Event('input'));
    rebuildPriorButtons();
  });
  segmented(env, 'grid-mode', 'view', [
    { value: 'single', label: 'one prior' },
    { value: 'compare', label: 'side by side' },
  ], mode, (v) => ((mode = v), schedule()));
  const priorBox = h('div');
  env.append(priorBox);
  const rebuildPriorButtons = () => {
    priorBox.replaceChildren();
    segmented(priorBox, 'grid-prior', 'prior p(a|s)', priorsFor().map((p) => ({ value: p, label: p, color: css(PRIOR_COLORS[p]) })), prior, (v) => ((prior = v), schedule()));
    schedule();
  };
  const alphaInput = slider(env, {
    id: 'grid-alpha',
    label: 'temperature α (log scale)',
    min: -3,
    max: 1,
    step: 0.01,
    value: Math.log10(Math.max(alpha, 1e-3)),
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((alpha = 10 ** v), schedule()),
  });
  const seedRow = section(host.sidebar, 'Rollouts', `${ROLLOUTS} episodes sampled from π* with one seed; every prior uses the same env and agent random streams.`);
  const seedInput = h('input', { type: 'number', min: '0', step: '1', 'data-testid': 'grid-seed' });
  seedInput.value = String(seed);
  seedInput.addEventListener('change', () => ((seed = Math.max(0, Math.floor(Number(seedInput.value)) || 0)), schedule()));
  const seedLabel = h('label', { class: 'select' });
  seedLabel.append(h('span', {}, 'seed'), seedInput);
  seedRow.append(seedLabel);
  button(seedRow, 'grid-resample', 'Resample (next seed)', () => {
    seed += 1;
    seedInput.value = String(seed);
    schedule();
  });
  const key = section(host.sidebar, 'Legend');
  legend(key, [
    { color: rampCss(valueRamp), label: 'V(s): low → high', shape: 'ramp' },
    { color: rampCss(visitRamp), label: 'visits: none → most (√ scale)', shape: 'ramp' },
    { color: css(0x39424f), label: 'wall' },
    { color: css(0xb23a48), label: 'hazard' },
    { color: css(0x3fbf7f), label: 'goal' },
    { color: css(0x5b8def), label: 'start (outline)' },
  ]);
  key.append(h('p', { class: 'note' }, 'White arrows: one per action, from the cell centre, length and opacity ∝ π(a|s). KL and entropy are averaged over the exact state visitation of π*.'));

  const canvasHost = h('div');
  const statsRow = h('div', { class: 'stats-row' });
  host.main.append(canvasHost, statsRow);
  const stage = await Stage.create(canvasHost, 900, 400);
  let views: SceneView[] = [];

  const { schedule, cancel: cancelFrame } = frameScheduler(render);

  function render(): void {
    view.update({ env: envName, prior, alpha: +alpha.toPrecision(4), seed }, { mode });
    // Side by side shows every prior: the single-prior picker is greyed out and inert.
    priorBox.classList.toggle('inactive', mode === 'compare');
    priorBox.title = mode === 'compare' ? 'side by side shows every prior; switch to "one prior" to pick one' : '';
    const priors = mode === 'compare' ? priorsFor() : [prior];
    const entry = GRID_ENVS[envName];
    const grid = makeGridEnv(entry).grid;
    const scenes: GridScene[] = priors.map((p) => {
      const objective = gridObjective(entry, grid, p, alpha);
      try {
        return computeScene(entry, objective, seed, ROLLOUTS);
      } finally {
        objective.dispose();
      }
    });
    const ranges = scenes.map((s) => valueRange(s.env, s.V));
    const vRange: [number, number] = [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))];
    const avail = Math.max(600, host.main.clientWidth - 8);
    const { nCols } = scenes[0].env;
    const stacked = mode === 'compare';
    const across = stacked ? scenes.length : 2;
    const cell = Math.max(18, Math.min(56, Math.floor((avail - 30 * across) / (nCols * across))));
    for (const v of views) v.root.destroy({ children: true });
    views = scenes.map((s) => buildScene(s, cell, stacked, vRange));
    let x = 0;
    for (const v of views) {
      v.root.position.set(x, 4);
      stage.app.stage.addChild(v.root);
      x += v.width + 30;
    }
    stage.resize(x - 30, Math.max(...views.map((v) => v.height)) + 8);
    stage.animate(views.map((v) => shifted(v.animation, v.root.x, v.root.y)));

    statsRow.replaceChildren();
    for (const s of scenes) {
      const a = s.stats;
      const stats: Stat[] = [
        { key: 'startValue', label: 'soft value V(start)', value: a.startValue },
        { key: 'klReference', label: 'KL(π ‖ reference)', value: Number.isNaN(a.klReference) ? 'n/a' : a.klReference },
        { key: 'klPrior', label: 'KL(π ‖ prior)', value: a.klPrior, hint: s.priorLabel },
        { key: 'entropy', label: 'entropy H(π) (nats)', value: a.entropy },
        { key: 'expectedLength', label: 'expected length (exact)', value: a.expectedLength, digits: 1 },
        { key: 'meanLength', label: 'mean length (sampled)', value: a.meanLength, digits: 1 },
        { key: 'meanReturn', label: 'mean return (sampled)', value: a.meanReturn },
        { key: 'successRate', label: 'reached goal', value: a.successRate },
        ...Object.entries(a.outcomes)
          .sort((p, q) => q[1] - p[1])
          .map(([k, v]) => ({ key: `outcome:${k}`, label: `route: ${k}`, value: v })),
      ];
      const box = statTable(statsRow, `prior: ${s.prior}`, stats, `grid-stats-${s.prior}`);
      box.style.borderTop = `3px solid ${css(PRIOR_COLORS[s.prior])}`;
      box.dataset.piStart = JSON.stringify(a.piStart);
      box.dataset.prior = s.prior;
    }
    document.body.dataset.gridRender = String(Number(document.body.dataset.gridRender ?? 0) + 1);
  }
  rebuildPriorButtons();
  render();
  return () => {
    cancelFrame();
    stage.destroy();
  };
};
