/**
 * irl-gridworld: maximum-entropy inverse RL on a gridworld with the exact soft solver, the prior as the knob.
 *
 * A demonstrator acts soft-optimally for the env's own reward under the objective
 * E[Σ γ^t (r − α KL(π ‖ p))] (p = uniform: classic MaxEnt IRL; p = the TwoRoute guide: KL-regularized IRL).
 * From N of its trajectories (N = 10 … 10,000, each set the first N of one seeded sample, or the
 * trajectories of `--demo-file`), the learner recovers a reward linear in one-hot cell features by maximizing
 * their exact log-likelihood Σ log π*_θ(a|s) (L-BFGS; `src/agents/irl`) under the same prior and α. For each N:
 * the mean KL(π_demo ‖ π*_θ̂) over the states the demonstrator visits, the feature-count gap (0 at the maximum),
 * the correlation of the recovered and true cell rewards on the cells the demonstrations enter after choosing
 * the one undetectable shaping (constant potential) in the recovered reward's favour, and its RMS error there.
 *
 * Writes `irl.json` (the viewer's file: layout, true reward, demonstrator policy, the moves into hazard cells
 * counted in the demonstrations and expected exactly, and per N the recovered reward, its policy and the numbers), `demonstrations.json` (the largest set's first 1,000 trajectories, in
 * the file format `--demo-file` reads), `reward.svg` (true vs recovered reward heat maps at the largest N),
 * `kl-vs-demos.svg` (KL against N, log–log) and `metrics.jsonl` (step = N).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { softOptimalPrecise, stateVisitation } from '../src/agents/exact/index.js';
import {
  alignShaping,
  correlation,
  demonstrationsJson,
  fitMaxEntIrl,
  gridCellFeatures,
  gridCellReward,
  MaxEntIrl,
  parseDemonstrations,
  sampleDemonstrations,
  shapingDirection,
  visitedKl,
  type Demonstration,
  type FeatureMap,
} from '../src/agents/irl/index.js';
import { yieldToEventLoop } from '../src/core/yield.js';
import { makeCliffWalking } from '../src/envs/cliffwalking.js';
import type { GridWorld } from '../src/envs/gridworld.js';
import { makeTwoRoute, TWO_ROUTE_ALPHA, TWO_ROUTE_GAMMA, twoRouteReference } from '../src/envs/tworoute.js';
import type { Experiment, RunContext } from '../src/node/run/experiment.js';
import { fixedAlphaOption, makeObjective, objectiveSpecOf, PRIOR_NAMES } from '../src/priors/index.js';
import {} from '../src/node/run/options.js';
import { UsageError } from '../src/core/errors.js';
import { heatMaps, linePlot } from '../src/node/run/svgplot.js';

const ENVS = ['TwoRoute-v0', 'CliffWalking-v1'] as const;

const options = z
  .object({
    env: z.enum(ENVS).default('TwoRoute-v0').describe('the gridworld'),
    prior: z
      .enum(PRIOR_NAMES)
      .default('uniform')
      .describe(
        'prior p of demonstrator and learner: uniform (classic MaxEnt IRL) or reference (TwoRoute guide: KL-regularized IRL); none is refused (IRL needs α > 0)',
      ),
    alpha: fixedAlphaOption(TWO_ROUTE_ALPHA).describe('temperature α > 0 of demonstrator and learner'),
    gamma: z.number().min(0).lt(1).default(TWO_ROUTE_GAMMA).describe('discount factor γ'),
    counts: z
      .string()
      .default('10,30,100,300,1000,3000,10000')
      .refine((t) => parseCounts(t) !== null, 'increasing integers ≥ 1, comma-separated, e.g. 10,100,1000')
      .describe('numbers of demonstrations, comma-separated, increasing'),
    maxSteps: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe('a demonstration still running after this many steps is cut (time limit)'),
    slip: z.number().min(0).max(1).default(0).describe('TwoRoute-v0: probability a move slips sideways'),
    demoFile: z
      .string()
      .default('')
      .describe('JSON file of demonstrations ({"demonstrations": [{"states", "actions"}]}) instead of sampling'),
  })
  .superRefine((o, ctx) => {
    // Checked with the options, before any work: IRL's likelihood needs α > 0, and only TwoRoute has a reference.
    // The objective's α, not the option's: prior none has α = 0 by construction.
    // (No parse here: with an invalid --alpha the field's own error is already reported.)
    const alpha = objectiveSpecOf(o).alpha ?? 0;
    if (!(typeof alpha === 'number' && alpha > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: [o.alpha > 0 ? 'prior' : 'alpha'],
        message:
          "IRL needs α > 0 (prior none has α = 0): at α = 0 π* is greedy and the demonstrations' likelihood is −∞",
      });
    }
    if (o.prior === 'reference' && o.env !== 'TwoRoute-v0')
      ctx.addIssue({
        code: 'custom',
        path: ['prior'],
        message: `${o.env} has no reference policy; use uniform, or --env TwoRoute-v0`,
      });
    if (o.slip > 0 && o.env !== 'TwoRoute-v0')
      ctx.addIssue({ code: 'custom', path: ['slip'], message: 'slip is a TwoRoute-v0 option' });
  });
type Options = z.infer<typeof options>;

/** `10,100,1000` → [10, 100, 1000]; null unless increasing integers ≥ 1. */
function parseCounts(text: string): number[] | null {
  const counts = text.split(',').map((w) => Number(w.trim()));
  return counts.every((n, i) => Number.isInteger(n) && n >= 1 && (i === 0 || n > counts[i - 1])) ? counts : null;
}

/** The env and the prior table (the options were checked by the schema). */
function setup(opts: Options): { grid: GridWorld; prior: Float64Array } {
  const grid = opts.env === 'TwoRoute-v0' ? makeTwoRoute({ slip: opts.slip }) : makeCliffWalking();
  const objective = makeObjective(objectiveSpecOf(opts), grid, {
    reference: () => ({ table: twoRouteReference(grid.model) }),
  });
  const { prior } = objective.tabular();
  objective.dispose();
  return { grid, prior };
}

/**
 * The hazard cells (TwoRoute's lava, CliffWalking's cliff), entered two ways: the moves into them in the
 * demonstrations (a move counts the probability it enters a hazard cell: 1 or 0 without slips), against the exact
 * expectation per episode under the demonstrator, Σ_s d(s) Σ_a π(a|s) P(enter a hazard | s, a), with d the
 * undiscounted visitation (no time limit: the demonstrations' cut at --max-steps is ignored).
 */
export function hazardEntries(grid: GridWorld, pi: Float64Array, pool: readonly Demonstration[], features: FeatureMap) {
  const { nActions: nA } = grid.model;
  const cells = grid.cells.flatMap((c, j) => (c.kind === 'hazard' ? [j] : []));
  const enter = (k: number) => cells.reduce((acc, j) => acc + features.phi[k * features.dim + j], 0);
  let entries = 0;
  for (const d of pool) d.actions.forEach((a, t) => (entries += enter(d.states[t] * nA + a)));
  const visits = stateVisitation(grid.model, pi);
  let expected = 0;
  visits.forEach((w, s) => {
    for (let a = 0; a < nA; a++) expected += w * pi[s * nA + a] * enter(s * nA + a);
  });
  return { cells, demonstrations: pool.length, entries, expectedPerEpisode: expected };
}

interface Point {
  n: number;
  kl: number;
  featureGap: number;
  /** Pearson correlation of true and recovered cell rewards on the entered cells (null: the truth is constant there). */
  correlation: number | null;
  rms: number;
  logLikelihood: number;
  iterations: number;
  /** Recovered θ per cell, shaping aligned to the truth. */
  reward: number[];
  /** Recovered θ per cell as the optimizer left it (its drift along the shaping direction included). */
  theta: number[];
  /** Cells the demonstrations enter. */
  entered: number[];
  pi: number[];
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const { grid, prior } = setup(opts);
  const counts = parseCounts(opts.counts)!;
  const model = grid.model;
  const { alpha, gamma } = opts;
  const demonstrator = softOptimalPrecise(model, { alpha, gamma, prior });
  let pool: Demonstration[];
  if (opts.demoFile) {
    pool = parseDemonstrations(readFileSync(opts.demoFile, 'utf8'), model, prior);
    if (counts.at(-1)! > pool.length)
      throw new UsageError(
        `--counts: the largest count ${counts.at(-1)} exceeds the ${pool.length} demonstrations in ${opts.demoFile}`,
      );
  } else {
    pool = sampleDemonstrations(model, demonstrator.pi, {
      count: counts.at(-1)!,
      rng: ctx.streams.get('demos'),
      maxSteps: opts.maxSteps,
    });
  }
  const features = gridCellFeatures(grid);
  const truth = gridCellReward(grid);
  const u = shapingDirection(model, gamma);
  const points: Point[] = [];
  let theta: Float64Array | undefined;
  for (const n of counts) {
    if (ctx.signal.aborted) return;
    const irl = new MaxEntIrl({
      model,
      objective: { alpha, prior },
      gamma,
      demonstrations: pool.slice(0, n),
      features,
    });
    // Warm start from the previous N: same optimum, fewer iterations.
    const fit = fitMaxEntIrl(irl, { theta0: theta });
    theta = fit.theta;
    const entered = irl.touchedFeatures();
    const { aligned } = alignShaping(fit.theta, truth, u, entered);
    const rms = Math.sqrt(entered.reduce((acc, j) => acc + (aligned[j] - truth[j]) ** 2, 0) / entered.length);
    const corr = correlation(truth, aligned, entered);
    const kl = visitedKl(model, demonstrator.logPi, fit.logPi);
    points.push({
      n,
      kl,
      featureGap: fit.featureGap,
      correlation: Number.isNaN(corr) ? null : corr,
      rms,
      logLikelihood: fit.value,
      iterations: fit.optimizer.iterations,
      reward: Array.from(aligned),
      theta: Array.from(fit.theta),
      entered,
      pi: Array.from(fit.pi),
    });
    ctx.log(n, {
      'irl/kl_visited': kl,
      'irl/feature_gap': fit.featureGap,
      'irl/reward_rms': rms,
      ...(Number.isNaN(corr) ? {} : { 'irl/reward_corr': corr }),
      'irl/loglik': fit.value,
    });
    ctx.progress(points.length, counts.length, { kl });
    await yieldToEventLoop();
  }

  ctx.print(
    `${grid.id}, prior ${opts.prior}, α=${alpha}, γ=${gamma}: MaxEnt IRL from the demonstrations of the soft-optimal policy of the env reward`,
  );
  ctx.print(
    'KL = mean KL(π_demo ‖ π_recovered) over the states π_demo visits; corr/rms: recovered vs true cell reward on the cells the demos enter, after the best constant-potential shaping',
  );
  ctx.print('      N   KL (nats)   feature gap   reward corr   reward rms   log-lik/demo   iterations');
  for (const p of points) {
    ctx.print(
      `${String(p.n).padStart(7)}  ${p.kl.toExponential(2).padStart(10)}  ${p.featureGap.toExponential(1).padStart(12)}  ${(p.correlation === null ? 'n/a' : p.correlation.toFixed(3)).padStart(12)}  ${p.rms.toFixed(3).padStart(11)}  ${p.logLikelihood.toFixed(3).padStart(13)}  ${String(p.iterations).padStart(11)}`,
    );
  }
  if (points.some((p) => p.correlation === null))
    ctx.print('corr n/a: the true reward is the same on every cell the demonstrations enter');

  const hazards = hazardEntries(grid, demonstrator.pi, pool, features);
  ctx.print(
    `moves into the hazard cells: ${hazards.entries.toFixed(0)} in the ${hazards.demonstrations} demonstrations; exactly ${hazards.expectedPerEpisode.toExponential(2)} per episode (×${hazards.demonstrations}: ${(hazards.expectedPerEpisode * hazards.demonstrations).toFixed(1)})`,
  );
  const last = points.at(-1)!;
  const walls = grid.cells.map((c) => c.kind === 'wall');
  const unentered = grid.cells.map((_, j) => !last.entered.includes(j));
  ctx.writeFile(
    'reward.svg',
    heatMaps(
      {
        title: `${grid.id} reward per cell: true vs recovered (N=${last.n}, ${opts.prior} prior, α=${alpha})`,
        xLabel: 'recovered: shaping aligned to the truth; grey: walls and cells the demonstrations never enter',
      },
      [
        { label: 'true reward', nRows: grid.nRows, nCols: grid.nCols, values: Array.from(truth), blank: walls },
        {
          label: `recovered (N = ${last.n})`,
          nRows: grid.nRows,
          nCols: grid.nCols,
          values: last.reward,
          blank: unentered,
        },
      ],
    ),
  );
  ctx.writeFile(
    'kl-vs-demos.svg',
    linePlot(
      {
        title: `${grid.id}: recovered policy vs demonstrator (prior ${opts.prior}, α=${alpha})`,
        xLabel: 'log10 (number of demonstrations)',
        yLabel: 'log10 KL(π_demo ‖ π_recovered), visited states',
      },
      [{ label: `prior ${opts.prior}`, x: points.map((p) => Math.log10(p.n)), y: points.map((p) => Math.log10(p.kl)) }],
    ),
  );
  ctx.writeFile(
    'irl.json',
    JSON.stringify({
      env: grid.id,
      layout: grid.layout,
      nRows: grid.nRows,
      nCols: grid.nCols,
      nActions: model.nActions,
      prior: opts.prior,
      alpha,
      gamma,
      trueReward: Array.from(truth),
      demonstratorPi: Array.from(demonstrator.pi),
      demonstrations: pool.slice(0, 20),
      hazards,
      points,
    }),
  );
  ctx.writeFile('demonstrations.json', demonstrationsJson(pool.slice(0, 1000), grid.id));
  ctx.print('wrote irl.json, demonstrations.json, reward.svg, kl-vs-demos.svg');
}

const experiment: Experiment<typeof options> = {
  name: 'irl-gridworld',
  summary:
    'maximum-entropy IRL with the exact solver: true vs recovered reward and KL to the demonstrator as demonstrations grow (10 … 10,000)',
  options,
  kind: 'train',
  run,
};
export default experiment;
