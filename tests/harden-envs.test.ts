/**
 * Env inputs reachable from JavaScript or JSON (issue 14, item 9): reset's seed and options, actions that
 * are not finite, step after close. Every env of the registry; every bad input a one-line error naming it.
 */
import { describe, expect, it } from 'vitest';
import { make, registeredIds } from '../src/envs/registry.js';
import type { Action, ResetOptions } from '../src/envs/env.js';

const IDS = registeredIds();

describe.each(IDS)('%s', (id) => {
  it('reset seeds only with a non-negative integer', () => {
    const env = make(id);
    for (const seed of [{}, { a: 1 }, '5', -1, 1.5, NaN, Infinity, null, true, [], 2 ** 60]) {
      expect(() => env.reset({ seed } as unknown as ResetOptions), JSON.stringify(seed)).toThrow(
        /reset\(\) seed must be a non-negative integer, got /,
      );
    }
    const a = make(id).reset({ seed: 5 }).obs;
    const b = make(id).reset({ seed: 5 }).obs;
    expect(a).toEqual(b);
  });

  it('reset rejects unknown options and unknown fields, naming them', () => {
    const env = make(id);
    // A wrapper (PendulumNoVel-v1) reports the id of the env it wraps.
    expect(() => env.reset({ options: { nonsense: 1 } })).toThrow(
      /-v\d reset: unknown option 'nonsense'; allowed options: /,
    );
    expect(() => env.reset({ seed: 1, sed: 2 } as unknown as ResetOptions)).toThrow(
      "reset() got unknown field 'sed'; allowed: seed, options",
    );
    expect(() => env.reset({ options: [] as unknown as Record<string, unknown> })).toThrow(
      'reset() options must be an object, got []',
    );
    expect(() => env.reset(null as unknown as ResetOptions)).toThrow('reset() takes { seed?, options? }, got null');
  });

  it('step after close() throws', () => {
    const env = make(id);
    env.reset({ seed: 1 });
    const space = env.actionSpace;
    const action: Action = space.kind === 'discrete' ? 0 : new Array(space.dim).fill(0);
    env.step(action);
    env.close();
    env.close();
    expect(() => env.step(action)).toThrow(/step\(\) called after close\(\); make a new env/);
  });

  it('continuous actions must be finite', () => {
    const env = make(id);
    const space = env.actionSpace;
    if (space.kind !== 'box') return;
    env.reset({ seed: 1 });
    for (const bad of [Infinity, -Infinity, NaN]) {
      const a = new Array(space.dim).fill(0);
      a[space.dim - 1] = bad;
      expect(() => env.step(a)).toThrow(
        new RegExp(`action\\[${space.dim - 1}\\] must be a finite number .*got ${bad}`),
      );
    }
  });
});

describe('MountainCarContinuous-v0', () => {
  it('an action whose square overflows the reward is rejected; large finite ones are clipped as before', () => {
    const env = make('MountainCarContinuous-v0');
    env.reset({ seed: 2 });
    expect(() => env.step([1e308])).toThrow(/action\[0\] must have \|a\| < 1e154 .*got 1e\+308/);
    const r = env.step([1e100]);
    expect(r.reward).toBe(-0.1 * 1e200);
    expect(Number.isFinite(r.reward)).toBe(true);
  });

  it('reset low/high keep the start inside the observation space', () => {
    const env = make('MountainCarContinuous-v0');
    expect(() => env.reset({ options: { low: -100, high: 100 } })).toThrow(
      /option low must be a finite number in \[-1\.2, 0\.6\], got -100/,
    );
    expect(() => env.reset({ options: { low: -1, high: 100 } })).toThrow(
      /option high must be a finite number in \[-1, 0\.6\], got 100/,
    );
    expect(() => env.reset({ options: { low: 0.2, high: 0.1 } })).toThrow(
      /option high must be a finite number in \[0\.2, 0\.6\]/,
    );
    for (let s = 0; s < 50; s++) {
      const { obs } = env.reset({ seed: s, options: { low: -1.2, high: 0.6 } });
      expect(env.observationSpace.contains(obs)).toBe(true);
    }
  });
});

describe('Pendulum-v1', () => {
  it('reset yInit keeps θ̇ inside the observation space', () => {
    const env = make('Pendulum-v1');
    expect(() => env.reset({ options: { yInit: 9 } })).toThrow(
      /option yInit must be a finite number in \[0, 8\], got 9/,
    );
    expect(() => env.reset({ options: { xInit: -1 } })).toThrow(
      /option xInit must be a finite number in \[0, Infinity\], got -1/,
    );
  });
});
