/**
 * The same `engine.wasm` in Chromium (served by the app's Vite dev server, loaded by `loadSacEngine`'s
 * fetch path) and in Node: the same weights, batches and noise give bit-identical results.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import * as engineApi from '../src/nn/engine/index.js';
import { useVizSession } from './vizSession.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const viz = useVizSession('engine');

/** Runs in Node and, serialized, in the page: 5 updates and a sampled act from fixed seeds; returns everything. */
async function scenario(api: typeof engineApi, RngClass: typeof Rng) {
  const engine = new api.SacEngine(await api.loadSacEngine(), {
    obsDim: 3,
    actDim: 1,
    hidden: [12, 8],
    low: [-2],
    high: [2],
    gamma: 0.99,
    tau: 0.005,
    actorLr: 1e-3,
    criticLr: 1e-3,
    alphaLr: 1e-3,
    clipNorm: 0,
    alpha: 1,
    targetKl: 1 + Math.log(4),
  });
  const rng = new RngClass(11);
  engine.initWeights(rng);
  const B = 6;
  const vec = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const metrics = [];
  for (let k = 0; k < 5; k++) {
    const batch = {
      batchSize: B,
      obs: vec(3 * B, () => rng.normal()),
      action: vec(B, () => rng.uniformRange(-2, 2)),
      reward: vec(B, () => -rng.uniform()),
      nextObs: vec(3 * B, () => rng.normal()),
      terminated: vec(B, () => 0),
    };
    metrics.push(engine.update(batch, engine.drawNoise(B, rng)));
  }
  const s = engine.getState();
  const action = engine.act(
    vec(9, () => rng.normal()),
    { deterministic: false, eps: vec(3, () => rng.normal()) },
  );
  engine.dispose();
  return {
    metrics,
    actor: Array.from(s.actor),
    critic: Array.from(s.critic),
    logAlpha: s.logAlpha,
    action: Array.from(action),
  };
}

it('engine.wasm runs in Chromium through Vite and matches Node bit for bit', async () => {
  const inNode = await scenario(engineApi, Rng);
  const page = await viz.session.browser.newPage();
  page.on('pageerror', (e) => viz.errors.push(e.message));
  await page.goto(viz.session.url);
  // A string, not a function: vitest rewrites `import()` inside test code. Vite serves any file under the
  // repo at /@fs/<absolute path> (the app's server.fs.allow).
  const inPage = await page.evaluate(`(async () => {
    const api = await import('/@fs${repo}/src/nn/engine/index.ts');
    const { Rng } = await import('/@fs${repo}/src/core/rng.ts');
    return (${scenario.toString()})(api, Rng);
  })()`);
  expect(viz.errors).toEqual([]);
  expect(inPage).toEqual(inNode);
  expect(inNode.metrics[4].criticLoss).toBeGreaterThan(0);
  await page.close();
}, 180_000);
