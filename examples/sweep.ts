/**
 * A sweep from code: an experiment defined in this file (the same contract as `experiments/*.ts`: zod options
 * and a `run(opts, ctx)` that logs metrics), a grid over α × seeds, each trial run in its own run folder
 * by the ordinary run machinery (`runTrial`: config.json, metrics.jsonl, status.json), then the sweep's
 * summary table (`writeSummary`: summary.md, summary.json, plots). The CLI's `priorlab sweep spec.yaml`
 * does the same with worker processes or BullMQ.
 *
 *   npx tsx examples/sweep.ts
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLearner,
  exploringStarts,
  make,
  makeObjective,
  Rng,
  TABULAR_DISCRETE_SAC,
  TWO_ROUTE_GAMMA,
} from 'priorlab';
import {
  expandTrials,
  initNodeBackend,
  initSweepFolder,
  parseSpec,
  runTrial,
  stepsOption,
  trialDir,
  writeSummary,
  z,
  type Experiment,
} from 'priorlab/node';
import { scale } from './budget.js';

const options = z.object({
  alpha: z.number().positive().default(0.15).describe('temperature α on KL(π‖uniform)'),
  steps: stepsOption(scale(3000)),
});

/** Discrete SAC on TwoRoute-v0 under the uniform prior at α; logs return and KL to the prior. */
const experiment: Experiment<typeof options> = {
  name: 'tworoute-alpha',
  summary: 'discrete SAC on TwoRoute-v0 at one α',
  kind: 'train',
  options,
  async run(opts, ctx) {
    const makeEnv = () => make('TwoRoute-v0');
    const objective = makeObjective({ prior: 'uniform', alpha: opts.alpha }, makeEnv());
    const learner = createLearner('sac-discrete', {
      makeEnv: () => exploringStarts(makeEnv() as never),
      objective,
      config: { ...TABULAR_DISCRETE_SAC, totalSteps: opts.steps, gamma: TWO_ROUTE_GAMMA, logEvery: 500 },
      streams: ctx.streams,
    });
    await learner.run({
      signal: ctx.signal,
      log: (step, scalars) => {
        const kl = learner.stats([0, 1, 2, 3], new Rng('kl')).kl;
        ctx.log(step, { ...scalars, 'charts/kl_prior': kl });
      },
    });
    learner.dispose();
    objective.dispose();
  },
};

const backend = await initNodeBackend();
const spec = parseSpec(`experiment: tworoute-alpha\ngrid: { alpha: [0.05, 0.15, 0.5] }\nseeds: [1, 2]\n`);
const { cells, trials } = expandTrials(spec, experiment);
const dir = mkdtempSync(join(tmpdir(), 'priorlab-sweep-'));
const sweep = { experiment: experiment.name, spec, cells, trials };
initSweepFolder(dir, sweep);
const started = Date.now();
for (const trial of trials) {
  const tdir = trialDir(dir, trial.id);
  mkdirSync(tdir, { recursive: true });
  await runTrial({
    experiment,
    trial,
    dir: tdir,
    backend,
    signal: new AbortController().signal,
    reporter: { progress() {}, print: console.log, finish() {} },
  });
}
console.log(writeSummary(dir, sweep).trimEnd());
console.log(`${trials.length} trials in ${((Date.now() - started) / 1000).toFixed(1)} s; sweep folder ${dir}`);
