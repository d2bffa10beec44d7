/**
 * The dreamer agent's two updates on both paths, interleaved in one run (the ratios are what to compare; the
 * load is printed): milliseconds per world-model ELBO step (batch 16 × length 32, deter 64, stoch 8, hidden
 * 64) on the host tape (`TapeRssm`) and on tfjs (`Rssm`, the active backend), and per imagination step
 * (64 starts × horizon 15, the actor's loss and gradient) on the tape (`DreamerAgent.imagination`) and on
 * tfjs autodiff (`imaginationAutodiff`). PendulumNoVel-v1 random-policy data.
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { imaginationAutodiff } from '../src/agents/dreamer/autodiff.js';
import { DreamerAgent, DREAMER_SCHEMA } from '../src/agents/dreamer/dreamer.js';
import { Rng } from '../src/core/rng.js';
import type { Box } from '../src/core/spaces.js';
import { make } from '../src/envs/registry.js';
import { buildObjective } from '../src/node/train/setup.js';
import { Rssm } from '../src/worldmodel/rssm.js';
import { collectEpisodes, randomPolicy, SequenceReplayBuffer } from '../src/worldmodel/sequences.js';
import { TapeRssm } from '../src/worldmodel/tape-rssm.js';

const ROUNDS = 4;
const STEPS = 5;

/** Mean milliseconds of `f` over `STEPS` calls. */
function time(f: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) f();
  return (performance.now() - t0) / STEPS;
}

export async function bench(): Promise<void> {
  const env = make('PendulumNoVel-v1');
  const buffer = new SequenceReplayBuffer(100_000);
  const data = { episodes: 10, maxSteps: 200, seed: 1, rng: new Rng('bench/collect') };
  for (const ep of collectEpisodes(env, randomPolicy(env), data)) buffer.add(ep);
  const cfg = DREAMER_SCHEMA.defaults;
  const dims = { obsDim: 2, actDim: 1 };
  const model = { deterDim: cfg.deterDim, stochDim: cfg.stochDim, hiddenDim: cfg.hiddenDim };
  const tape = new TapeRssm(dims, model, new Rng('bench/init'));
  const ref = new Rssm(dims, model, new Rng('bench/init'));
  const objective = buildObjective({ prior: 'uniform', alpha: 0.05 }, env);
  const agent = new DreamerAgent(dims, env.actionSpace as Box, cfg, objective, new Rng('bench/agent'));
  const rng = new Rng('bench/train');
  const N = cfg.imagineStarts;
  const starts = (w: number) => Float32Array.from({ length: N * w }, () => 0.5 * rng.normal());
  const [h0, z0] = [starts(cfg.deterDim), starts(cfg.stochDim)];
  const batch = () => buffer.sample(cfg.batchSize, cfg.seqLen, rng);
  const runs = {
    'world model, tape': () => tape.trainStep(batch(), rng),
    'world model, tfjs': () => {
      const t = ref.trainStep(batch(), rng);
      t.elbo.dataSync();
      tf.dispose([t.elbo, t.recon, t.reward, t.kl]);
    },
    'imagination, tape': () => agent.imagination(h0, z0, N, rng, () => 100),
    'imagination, tfjs': () => imaginationAutodiff(agent, h0, z0, N, rng, 100),
  };
  for (const f of Object.values(runs)) f(); // warm-up
  const ms: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const loadBefore = loadavg()[0];
  for (let r = 0; r < ROUNDS; r++) for (const [k, f] of Object.entries(runs)) ms[k].push(time(f));
  const mean = (k: string) => ms[k].reduce((a, b) => a + b, 0) / ms[k].length;
  console.log(
    `backend ${tf.getBackend()}, load ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} (1-min average, 2 cores)`,
  );
  console.log(
    `batch ${cfg.batchSize}×${cfg.seqLen}, ${N} starts × horizon ${cfg.horizon}, ${ROUNDS}×${STEPS} steps each, interleaved`,
  );
  for (const what of ['world model', 'imagination']) {
    const [a, b] = [mean(`${what}, tape`), mean(`${what}, tfjs`)];
    console.log(
      `${what.padEnd(12)} tape ${a.toFixed(1).padStart(7)} ms   tfjs ${b.toFixed(1).padStart(7)} ms   tape/tfjs ${(a / b).toFixed(2)}`,
    );
  }
  ref.dispose();
  objective.dispose();
}
