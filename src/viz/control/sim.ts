/**
 * Rollouts of the continuous envs (`src/envs`) under simple hand-written controllers with Gaussian
 * action noise: a broad noise is a broad prior around the controller, and the spread of the sampled
 * trajectories is what α·KL would pay for. No pixi or DOM here, so tests can run it in Node.
 * Seeding: env and agent streams derive from one seed, so a seed always gives the same trajectories.
 */
import { Rng } from '../../core/rng.js';
import { POINT_MASS_GEOMETRY } from '../../envs/pointmass.js';
import { make } from '../../envs/registry.js';

export interface PointMassTrajectory {
  /** x0, y0, x1, y1, ... (the final position included). */
  xy: Float32Array;
  /** Goal reached (`info.goal`), or null when truncated. */
  goal: string | null;
  return: number;
}

/**
 * The controller's mean velocity command at (x, y): towards the far goal, pushed out of obstacles'
 * margins and steered tangentially around them on the side the point is already on (so noise decides
 * the side and the trajectories split around the big obstacle).
 */
export function pointMassController(x: number, y: number): [number, number] {
  const far = POINT_MASS_GEOMETRY.goals.find((g) => g.name === 'far')!;
  let dx = far.x - x;
  let dy = far.y - y;
  const n = Math.hypot(dx, dy) || 1;
  dx /= n;
  dy /= n;
  for (const o of POINT_MASS_GEOMETRY.obstacles) {
    const d = Math.hypot(x - o.x, y - o.y) || 1e-9;
    const margin = o.r + 0.2;
    if (d >= margin) continue;
    const w = (margin - d) / 0.2;
    const [rx, ry] = [(x - o.x) / d, (y - o.y) / d];
    // Tangent (ry, −rx) flipped so it heads towards +x on the side (above / below) the point is on.
    const side = y >= o.y ? 1 : -1;
    dx += w * (0.8 * rx + 1.5 * side * ry);
    dy += w * (0.8 * ry - 1.5 * side * rx);
  }
  const m = Math.max(1, Math.hypot(dx, dy));
  return [dx / m, dy / m];
}

export function pointMassTrajectories(n: number, seed: number, noiseStd: number): PointMassTrajectory[] {
  const env = make('PointMass-v0');
  const agent = new Rng(`${seed}/agent`);
  const out: PointMassTrajectory[] = [];
  for (let i = 0; i < n; i++) {
    let obs = (i === 0 ? env.reset({ seed }) : env.reset()).obs as Float32Array;
    const xy: number[] = [obs[0], obs[1]];
    let ret = 0;
    let goal: string | null = null;
    for (;;) {
      const [mx, my] = pointMassController(obs[0], obs[1]);
      const r = env.step([mx + noiseStd * agent.normal(), my + noiseStd * agent.normal()]);
      obs = r.obs as Float32Array;
      xy.push(obs[0], obs[1]);
      ret += r.reward;
      if (r.terminated) goal = String(r.info.goal ?? 'goal');
      if (r.terminated || r.truncated) break;
    }
    out.push({ xy: Float32Array.from(xy), goal, return: ret });
  }
  return out;
}

export interface PendulumEpisode {
  /** Angle θ (0 = upright) per step, the final state included. */
  theta: Float64Array;
  thetaDot: Float64Array;
  /** Torque applied at each step (after clipping to [−2, 2]). */
  torque: Float64Array;
  reward: Float64Array;
}

/**
 * Energy-pumping swing-up with a PD catch near the top: with E = ½θ̇² + 15·cos θ (15 = 3g/(2l) at the
 * top), push along θ̇ while E is below the upright energy; within |θ| < 0.5 hold with −10θ − 2θ̇.
 */
export function pendulumController(theta: number, thetaDot: number): number {
  if (Math.abs(theta) < 0.5) return -10 * theta - 2 * thetaDot;
  const energy = 0.5 * thetaDot * thetaDot + 15 * Math.cos(theta);
  return (15 - energy) * Math.sign(thetaDot || 1);
}

export function pendulumEpisode(seed: number, noiseStd: number): PendulumEpisode {
  const env = make('Pendulum-v1');
  const agent = new Rng(`${seed}/agent`);
  let obs = env.reset({ seed }).obs as Float32Array;
  const th: number[] = [];
  const thd: number[] = [];
  const u: number[] = [];
  const rw: number[] = [];
  for (;;) {
    const theta = Math.atan2(obs[1], obs[0]);
    th.push(theta);
    thd.push(obs[2]);
    const torque = Math.min(2, Math.max(-2, pendulumController(theta, obs[2]) + noiseStd * agent.normal()));
    const r = env.step([torque]);
    u.push(torque);
    rw.push(r.reward);
    obs = r.obs as Float32Array;
    if (r.terminated || r.truncated) break;
  }
  th.push(Math.atan2(obs[1], obs[0]));
  thd.push(obs[2]);
  return { theta: Float64Array.from(th), thetaDot: Float64Array.from(thd), torque: Float64Array.from(u), reward: Float64Array.from(rw) };
}
