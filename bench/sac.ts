/**
 * SAC-continuous benchmark, one learner per prior on the default path (the WebAssembly engine):
 * 1. environment steps per second of the training loop `priorlab train --algo sac` builds (createLearner with
 *    the env's tuned hyperparameters; acting, stepping, storing, updating), timed over the learning phase
 *    (after the random warm-up) on Pendulum-v1 and MountainCarContinuous-v0, under the uniform prior (SAC's
 *    own objective), the env's named reference (a controller) and a saved agent (a freshly initialized SAC
 *    actor: held and run in the engine through `sacActorReference`, and, for comparison, through
 *    `policyReference` as a run folder's agent is loaded today, whose prior reads its tfjs forward back once
 *    per batch); interleaved in rounds, medians, each reference's ratio to the uniform run's rate (issue 23's
 *    target: ≥ 0.8×);
 * 2. milliseconds per `SacContinuous.update` at (hidden 64×64, batch 64) for each prior, engine and tfjs
 *    autodiff, interleaved blocks, medians.
 * The load (`os.loadavg()`) is printed before and after. Milliseconds per update of the uniform prior at
 * other sizes, and against the recorded fused/PyTorch figures, are `bench/engine.ts`'s.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { Rng, RngStreams } from '../src/core/rng.js';
import type { Box } from '../src/core/spaces.js';
import type { Env } from '../src/envs/env.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { tunedHyperparams } from '../src/node/train/hyperparams.js';
import { makeObjective, type ObjectiveSpec, type ReferenceSource } from '../src/priors/index.js';
import { NAMED_REFERENCES } from '../src/priors/named.js';
import { createLearner, policyReference } from '../src/agents/learner.js';
import { ReplayBuffer } from '../src/agents/replay.js';
import {
  SAC_DEFAULTS,
  SAC_OBJECTIVE,
  SacContinuous,
  sacActorReference,
  type SacConfig,
} from '../src/agents/sac/continuous.js';

type Impl = SacConfig['impl'];

const REFERENCE_OBJECTIVE: ObjectiveSpec = { prior: 'reference', alpha: 'auto_0.1', targetKl: 1.69 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

interface PriorCase {
  name: string;
  spec: ObjectiveSpec;
  reference?: () => ReferenceSource;
}

/** The priors benched on `envId`: uniform, the named reference, a saved agent (engine-held; via policyReference). */
function priorCases(envId: string, hidden: number[]): PriorCase[] {
  const env = make(envId);
  const [refName, named] = Object.entries(NAMED_REFERENCES[envId])[0];
  // A saved agent: a freshly initialized SAC learner's actor (what `priorlab train` saves in agent.bin).
  const saved = createLearner('sac', {
    makeEnv: () => make(envId),
    objective: makeObjective(SAC_OBJECTIVE, env),
    config: { ...SAC_DEFAULTS, hidden },
    streams: new RngStreams(7),
  });
  const sizes = saved.networkSizes();
  const weights = saved.policyWeights();
  saved.dispose();
  return [
    { name: 'uniform', spec: SAC_OBJECTIVE },
    { name: `reference ${refName}`, spec: REFERENCE_OBJECTIVE, reference: () => named.make(env) },
    {
      name: 'reference saved agent (sacActorReference)',
      spec: REFERENCE_OBJECTIVE,
      reference: () => sacActorReference(sizes.actor, weights.actor, env.actionSpace as Box),
    },
    {
      name: 'reference saved agent (policyReference today)',
      spec: REFERENCE_OBJECTIVE,
      reference: () => policyReference('sac', sizes, weights, {}, env),
    },
  ];
}

/** Env steps per second of the learning phase of one `train --algo sac` learner (`steps` after the warm-up). */
function trainRate(envId: string, cfg: SacConfig, c: PriorCase, steps: number): { rate: number; engine: boolean } {
  const env: Env = make(envId);
  const objective = makeObjective(c.spec, env, c.reference ? { reference: c.reference } : {});
  const learner = createLearner('sac', {
    makeEnv: () => make(envId),
    objective,
    config: { ...cfg, totalSteps: cfg.learningStarts + steps },
    streams: new RngStreams(0),
  });
  const engine = (learner as unknown as { usesEngine: boolean }).usesEngine;
  for (let i = 0; i < cfg.learningStarts; i++) learner.step();
  const t0 = performance.now();
  while (learner.step());
  const rate = steps / ((performance.now() - t0) / 1000);
  learner.dispose();
  objective.dispose();
  return { rate, engine };
}

/** Ms per update of `SacContinuous` for each prior and impl on Pendulum sizes, interleaved blocks, medians. */
function msPerUpdate(
  cases: PriorCase[],
  hidden: number,
  batch: number,
  blocks: number,
  perBlock: Record<Impl, number>,
) {
  const env = make('Pendulum-v1');
  const rng = new Rng('bench');
  const buffer = new ReplayBuffer(10_000, 3, 1);
  for (let i = 0; i < 10_000; i++) {
    buffer.add(
      [rng.normal(), rng.normal(), rng.normal()],
      [rng.uniformRange(-2, 2)],
      -rng.uniform() * 10,
      [rng.normal(), rng.normal(), rng.normal()],
      false,
    );
  }
  const batches = Array.from({ length: perBlock.engine }, () => buffer.sample(batch, rng));
  const agents = cases.flatMap((c) =>
    (['engine', 'autodiff'] as const).map((impl) => {
      const objective = makeObjective(c.spec, env, c.reference ? { reference: c.reference } : {});
      const agent = new SacContinuous(
        { ...SAC_DEFAULTS, hidden: [hidden, hidden], batchSize: batch, impl },
        env,
        objective,
        new Rng('init'),
      );
      return { key: `${c.name}|${impl}`, agent, objective, n: perBlock[impl], times: [] as number[] };
    }),
  );
  for (let blk = -1; blk < blocks; blk++) {
    for (const a of agents) {
      const t0 = performance.now();
      for (let i = 0; i < a.n; i++) a.agent.update(batches[i], rng);
      a.agent.readMetrics(); // waits for the device (tfjs)
      if (blk >= 0) a.times.push((performance.now() - t0) / a.n); // block −1 is warm-up
    }
  }
  const out: Record<string, number> = {};
  for (const a of agents) {
    out[a.key] = median(a.times);
    a.agent.dispose();
    a.objective.dispose();
  }
  return out;
}

export async function bench(): Promise<void> {
  const backend = tf.getBackend() ? tf.getBackend() : await initNodeBackend();
  const rounds = 5;
  const steps = 1500;
  console.log(
    `sac-continuous (backend ${backend}, impl engine) under each prior: env steps/s of the learning phase of ` +
      `\`train --algo sac\` (tuned hyperparameters, ${steps} learning steps after a 1000-step random warm-up), ` +
      `${rounds} interleaved rounds, medians; reference objective ${JSON.stringify(REFERENCE_OBJECTIVE)}; load before: ${load()}`,
  );
  for (const envId of ['Pendulum-v1', 'MountainCarContinuous-v0']) {
    const cfg = {
      ...SAC_DEFAULTS,
      ...(tunedHyperparams('sac', envId) as Partial<SacConfig>),
      learningStarts: 1000,
      evalEvery: 0,
      evalEpisodes: 1,
      checkpointEvery: 0,
    } as SacConfig;
    const cases = priorCases(envId, cfg.hidden);
    const rates: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
    const engines: Record<string, boolean> = {};
    for (let r = 0; r < rounds; r++) {
      for (const c of cases) {
        const { rate, engine } = trainRate(envId, cfg, c, steps);
        rates[c.name].push(rate);
        engines[c.name] = engine;
      }
    }
    const uniform = median(rates.uniform);
    console.log(`  ${envId} (hidden ${cfg.hidden.join('×')}, batch ${cfg.batchSize}):`);
    for (const c of cases) {
      const m = median(rates[c.name]);
      const ratio = m / uniform;
      console.log(
        `    ${c.name.padEnd(46)} ${m.toFixed(0).padStart(5)} env steps/s (rounds ${rates[c.name].map((x) => x.toFixed(0)).join(', ')}; ` +
          `${engines[c.name] ? 'engine' : 'tfjs'})` +
          (c.name === 'uniform'
            ? ''
            : `: ×${ratio.toFixed(2)} of uniform (target ≥ ×0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'})`),
      );
    }
  }
  const cases = priorCases('Pendulum-v1', [64, 64]);
  const perBlock = { engine: 200, autodiff: 10 };
  const ms = msPerUpdate(cases, 64, 64, 9, perBlock);
  console.log(
    `  ms per update, Pendulum-v1 sizes, hidden 64×64, batch 64 (medians of 9 interleaved blocks of ${perBlock.engine} engine / ${perBlock.autodiff} autodiff updates):`,
  );
  for (const c of cases) {
    const e = ms[`${c.name}|engine`];
    const a = ms[`${c.name}|autodiff`];
    console.log(
      `    ${c.name.padEnd(46)} engine ${e.toFixed(3)} ms (×${(e / ms['uniform|engine']).toFixed(2)} of uniform's), ` +
        `tfjs autodiff ${a.toFixed(2)} ms (×${(a / e).toFixed(1)} the engine's)`,
    );
  }
  console.log(`  load after: ${load()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initNodeBackend();
  await bench();
}
