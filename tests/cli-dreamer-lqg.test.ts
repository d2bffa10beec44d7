/**
 * dreamer-lqg plumbing at a tiny budget (what the agent reaches is in docs/dreamer.md, measured by the
 * experiment at its defaults): its exact column is the soft-LQG solution of the same α, γ and reference,
 * the run is a function of its seed, and a bad `--set` stops it with the field named.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import dreamerLqg, { fitRewardForm } from '../experiments/dreamer-lqg.js';
import { Rng } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { LINEAR_GAUSSIAN_REFERENCES, LINEAR_GAUSSIAN_TASK } from '../src/envs/lineargaussian.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';
import {
  episodeRows,
  evaluateLinearPolicy,
  kalmanMeans,
  lqgRollouts,
  softLqr,
  stationaryValue,
} from '../src/worldmodel/soft-lqg.js';

const out = mkdtempSync(join(tmpdir(), 'priorlab-dreamer-lqg-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const SET =
  'prefill=200,modelWarmup=3,deterDim=8,stochDim=2,hiddenDim=8,actorHidden=[8],criticHidden=[8],batchSize=2,seqLen=8,imagineStarts=4,horizon=3,trainEvery=50';

async function run(reference: 'flat' | 'tight', seed: number) {
  const dir = createRunDir(out, 'dreamer-lqg', seed);
  const lines: string[] = [];
  await runSeed({
    experiment: dreamerLqg,
    options: dreamerLqg.options.parse({ reference, steps: 400, episodes: 3, set: SET }),
    seed,
    dir,
    resume: false,
    backend: 'cpu',
    signal: new AbortController().signal,
    reporter: { progress() {}, print: (l: string) => lines.push(l), finish() {} },
  });
  return { lines, results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) };
}

describe('dreamer-lqg', () => {
  it("the reward probe's regression recovers Q and R from the real rewards of the exact controller's episodes", () => {
    const soft = { alpha: 0.1, gamma: 0.99, reference: LINEAR_GAUSSIAN_REFERENCES.flat };
    const { policy } = softLqr(LINEAR_GAUSSIAN_TASK, soft);
    const { episodes } = lqgRollouts(make('LinearGaussian-v0'), LINEAR_GAUSSIAN_TASK, policy, soft, {
      episodes: 200,
      seed: 3,
      rng: new Rng('reward-probe'),
    });
    const means = episodes.map((e) => {
      const { obs, actions } = episodeRows(e);
      return kalmanMeans(LINEAR_GAUSSIAN_TASK, obs, actions);
    });
    // r_t placed where the reward head predicts it: at step t + 1 (time-major).
    const nb = episodes.length;
    const atNext = new Float64Array((episodes[0].length + 1) * nb);
    episodes.forEach((e, b) => e.rewards.forEach((r, t) => (atNext[(t + 1) * nb + b] = r)));
    const { Q, R } = fitRewardForm(episodes, means, atNext);
    const want = LINEAR_GAUSSIAN_TASK.cost;
    // Seeds 3–6 of 200 episodes scatter by ≈ 0.01 (pp), 0.007 (pv, vv), 0.0002 (R); shifted by one step, pp is 1.44.
    expect(Math.abs(Q[0][0] - want.Q[0][0])).toBeLessThan(0.05);
    expect(Math.abs(Q[0][1] - want.Q[0][1])).toBeLessThan(0.03);
    expect(Math.abs(Q[1][1] - want.Q[1][1])).toBeLessThan(0.03);
    expect(Math.abs(R - want.R[0][0])).toBeLessThan(0.002);
  });

  it('its exact column is the soft-LQG solution; same seed, same numbers; a bad --set is refused', async () => {
    for (const reference of ['flat', 'tight'] as const) {
      const { results } = await run(reference, 1);
      const soft = { alpha: results.alpha, gamma: results.gamma, reference: LINEAR_GAUSSIAN_REFERENCES[reference] };
      const exact = softLqr(LINEAR_GAUSSIAN_TASK, soft);
      expect(results.exact.K).toEqual(exact.policy.K);
      expect(results.exact.return).toBe(evaluateLinearPolicy(LINEAR_GAUSSIAN_TASK, exact.policy, soft).return);
      expect(results.steps).toBe(400);
      expect(Number.isFinite(results.learned.return) && Number.isFinite(results.elbo.obsElbo)).toBe(true);
      expect(Number.isFinite(results.learned.softObjective)).toBe(true);
      expect(results.exact.softObjective).toBe(
        evaluateLinearPolicy(LINEAR_GAUSSIAN_TASK, exact.policy, soft).softObjective,
      );
      expect(results.probes.openLoop.map((p: { k: number }) => p.k)).toEqual([1, 5, 10, 15]);
      // The exact response of the position k steps after a unit force: C A^{k−1} B, here summed by hand
      // (p gains 0.005 on the first step; the velocity kick 0.1 then decays by 0.95 a step and moves p by 0.1·v).
      const byHand = (k: number) =>
        0.005 + Array.from({ length: k - 1 }, (_, j) => 0.1 * 0.1 * 0.95 ** j).reduce((x, y) => x + y, 0);
      for (const p of results.probes.actionResponse) {
        expect(p.exact).toBeCloseTo(byHand(p.k), 12);
        expect(Number.isFinite(p.learned)).toBe(true);
      }
      expect(results.probes.critic.exact).toEqual(expect.any(Array));
    }
    const [a, b, c] = [await run('flat', 2), await run('flat', 2), await run('flat', 3)];
    expect(a.results).toEqual(b.results);
    expect(a.results.learned).not.toEqual(c.results.learned);
    await expect(
      runSeed({
        experiment: dreamerLqg,
        options: dreamerLqg.options.parse({ steps: 400, set: 'horizon=0' }),
        seed: 1,
        dir: createRunDir(out, 'dreamer-lqg', 9),
        resume: false,
        backend: 'cpu',
        signal: new AbortController().signal,
        reporter: { progress() {}, print() {}, finish() {} },
      }),
    ).rejects.toThrow(/horizon: got 0, allowed: a positive integer/);
  });
});
