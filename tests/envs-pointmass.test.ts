// PointMass-v0: motion, clipping, obstacles and the two goals.
import { describe, expect, it } from 'vitest';
import { PointMass, POINT_MASS_GEOMETRY } from '../src/envs/pointmass.js';
import { pointMassSteering } from '../src/envs/controllers.js';

const f32 = Math.fround;

describe('PointMass-v0', () => {
  it('moves by 0.05·clip(a) per step and clips to the square', () => {
    const env = new PointMass();
    env.reset({ seed: 0 });
    env.x = -0.8;
    env.y = 0;
    const r = env.step([1, 5]); // y component clipped to 1
    expect(Array.from(r.obs)).toEqual([f32(-0.75), f32(0.05)]);
    expect(r.reward).toBeCloseTo(-0.01, 15);
    env.x = -0.99;
    env.y = 0.99;
    expect(Array.from(env.step([-1, 1]).obs)).toEqual([-1, 1]);
  });

  it('cancels a move into an obstacle', () => {
    const env = new PointMass();
    env.reset({ seed: 0 });
    const [ob] = POINT_MASS_GEOMETRY.obstacles;
    env.x = ob.x - ob.r - 0.01; // just left of the big obstacle
    env.y = ob.y;
    const before = [env.x, env.y];
    env.step([1, 0]);
    expect([env.x, env.y]).toEqual(before);
  });

  it('pays each goal once and terminates there', () => {
    for (const goal of POINT_MASS_GEOMETRY.goals) {
      const env = new PointMass();
      env.reset({ seed: 0 });
      env.x = goal.x - goal.r - 0.01;
      env.y = goal.y;
      const r = env.step([1, 0]);
      expect(r.terminated).toBe(true);
      expect(r.info.goal).toBe(goal.name);
      expect(r.reward).toBeCloseTo(goal.reward - 0.01, 12);
      expect(() => env.step([0, 0])).toThrow(/after the episode terminated/);
    }
    const [near, far] = POINT_MASS_GEOMETRY.goals;
    const { x, y } = POINT_MASS_GEOMETRY.start;
    // The far goal is worth more and lies farther away.
    expect(far.reward).toBeGreaterThan(near.reward);
    expect(Math.hypot(far.x - x, far.y - y)).toBeGreaterThan(Math.hypot(near.x - x, near.y - y));
  });

  it('starts near (−0.8, 0) and reproduces seeded resets', () => {
    const env = new PointMass();
    const a = Array.from(env.reset({ seed: 4 }).obs);
    expect(Math.abs(a[0] + 0.8)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(a[1])).toBeLessThanOrEqual(0.05);
    expect(Array.from(env.reset({ seed: 4 }).obs)).toEqual(a);
    expect(Array.from(env.reset({ seed: 5 }).obs)).not.toEqual(a);
  });

  it('the steering controller (noise-free mean) reaches the far goal around the chosen side of the obstacle', () => {
    for (const side of ['bottom', 'top'] as const) {
      const controller = pointMassSteering({ side });
      const env = new PointMass();
      let obs = env.reset({ seed: 0 }).obs;
      const ys: number[] = [];
      let goal: unknown = null;
      for (let t = 0; t < 200 && goal === null; t++) {
        const r = env.step(controller.mean(obs));
        obs = r.obs;
        if (Math.abs(obs[0] - POINT_MASS_GEOMETRY.obstacles[0].x) < 0.05) ys.push(obs[1]);
        if (r.terminated) goal = r.info.goal;
      }
      expect(goal).toBe('far');
      expect(ys.length).toBeGreaterThan(0);
      expect(ys.every((y) => (side === 'top' ? y > 0 : y < 0))).toBe(true);
    }
    expect(pointMassSteering({ noiseStd: 0.3 }).std).toEqual([0.3, 0.3]);
    expect(() => pointMassSteering({ side: 'left' as never })).toThrow(
      `pointMassSteering: side = "left", allowed: 'top', 'bottom'`,
    );
  });
});
