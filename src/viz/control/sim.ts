/**
 * Rollouts of the continuous envs (`src/envs`) under the hand-written controllers the experiments use as
 * reference priors (`src/envs/controllers.ts`): a ~ N(mean(obs), σ²). A broad noise is a broad prior
 * around the controller, and the spread of the sampled trajectories is what α·KL would pay for. No pixi
 * or DOM here, so tests can run it in Node.
 * Seeding: env and agent streams derive from one seed, so a seed always gives the same trajectories.
 */
import { Rng } from '../../core/rng.js';
import {
  mountainCarPumping,
  pendulumSwingUp,
  pointMassSteering,
  type GaussianController,
} from '../../envs/controllers.js';
import { make } from '../../envs/registry.js';

/** One action sampled from the controller's Gaussian with the agent stream. */
function sample(c: GaussianController, obs: ArrayLike<number>, agent: Rng): number[] {
  return c.mean(obs).map((m, i) => m + c.std[i] * agent.normal());
}

export interface PointMassTrajectory {
  /** x0, y0, x1, y1, ... (the final position included). */
  xy: Float32Array;
  /** Goal reached (`info.goal`), or null when truncated. */
  goal: string | null;
  return: number;
}

export function pointMassTrajectories(
  n: number,
  seed: number,
  noiseStd: number,
  side: 'top' | 'bottom',
): PointMassTrajectory[] {
  const env = make('PointMass-v0');
  const controller = pointMassSteering({ side, noiseStd });
  const agent = new Rng(`${seed}/agent`);
  const out: PointMassTrajectory[] = [];
  for (let i = 0; i < n; i++) {
    let obs = (i === 0 ? env.reset({ seed }) : env.reset()).obs as Float32Array;
    const xy: number[] = [obs[0], obs[1]];
    let ret = 0;
    let goal: string | null = null;
    for (;;) {
      const r = env.step(sample(controller, obs, agent));
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

export interface MountainCarRollout {
  /** Position x per step, the final one included. */
  x: Float64Array;
  /** The force applied at each step (the env clips it to [−1, 1]). */
  force: Float64Array;
  return: number;
  /** Reached the flag (terminated) before the 999-step limit. */
  flag: boolean;
}

/** `n` episodes of MountainCarContinuous-v0 under the `pumping` controller with noise σ = `noiseStd`. */
export function mountainCarRollouts(n: number, seed: number, noiseStd: number): MountainCarRollout[] {
  const env = make('MountainCarContinuous-v0');
  const controller = mountainCarPumping({ noiseStd });
  const agent = new Rng(`${seed}/agent`);
  return Array.from({ length: n }, (_, i) => {
    let obs = (i === 0 ? env.reset({ seed }) : env.reset()).obs as Float32Array;
    const x: number[] = [obs[0]];
    const force: number[] = [];
    let ret = 0;
    for (;;) {
      const u = Math.min(1, Math.max(-1, sample(controller, obs, agent)[0]));
      const r = env.step([u]);
      force.push(u);
      ret += r.reward;
      obs = r.obs as Float32Array;
      x.push(obs[0]);
      if (r.terminated || r.truncated)
        return { x: Float64Array.from(x), force: Float64Array.from(force), return: ret, flag: r.terminated };
    }
  });
}

export interface PendulumEpisode {
  /** Angle θ (0 = upright) per step, the final state included. */
  theta: Float64Array;
  thetaDot: Float64Array;
  /** Torque applied at each step (after clipping to [−2, 2]). */
  torque: Float64Array;
  reward: Float64Array;
}

export function pendulumEpisode(seed: number, noiseStd: number): PendulumEpisode {
  const env = make('Pendulum-v1');
  const controller = pendulumSwingUp({ noiseStd });
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
    const torque = Math.min(2, Math.max(-2, sample(controller, obs, agent)[0]));
    const r = env.step([torque]);
    u.push(torque);
    rw.push(r.reward);
    obs = r.obs as Float32Array;
    if (r.terminated || r.truncated) break;
  }
  th.push(Math.atan2(obs[1], obs[0]));
  thd.push(obs[2]);
  return {
    theta: Float64Array.from(th),
    thetaDot: Float64Array.from(thd),
    torque: Float64Array.from(u),
    reward: Float64Array.from(rw),
  };
}

/** |θ₀| at least this far from upright (rad) counts as "hanging down": the controller must swing up. */
export const HANGING_DOWN = 2.5;

/** The start angle θ₀ (0 = upright) of Pendulum-v1 reset with `seed`. */
export function pendulumStartAngle(seed: number): number {
  const obs = make('Pendulum-v1').reset({ seed }).obs as Float32Array;
  return Math.atan2(obs[1], obs[0]);
}

/**
 * The first seed ≥ `from` whose start is hanging down (|θ₀| ≥ `HANGING_DOWN`), so the episode shows a
 * real swing-up rather than the controller holding a pendulum that starts near upright.
 */
export function swingUpSeed(from: number): number {
  for (let s = from; s < from + 1000; s++) if (Math.abs(pendulumStartAngle(s)) >= HANGING_DOWN) return s;
  return from;
}
