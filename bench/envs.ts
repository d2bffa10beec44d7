/**
 * Environment and exact-solver throughput: steps/s of every registered env (one copy, and 8 copies
 * in a SyncVectorEnv), Pendulum's allocation-free `stepRaw` against its 5M steps/s target, and soft
 * value iteration on FrozenLake 8x8.
 */
import { Rng } from '../src/core/rng.js';
import type { Action, Env } from '../src/envs/env.js';
import { make, registeredIds } from '../src/envs/registry.js';
import { Pendulum } from '../src/envs/pendulum.js';
import { makeFrozenLake } from '../src/envs/frozenlake.js';
import { SyncVectorEnv } from '../src/envs/vector.js';
import { softValueIteration } from '../src/agents/exact/index.js';

const PENDULUM_TARGET = 5e6;

/**
 * Steps per second of `fn` (which returns how many steps it took): the best of `windows` windows of
 * `ms` milliseconds each, since the CPU is shared and a single window often measures the neighbours.
 */
function rate(fn: () => number, windows = 5, ms = 100): number {
  let best = 0;
  for (let w = 0; w < windows; w++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      n += fn();
      now = performance.now();
    }
    best = Math.max(best, (n * 1000) / (now - start));
  }
  return best;
}

function actionPool(env: Env, n: number): Action[] {
  const rng = new Rng('bench/actions');
  return Array.from({ length: n }, () => env.actionSpace.sample(rng) as Action);
}

function singleRate(id: string): number {
  const env = make(id);
  const actions = actionPool(env, 1024);
  env.reset({ seed: 0 });
  let i = 0;
  return rate(() => {
    for (let k = 0; k < 1000; k++) {
      const r = env.step(actions[i++ & 1023]);
      if (r.terminated || r.truncated) env.reset();
    }
    return 1000;
  });
}

function vectorRate(id: string, copies = 8): number {
  const venv = new SyncVectorEnv(Array.from({ length: copies }, () => () => make(id)));
  const pool = actionPool(venv.envs[0], 1024);
  venv.reset({ seed: 0 });
  const batch: Action[] = new Array(copies);
  let i = 0;
  return rate(() => {
    for (let k = 0; k < 100; k++) {
      for (let j = 0; j < copies; j++) batch[j] = pool[i++ & 1023];
      venv.step(batch);
    }
    return 100 * copies;
  });
}

export async function bench(): Promise<void> {
  // Measured first, before the other envs make the shared call sites polymorphic.
  const pend = new Pendulum();
  pend.reset({ seed: 0 });
  let sink = 0;
  let t = 0;
  const raw = rate(() => {
    for (let k = 0; k < 10000; k++) sink += pend.stepRaw(((t++ & 63) - 32) * 0.0625);
    return 10000;
  });
  if (!Number.isFinite(sink)) throw new Error('Pendulum stepRaw produced a non-finite reward');
  console.log(
    `envs: Pendulum-v1 stepRaw ${(raw / 1e6).toFixed(2)} M steps/s, ratio to the 5M target ${(raw / PENDULUM_TARGET).toFixed(2)}x`,
  );

  console.log('envs: steps/s with random actions (single env | SyncVectorEnv x8, total env steps/s)');
  for (const id of registeredIds()) {
    const single = singleRate(id);
    const vec = vectorRate(id);
    console.log(
      `  ${id.padEnd(26)} ${(single / 1e6).toFixed(2).padStart(6)} M/s | ${(vec / 1e6).toFixed(2).padStart(6)} M/s`,
    );
  }

  const { model } = makeFrozenLake({ mapName: '8x8' });
  for (const [alpha, gamma] of [
    [0, 0.99],
    [0.1, 0.99],
  ] as const) {
    softValueIteration(model, { alpha, gamma }); // warm-up
    const reps = 20;
    const start = performance.now();
    let iterations = 0;
    for (let k = 0; k < reps; k++) iterations = softValueIteration(model, { alpha, gamma }).iterations;
    const ms = (performance.now() - start) / reps;
    console.log(
      `envs: soft VI FrozenLake 8x8 (alpha=${alpha}, gamma=${gamma}, tol 1e-10): ${ms.toFixed(2)} ms, ${iterations} sweeps`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
