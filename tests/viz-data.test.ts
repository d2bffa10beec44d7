/** The Runs panel's reading of metrics (`src/viz/recorded/data.ts`): parts, their own steps, chart groups. */
import { describe, expect, it } from 'vitest';
import { METRIC_GROUPS, partCurves, splitKey, type MetricRow } from '../src/viz/recorded/data.js';

const groupOf = (metric: string): string => METRIC_GROUPS.find((g) => g.match.test(metric))!.title;

describe('Runs metric groups', () => {
  it("files the world model's ELBO terms apart from a policy's KL to its prior", () => {
    expect(groupOf('elbo/kl')).toBe('World model: ELBO terms');
    expect(groupOf('elbo/recon')).toBe('World model: ELBO terms');
    expect(groupOf(splitKey('uniform/sac/charts/kl_prior').metric)).toBe('KL to prior / reference');
    expect(groupOf('kl/k3')).toBe('KL to prior / reference');
    // KL-PPO's KL loss term is a loss, not a curve of the KL to the prior.
    expect(groupOf('losses/kl')).toBe('Losses');
    expect(groupOf('charts/episodic_return')).toBe('Return');
    expect(groupOf('irl/kl_visited')).toBe('Inverse RL');
  });

  it('splits keys at the vocabulary rule: the part is what precedes the last two segments', () => {
    expect(splitKey('uniform/klppo/losses/policy')).toEqual({ part: 'uniform/klppo', metric: 'losses/policy' });
    expect(splitKey('charts/entropy')).toEqual({ part: '', metric: 'charts/entropy' });
  });
});

describe('partCurves', () => {
  // gridworld-priors' layout: parts logged one after another, each step offset by the last step before it.
  const rows: MetricRow[] = [
    { step: 100, 'uniform/sac/charts/entropy': 1.3, 'uniform/sac/charts/global_step': 100 },
    { step: 200, 'uniform/sac/charts/entropy': 1.1 },
    { step: 200 + 1024, 'uniform/klppo/charts/entropy': 1.2, 'uniform/klppo/charts/learning_rate': 0.01 },
    { step: 200 + 2048, 'uniform/klppo/charts/entropy': 0.9 },
    { step: 2248 + 100, 'none/sac/charts/entropy': 0.5 },
  ];

  it('gives each sequential part its own steps from 0 and leaves out global_step and learning_rate', () => {
    const curves = partCurves(rows);
    expect(curves.map((c) => `${c.part}:${c.metric}`)).toEqual([
      'uniform/sac:charts/entropy',
      'uniform/klppo:charts/entropy',
      'none/sac:charts/entropy',
    ]);
    expect(curves[0].points).toEqual([
      [100, 1.3],
      [200, 1.1],
    ]);
    expect(curves[1].points).toEqual([
      [1024, 1.2],
      [2048, 0.9],
    ]);
    expect(curves[2].points).toEqual([[100, 0.5]]);
  });

  it('keeps the logged steps of a single part and of parts that interleave', () => {
    expect(
      partCurves([
        { step: 5, 'charts/entropy': 1 },
        { step: 9, 'charts/entropy': 2 },
      ])[0].points,
    ).toEqual([
      [5, 1],
      [9, 2],
    ]);
    const mixed = partCurves([
      { step: 10, 'a/x/charts/q': 1 },
      { step: 20, 'b/x/charts/q': 2 },
      { step: 30, 'a/x/charts/q': 3 },
    ]);
    expect(mixed[0].points).toEqual([
      [10, 1],
      [30, 3],
    ]);
    expect(mixed[1].points).toEqual([[20, 2]]);
  });
});
