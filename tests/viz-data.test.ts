/** The Runs panel's filing of metric keys into chart groups (`src/viz/recorded/data.ts`). */
import { describe, expect, it } from 'vitest';
import { METRIC_GROUPS, metricKeys, type RunData } from '../src/viz/recorded/data.js';

const groupOf = (key: string): string => METRIC_GROUPS.find((g) => g.match.test(key))!.title;

describe('Runs metric groups', () => {
  it("files the world model's ELBO KL under ELBO terms and a policy's KL to its prior under KL to prior", () => {
    expect(groupOf('elbo/kl')).toBe('ELBO terms');
    expect(groupOf('elbo/recon')).toBe('ELBO terms');
    expect(groupOf('charts/kl_prior')).toBe('KL to prior / reference');
    expect(groupOf('uniform/sac/charts/kl_prior')).toBe('KL to prior / reference');
    expect(groupOf('kl/k3')).toBe('KL to prior / reference');
    expect(groupOf('charts/learning_rate')).toBe('Learning rate');
    expect(groupOf('losses/critic')).toBe('Losses');
  });

  it('leaves out global_step, which repeats the step axis', () => {
    const run = { metrics: [{ step: 1, 'charts/global_step': 1, 'charts/episodic_return': 0 }, { step: 2, 'uniform/klppo/charts/global_step': 2 }] } as unknown as RunData;
    expect(metricKeys([run])).toEqual(['charts/episodic_return']);
  });
});
