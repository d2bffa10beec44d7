/**
 * Train SAC on your own environment: a 1-D reach task written against the `Env` contract (`BaseEnv` does the
 * seeding and the reset/step bookkeeping), registered with `registerEnv` (with a time limit and a named
 * reference prior), checked by `checkEnv`, then trained with SAC under the uniform prior (max-entropy RL).
 *
 *   npx tsx examples/custom-env-sac.ts
 */
import {
  BaseEnv,
  Box,
  checkBoxAction,
  checkEnv,
  createLearner,
  make,
  makeObjective,
  meanReturn,
  registerEnv,
  RngStreams,
  type OptionReader,
  type ResetResult,
  type Rng,
  type StepResult,
} from 'priorlab';
import { initNodeBackend } from 'priorlab/node';
import { scale } from './budget.js';

/** Reach1D-v0: x ∈ [−1, 1] moves by 0.1·a (a ∈ [−1, 1]); reward −|x − 0.5| per step; 50 steps. */
class Reach1D extends BaseEnv<Float32Array, ArrayLike<number>> {
  readonly id = 'Reach1D-v0';
  readonly observationSpace = new Box([-1], [1]);
  readonly actionSpace = new Box([-1], [1]);
  private x = 0;
  protected resetEpisode(rng: Rng, _options: OptionReader): ResetResult<Float32Array> {
    this.x = rng.uniformRange(-1, 0);
    return { obs: Float32Array.of(this.x), info: {} };
  }
  protected stepEpisode(action: ArrayLike<number>): StepResult<Float32Array> {
    checkBoxAction(this.id, this.actionSpace, action);
    const a = Math.max(-1, Math.min(1, action[0]));
    this.x = Math.max(-1, Math.min(1, this.x + 0.1 * a));
    return {
      obs: Float32Array.of(this.x),
      reward: -Math.abs(this.x - 0.5),
      terminated: false,
      truncated: false,
      info: {},
    };
  }
}

registerEnv('Reach1D-v0', () => new Reach1D(), {
  maxEpisodeSteps: 50,
  // A named reference (`--reference toward-goal` for priorlab/node's train machinery): a noisy controller.
  references: {
    'toward-goal': {
      summary: 'pushes toward x = 0.5, std 0.5',
      make: () => ({
        gaussian: (obs) => {
          // obs [B, 1] → mean 2·(0.5 − x) clipped to the bounds, log-std log 0.5 (tensor methods: no tfjs import)
          const mean = obs.sub(0.5).mul(-2).clipByValue(-1, 1) as typeof obs;
          return { mean, logStd: mean.mul(0).add(Math.log(0.5)) };
        },
      }),
    },
  },
});

const backend = await initNodeBackend();
const problems = checkEnv(make('Reach1D-v0'));
console.log(`backend ${backend}; checkEnv: ${problems.length === 0 ? 'ok' : problems.join('; ')}`);

const makeEnv = () => make('Reach1D-v0');
const objective = makeObjective({ prior: 'uniform', alpha: 0.05 }, makeEnv());
const learner = createLearner('sac', {
  makeEnv,
  objective,
  config: { totalSteps: scale(3000), learningStarts: 500, batchSize: 64, hidden: [32, 32] },
  streams: new RngStreams(1),
});
const before = meanReturn(learner, makeEnv, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const started = Date.now();
await learner.run();
const after = meanReturn(learner, makeEnv, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
// For scale: the controller that drives straight to the goal, on the same 10 starts.
let oracle = 0;
for (let seed = 1; seed <= 10; seed++) {
  const env = makeEnv();
  let { obs } = env.reset({ seed });
  for (let done = false; !done;) {
    const x = (obs as Float32Array)[0];
    const r = env.step([Math.max(-1, Math.min(1, 10 * (0.5 - x)))]);
    oracle += r.reward / 10;
    obs = r.obs;
    done = r.terminated || r.truncated;
  }
}
console.log(
  `SAC on Reach1D-v0, ${learner.loop.stepCount} steps in ${((Date.now() - started) / 1000).toFixed(1)} s: eval return ${before.toFixed(2)} → ${after.toFixed(2)} (straight-to-goal controller ${oracle.toFixed(2)})`,
);
learner.dispose();
objective.dispose();
