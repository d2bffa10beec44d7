/**
 * A custom prior, checked against the exact solver: a safety mask on CliffWalking-v1. The prior is uniform
 * over the actions that do not step off the cliff (mass ε = 1e-8 on those that do); the exact soft optimum
 * of that Objective, π* ∝ p·exp(Q/α), comes from soft value iteration on `objective.tabular()`, and
 * discrete SAC learns the same Objective through the one learner API. Printed: the KL between them and how
 * often each takes a masked action.
 *
 *   npx tsx examples/safe-cliff.ts
 */
import {
  createLearner,
  klAt,
  make,
  makeObjective,
  masked,
  Rng,
  RngStreams,
  softValueIteration,
  stateVisitation,
  TABULAR_DISCRETE_SAC,
  uniform,
  weightedMean,
  type TabularEnv,
} from 'priorlab';
import { initNodeBackend } from 'priorlab/node';
import { scale } from './budget.js';

await initNodeBackend();
const cliff = () => make('CliffWalking-v1', { maxEpisodeSteps: 100 }) as unknown as TabularEnv;
const env = make('CliffWalking-v1') as unknown as TabularEnv;
const { model } = env;
/** Stepping off the cliff: the −100 transition. */
const offCliff = (s: number, a: number) => model.P[s][a].some((t) => t.reward <= -100);
const gamma = 0.9;
const alpha = 0.5;

const objective = makeObjective({ prior: 'reference', alpha }, env, {
  reference: masked(uniform(), (s, a) => !offCliff(s, a)),
});
const star = softValueIteration(model, { ...objective.tabular(), gamma });

const learner = createLearner('sac-discrete', {
  makeEnv: cliff,
  objective,
  config: { ...TABULAR_DISCRETE_SAC, totalSteps: scale(20000), learningStarts: 2000, gamma },
  streams: new RngStreams(1),
});
const started = Date.now();
while (learner.step());
const pi = learner.policyTable();
const d = stateVisitation(model, star.pi, { gamma });
const kl = weightedMean(d, (s) => klAt(pi, star.pi, s, 4));

/** Masked actions taken in 100 sampled episodes of `policy` from the start. */
function maskedTaken(act: (s: number, rng: Rng) => number): { masked: number; steps: number } {
  const rng = new Rng('rollouts');
  let count = 0;
  let steps = 0;
  for (let ep = 0; ep < 100; ep++) {
    const e = cliff();
    let s = e.reset({ seed: ep }).obs;
    for (;;) {
      const a = act(s, rng);
      if (offCliff(s, a)) count++;
      steps++;
      const r = e.step(a);
      s = r.obs;
      if (r.terminated || r.truncated) break;
    }
  }
  return { masked: count, steps };
}
const exact = maskedTaken((s, rng) => rng.categorical(star.pi.subarray(s * 4, s * 4 + 4)));
const learned = maskedTaken((s, rng) => learner.act([s], { deterministic: false, rng })[0]);
console.log(`CliffWalking-v1, safety-masked uniform prior, α = ${alpha}, γ = ${gamma}`);
console.log(`  exact π*:      ${exact.masked} masked actions in ${exact.steps} sampled steps`);
console.log(
  `  discrete SAC:  ${learned.masked} masked actions in ${learned.steps} sampled steps (${learner.loop.stepCount} training steps, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
console.log(`  visitation-weighted KL(π_learned ‖ π*) = ${kl.toFixed(4)}`);
learner.dispose();
objective.dispose();
