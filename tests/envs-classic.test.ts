// Pendulum-v1 and MountainCarContinuous-v0 against trajectories computed independently: the numbers
// below come from a separate Python transcription of Gymnasium's update equations (float64 math,
// float32 via struct packing), not from this code.
import { describe, expect, it } from 'vitest';
import { angleNormalize, floorMod, Pendulum } from '../src/envs/pendulum.js';
import { MountainCarContinuous } from '../src/envs/mountaincar.js';
import { make } from '../src/envs/registry.js';
import { pendulumSwingUp } from '../src/envs/controllers.js';
import { TimeLimit } from '../src/envs/wrappers.js';

describe('Pendulum-v1', () => {
  it('the swing-up controller (noise-free mean) brings the pendulum up and holds it', () => {
    const controller = pendulumSwingUp();
    const env = make('Pendulum-v1');
    let obs = env.reset({ seed: 0 }).obs as Float32Array;
    const cosTail: number[] = [];
    for (let t = 0; t < 200; t++) {
      const [u] = controller.mean(obs);
      expect(Math.abs(u)).toBeLessThanOrEqual(2);
      obs = env.step([u]).obs as Float32Array;
      if (t >= 150) cosTail.push(obs[0]);
    }
    expect(Math.min(...cosTail)).toBeGreaterThan(0.95);
    expect(() => pendulumSwingUp({ catchCos: 1 })).toThrow('pendulumSwingUp: catchCos = 1, allowed (−1, 1)');
  });

  it('follows the update equations step by step (state before the step prices the cost)', () => {
    const env = new Pendulum();
    env.reset({ seed: 0 });
    env.th = 0.5;
    env.thdot = -1;
    const expected = [
      {
        u: 1.0,
        th: 0.4754784576976576,
        thdot: -0.4904308460468477,
        reward: -0.351,
        obs: [0.8890737891197205, 0.4577638804912567, -0.4904308319091797],
      },
      // u = −3 is clipped to −2 in the dynamics and the cost.
      {
        u: -3.0,
        th: 0.4531230610364462,
        thdot: -0.4471079332242295,
        reward: -0.25413200520996565,
        obs: [0.8990842700004578, 0.43777555227279663, -0.4471079409122467],
      },
      {
        u: 0.25,
        th: 0.4490592478595563,
        thdot: -0.0812762635377976,
        reward: -0.22537355883824323,
        obs: [0.9008558988571167, 0.43411824107170105, -0.08127626031637192],
      },
    ];
    for (const e of expected) {
      const r = env.step([e.u]);
      expect(env.th).toBeCloseTo(e.th, 14);
      expect(env.thdot).toBeCloseTo(e.thdot, 14);
      expect(r.reward).toBeCloseTo(e.reward, 14);
      expect(r.obs).toBeInstanceOf(Float32Array);
      expect(Array.from(r.obs)).toEqual(e.obs);
      expect(r.terminated).toBe(false);
      expect(r.truncated).toBe(false);
    }
  });

  it('clips the angular speed at 8 and the torque at ±2', () => {
    const env = new Pendulum();
    env.reset({ seed: 0 });
    env.th = 3;
    env.thdot = 7.9;
    const r = env.step([2]);
    expect(env.thdot).toBe(8);
    expect(env.th).toBeCloseTo(3.4, 14);
    expect(r.reward).toBeCloseTo(-15.245, 12);
    // A torque of 50 behaves exactly like 2.
    const a = new Pendulum();
    const b = new Pendulum();
    for (const [env2, u] of [
      [a, 50],
      [b, 2],
    ] as const) {
      env2.reset({ seed: 1 });
      env2.th = 1;
      env2.thdot = 0;
      env2.step([u]);
    }
    expect(a.thdot).toBe(b.thdot);
  });

  it('normalizes angles with floor modulo (sign of the divisor)', () => {
    expect(angleNormalize(-4)).toBeCloseTo(2.2831853071795862, 15);
    expect(angleNormalize(-7.5)).toBeCloseTo(-1.2168146928204138, 15);
    expect(angleNormalize(4 * Math.PI - Math.PI)).toBeCloseTo(-Math.PI, 15);
    expect(floorMod(-1, 3)).toBe(2);
    expect(floorMod(1, -3)).toBe(-2);
    expect(-1 % 3).toBe(-1); // JS's % truncates, which is why floorMod exists
    const env = new Pendulum();
    env.reset({ seed: 0 });
    env.th = -4;
    env.thdot = 0;
    expect(env.step([0]).reward).toBeCloseTo(-5.212935146920741, 13);
  });

  it('resets in [−π, π] × [−1, 1], reproducibly, and make() truncates at 200 steps', () => {
    const env = new Pendulum();
    for (let seed = 0; seed < 50; seed++) {
      env.reset({ seed });
      expect(Math.abs(env.th)).toBeLessThanOrEqual(Math.PI);
      expect(Math.abs(env.thdot)).toBeLessThanOrEqual(1);
    }
    const a = Array.from(env.reset({ seed: 7 }).obs);
    expect(Array.from(env.reset({ seed: 7 }).obs)).toEqual(a);
    expect(Array.from(env.reset().obs)).not.toEqual(a);
    const limited = make('Pendulum-v1');
    expect(limited).toBeInstanceOf(TimeLimit);
    limited.reset({ seed: 0 });
    let steps = 0;
    for (;;) {
      steps++;
      if (limited.step([0]).truncated) break;
    }
    expect(steps).toBe(200);
    expect(() => limited.step([0])).toThrow(/truncated at 200 steps/);
  });

  it('stepRaw matches step', () => {
    const a = new Pendulum();
    const b = new Pendulum();
    a.reset({ seed: 3 });
    b.reset({ seed: 3 });
    for (let t = 0; t < 50; t++) {
      const u = Math.sin(t) * 2.5;
      const r = a.step([u]);
      expect(b.stepRaw(u)).toBe(r.reward);
      expect(Array.from(b.obsBuffer)).toEqual(Array.from(r.obs));
    }
  });

  it('rejects NaN and wrong-length actions, naming what is allowed', () => {
    const env = new Pendulum();
    env.reset({ seed: 0 });
    expect(() => env.step([Number.NaN])).toThrow(
      /action\[0\] must be a finite number \(clipped to \[-2, 2\]\), got NaN/,
    );
    expect(() => env.step([1, 2])).toThrow(/length 1, got length 2/);
    expect(() => env.step(1 as unknown as number[])).toThrow(/array of 1 numbers/);
    expect(() => new Pendulum({ gravity: 9.8 })).toThrow(/unknown option 'gravity'; allowed options: g/);
  });
});

describe('MountainCarContinuous-v0', () => {
  it('follows the update equations, storing the state as float32', () => {
    const env = new MountainCarContinuous();
    env.reset({ seed: 0 });
    env.position = -0.5;
    env.velocity = 0;
    const expected = [
      { a: 1.0, p: -0.4986768364906311, v: 0.0013231569901108742, r: -0.1 },
      { a: 1.0, p: -0.4960404336452484, v: 0.002636416582390666, r: -0.1 },
      { a: -0.5, p: -0.49436047673225403, v: 0.0016799643635749817, r: -0.025 },
    ];
    for (const e of expected) {
      const r = env.step([e.a]);
      expect(Array.from(r.obs)).toEqual([e.p, e.v]);
      expect(r.reward).toBeCloseTo(e.r, 15);
      expect(r.terminated).toBe(false);
    }
  });

  it('terminates at the goal with +100 minus 0.1·a² of the unclipped action', () => {
    const env = new MountainCarContinuous();
    env.reset({ seed: 0 });
    env.position = 0.44;
    env.velocity = 0.02;
    const r = env.step([2]);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBeCloseTo(99.6, 12);
    expect(Array.from(r.obs)).toEqual([0.4608795642852783, 0.020879561081528664]);
    expect(() => env.step([0])).toThrow(/after the episode terminated/);
  });

  it('stops at the left wall (velocity zeroed) and clips speed', () => {
    const env = new MountainCarContinuous();
    env.reset({ seed: 0 });
    env.position = -1.19;
    env.velocity = -0.07;
    const r = env.step([-1]);
    expect(Array.from(r.obs)).toEqual([Math.fround(-1.2), 0]);
    expect(r.reward).toBeCloseTo(-0.1, 15);
  });

  it('resets in [−0.6, −0.4] with zero velocity and make() truncates at 999', () => {
    const env = new MountainCarContinuous();
    for (let seed = 0; seed < 30; seed++) {
      const { obs } = env.reset({ seed });
      expect(obs[0]).toBeGreaterThanOrEqual(-0.6);
      expect(obs[0]).toBeLessThanOrEqual(-0.4);
      expect(obs[1]).toBe(0);
    }
    expect((make('MountainCarContinuous-v0') as TimeLimit).maxEpisodeSteps).toBe(999);
  });
});
