// The env API around the envs: registry, checkEnv over every registered id, TimeLimit, SyncVectorEnv.
import { describe, expect, it } from 'vitest';
import { Discrete } from '../src/core/spaces.js';
import { checkEnv } from '../src/envs/checker.js';
import type { Env, StepResult } from '../src/envs/env.js';
import { make, register, registeredIds } from '../src/envs/registry.js';
import { SyncVectorEnv } from '../src/envs/vector.js';
import { TimeLimit } from '../src/envs/wrappers.js';

describe('registry', () => {
  it('has the built-in envs', () => {
    expect(registeredIds()).toEqual(
      expect.arrayContaining([
        'CliffWalking-v1',
        'FrozenLake-v1',
        'TwoRoute-v0',
        'Pendulum-v1',
        'MountainCarContinuous-v0',
        'PointMass-v0',
      ]),
    );
  });

  it('an unknown id lists the available ids', () => {
    expect(() => make('Pendulum-v9')).toThrow(
      /unknown env id 'Pendulum-v9'; available: .*CliffWalking-v1.*Pendulum-v1/,
    );
  });

  it('maxEpisodeSteps overrides the registered limit and is validated', () => {
    expect((make('CliffWalking-v1', { maxEpisodeSteps: 30 }) as TimeLimit).maxEpisodeSteps).toBe(30);
    expect(() => make('Pendulum-v1', { maxEpisodeSteps: 0 })).toThrow(
      /maxEpisodeSteps must be a positive integer, got 0/,
    );
    expect(() => register('Pendulum-v1', () => make('Pendulum-v1'))).toThrow(/already registered/);
  });
});

describe('checkEnv', () => {
  // Iterates the registry, so envs other modules register later are covered too.
  for (const id of registeredIds()) {
    it(`passes on ${id} with no warnings, seeding checks included, and catches a NaN reward slipped into its steps`, () => {
      const env = make(id);
      // The generator must be visible through the wrappers, or the seeding checks are skipped.
      expect(env.rng).toBeDefined();
      expect(checkEnv(env, { steps: 300 })).toEqual([]);
      // The same env with every reward from its 5th step on replaced by NaN: the checker really steps it.
      const broken = make(id);
      const step = broken.step.bind(broken);
      let calls = 0;
      broken.step = (a) => {
        const r = step(a);
        return ++calls >= 5 ? { ...r, reward: Number.NaN } : r;
      };
      expect(() => checkEnv(broken, { steps: 300 })).toThrow(
        new RegExp(`checkEnv\\(${id}\\): step\\(\\) reward at step \\d+ must be a finite number, got NaN`),
      );
    });
  }

  /** An env whose observation leaves its space after a few steps. */
  class Broken implements Env<number, number> {
    readonly id = 'Broken-v0';
    readonly observationSpace = new Discrete(3);
    readonly actionSpace = new Discrete(2);
    private t = 0;
    reset() {
      this.t = 0;
      return { obs: 0, info: {} };
    }
    step(a: number): StepResult<number> {
      if (!this.actionSpace.contains(a)) throw new RangeError('bad action');
      return { obs: ++this.t, reward: 0, terminated: false, truncated: false, info: {} };
    }
    close() {}
  }

  it('names the step, the expected range and the actual value of a bad observation', () => {
    expect(() => checkEnv(new Broken())).toThrow(
      'checkEnv(Broken-v0): step() observation at step 2: expected an integer in [0, 2], got 3',
    );
  });

  it('catches a non-deterministic env', () => {
    let calls = 0;
    const flaky = new Broken();
    flaky.step = (a: number) => ({ obs: a, reward: calls++, terminated: false, truncated: false, info: {} });
    expect(() => checkEnv(flaky)).toThrow(/same seed and actions diverged at step 0/);
  });
});

describe('TimeLimit', () => {
  it('truncates at the limit and keeps the true next observation', () => {
    const env = make('CliffWalking-v1', { maxEpisodeSteps: 3 });
    env.reset({ seed: 0 });
    const rs = [0, 0, 0].map((a) => env.step(a)); // Up ×3: 36 → 24 → 12 → 0
    expect(rs.map((r) => [r.obs, r.truncated, r.terminated])).toEqual([
      [24, false, false],
      [12, false, false],
      [0, true, false],
    ]);
    expect(() => env.step(0)).toThrow(/truncated at 3 steps/);
    expect(env.reset().obs).toBe(36);
    expect(env.step(0).truncated).toBe(false);
  });
});

describe('SyncVectorEnv', () => {
  it('autoresets in the same step and exposes the final observation in info', () => {
    const venv = new SyncVectorEnv([0, 1].map(() => () => make('CliffWalking-v1', { maxEpisodeSteps: 2 })));
    expect(venv.reset({ seed: 5 }).obs).toEqual([36, 36]);
    const r1 = venv.step([0, 1]); // env0 Up → 24; env1 Right → cliff → 36
    expect(r1.obs).toEqual([24, 36]);
    expect(Array.from(r1.rewards)).toEqual([-1, -100]);
    const r2 = venv.step([0, 0]); // both hit the 2-step limit
    expect(r2.truncated).toEqual([true, true]);
    expect(r2.obs).toEqual([36, 36]); // already reset
    expect(r2.infos.map((i) => i.finalObs)).toEqual([12, 24]); // true last observations
    const r3 = venv.step([0, 0]);
    expect(r3.infos[0].finalObs).toBeUndefined();
    expect(() => venv.step([0])).toThrow(/expected 2 actions/);
  });

  it('seeds copy i with seed + i', () => {
    const venv = new SyncVectorEnv([0, 1, 2].map(() => () => make('Pendulum-v1')));
    const single = make('Pendulum-v1');
    const { obs } = venv.reset({ seed: 10 });
    for (let i = 0; i < 3; i++)
      expect(Array.from(obs[i] as Float32Array)).toEqual(
        Array.from(single.reset({ seed: 10 + i }).obs as Float32Array),
      );
  });
});
