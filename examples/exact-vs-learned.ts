/**
 * The exact solver and a learned agent side by side: for one Objective (TwoRoute-v0, the guide reference
 * prior, α = 0.15) the exact soft optimum from soft value iteration (`objective.tabular()`) and discrete SAC
 * trained on the same Objective; per state of the exact optimum's path, π*(·|s) and π_learned(·|s), then
 * the visitation-weighted KL between them and each policy's exact return.
 *
 *   npx tsx examples/exact-vs-learned.ts
 */
import {
  createLearner,
  evaluatePolicy,
  exploringStarts,
  fromTable,
  klAt,
  make,
  makeObjective,
  RngStreams,
  softValueIteration,
  stateVisitation,
  TABULAR_DISCRETE_SAC,
  TWO_ROUTE_ALPHA,
  TWO_ROUTE_GAMMA,
  twoRouteReference,
  weightedMean,
  type TabularEnv,
} from 'priorlab';
import { initNodeBackend } from 'priorlab/node';
import { scale } from './budget.js';

await initNodeBackend();
const twoRoute = () => make('TwoRoute-v0') as unknown as TabularEnv;
const env = twoRoute();
const objective = makeObjective({ prior: 'reference', alpha: TWO_ROUTE_ALPHA }, env, {
  reference: fromTable(twoRouteReference(env)),
});
const star = softValueIteration(env.model, { ...objective.tabular(), gamma: TWO_ROUTE_GAMMA });
const learner = createLearner('sac-discrete', {
  makeEnv: () => exploringStarts(twoRoute()),
  objective,
  config: { ...TABULAR_DISCRETE_SAC, totalSteps: scale(6000), gamma: TWO_ROUTE_GAMMA },
  streams: new RngStreams(1),
});
const started = Date.now();
while (learner.step());
const pi = learner.policyTable();
const d = stateVisitation(env.model, star.pi);
const fmt = (t: Float64Array, s: number) => Array.from(t.subarray(s * 4, s * 4 + 4), (p) => p.toFixed(2)).join(' ');
console.log('state   π*(↑ → ↓ ←)            π_learned(↑ → ↓ ←)');
const visited = [...d.keys()].filter((s) => d[s] > 0.5).slice(0, 8);
for (const s of visited) console.log(`${String(s).padStart(5)}   ${fmt(star.pi, s)}   ${fmt(pi, s)}`);
const kl = weightedMean(d, (s) => klAt(pi, star.pi, s, 4));
const start = env.reset({ seed: 0 }).obs;
const ret = (p: Float64Array) => evaluatePolicy(env.model, p, { alpha: 0, gamma: TWO_ROUTE_GAMMA }).V[start as number];
console.log(
  `KL(π_learned ‖ π*) = ${kl.toFixed(4)} (visitation-weighted); discounted return from the start: exact ${ret(star.pi).toFixed(3)}, learned ${ret(pi).toFixed(3)}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
learner.dispose();
objective.dispose();
