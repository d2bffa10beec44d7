/**
 * pointmass-priors: continuous SAC on PointMass-v0 under the uniform prior (max-entropy), the reference
 * prior (`pointMassSteering`: full speed to the far goal below the obstacle, N(·, 0.5²) noise) and none
 * (α = 0), with the same α, root seed, initial weights and episode seeds for every prior.
 *
 * The optimum of E[return] − α·KL(π‖p) (no exact solver for continuous control; see
 * `src/agents/sac/pointmass.ts`): uniform → the broadest actions and trajectories; reference → the
 * reference's route and the lowest KL to it; none → the return-maximizing (far) goal and the lowest
 * entropy. What SAC learns differs for none (the near goal: docs/findings.md).
 *
 * Reports, over `--episodes` sampled episodes per prior: goal and side shares, trajectory spread,
 * action entropy and KL to the reference (per step, on the visited states), return. Writes
 * `metrics.jsonl` (training scalars prefixed by prior; steps cumulative over the priors), `shares.svg` (goal/side shares per prior),
 * `results.json` and `episodes.json` (the episodes, labelled by prior, for the viewer's Runs panel).
 */
import { z } from 'zod';
import { make } from '../src/envs/registry.js';
import { barChart } from '../src/node/run/svgplot.js';
import { fixedAlphaOption, PRIOR_NAMES, type BoxPrior } from '../src/priors/index.js';
import { rollouts } from '../src/agents/episodes.js';
import { createLearner } from '../src/agents/learner.js';
import {
  POINT_MASS_ALPHA,
  pointMassBehaviour,
  pointMassObjective,
  pointMassSacConfig,
} from '../src/agents/sac/pointmass.js';
import {
  partStreams,
  sequentialParts,
  stepsOption,
  type Experiment,
  type RunContext,
} from '../src/node/run/experiment.js';

const ENV_ID = 'PointMass-v0';

const options = z.object({
  steps: stepsOption(10_000),
  alpha: fixedAlphaOption(POINT_MASS_ALPHA).describe('temperature α of the uniform and reference priors (none: 0)'),
  episodes: z
    .number()
    .int()
    .positive()
    .default(20)
    .describe('sampled evaluation episodes per prior (table, plot and episodes.json)'),
});
type Options = z.infer<typeof options>;

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const makeEnv = () => make(ENV_ID);
  // The reference prior measures every policy's KL to the steering controller.
  const referenceObjective = pointMassObjective('reference', makeEnv(), opts.alpha);
  try {
    await compare(opts, ctx, referenceObjective.prior as BoxPrior);
  } finally {
    referenceObjective.dispose();
  }
}

async function compare(opts: Options, ctx: RunContext, reference: BoxPrior): Promise<void> {
  const makeEnv = () => make(ENV_ID);
  ctx.print(
    `pointmass-priors: ${ENV_ID}, ${opts.steps} steps per prior, α = ${opts.alpha}, seed ${ctx.seed}, backend ${ctx.backend}`,
  );
  const rows = [];
  const episodes = [];
  const columns = sequentialParts(ctx, PRIOR_NAMES.length * opts.steps);
  for (const kind of PRIOR_NAMES) {
    const column = columns.next();
    const objective = pointMassObjective(kind, makeEnv(), opts.alpha);
    // Fresh `train` and `eval` streams per prior: the same initial weights and episode seeds for each.
    const learner = createLearner('sac', {
      makeEnv,
      objective,
      config: pointMassSacConfig(opts.steps),
      streams: partStreams(ctx, 'train'),
    });
    const t0 = performance.now();
    await learner
      .run({
        log: (step, scalars) =>
          column.log(step, Object.fromEntries(Object.entries(scalars).map(([k, v]) => [`${kind}/${k}`, v]))),
        progress: (step, total) => column.progress(step, total),
        signal: ctx.signal,
      })
      .catch((e) => {
        learner.dispose();
        throw e;
      })
      .finally(() => objective.dispose());
    const stepsPerSecond = learner.loop.stepCount / ((performance.now() - t0) / 1000);
    if (ctx.signal.aborted) {
      learner.dispose();
      return;
    }
    const streams = partStreams(ctx, 'eval');
    const eps = rollouts(learner, makeEnv, opts.episodes, streams.get('seeds'), {
      deterministic: false,
      rng: streams.get('noise'),
    });
    const visited = eps.flatMap((ep) => ep.obs.slice(0, -1).map((o) => Float32Array.from(o)));
    const stats = learner.stats(visited, streams.get('stats'), reference);
    rows.push({
      prior: kind,
      ...pointMassBehaviour(eps),
      entropy: stats.entropy,
      klToReference: stats.kl,
      stepsPerSecond,
    });
    episodes.push(...eps.map((ep) => ({ label: kind, obs: ep.obs, actions: ep.actions, rewards: ep.rewards })));
    learner.dispose();
  }

  const pct = (x: number) => `${Math.round(100 * x)}%`;
  ctx.print(`\n${opts.episodes} sampled episodes per prior (entropy and KL per step, nats, on the visited states):`);
  ctx.print(
    '| prior | near | far | no goal | top | bottom | spread | entropy | KL(π‖ref) | return |\n|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    ctx.print(
      `| ${r.prior} | ${pct(r.goal.near)} | ${pct(r.goal.far)} | ${pct(r.goal.none)} | ${pct(r.side.top)} | ${pct(r.side.bottom)} | ` +
        `${r.spread.toFixed(3)} | ${r.entropy.toFixed(2)} | ${r.klToReference.toFixed(2)} | ${r.meanReturn.toFixed(2)} |`,
    );
  }
  const categories = ['near goal', 'far goal', 'no goal', 'top side', 'bottom side'];
  ctx.writeFile(
    'shares.svg',
    barChart(
      {
        title: `SAC on ${ENV_ID}: where each prior goes (${opts.episodes} sampled episodes)`,
        yLabel: 'share of episodes',
      },
      categories,
      rows.map((r) => ({
        label: `prior ${r.prior}`,
        values: [r.goal.near, r.goal.far, r.goal.none, r.side.top, r.side.bottom],
      })),
    ),
  );
  ctx.writeFile('results.json', JSON.stringify({ steps: opts.steps, alpha: opts.alpha, rows }, null, 2));
  ctx.writeFile('episodes.json', JSON.stringify({ env: ENV_ID, episodes }));
  ctx.print('wrote shares.svg, results.json, episodes.json');
}

const experiment: Experiment<typeof options> = {
  name: 'pointmass-priors',
  summary:
    'continuous SAC on PointMass-v0 under the uniform, reference and no prior: goal and side shares, entropy, KL, return',
  options,
  kind: 'train',
  run,
};

export default experiment;
