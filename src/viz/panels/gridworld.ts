/**
 * Gridworld panel: the exact soft-optimal policy for the chosen prior and α, recomputed on every slider
 * move, with 1,000 seeded rollouts re-sampled each time. Single mode shows one prior; compare mode shows
 * every prior the env supports side by side with the same seed (common random numbers). Each scene's
 * numbers are in a stats table (`data-testid="grid-stats-<prior>"`, one `data-stat` cell per number, the
 * start state's policy in `data-pi-start`).
 */
import { klAt } from '../../agents/exact/index.js';
import type { GridWorld } from '../../envs/gridworld.js';
import { fmtTick, lineChart, setMarker, ticks } from '../chart.js';
import {
  GRID_ENVS,
  alphaSweep,
  computeScene,
  gridObjective,
  makeGridEnv,
  type GridEnvEntry,
  type GridScene,
  type SweepPoint,
} from '../gridworld/compute.js';
import { GridScenePainter, valueRange } from '../gridworld/draw.js';
import { PRIOR_COLORS, css, valueRamp, visitRamp } from '../palette.js';
import type { PanelModule } from '../panel.js';
import { CanvasStage } from '../stage.js';
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
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
  updateStatTable,
  whatToNotice,
  type Stat,
} from '../ui.js';

export const ROLLOUTS = 1000;

const rampCss = (f: (t: number) => number) =>
  `linear-gradient(90deg, ${[0, 0.25, 0.5, 0.75, 1].map((t) => css(f(t))).join(', ')})`;

/**
 * One stacked bar of outcome shares in the env's fixed order (same colours for every prior), each
 * segment carrying `data-stat="<prefix>:<outcome>"` and its share in `data-value`.
 */
function outcomeBar(
  parent: HTMLElement,
  entry: GridEnvEntry,
  label: string,
  shares: Record<string, number>,
  prefix: string,
): void {
  const row = h('div', { class: 'obar-row' });
  row.append(h('span', { class: 'obar-label' }, label));
  const bar = h('div', { class: 'obar', 'data-testid': `grid-bar-${prefix}` });
  for (const o of entry.outcomes) {
    const seg = h('span', { 'data-stat': `${prefix}:${o.name}` });
    seg.style.background = css(o.color);
    bar.append(seg);
  }
  row.append(bar);
  parent.append(row);
  setOutcomes(parent, entry, shares, prefix);
}

function setOutcomes(parent: HTMLElement, entry: GridEnvEntry, shares: Record<string, number>, prefix: string): void {
  for (const o of entry.outcomes) {
    const v = shares[o.key] ?? 0;
    const seg = parent.querySelector<HTMLElement>(`[data-stat="${prefix}:${o.name}"]`)!;
    seg.dataset.value = String(v);
    seg.title = `${o.name}: ${(100 * v).toFixed(1)} %`;
    seg.textContent = v >= 0.12 ? `${o.name} ${Math.round(100 * v)}%` : '';
    seg.style.width = `${100 * v}%`;
  }
}

/** The outcome colours, named as the bars name them. */
function outcomeLegend(parent: HTMLElement, entry: GridEnvEntry): void {
  legend(
    parent,
    entry.outcomes.map((o) => ({ color: css(o.color), label: `${o.name}${o.name === o.key ? '' : ` (${o.key})`}` })),
  );
}

export const mount: PanelModule['mount'] = async (host, view) => {
  const st = view.state;
  let envName = GRID_ENVS[st.env] ? st.env : 'TwoRoute-v0';
  let prior: PriorName = st.prior;
  let alpha = 'alpha' in st.extra || st.env === envName ? st.alpha : GRID_ENVS[envName].defaultAlpha;
  let seed = st.seed;
  let mode: 'single' | 'compare' = st.extra.mode === 'compare' ? 'compare' : 'single';
  const priorsFor = () => PRIOR_NAMES.filter((p) => p !== 'reference' || GRID_ENVS[envName].reference);
  if (!priorsFor().includes(prior)) prior = 'uniform';

  const env = section(
    host.sidebar,
    'Environment',
    'Exact soft value iteration gives π*(a|s) ∝ p(a|s)·exp(Q(s,a)/α). Move α or switch the prior: the policy and the rollouts update at once.',
  );
  const envSelect = select(env, 'grid-env', 'gridworld', Object.keys(GRID_ENVS), envName, (v) => {
    envName = v;
    alpha = GRID_ENVS[v].defaultAlpha;
    if (!priorsFor().includes(prior)) prior = 'uniform';
    alphaInput.value = String(Math.log10(alpha));
    alphaInput.dispatchEvent(new Event('input'));
    rebuildPriorButtons();
  });
  segmented(
    env,
    'grid-mode',
    'view',
    [
      { value: 'single', label: 'one prior' },
      { value: 'compare', label: 'side by side' },
    ],
    mode,
    (v) => ((mode = v), schedule()),
  );
  const priorBox = h('div');
  env.append(priorBox);
  const rebuildPriorButtons = () => {
    priorBox.replaceChildren();
    segmented(
      priorBox,
      'grid-prior',
      'prior p(a|s)',
      priorsFor().map((p) => ({ value: p, label: p, color: css(PRIOR_COLORS[p]) })),
      prior,
      (v) => ((prior = v), schedule()),
    );
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
  // What to notice, with one click to the view that shows it (TwoRoute: the env built for this).
  const preset = (prior_: PriorName, alpha_: number) => () => {
    envName = 'TwoRoute-v0';
    envSelect.value = envName;
    prior = prior_;
    alphaInput.value = String(Math.log10(alpha_));
    alpha = alpha_;
    rebuildPriorButtons();
  };
  whatToNotice(
    host.sidebar,
    'grid',
    'Where the policy goes as α moves, and what the prior adds. One click sets the view:',
    'Start with "side by side": the same seed under each prior.',
    [
      {
        id: 'plain',
        label: 'α → 0: plain RL',
        note: 'The uniform prior at α → 0 is plain RL: every episode takes the 8-step ledge.',
        apply: preset('uniform', 0.001),
      },
      {
        id: 'lava',
        label: 'large α: into the lava',
        note: 'At α = 1 the uniform prior pulls π towards random moves: most episodes fall into the lava or time out.',
        apply: preset('uniform', 1),
      },
      {
        id: 'guide',
        label: 'the reference follows the guide',
        note: "The reference prior keeps π close to the guide's room route: the ledge is almost never taken.",
        apply: preset('reference', 0.15),
      },
    ],
  );
  const seedRow = section(
    host.sidebar,
    'Rollouts',
    `${ROLLOUTS} episodes sampled from π* with one seed; every prior uses the same env and agent random streams.`,
  );
  const seedInput = h('input', { type: 'number', min: '0', step: '1', 'data-testid': 'grid-seed' });
  seedInput.value = String(seed);
  seedInput.addEventListener(
    'change',
    () => ((seed = Math.max(0, Math.floor(Number(seedInput.value)) || 0)), schedule()),
  );
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
  key.append(
    h(
      'p',
      { class: 'note' },
      'White arrows: one per action, from the cell centre, length and opacity ∝ π(a|s); the thin dark arrows beside them are the prior p(a|s) (not drawn at α = 0, where it has no weight). KL and entropy are averaged over the exact state visitation of π* within the time limit.',
    ),
  );

  key.append(
    h(
      'p',
      { class: 'note' },
      'Hover a cell for V(s), π(·|s), p(·|s) and the KL between them. The α-sweep charts below come from the exact solver; the dotted line marks the current α.',
    ),
  );

  const canvasHost = h('div');
  const colorBar = h('div', { class: 'colorbar', 'data-testid': 'grid-colorbar' });
  const statsRow = h('div', { class: 'stats-row' });
  const tip = h('div', { class: 'grid-tip', 'data-testid': 'grid-tooltip', hidden: '' });
  host.main.append(canvasHost, colorBar, statsRow);
  const stage = new CanvasStage(canvasHost, 900, 400);
  stage.canvas.dataset.testid = 'grid-canvas';
  stage.canvas.parentElement!.append(tip);
  let views: GridScenePainter[] = [];
  let scenes: GridScene[] = [];
  let layout = '';
  // What does not depend on α is kept per env: the env itself and the exact α sweep of each prior.
  const grids = new Map<string, GridWorld>();
  const sweeps = new Map<string, SweepPoint[]>();
  const gridOf = (name: string) => grids.get(name) ?? grids.set(name, makeGridEnv(GRID_ENVS[name]).grid).get(name)!;
  const sweepOf = (name: string, p: PriorName) =>
    sweeps.get(`${name}/${p}`) ??
    sweeps.set(`${name}/${p}`, alphaSweep(GRID_ENVS[name], gridOf(name), p)).get(`${name}/${p}`)!;

  const { schedule, cancel: cancelFrame } = frameScheduler(render);

  /** The value colour scale of an env: V's range over every prior and every α of the sweep, so it stays put as α moves. */
  function valueScale(name: string): [number, number] {
    const ranges = priorsFor().flatMap((p) => sweepOf(name, p).map((pt) => valueRange(gridOf(name), pt.summary.V)));
    return [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))];
  }

  function render(): void {
    // Side by side shows every prior: the single-prior picker is greyed out and inert.
    priorBox.classList.toggle('inactive', mode === 'compare');
    priorBox.title = mode === 'compare' ? 'side by side shows every prior; switch to "one prior" to pick one' : '';
    const priors = mode === 'compare' ? priorsFor() : [prior];
    const entry = GRID_ENVS[envName];
    const grid = gridOf(envName);
    scenes = priors.map((p) => {
      const objective = gridObjective(entry, grid, p, alpha);
      try {
        return computeScene(entry, objective, seed, ROLLOUTS, grid);
      } finally {
        objective.dispose();
      }
    });
    // α is the Objective's: where it ignores the slider (prior none: α ≡ 0) the slider shows that value and is off.
    fixSlider(
      alphaInput,
      mode === 'single' && scenes[0].alpha !== alpha ? scenes[0].alpha : null,
      alpha.toPrecision(3),
    );
    view.update({ env: envName, prior, alpha: +alpha.toPrecision(4), seed }, { mode });

    const vRange = valueScale(envName);
    const avail = Math.max(280, host.main.clientWidth - 8);
    const { nCols } = grid;
    const stacked = mode === 'compare';
    const across = stacked ? scenes.length : 2;
    // Stacked (side by side) scenes hold two grids one above the other: keep them within about 720 px.
    const tallest = stacked ? Math.floor((720 - 90) / (2 * grid.nRows)) : 56;
    const cell = Math.max(14, Math.min(56, tallest, Math.floor((avail - 30 * across) / (nCols * across))));
    const key = `${envName}|${priors.join()}|${cell}`;
    const rebuild = key !== layout;
    if (rebuild) {
      layout = key;
      let x = 0;
      views = scenes.map((s) => {
        const v = new GridScenePainter(x, 4, s, cell, stacked, entry.regions);
        x += v.width + 30;
        return v;
      });
      stage.resize(x - 30, Math.max(...views.map((v) => v.height)) + 8);
      stage.animate(views.map((v) => v.animation));
      drawColorBar(vRange, entry);
    }
    scenes.forEach((s, i) => views[i].paint(stage.ctx, s, vRange));

    if (rebuild) statsRow.replaceChildren();
    scenes.forEach((s, i) => {
      const a = s.stats;
      const stats: Stat[] = [
        { key: 'startValue', label: 'soft value V(start)', value: a.startValue },
        { key: 'klReference', label: 'KL(π ‖ reference)', value: Number.isNaN(a.klReference) ? 'n/a' : a.klReference },
        { key: 'klPrior', label: 'KL(π ‖ prior)', value: a.klPrior, hint: s.priorLabel },
        { key: 'entropy', label: 'entropy H(π) (nats)', value: a.entropy },
        {
          key: 'expectedLength',
          label: 'expected length (exact)',
          value: a.expectedLength,
          digits: 1,
          hint: 'within the time limit',
        },
        { key: 'meanLength', label: 'mean length (sampled)', value: a.meanLength, digits: 1 },
        { key: 'meanReturn', label: 'mean return (sampled)', value: a.meanReturn },
        { key: 'successRate', label: 'reached goal', value: a.successRate },
      ];
      if (rebuild) {
        const box = statTable(statsRow, `prior: ${s.prior}`, stats, `grid-stats-${s.prior}`);
        box.style.borderTop = `3px solid ${css(PRIOR_COLORS[s.prior])}`;
        box.dataset.prior = s.prior;
        outcomeBar(box, entry, 'exact', a.exactOutcomes, 'exact');
        outcomeBar(box, entry, `sampled (${a.rollouts})`, a.outcomes, 'outcome');
      }
      const box = statsRow.children[i] as HTMLElement;
      if (!rebuild) {
        updateStatTable(box, stats);
        setOutcomes(box, entry, a.exactOutcomes, 'exact');
        setOutcomes(box, entry, a.outcomes, 'outcome');
      }
      box.dataset.piStart = JSON.stringify(a.piStart);
    });
    const marker = { x: alpha, label: `α = ${alpha.toPrecision(2)}` };
    if (rebuild) drawSweeps(priors, marker);
    else
      for (const c of host.charts.querySelectorAll<SVGSVGElement>('svg[data-testid^="grid-sweep-"]'))
        setMarker(c, marker);
    document.body.dataset.gridRender = String(Number(document.body.dataset.gridRender ?? 0) + 1);
  }

  function drawColorBar([lo, hi]: [number, number], entry: GridEnvEntry): void {
    colorBar.dataset.lo = String(lo);
    colorBar.dataset.hi = String(hi);
    const bar = h('div', { class: 'colorbar-ramp' });
    bar.style.background = rampCss(valueRamp);
    const axis = h('div', { class: 'colorbar-ticks' });
    for (const t of ticks(lo, hi, 5)) {
      const tk = h('span', {}, fmtTick(t));
      tk.style.left = `${(100 * (t - lo)) / (hi - lo || 1)}%`;
      axis.append(tk);
    }
    colorBar.replaceChildren(h('span', { class: 'colorbar-label' }, 'V(s), fixed over α and priors'), bar, axis);
    outcomeLegend(colorBar, entry);
  }

  function drawSweeps(priors: readonly PriorName[], current: { x: number; label: string }): void {
    const entry = GRID_ENVS[envName];
    const marker = [current];
    const line = (p: PriorName, f: (pt: SweepPoint) => number, dashed = false, suffix = '') => ({
      name: `${p}${suffix}`,
      color: PRIOR_COLORS[p],
      dashed,
      points: sweepOf(envName, p).map((pt) => [pt.alpha, f(pt)] as const),
    });
    // The first two outcomes are the ones to compare (ledge vs room, or goal vs hazard).
    const [o1, o2] = entry.outcomes;
    const charts = [
      lineChart({
        title: `share: ${o1.name} (solid), ${o2.name} (dashed)`,
        xLabel: 'α (log scale)',
        logX: true,
        markers: marker,
        width: 356,
        height: 210,
        series: priors.flatMap((p) => [
          line(p, (pt) => pt.summary.outcomes[o1.key], false, ` ${o1.name}`),
          line(p, (pt) => pt.summary.outcomes[o2.key], true, ` ${o2.name}`),
        ]),
      }),
      lineChart({
        title: 'entropy H(π) (nats), exact',
        xLabel: 'α (log scale)',
        logX: true,
        markers: marker,
        width: 356,
        height: 210,
        series: priors.map((p) => line(p, (pt) => pt.summary.entropy)),
      }),
      entry.reference
        ? lineChart({
            title: 'KL(π ‖ reference), exact',
            xLabel: 'α (log scale)',
            logX: true,
            markers: marker,
            width: 356,
            height: 210,
            series: priors.map((p) => line(p, (pt) => pt.summary.klReference)),
          })
        : lineChart({
            title: 'KL(π ‖ prior), exact',
            xLabel: 'α (log scale)',
            logX: true,
            markers: marker,
            width: 356,
            height: 210,
            series: priors.map((p) => line(p, (pt) => pt.summary.klPrior)),
          }),
    ];
    charts.forEach((c, i) => c.setAttribute('data-testid', `grid-sweep-${i}`));
    host.charts.replaceChildren(...charts);
  }

  // The hover read-out of one cell: V(s), π(·|s), p(·|s) and KL(π ‖ p) at s, for the scene under the pointer.
  const box = stage.canvas.parentElement!;
  const onMove = (ev: MouseEvent) => {
    const r = stage.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const i = views.findIndex((v) => x >= v.x && x < v.x + v.width && y >= v.y && y < v.y + v.height);
    const s = i < 0 ? null : views[i].stateAt(x, y);
    if (s === null || !scenes[i]) return void tip.setAttribute('hidden', '');
    showTip(scenes[i], s, x, y);
  };
  box.addEventListener('mousemove', onMove);
  box.addEventListener('mouseleave', () => tip.setAttribute('hidden', ''));

  function showTip(sc: GridScene, s: number, x: number, y: number): void {
    const { env } = sc;
    const nA = env.actions.length;
    const [row, col] = env.toRowCol(s);
    const kind = env.kinds[s];
    tip.replaceChildren(h('b', {}, `${sc.prior} · cell (${row}, ${col}) · ${kind}`));
    tip.dataset.state = String(s);
    tip.dataset.prior = sc.prior;
    if (kind === 'wall' || env.model.terminalStates.has(s)) {
      tip.append(h('div', {}, kind === 'wall' ? 'a wall: never occupied' : 'terminal: the episode ends here'));
    } else {
      const kl = klAt(sc.pi, sc.priorTable, s, nA);
      tip.dataset.v = String(sc.V[s]);
      tip.dataset.kl = String(kl);
      tip.append(h('div', {}, `V(s) = ${sc.V[s].toFixed(3)}`));
      const t = h('table');
      t.append(h('tr', {}, ''));
      t.lastElementChild!.append(h('th', {}, 'a'), h('th', {}, 'π(a|s)'), h('th', {}, 'p(a|s)'));
      env.actions.forEach((act, a) => {
        const tr = h('tr');
        tr.append(
          h('td', {}, act.name),
          h('td', { 'data-pi': String(sc.pi[s * nA + a]) }, sc.pi[s * nA + a].toFixed(3)),
          h('td', { 'data-p': String(sc.priorTable[s * nA + a]) }, sc.priorTable[s * nA + a].toFixed(3)),
        );
        t.append(tr);
      });
      tip.append(
        t,
        h('div', {}, `KL(π ‖ p) at s = ${kl.toFixed(3)} nats${sc.alpha === 0 ? ' (α = 0: not penalised)' : ''}`),
        h('div', {}, `visits: ${sc.visits[s]} of ${sc.stats.rollouts} rollouts`),
      );
    }
    tip.removeAttribute('hidden');
    tip.style.left = `${x + 14}px`;
    tip.style.top = `${y + 14}px`;
  }

  rebuildPriorButtons();
  render();
  return () => {
    cancelFrame();
    box.removeEventListener('mousemove', onMove);
    stage.destroy();
  };
};
