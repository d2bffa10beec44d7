/**
 * RSSM training speed: milliseconds per ELBO gradient step at batch 16 × sequence length 32 (default model:
 * deter 64, stoch 8, hidden 64) on PendulumNoVel-v1 random-policy data, per Node backend, with the ratio
 * to `wasm`. Each step reads the loss back once (as a log step would), so queued work is included.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { Rssm } from '../src/worldmodel/rssm.js';
import { collectEpisodes, randomPolicy, SequenceReplayBuffer } from '../src/worldmodel/sequences.js';

const BATCH = 16;
const SEQ_LEN = 32;
const WARMUP = 5;
const STEPS = 30;

async function msPerStep(backend: string, buffer: SequenceReplayBuffer): Promise<number> {
  const active = await initNodeBackend(backend);
  if (active !== backend) throw new Error(`bench/rssm: wanted backend ${backend}, got ${active}`);
  const model = new Rssm({ obsDim: 2, actDim: 1 }, {}, new Rng('bench/init'));
  const rng = new Rng('bench/train');
  const step = () => {
    const t = model.trainStep(buffer.sample(BATCH, SEQ_LEN, rng), rng);
    t.elbo.dataSync();
    tf.dispose([t.elbo, t.recon, t.reward, t.kl]);
  };
  for (let i = 0; i < WARMUP; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  const ms = (performance.now() - t0) / STEPS;
  model.dispose();
  return ms;
}

export async function bench(): Promise<void> {
  const env = make('PendulumNoVel-v1');
  const buffer = new SequenceReplayBuffer(100_000);
  collectEpisodes(env, randomPolicy(env), {
    episodes: 10,
    maxSteps: 200,
    seed: 0,
    rng: new Rng('bench/policy'),
  }).forEach((e) => buffer.add(e));
  const wasm = await msPerStep('wasm', buffer);
  const cpu = await msPerStep('cpu', buffer);
  console.log(
    `rssm: ms per training step (batch ${BATCH} × length ${SEQ_LEN}): wasm ${wasm.toFixed(1)}, cpu ${cpu.toFixed(1)} (cpu/wasm ${(cpu / wasm).toFixed(2)}×)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
