/**
 * The Continuous control tab's drawing for its trained-agents view: a status line; one column per prior
 * (the scene replaying its rollouts, a fan of its trajectories where it has one, its stats); and at the
 * chosen state each policy's action density π(a|s) next to its prior's p(a|s) with KL(π‖p) (1-D curves;
 * 2-D banded contours for PointMass).
 */
import { lineChart } from '../chart.js';
import { Rng } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import type { PriorName } from '../../priors/objective.js';
import { COLORS, css, PRIOR_COLORS, valueRamp } from '../palette.js';
import { Stage } from '../stage.js';
import { h, statTable } from '../ui.js';
import { actionGrid, type Rollout } from './agents.js';
import { mountainCarView, pendulumView, pointMassView, type AnimatedView } from './draw.js';
import { fanChart, type Fan } from './fan.js';
import type { Column, ControlPanelState } from './state.js';

const COL = 300;
/** Draws per KL estimate at the chosen state (Monte Carlo, as the learners estimate it). */
const KL_SAMPLES = 2000;

export class AgentsView {
  private readonly status = h('p', { class: 'note', 'data-testid': 'control-status' });
  private readonly cols = h('div', { class: 'cc-cols' });
  private readonly densityHost = h('div', { class: 'cc-cols', 'data-testid': 'control-density' });
  private stages: Stage[] = [];
  private fans: Partial<Record<PriorName, Fan>> = {};

  constructor(main: HTMLElement, charts: HTMLElement) {
    main.append(this.status, this.cols);
    charts.append(this.densityHost);
  }

  /** The status line; `error` marks it as a failure. */
  setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }

  /** Replaces the columns with the state's; `onPick` runs after a rollout is picked in a fan. */
  async drawColumns(state: ControlPanelState, onPick: () => void): Promise<void> {
    this.destroyStages();
    this.fans = {};
    this.cols.replaceChildren();
    for (const c of state.columns) await this.drawColumn(state, c, onPick);
  }

  /** Marks the rollout `index` of `prior` and step `t` in the fans. */
  showInFans(prior: PriorName, index: number, t: number): void {
    for (const [p, fan] of Object.entries(this.fans)) fan.show(p === prior ? index : -1, t);
  }

  /** The densities at state `s` (taken from `column`'s rollout): each prior's π(a|s) and p(a|s), with KL(π‖p). */
  drawDensity(state: ControlPanelState, column: Column, s: Float32Array): void {
    this.densityHost.replaceChildren();
    const space = column.agent.actionSpace;
    for (const c of state.columns) {
      const prior = c.agent.prior as PriorName;
      const box = h('div', { class: 'cc-density', 'data-testid': `control-density-${prior}` });
      const n = space.dim === 1 ? 241 : 41;
      const grid = actionGrid(space, n);
      const d = c.agent.densityAt(s, grid, KL_SAMPLES, new Rng(`${state.seed}/kl`));
      // The Objective's prior; at α = 0 (none) it is the uniform prior, which the objective does not weigh.
      const o = c.agent.objective;
      const pLabel = `p: ${o.prior.kind === 'uniform' ? 'uniform' : 'the reference'}${o.alpha === 0 && o.targetKl === null ? ' (α = 0, not in J)' : ''}`;
      if (space.dim === 1) {
        box.append(
          lineChart({
            title: `${prior}: π(a|s) and p(a|s)`,
            xLabel: `action (${state.env === 'Pendulum-v1' ? 'torque' : 'force'})`,
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
          contours(`${prior}: π(a|s)`, d.logPi, n, PRIOR_COLORS[prior]),
          contours(pLabel, d.logPrior, n, COLORS.prior),
        );
      }
      if (narrowerThanGrid(space, n, d.logPi))
        box.append(
          h(
            'p',
            { class: 'note', 'data-testid': `control-narrow-${prior}` },
            `π is nearly deterministic here (narrower than the plot's grid of ${n} points a dimension), so its density is a spike the grid misses: read its action below.`,
          ),
        );
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
      this.densityHost.append(box);
    }
  }

  destroyStages(): void {
    this.stages.forEach((s) => s.destroy());
    this.stages = [];
  }

  private async drawColumn(state: ControlPanelState, c: Column, onPick: () => void): Promise<void> {
    const prior = c.agent.prior as PriorName;
    const col = h('div', { class: 'cc-col', 'data-testid': `control-col-${prior}` });
    const head = h('h4', { class: 'cc-head' }, `${prior} prior`);
    head.style.color = css(PRIOR_COLORS[prior]);
    const src = c.entry ? `shipped: seed ${c.entry.seed}, ${c.entry.steps} steps` : `loaded: ${c.agent.source}`;
    col.append(
      head,
      h('p', { class: 'note cc-src', title: c.entry?.command ?? '' }, `${c.agent.objective.label} · ${src}`),
    );
    this.cols.append(col);
    const picked = prior === state.pick.prior ? Math.min(state.pick.index, c.runs.length - 1) : 0;
    let scene: AnimatedView;
    const stageBox = h('div');
    col.append(stageBox);
    if (state.env === 'PointMass-v0') {
      scene = pointMassView(
        COL,
        c.runs.map((r) => Float32Array.from(r.obs.flatMap((o) => [o[0], o[1]]))),
        c.runs.map(() => PRIOR_COLORS[prior]),
      );
    } else if (state.env === 'Pendulum-v1') {
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
    const stage = await Stage.create(
      stageBox,
      COL,
      state.env === 'MountainCarContinuous-v0' ? Math.round(COL * 0.62) : COL,
    );
    stage.app.stage.addChild(scene.root);
    stage.render();
    stage.animate([scene.animation]);
    this.stages.push(stage);
    if (state.env !== 'PointMass-v0') {
      const pendulum = state.env === 'Pendulum-v1';
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
          state.pickRollout(prior, c.runs, index);
          onPick();
        },
      });
      this.fans[prior] = fan;
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
    if (state.env === 'MountainCarContinuous-v0')
      stats.push({
        key: 'success',
        label: 'reached the flag',
        value: share(c.runs, (r) => r.success === true),
        digits: 2,
      });
    if (state.env === 'PointMass-v0') {
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
    if (state.env === 'Pendulum-v1')
      stats.push({
        key: 'upright',
        label: 'ends upright (|θ| < 0.3)',
        value: share(c.runs, (r) => Math.abs(Math.atan2(r.obs.at(-1)![1], r.obs.at(-1)![0])) < 0.3),
        digits: 2,
      });
    statTable(col, `${c.runs.length} rollouts`, stats, `control-stats-${prior}`);
  }
}

function share(runs: Rollout[], f: (r: Rollout) => boolean): number {
  return runs.filter(f).length / runs.length;
}

/** The mean action under the grid density (per dimension, shown as text). */
/**
 * The mean action of π over the grid, weighted by π(a|s) normalized on the grid (log-sum-exp, so a policy
 * narrower than the grid's spacing, as plain RL's nearly deterministic one, still gives its mode, never 0/0).
 */
function meanAction(grid: Float32Array, logP: Float32Array, dim: number): string {
  const top = Math.max(...Array.from(logP).filter(Number.isFinite));
  if (!Number.isFinite(top)) return 'not defined (π has no finite density on the grid)';
  const w = Array.from(logP, (l) => (Number.isFinite(l) ? Math.exp(l - top) : 0));
  const z = w.reduce((a, b) => a + b, 0);
  return Array.from({ length: dim }, (_, j) =>
    (w.reduce((a, wi, i) => a + wi * grid[i * dim + j], 0) / z).toFixed(2),
  ).join(', ');
}

/**
 * True when π's density on the grid (`n` cells a dimension of `space`) integrates to well under 1: π is narrower
 * than the grid's spacing.
 */
function narrowerThanGrid(space: Box, n: number, logP: Float32Array): boolean {
  let cell = 1;
  for (let i = 0; i < space.dim; i++) cell *= (space.high[i] - space.low[i]) / n;
  const mass = Array.from(logP).reduce((a, l) => a + (Number.isFinite(l) ? Math.exp(l) : 0), 0) * cell;
  return !(mass > 0.5);
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
  box.append(cap, c, colourScale(Math.exp(max), size), h('span', { class: 'note' }, 'x: aₓ, y: a_y ∈ [−1, 1]'));
  return box;
}

/** The contours' key: the 8 bands from 0 to the density at the mode (`top`), which it prints. */
function colourScale(top: number, width: number): HTMLElement {
  const bar = h('div', { class: 'cc-scale-bar' });
  bar.style.cssText = `display:flex;width:${width}px;height:8px;margin-top:4px;border:1px solid ${css(COLORS.grid)}`;
  for (let level = 0; level < 8; level++) {
    const band = h('span');
    band.style.cssText = `flex:1;background:${css(level === 0 ? COLORS.panel : valueRamp(level / 7))}`;
    bar.append(band);
  }
  const ends = h('div', { class: 'note' });
  ends.style.cssText = `display:flex;justify-content:space-between;width:${width}px`;
  const max = h('span', { 'data-testid': 'density-max' }, `max ${fmtDensity(top)}`);
  max.dataset.value = String(top);
  ends.append(h('span', {}, '0'), max);
  const scale = h('div', { 'data-testid': 'density-scale', title: 'density p(a|s) in bands of ⅛ of its maximum' });
  scale.append(bar, ends);
  return scale;
}

/** A density for the key: 3 significant digits, or powers of ten past 10⁴ (a near-deterministic π). */
const fmtDensity = (v: number): string => (v >= 1e4 ? v.toExponential(1) : String(+v.toPrecision(3)));
