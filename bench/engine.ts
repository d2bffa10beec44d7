/**
 * The wasm SAC engine (src/nn/engine) against tfjs: milliseconds per continuous-SAC update (twin critics,
 * actor, auto α, Polyak; Pendulum sizes obs 3, act 1) for `SacContinuous` on the engine (`impl: 'engine'`)
 * and on tfjs autodiff (`impl: 'autodiff'`), at (hidden 64, batch 64), (64, 128) and (256, 256), interleaved
 * in blocks so other processes' load hits both alike; medians, ratios and the machine load (`os.loadavg()`)
 * before and after. The fused tfjs SAC path was removed when the engine replaced it: its figures, and
 * PyTorch's (issue 15), are recorded measurements printed beside them, not re-measured here. Issue 15's
 * targets: engine ≥ 3× faster than fused at (64, 64), ≥ 2.5× at (256, 256).
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { Rng, RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/index.js';
import { ReplayBuffer } from '../src/agents/replay.js';
import { SAC_DEFAULTS, SAC_OBJECTIVE, SacContinuous, type SacConfig } from '../src/agents/sac/continuous.js';
import { DiscreteSacAgent } from '../src/agents/sac/discrete.js';
import type { TabularEnv } from '../src/envs/env.js';
import { twoRouteReference } from '../src/envs/tworoute.js';

/** Issue 15 (filed 2026-11, this 2-core machine): PyTorch 1.13 + OpenBLAS, one thread, ms per update (range of medians). */
const PYTORCH_MS: Record<string, string> = { '64,64': '2.6', '64,128': '3.3–5.2', '256,256': '25–31' };
/** The removed fused tfjs SAC path, ms per update: issue 15's ranges (2026-11, this 2-core machine, medians of interleaved runs). */
const FUSED_MS: Record<string, { lo: number; hi: number }> = {
  '64,64': { lo: 5.5, hi: 8.2 },
  '64,128': { lo: 5.7, hi: 7.1 },
  '256,256': { lo: 55, hi: 83 },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function timeOne(hidden: number, batch: number, blocks: number, perBlock: number) {
  const env = make('Pendulum-v1');
  const streams = new RngStreams(0);
  const rng = streams.get('bench');
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
  const agent = (impl: SacConfig['impl']) =>
    new SacContinuous(
      { ...SAC_DEFAULTS, hidden: [hidden, hidden], batchSize: batch, impl },
      env,
      makeObjective(SAC_OBJECTIVE, env),
      new Rng('init'),
    );
  const agents = { engine: agent('engine'), autodiff: agent('autodiff') };
  const batches = Array.from({ length: perBlock }, () => buffer.sample(batch, rng));
  const times: Record<string, number[]> = { engine: [], autodiff: [] };
  for (let blk = -1; blk < blocks; blk++) {
    for (const [name, a] of Object.entries(agents)) {
      const t0 = performance.now();
      for (const b of batches) a.update(b, rng);
      a.readMetrics(); // waits for the device (tfjs)
      if (blk >= 0) times[name].push((performance.now() - t0) / perBlock); // block −1 is warm-up
    }
  }
  for (const a of Object.values(agents)) a.dispose();
  return { engine: median(times.engine), autodiff: median(times.autodiff) };
}

/** Discrete SAC on TwoRoute-v0 (one-hot states, 4 actions, reference prior): the agent on the engine vs tfjs autodiff. */
async function timeDiscrete(hidden: number[], batch: number, blocks: number, perBlock: number) {
  const env = make('TwoRoute-v0') as unknown as TabularEnv;
  const objective = () =>
    makeObjective({ prior: 'reference', alpha: 'auto_0.2', targetKl: 0.1 }, env, {
      reference: () => ({ table: twoRouteReference(env) }),
    });
  const agents = {
    engine: new DiscreteSacAgent(env, objective(), { seed: 1, hidden, batchSize: batch, impl: 'engine' }),
    tfjs: new DiscreteSacAgent(env, objective(), { seed: 1, hidden, batchSize: batch, impl: 'autodiff' }),
  };
  const nS = env.model.nStates;
  const rng = new Rng('discrete');
  const batches = Array.from({ length: perBlock }, () => {
    const obs = new Float32Array(batch * nS);
    const nextObs = new Float32Array(batch * nS);
    for (let b = 0; b < batch; b++) {
      obs[b * nS + rng.integer(nS)] = 1;
      nextObs[b * nS + rng.integer(nS)] = 1;
    }
    const action = Int32Array.from({ length: batch }, () => rng.integer(4));
    return {
      batchSize: batch,
      obs,
      nextObs,
      action,
      reward: Float32Array.from({ length: batch }, () => -rng.uniform()),
      terminated: new Float32Array(batch),
    };
  });
  const times: Record<string, number[]> = { engine: [], tfjs: [] };
  for (let blk = -1; blk < blocks; blk++) {
    for (const [name, a] of Object.entries(agents)) {
      const t0 = performance.now();
      // Both include the prior's log p of the batch (one small tfjs call on the engine path).
      for (const b of batches) a.updateFrom(b);
      a.readMetrics(); // waits for the device (tfjs)
      if (blk >= 0) times[name].push((performance.now() - t0) / perBlock);
    }
  }
  for (const a of Object.values(agents)) a.dispose();
  return { engine: median(times.engine), tfjs: median(times.tfjs) };
}

export async function bench(): Promise<void> {
  const backend = tf.getBackend() ? tf.getBackend() : await initNodeBackend();
  console.log(
    `sac engine (wasm SIMD) vs tfjs autodiff (backend ${backend}): ms per update, medians of interleaved blocks; load before: ${load()}`,
  );
  for (const [hidden, batch, blocks, perBlock, target] of [
    [64, 64, 9, 20, 3],
    [64, 128, 9, 20, 0],
    [256, 256, 5, 4, 2.5],
  ]) {
    const ms = await timeOne(hidden, batch, blocks, perBlock);
    const key = `${hidden},${batch}`;
    const fused = FUSED_MS[key];
    const [lo, hi] = [fused.lo / ms.engine, fused.hi / ms.engine];
    console.log(
      `  hidden ${hidden}×${hidden}, batch ${batch}: engine ${ms.engine.toFixed(3)} ms, tfjs autodiff ${ms.autodiff.toFixed(2)} ms ` +
        `(×${(ms.autodiff / ms.engine).toFixed(1)}); recorded tfjs fused ${fused.lo}–${fused.hi} ms: engine ×${lo.toFixed(1)}–${hi.toFixed(1)} faster` +
        (target > 0
          ? ` (target ≥ ×${target}: ${lo >= target ? 'met' : hi >= target ? "met at the range's top only" : 'NOT met'})`
          : '') +
        `; PyTorch ${PYTORCH_MS[key]} ms (issue 15, 2026-11, this 2-core machine, not re-measured)`,
    );
  }
  for (const [hidden, batch] of [
    [[] as number[], 128],
    [[64, 64], 64],
  ] as const) {
    const ms = await timeDiscrete([...hidden], batch, 9, 20);
    console.log(
      `  discrete SAC, TwoRoute-v0 (one-hot, 4 actions, reference prior), hidden [${hidden.join(', ')}], batch ${batch}: ` +
        `engine ${ms.engine.toFixed(3)} ms, tfjs autodiff ${ms.tfjs.toFixed(2)} ms per update: ×${(ms.tfjs / ms.engine).toFixed(1)}`,
    );
  }
  console.log(`  load after: ${load()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initNodeBackend();
  await bench();
}
