/**
 * custom-priors: user-defined priors (`src/priors/custom.ts`) through the one learner API, against the exact
 * soft optimum of the same Objective on TwoRoute-v0 (α = 0.15, γ = 0.95).
 *
 * For each prior p (a mixture ½ uniform + ½ guide, the guide tempered by λ = 0.5, uniform masked off the
 * moves into the lava), discrete SAC (the tabular preset, exploring starts) learns π, and the solver gives
 * π* ∝ p·exp(Q/α) from `objective.tabular()`. Reported per prior: the visitation-weighted
 * KL(π_learned ‖ π*) = Σ_s d*(s) KL(π(·|s) ‖ π*(·|s)) / Σ_s d*(s) (d* = π*'s exact visitation from the start),
 * and the moves into the lava two ways: counted in `--episodes` sampled rollouts of the learner from the
 * start, and exactly, the probability an episode of π_learned (and of π*) enters the lava (`hittingProbability`).
 *
 * `tests/custom-priors.test.ts` runs the same `measureCustomPrior` and asserts its bounds; the README's
 * numbers are this experiment's over seeds (`npm run figures -- --only custom-priors`).
 *
 * Writes `results.json` (one row per prior).
 */
import { z } from 'zod';
import {
  hittingProbability,
  klAt,
  softValueIteration,
  stateVisitation,
  weightedMean,
} from '../src/agents/exact/index.js';
import { runEpisodes } from '../src/agents/episodes.js';
import { createLearner } from '../src/agents/learner.js';
import { TABULAR_DISCRETE_SAC } from '../src/agents/sac/discrete-config.js';
import { Rng } from '../src/core/rng.js';
import type { TabularEnv } from '../src/envs/env.js';
import { exploringStarts } from '../src/envs/gridworld.js';
import { make } from '../src/envs/registry.js';
import {
  TWO_ROUTE_ALPHA,
  TWO_ROUTE_GAMMA,
  TWO_ROUTE_LAVA,
  TWO_ROUTE_START,
  twoRouteReference,
} from '../src/envs/tworoute.js';
import { partStreams, type Experiment, type RunContext } from '../src/node/run/experiment.js';
import { fromTable, masked, mixture, tempered, uniform, type PriorBuilder } from '../src/priors/custom.js';
import { makeObjective } from '../src/priors/index.js';

const twoRoute = () => make('TwoRoute-v0') as unknown as TabularEnv;
const N_A = 4;
const guide = fromTable(twoRouteReference(twoRoute()));
/** (s, a) steps into the lava (a transition that terminates with reward −1). */
export const intoLava =
  (env: TabularEnv) =>
  (s: number, a: number): boolean =>
    env.model.P[s][a].some((t) => t.terminated && t.reward < 0);

/** The priors, by the name results.json and the README use. */
export const CUSTOM_PRIORS = {
  mixture: (): PriorBuilder => mixture([uniform(), guide], [0.5, 0.5]),
  tempered: (): PriorBuilder => tempered(guide, 0.5),
  masked: (): PriorBuilder => masked(uniform(), (s, a) => !intoLava(twoRoute())(s, a)),
} as const;
export type CustomPriorName = keyof typeof CUSTOM_PRIORS;
export const CUSTOM_PRIOR_NAMES = Object.keys(CUSTOM_PRIORS) as CustomPriorName[];

const options = z.object({
  steps: z.number().int().positive().default(6000).describe('environment steps of discrete SAC per prior'),
  learningStarts: z
    .number()
    .int()
    .min(0)
    .default(1500)
    .describe(
      "steps of uniform actions before the first update (the preset's 500 under-samples 'up' on the ledge under the masked prior)",
    ),
  episodes: z.number().int().positive().default(200).describe('sampled rollouts of each learned policy from the start'),
});
type Options = z.infer<typeof options>;

export interface CustomPriorRow {
  prior: CustomPriorName;
  /** visitation-weighted KL(π_learned ‖ π*) */
  kl: number;
  /** moves into the lava in the sampled rollouts, and the steps sampled */
  lavaMoves: number;
  sampledSteps: number;
  episodes: number;
  /** exact: the probability an episode from the start enters the lava, under π_learned and under π* */
  lavaProbability: number;
  lavaProbabilityOptimal: number;
}

/** One prior at one seed: train, compare with π*, roll out. The learner's streams are the seed's `sac` part, the same for every prior. */
export async function measureCustomPrior(
  prior: CustomPriorName,
  seed: number,
  opts: Options,
  signal?: AbortSignal,
  progress?: (step: number) => void,
): Promise<CustomPriorRow> {
  const env = twoRoute();
  const unsafe = intoLava(env);
  const objective = makeObjective({ prior: 'reference', alpha: TWO_ROUTE_ALPHA }, env, {
    reference: CUSTOM_PRIORS[prior](),
  });
  const learner = createLearner('sac-discrete', {
    makeEnv: () => exploringStarts(twoRoute()),
    objective,
    config: {
      ...TABULAR_DISCRETE_SAC,
      totalSteps: opts.steps,
      learningStarts: opts.learningStarts,
      gamma: TWO_ROUTE_GAMMA,
      evalEvery: 0,
      evalEpisodes: 1,
    },
    streams: partStreams({ seed }, 'sac'),
  });
  try {
    await learner.run({ signal, log: (step) => progress?.(step) });
    const star = softValueIteration(env.model, { ...objective.tabular(), gamma: TWO_ROUTE_GAMMA });
    const pi = learner.policyTable();
    const kl = weightedMean(stateVisitation(env.model, star.pi), (s) => klAt(pi, star.pi, s, N_A));
    // The one episode runner, each episode on its own env reset with seed ep; each (s, a) checked for the lava.
    const episodes = runEpisodes(
      learner,
      twoRoute,
      opts.episodes,
      Array.from({ length: opts.episodes }, (_, ep) => ep),
      { act: { deterministic: false, rng: new Rng(`${seed}#rollouts/${prior}`) }, record: true },
    );
    let lavaMoves = 0;
    let sampledSteps = 0;
    for (const { trajectory } of episodes)
      trajectory!.actions.forEach(([a], t) => {
        if (unsafe(trajectory!.obs[t][0], a)) lavaMoves++;
        sampledSteps++;
      });
    const lava = (p: Float64Array) => hittingProbability(env.model, p, TWO_ROUTE_LAVA)[TWO_ROUTE_START];
    return {
      prior,
      kl,
      lavaMoves,
      sampledSteps,
      episodes: opts.episodes,
      lavaProbability: lava(pi),
      lavaProbabilityOptimal: lava(star.pi),
    };
  } finally {
    learner.dispose();
    objective.dispose();
  }
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const rows: CustomPriorRow[] = [];
  for (const [i, prior] of CUSTOM_PRIOR_NAMES.entries()) {
    const total = CUSTOM_PRIOR_NAMES.length * opts.steps;
    const row = await measureCustomPrior(prior, ctx.seed, opts, ctx.signal, (step) =>
      ctx.progress(i * opts.steps + step, total),
    );
    if (ctx.signal.aborted) return;
    rows.push(row);
  }
  ctx.print(
    `TwoRoute-v0, α=${TWO_ROUTE_ALPHA}, γ=${TWO_ROUTE_GAMMA}: discrete SAC (${opts.steps} steps, ${opts.learningStarts} warm-up) vs the exact π* of the same prior`,
  );
  ctx.print('prior      KL(π ‖ π*)   lava moves / sampled steps   P(episode enters lava), exact: π, π*');
  for (const r of rows)
    ctx.print(
      `${r.prior.padEnd(9)}  ${r.kl.toFixed(5).padStart(10)}   ${`${r.lavaMoves} / ${r.sampledSteps}`.padStart(26)}   ${r.lavaProbability.toExponential(2).padStart(12)}, ${r.lavaProbabilityOptimal.toExponential(2)}`,
    );
  ctx.writeFile('results.json', `${JSON.stringify({ ...opts, rows }, null, 2)}\n`);
  ctx.print('wrote results.json');
}

const experiment: Experiment<typeof options> = {
  name: 'custom-priors',
  summary:
    'user-defined priors (mixture, tempered, masked) on TwoRoute: discrete SAC vs the exact soft optimum of the same prior; lava moves sampled and exact',
  options,
  kind: 'train',
  run,
};
export default experiment;
