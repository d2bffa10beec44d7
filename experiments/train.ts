/**
 * train: any learner (`--algo sac|sac-discrete|klppo`) on any registered env it fits, under any prior
 * (`--prior uniform|reference|none`, `--alpha`, `--target-kl`, `--reference <name|run folder>`), with the tuned
 * hyperparameters of `hyperparams/<algo>.yml` (override with `--set key=value,…` and `--steps`). Resumable;
 * writes a normal run folder plus the saved agent (`agent.json` + `agent.bin`, see `src/node/train/agent-io.ts`)
 * and `learning-curve.svg`. The resolved values go to config.json (`resolved`) and are printed as one line.
 * `priorlab eval <run>` and `priorlab enjoy <run>` read the saved agent.
 */
import { make } from '../src/envs/registry.js';
import { UsageError } from '../src/core/errors.js';
import { RngStreams } from '../src/core/rng.js';
import { createLearner } from '../src/agents/learner.js';
import { type Experiment, type RunContext } from '../src/node/run/experiment.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { FILES, packageVersion } from '../src/node/run/rundir.js';
import { SlotCheckpoints } from '../src/node/run/slots.js';
import { linePlot } from '../src/node/run/svgplot.js';
import { saveAgent } from '../src/node/train/agent-io.js';
import {
  buildObjective,
  resolveTrain,
  trainOptions,
  type ResolvedTrain,
  type TrainOptions,
} from '../src/node/train/setup.js';

async function run(opts: TrainOptions, ctx: RunContext): Promise<void> {
  const r = resolveTrain(opts);
  const makeEnv = () => make(r.envId, r.envOptions);
  const objective = buildObjective(r.spec, makeEnv());
  try {
    const config = r.config;
    const learner = createLearner(r.algo, { makeEnv, objective, config, streams: ctx.streams });
    try {
      recordResolved(ctx, r, config);
      const slots = new SlotCheckpoints(ctx, 'learner-state');
      const blob = slots.load();
      let step = 0;
      if (blob !== null) learner.load(decodeF32Json(blob));
      await learner.run({
        signal: ctx.signal,
        log: (s, scalars) => {
          step = s;
          ctx.log(s, scalars);
        },
        progress: (s, total, fields) => ctx.progress(s, total, fields),
        checkpoint: (s, state) => slots.save(s, encodeF32Json(state)),
      });
      saveAgent((name, data) => ctx.writeFile(name, data), learner, {
        envId: r.envId,
        envOptions: r.envOptions,
        objective: r.spec,
        config,
        packageVersion: packageVersion(),
        step,
      });
      ctx.print(`saved agent (step ${step}): ${ctx.dir}/agent.json; evaluate with: priorlab eval ${ctx.dir}`);
      if (!ctx.signal.aborted) writeCurve(ctx, r, objective.label);
    } finally {
      learner.dispose();
    }
  } finally {
    objective.dispose();
  }
}

/** Stores the resolved values in config.json (`resolved`) and prints them as one line. */
function recordResolved(ctx: RunContext, r: ResolvedTrain, config: Record<string, unknown>): void {
  const bytes = ctx.readFile(FILES.config);
  if (bytes !== null) {
    const cfg = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    cfg.resolved = { algo: r.algo, env: r.envId, envOptions: r.envOptions, objective: r.spec, hyperparams: config };
    ctx.writeFile(FILES.config, `${JSON.stringify(cfg, null, 2)}\n`);
  }
  const values = Object.entries(config)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  ctx.print(
    `train ${r.algo} on ${r.envId}, objective ${JSON.stringify(r.spec)}: ${values || '(algorithm defaults)'}; all values in ${ctx.dir}/${FILES.config}`,
  );
}

/** learning-curve.svg: the deterministic evaluation return (and the training episodes') against steps. */
function writeCurve(ctx: RunContext, r: ResolvedTrain, label: string): void {
  const bytes = ctx.readFile(FILES.metrics);
  if (bytes === null) return;
  const rows = new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, number>);
  const series = (key: string, name: string) => {
    const kept = rows.filter((row) => Number.isFinite(row[key]));
    return { label: name, x: kept.map((row) => row.step), y: kept.map((row) => row[key]) };
  };
  const svg = linePlot(
    { title: `${r.algo} on ${r.envId} (${label}), seed ${ctx.seed}`, xLabel: 'environment steps', yLabel: 'return' },
    [
      series('charts/eval_return', 'evaluation (deterministic)'),
      series('charts/episodic_return', 'training episodes'),
    ].filter((s) => s.x.length > 0),
  );
  ctx.writeFile('learning-curve.svg', svg);
}

/**
 * Builds the objective and the learner once and drops them, before the run folder exists: the options'
 * check (`resolveTrain`) has passed the config through the learner's schema; this catches what only
 * construction sees (a reference agent's networks, the spaces against the prior).
 */
function prepare(opts: TrainOptions): void {
  const r = resolveTrain(opts);
  const makeEnv = () => make(r.envId, r.envOptions);
  const objective = buildObjective(r.spec, makeEnv());
  try {
    createLearner(r.algo, { makeEnv, objective, config: r.config, streams: new RngStreams(0) }).dispose();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--set: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    objective.dispose();
  }
}

const experiment: Experiment<typeof trainOptions> = {
  name: 'train',
  summary:
    'any learner (sac, sac-discrete, klppo, rloo, grpo, dpo, dreamer) on any fitting env under any prior, tuned defaults from hyperparams/; saves the agent',
  options: trainOptions,
  kind: 'train',
  resumable: true,
  prepare,
  run,
};

export default experiment;
