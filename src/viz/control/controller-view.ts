/**
 * The Continuous control tab's controller view (`#panel=control&view=controller`): continuous envs driven by the reference controllers the experiments use
 * (`src/envs/controllers.ts`) with Gaussian action noise of adjustable width. PointMass overlays 200
 * sampled trajectories (coloured by the goal reached), routed below or above the obstacle;
 * Pendulum replays one swing-up with its torque arrow and trace, with θ(t) and u(t) charted; switching to
 * it moves to the first seed whose start hangs down (|θ₀| ≥ 2.5 rad), so the swing-up is visible.
 * MountainCar replays episodes of the `pumping` controller (push the way the car moves) at once, the first
 * with its force arrow, with its x(t) and force charted.
 */
import { lineChart } from '../chart.js';
import { mountainCarView, pendulumView, pointMassView, GOAL_COLORS, type AnimatedView } from './draw.js';
import { mountainCarRollouts, pendulumEpisode, pointMassTrajectories, swingUpSeed } from './sim.js';
import { COLORS, css } from '../palette.js';
import type { ViewController } from '../panel.js';
import { extraNumber } from '../state.js';
import { Stage } from '../stage.js';
import {
  button,
  frameScheduler,
  h,
  legend,
  section,
  segmented,
  select,
  slider,
  statTable,
  type PanelHost,
} from '../ui.js';

export const TRAJECTORIES = 200;
const ENVS = ['PointMass-v0', 'Pendulum-v1', 'MountainCarContinuous-v0'] as const;
const MOUNTAIN_CAR_ROLLOUTS = 20;
/** The scene's side: 560 px, or the main area's width on a narrower screen (a phone). */
const MAX_SIZE = 560;
const NOISE_MIN = 0.05;
type Route = 'top' | 'bottom';

/** Mounts the controller view into `host`; resolves to its disposer. */
export async function mountControllerView(host: PanelHost, view: ViewController): Promise<() => void> {
  let env: (typeof ENVS)[number] = (ENVS as readonly string[]).includes(view.state.env)
    ? (view.state.env as (typeof ENVS)[number])
    : 'PointMass-v0';
  // The controllers' noise must be > 0: σ = 0 would be a point mass, not a Gaussian.
  let noise = Math.max(NOISE_MIN, extraNumber(view.state, 'noise', 0.3));
  let route: Route = view.state.extra.route === 'top' ? 'top' : 'bottom';
  let seed = view.state.seed;
  // Pendulum opened without a seed in the link (or switched to): start from the first seed that hangs
  // down, so the first view is a swing-up, not the controller holding a pendulum that starts upright.
  const seedInLink = /[#&]seed=/.test(location.hash);
  if (env === 'Pendulum-v1' && !seedInLink) seed = swingUpSeed(seed);

  const ctl = section(
    host.sidebar,
    'Environment',
    'The hand-written controller the experiments use as a reference prior (Pendulum: energy swing-up with a PD catch; PointMass: steer past the obstacle on the chosen side to the far goal; MountainCar: pumping, push the way the car moves), sampled as a ~ N(controller(s), σ²). The noise width is the breadth of the prior around its mean: watch the trajectories spread.',
  );
  select(ctl, 'control-env', 'environment', ENVS, env, (v) => {
    env = v as typeof env;
    if (env === 'Pendulum-v1') seed = swingUpSeed(seed);
    schedule();
  });
  const routeBox = h('div');
  ctl.append(routeBox);
  segmented(
    routeBox,
    'control-route',
    'PointMass route around the obstacle',
    [
      { value: 'bottom', label: 'below' },
      { value: 'top', label: 'above' },
    ],
    route,
    (v) => ((route = v), schedule()),
  );
  slider(ctl, {
    id: 'control-noise',
    label: 'action noise σ',
    min: NOISE_MIN,
    max: 1.5,
    step: 0.05,
    value: noise,
    format: (v) => v.toFixed(2),
    onInput: (v) => ((noise = v), schedule()),
  });
  button(ctl, 'control-resample', 'Resample (next seed)', () => ((seed += 1), schedule()));
  const key = section(host.sidebar, 'Legend');
  const legendBox = h('div');
  key.append(legendBox);

  const canvasHost = h('div');
  const side = h('div');
  side.style.cssText = 'display:flex;flex-direction:column;gap:12px';
  host.main.append(canvasHost, side);
  const size = Math.max(200, Math.min(MAX_SIZE, host.main.clientWidth - 4));
  const stage = await Stage.create(canvasHost, size, size);
  let current: AnimatedView | null = null;

  const { schedule, cancel: cancelFrame } = frameScheduler(render);

  function render(): void {
    view.update({ env, seed }, { view: 'controller', noise: String(noise), route });
    routeBox.classList.toggle('inactive', env !== 'PointMass-v0');
    current?.root.destroy({ children: true });
    side.replaceChildren();
    host.charts.replaceChildren();
    legendBox.replaceChildren();
    if (env === 'PointMass-v0') {
      const tr = pointMassTrajectories(TRAJECTORIES, seed, noise, route);
      current = pointMassView(
        size,
        tr.map((t) => t.xy),
        tr.map((t) => GOAL_COLORS[t.goal ?? 'none']),
      );
      const count = (g: string | null) => tr.filter((t) => t.goal === g).length / tr.length;
      // Which way around the big obstacle: the y of each trajectory where it crosses the obstacle's x.
      const above = tr.filter((t) => {
        for (let k = 0; k < t.xy.length; k += 2) if (t.xy[k] >= 0.25) return t.xy[k + 1] > 0;
        return false;
      }).length;
      statTable(
        side,
        `${TRAJECTORIES} trajectories, seed ${seed}`,
        [
          { key: 'far', label: 'reached far goal (+5)', value: count('far') },
          { key: 'near', label: 'reached near goal (+1)', value: count('near') },
          { key: 'none', label: 'no goal in 200 steps', value: count(null) },
          { key: 'above', label: 'passed above the obstacle', value: above / tr.length },
          { key: 'meanReturn', label: 'mean return', value: tr.reduce((a, t) => a + t.return, 0) / tr.length },
          {
            key: 'meanLength',
            label: 'mean length',
            value: tr.reduce((a, t) => a + t.xy.length / 2 - 1, 0) / tr.length,
            digits: 1,
          },
        ],
        'control-stats',
      );
      legend(legendBox, [
        { color: css(GOAL_COLORS.far), label: 'reached far goal', shape: 'line' },
        { color: css(GOAL_COLORS.near), label: 'reached near goal', shape: 'line' },
        { color: css(GOAL_COLORS.none), label: 'no goal', shape: 'line' },
        { color: css(COLORS.wall), label: 'obstacle' },
        { color: css(COLORS.goal), label: 'goal' },
        { color: css(COLORS.start), label: 'start' },
      ]);
    } else if (env === 'MountainCarContinuous-v0') {
      const runs = mountainCarRollouts(MOUNTAIN_CAR_ROLLOUTS, seed, noise);
      current = mountainCarView(
        size,
        Math.round(size * 0.62),
        runs.map((r) => r.x),
        0,
        runs[0].force,
      );
      const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
      statTable(
        side,
        `${MOUNTAIN_CAR_ROLLOUTS} episodes, seed ${seed}`,
        [
          { key: 'flag', label: 'reached the flag', value: mean((r) => (r.flag ? 1 : 0)) },
          { key: 'meanReturn', label: 'mean return', value: mean((r) => r.return), digits: 1 },
          { key: 'meanLength', label: 'mean length (999: time limit)', value: mean((r) => r.force.length), digits: 1 },
        ],
        'control-stats',
      );
      const steps = (a: ArrayLike<number>) => Array.from(a, (v, i) => [i, v] as const);
      host.charts.append(
        lineChart({
          title: 'Position x(t), the first episode (flag at 0.45)',
          xLabel: 'step',
          yLabel: 'x',
          series: [{ name: 'x', color: 0xf0a030, points: steps(runs[0].x) }],
        }),
        lineChart({
          title: 'Force u(t), the first episode',
          xLabel: 'step',
          yLabel: 'force',
          series: [{ name: 'u', color: 0xe05570, points: steps(runs[0].force) }],
        }),
      );
      legend(legendBox, [
        { color: css(0xf0a030), label: 'the first episode’s car' },
        { color: css(COLORS.start), label: `the other ${MOUNTAIN_CAR_ROLLOUTS - 1} cars` },
        { color: css(0xe05570), label: 'force (length ∝ |u|)', shape: 'line' },
        { color: css(COLORS.goal), label: 'flag' },
      ]);
    } else {
      const ep = pendulumEpisode(seed, noise);
      current = pendulumView(size, ep.theta, ep.torque);
      const upright = ep.theta.filter((t) => Math.abs(t) < 0.1).length;
      statTable(
        side,
        `one episode, seed ${seed}`,
        [
          { key: 'startTheta', label: 'start θ₀ (0 = upright)', value: ep.theta[0] },
          { key: 'return', label: 'return (200 steps)', value: ep.reward.reduce((a, b) => a + b, 0), digits: 1 },
          { key: 'upright', label: 'steps with |θ| < 0.1', value: upright, digits: 0 },
          { key: 'finalTheta', label: 'final θ', value: ep.theta[ep.theta.length - 1] },
        ],
        'control-stats',
      );
      const steps = (a: ArrayLike<number>) => Array.from(a, (v, i) => [i, v] as const);
      host.charts.append(
        lineChart({
          title: 'Angle θ(t) (0 = upright)',
          xLabel: 'step',
          yLabel: 'rad',
          series: [{ name: 'θ', color: 0x2bb3a3, points: steps(ep.theta) }],
        }),
        lineChart({
          title: 'Torque u(t)',
          xLabel: 'step',
          yLabel: 'N·m',
          series: [{ name: 'u', color: 0xe05570, points: steps(ep.torque) }],
        }),
      );
      legend(legendBox, [
        { color: '#dfe6f3', label: 'rod', shape: 'line' },
        { color: css(0xe05570), label: 'torque (arc length ∝ |u|)', shape: 'line' },
        { color: css(0x2bb3a3), label: 'trace of the bob', shape: 'line' },
      ]);
    }
    stage.resize(size, env === 'MountainCarContinuous-v0' ? Math.round(size * 0.62) : size);
    stage.app.stage.addChild(current.root);
    stage.render();
    stage.animate([current.animation]);
  }
  render();
  return () => {
    cancelFrame();
    stage.destroy();
  };
}
