/**
 * Inverse RL panel: maximum-entropy IRL (`src/agents/irl`) computed live in the page. A demonstrator acts
 * soft-optimally for the env's reward under the chosen prior and α; from the first N of its seeded
 * trajectories the learner recovers a reward per cell entered, under the same prior and α. Three grids: the
 * true reward under the demonstrator's arrows, the recovered reward (shaping aligned to the truth; cells the
 * demonstrations never enter left dark) under the arrows of its soft-optimal policy, and the demonstrations'
 * visits with one replaying. The KL-vs-N curve fills in, one fit at a time, after the current N is shown.
 * Numbers are in `data-testid="irl-stats"`.
 */
import { Container, Graphics, Text } from 'pixi.js';
import { softOptimalPrecise, type PreciseResult } from '../../agents/exact/index.js';
import {
  alignShaping,
  correlation,
  fitMaxEntIrl,
  gridCellFeatures,
  gridCellReward,
  MaxEntIrl,
  sampleDemonstrations,
  shapingDirection,
  visitedKl,
  type Demonstration,
} from '../../agents/irl/index.js';
import { Rng } from '../../core/rng.js';
import { makeCliffWalking } from '../../envs/cliffwalking.js';
import type { GridWorld } from '../../envs/gridworld.js';
import { makeTwoRoute, TWO_ROUTE_ALPHA, TWO_ROUTE_GAMMA, twoRouteReference } from '../../envs/tworoute.js';
import { makeObjective } from '../../priors/objective.js';
import { lineChart } from '../chart.js';
import { policyGraphics, visitGrid } from '../gridworld/draw.js';
import { COLORS, PRIOR_COLORS, css } from '../palette.js';
import type { PanelModule } from '../panel.js';
import { Stage, shifted } from '../stage.js';
import { extraNumber } from '../state.js';
import { h, legend, section, segmented, select, setControl, slider, statTable, whatToNotice } from '../ui.js';

const COUNTS = [10, 30, 100, 300, 1000, 3000, 10000] as const;
const ENVS: Record<string, { make: () => GridWorld; alpha: number; reference: boolean }> = {
  'TwoRoute-v0': { make: () => makeTwoRoute(), alpha: TWO_ROUTE_ALPHA, reference: true },
  'CliffWalking-v1': { make: () => makeCliffWalking(), alpha: 1, reference: false },
};
const GAMMA = TWO_ROUTE_GAMMA;
type IrlPrior = 'uniform' | 'reference';

/** Blue (< 0) through the panel colour (0) to orange (> 0), t ∈ [−1, 1]. */
function diverging(t: number): number {
  const to = t < 0 ? 0x3a7bd5 : 0xe0703a;
  const f = Math.min(1, Math.abs(t));
  const ch = (sh: number) => Math.round(((COLORS.panel >> sh) & 255) * (1 - f) + ((to >> sh) & 255) * f);
  return (ch(16) << 16) | (ch(8) << 8) | ch(0);
}

interface Fit {
  n: number;
  kl: number;
  featureGap: number;
  corr: number;
  rms: number;
  logLik: number;
  iterations: number;
  /** Recovered reward per cell, shaping aligned to the truth. */
  reward: Float64Array;
  entered: Set<number>;
  pi: Float64Array;
}

/** Everything for one (env, prior, α, seed): the demonstrator, 10,000 demonstrations, and fits by N. */
interface Setting {
  grid: GridWorld;
  prior: Float64Array;
  alpha: number;
  demonstrator: PreciseResult;
  pool: Demonstration[];
  truth: Float64Array;
  fits: Map<number, Fit>;
}

function makeSetting(envName: string, prior: IrlPrior, alpha: number, seed: number): Setting {
  const grid = ENVS[envName].make();
  const objective = makeObjective({ prior, alpha }, grid, {
    reference: () => ({ table: twoRouteReference(grid.model) }),
  });
  const { prior: table } = objective.tabular();
  objective.dispose();
  const demonstrator = softOptimalPrecise(grid.model, { alpha, gamma: GAMMA, prior: table });
  const pool = sampleDemonstrations(grid.model, demonstrator.pi, {
    count: COUNTS.at(-1)!,
    rng: new Rng(`irl/${seed}`),
    maxSteps: 200,
  });
  return { grid, prior: table, alpha, demonstrator, pool, truth: gridCellReward(grid), fits: new Map() };
}

function fitAt(s: Setting, n: number): Fit {
  const cached = s.fits.get(n);
  if (cached) return cached;
  const model = s.grid.model;
  const irl = new MaxEntIrl({
    model,
    objective: { alpha: s.alpha, prior: s.prior },
    gamma: GAMMA,
    demonstrations: s.pool.slice(0, n),
    features: gridCellFeatures(s.grid),
  });
  const fit = fitMaxEntIrl(irl);
  const entered = irl.touchedFeatures();
  const { aligned } = alignShaping(fit.theta, s.truth, shapingDirection(model, GAMMA), entered);
  const rms = Math.sqrt(entered.reduce((acc, j) => acc + (aligned[j] - s.truth[j]) ** 2, 0) / entered.length);
  const out: Fit = {
    n,
    kl: visitedKl(model, s.demonstrator.logPi, fit.logPi),
    featureGap: fit.featureGap,
    corr: correlation(s.truth, aligned, entered),
    rms,
    logLik: fit.value,
    iterations: fit.optimizer.iterations,
    reward: aligned,
    entered: new Set(entered),
    pi: fit.pi,
  };
  s.fits.set(n, out);
  return out;
}

function label(text: string, x: number, y: number): Text {
  const t = new Text({
    text,
    style: { fill: COLORS.muted, fontSize: 12, fontFamily: 'system-ui, DejaVu Sans, sans-serif', fontWeight: '600' },
  });
  t.position.set(x, y);
  return t;
}

/** The reward printed in the lower part of each cell where `show(j)` (goal and hazard cells keep their fixed colours). */
function rewardLabels(grid: GridWorld, reward: Float64Array, cell: number, show: (j: number) => boolean): Container {
  const c = new Container();
  for (let j = 0; j < reward.length; j++) {
    if (!show(j)) continue;
    const t = new Text({
      text: String(+reward[j].toFixed(2)),
      style: {
        fill: COLORS.text,
        fontSize: Math.max(8, Math.round(cell / 3.6)),
        fontFamily: 'system-ui, DejaVu Sans, sans-serif',
      },
    });
    const [r, col] = grid.toRowCol(j);
    t.anchor.set(0.5, 1);
    t.position.set(col * cell + cell / 2, r * cell + cell - 2);
    c.addChild(t);
  }
  return c;
}

export const mount: PanelModule['mount'] = async (host, view) => {
  const st = view.state;
  let envName = ENVS[st.env] ? st.env : 'TwoRoute-v0';
  let prior: IrlPrior = st.prior === 'reference' && ENVS[envName].reference ? 'reference' : 'uniform';
  let alpha = st.env === envName && st.alpha > 0 ? st.alpha : ENVS[envName].alpha;
  let seed = st.seed;
  let countIndex = Math.max(0, COUNTS.indexOf(extraNumber(st, 'n', 1000) as (typeof COUNTS)[number]));

  const ctl = section(
    host.sidebar,
    'Demonstrator and learner',
    'The demonstrator is soft-optimal for the env reward: π*(a|s) ∝ p(a|s)·exp(Q(s,a)/α). The learner finds the reward per cell entered that makes the demonstrations most likely under the same prior and α (exact likelihood, L-BFGS).',
  );
  select(ctl, 'irl-env', 'gridworld', Object.keys(ENVS), envName, (v) => {
    envName = v;
    alpha = ENVS[v].alpha;
    if (!ENVS[v].reference) prior = 'uniform';
    alphaInput.value = String(Math.log10(alpha));
    rebuildPrior();
    restart();
  });
  const priorBox = h('div');
  ctl.append(priorBox);
  const rebuildPrior = () => {
    priorBox.replaceChildren();
    const options = (ENVS[envName].reference ? (['uniform', 'reference'] as const) : (['uniform'] as const)).map(
      (p) => ({ value: p, label: p, color: css(PRIOR_COLORS[p]) }),
    );
    segmented(
      priorBox,
      'irl-prior',
      'prior p(a|s) (none: α = 0 has no likelihood)',
      options,
      prior,
      (v) => ((prior = v), restart()),
    );
  };
  rebuildPrior();
  const alphaInput = slider(ctl, {
    id: 'irl-alpha',
    label: 'temperature α (log scale)',
    min: -1.5,
    max: 0.5,
    step: 0.01,
    value: Math.log10(alpha),
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((alpha = 10 ** v), restart()),
  });
  const countInput = slider(ctl, {
    id: 'irl-n',
    label: 'number of demonstrations N',
    min: 0,
    max: COUNTS.length - 1,
    step: 1,
    value: countIndex,
    format: (v) => String(COUNTS[v]),
    onInput: (v) => ((countIndex = v), draw()),
  });
  const demos = (n: (typeof COUNTS)[number]) => () => setControl(countInput, COUNTS.indexOf(n));
  whatToNotice(
    host.sidebar,
    'irl',
    'How much the demonstrations pin down. One click sets N:',
    'The chart below fills in KL against N for the current setting.',
    [
      {
        id: 'few',
        label: 'N = 10',
        note: 'Ten demonstrations enter few cells: the recovered reward is blank elsewhere and the KL to the demonstrator is large.',
        apply: demos(10),
      },
      {
        id: 'many',
        label: 'N = 10,000',
        note: 'Ten thousand demonstrations: the recovered policy matches the demonstrator where it goes; the chart shows the KL falling with N (TwoRoute, uniform, α = 0.5: 0.13 at N = 10, 2e-5 at N = 10,000).',
        apply: demos(10000),
      },
    ],
  );
  const key = section(host.sidebar, 'Legend');
  legend(key, [
    {
      color: `linear-gradient(90deg, ${css(diverging(-1))}, ${css(diverging(0))}, ${css(diverging(1))})`,
      label: 'reward: negative → 0 → positive (the truth’s scale)',
      shape: 'ramp',
    },
    { color: css(COLORS.panel), label: 'recovered: a cell the demonstrations never enter' },
  ]);
  key.append(
    h(
      'p',
      { class: 'note' },
      'Only a shaping by a constant potential is undetectable: the recovered reward is shown with it chosen in its favour. Cells never entered are only known to be avoided. See docs/irl.md.',
    ),
  );

  const canvasHost = h('div');
  const statsRow = h('div', { class: 'stats-row' });
  host.main.append(canvasHost, statsRow);
  const stage = await Stage.create(canvasHost, 900, 300);
  let root: Container | null = null;
  let setting: Setting | null = null;
  let timer = 0;

  /** A new setting (demonstrator, demonstrations): debounced, since a slider sends a burst of inputs. */
  function restart(): void {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      setting = null;
      draw();
    }, 150);
  }

  /** Fits the next N of the curve in the background, one per timer tick, and redraws the chart. */
  function fillCurve(): void {
    const s = setting;
    const next = COUNTS.find((n) => !s?.fits.has(n));
    if (!s || next === undefined) return;
    timer = window.setTimeout(() => {
      if (s !== setting) return;
      fitAt(s, next);
      drawChart();
      fillCurve();
    }, 30);
  }

  function drawChart(): void {
    if (!setting) return;
    const points = COUNTS.filter((n) => setting!.fits.has(n)).map(
      (n) => [Math.log10(n), Math.log10(setting!.fits.get(n)!.kl)] as const,
    );
    host.charts.replaceChildren(
      lineChart({
        title: 'KL(π_demo ‖ π_recovered) on visited states vs N',
        xLabel: 'log10 N (demonstrations)',
        yLabel: 'log10 KL (nats)',
        series: [{ name: `prior ${prior}`, color: PRIOR_COLORS[prior], points }],
        emptyText: 'fitting…',
      }),
    );
  }

  function draw(): void {
    view.update({ env: envName, prior, alpha: +alpha.toPrecision(4), seed }, { n: String(COUNTS[countIndex]) });
    setting ??= makeSetting(envName, prior, alpha, seed);
    const s = setting;
    const n = COUNTS[countIndex];
    const fit = fitAt(s, n);
    const { grid } = s;
    const cell = Math.max(
      16,
      Math.min(40, Math.floor((Math.max(600, host.main.clientWidth - 8) - 60) / (3 * grid.nCols))),
    );
    const gw = grid.nCols * cell;
    const scale = (v: Float64Array, keep: (j: number) => boolean) =>
      Math.max(
        1e-9,
        ...Array.from(v)
          .filter((_, j) => keep(j))
          .map(Math.abs),
      );
    // One colour scale for both grids (the truth's), so equal rewards look equal.
    const trueScale = scale(s.truth, (j) => grid.cells[j].kind !== 'wall');
    // Terminal cells have no arrows; the recovered grid still shows what entering them pays.
    const trueGrid = policyGraphics(grid, s.demonstrator.pi, cell, (j) => diverging(s.truth[j] / trueScale));
    const fitGrid = policyGraphics(grid, fit.pi, cell, (j) =>
      fit.entered.has(j) ? diverging(fit.reward[j] / trueScale) : COLORS.panel,
    );
    trueGrid.addChild(rewardLabels(grid, s.truth, cell, (j) => grid.cells[j].kind !== 'wall'));
    fitGrid.addChild(rewardLabels(grid, fit.reward, cell, (j) => fit.entered.has(j)));
    const replay = visitGrid(
      grid,
      visitCounts(grid, s.pool.slice(0, n)),
      s.pool.slice(0, 12).map((d) => d.states),
      PRIOR_COLORS[prior],
      cell,
    );
    root?.destroy({ children: true });
    root = new Container();
    const boxes: Array<[string, Graphics]> = [
      ['true reward · demonstrator π*', trueGrid],
      [`recovered reward (N = ${n}) · its π*`, fitGrid],
      [`demonstrations: visits (first ${n})`, replay.root],
    ];
    boxes.forEach(([text, g], i) => {
      const x = i * (gw + 20);
      root!.addChild(label(text, x, 0));
      g.position.set(x, 20);
      root!.addChild(g);
    });
    stage.app.stage.addChild(root);
    stage.resize(3 * gw + 40, 20 + grid.nRows * cell + 4);
    stage.animate([shifted(replay.animation, 2 * (gw + 20), 20)]);

    statsRow.replaceChildren();
    const box = statTable(
      statsRow,
      `${grid.id}, prior ${prior}, α = ${+alpha.toPrecision(3)}, N = ${n}`,
      [
        { key: 'kl', label: 'KL(π_demo ‖ π_recovered), visited states', value: fit.kl, digits: 5 },
        { key: 'featureGap', label: 'feature-count gap (0 at the maximum)', value: fit.featureGap.toExponential(1) },
        {
          key: 'corr',
          label: 'reward correlation, cells entered (after shaping)',
          value: Number.isNaN(fit.corr) ? 'n/a (truth constant there)' : fit.corr,
        },
        { key: 'rms', label: 'reward RMS error, cells entered (after shaping)', value: fit.rms },
        { key: 'logLik', label: 'log-likelihood per demonstration', value: fit.logLik },
        { key: 'iterations', label: 'L-BFGS iterations', value: fit.iterations, digits: 0 },
      ],
      'irl-stats',
    );
    box.style.borderTop = `3px solid ${css(PRIOR_COLORS[prior])}`;
    drawChart();
    clearTimeout(timer);
    fillCurve();
    document.body.dataset.irlRender = String(Number(document.body.dataset.irlRender ?? 0) + 1);
  }

  draw();
  return () => {
    clearTimeout(timer);
    setting = null;
    stage.destroy();
  };
};

/** How often the demonstrations occupy each state (the final state of each included). */
function visitCounts(grid: GridWorld, demos: readonly Demonstration[]): Float64Array {
  const v = new Float64Array(grid.model.nStates);
  for (const d of demos) for (const s of d.states) v[s] += 1;
  return v;
}
