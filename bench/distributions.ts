/**
 * Distributions on each Node backend: the SAC actor's sampling path (TanhGaussian reparameterized
 * sample + log-prob and its gradient in (mean, logStd)) at batch 256, action dim 6. Prints ms per call
 * per backend and the ratio to `cpu`, so the backend choice for small-batch RL is a measured one.
 */
import * as tf from '@tensorflow/tfjs';
import { TanhGaussian, standardNormal } from '../src/core/distributions.js';
import { Rng } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';

const BATCH = 256;
const DIM = 6;
const WARMUP = 20;
const CALLS = 200;

function step(rng: Rng, mean: tf.Tensor, logStd: tf.Tensor): void {
  tf.tidy(() => {
    const eps = standardNormal(rng, [BATCH, DIM]);
    const loss = (m: tf.Tensor, l: tf.Tensor) =>
      tf.mean(
        new TanhGaussian(m, l, { low: new Array(DIM).fill(-2), high: new Array(DIM).fill(2) }).rsampleWithLogProb(eps)
          .logProb,
      );
    const grads = tf.grads(loss)([mean, logStd]);
    grads[0].dataSync(); // force the computation, as one read-back per update would
  });
}

async function msPerCall(backend: string): Promise<number> {
  const active = await initNodeBackend(backend);
  if (active !== backend) throw new Error(`bench/distributions: wanted backend ${backend}, got ${active}`);
  const rng = new Rng('bench');
  const [mean, logStd] = tf.tidy(() => [standardNormal(rng, [BATCH, DIM]), tf.fill([BATCH, DIM], -0.5)]);
  for (let i = 0; i < WARMUP; i++) step(rng, mean, logStd);
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) step(rng, mean, logStd);
  const ms = (performance.now() - t0) / CALLS;
  tf.dispose([mean, logStd]);
  return ms;
}

export async function bench(): Promise<void> {
  const cpu = await msPerCall('cpu');
  const wasm = await msPerCall('wasm');
  console.log(`distributions: TanhGaussian rsample+logProb+grad, batch ${BATCH}×${DIM}`);
  console.log(`  cpu  ${cpu.toFixed(3)} ms/call`);
  console.log(`  wasm ${wasm.toFixed(3)} ms/call   (cpu/wasm = ${(cpu / wasm).toFixed(2)}×)`);
}
