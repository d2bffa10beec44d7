/**
 * `checkEnv(env)`: validates any env against the API contract (after Gymnasium's env checker):
 *  1. spaces are `Discrete`/`Box` with consistent bounds (infinite Box bounds and an un-normalized
 *     action Box are warnings, returned);
 *  2. `reset()` returns `{ obs, info }` with `obs` inside the observation space (right dtype and length);
 *  3. seeded resets reproduce the observation and the env's generator state; different seeds give
 *     different generator states; `reset({ options: {} })` works;
 *  4. `step` returns `{ obs, reward, terminated, truncated, info }` with `obs` in the space, a finite
 *     numeric reward, boolean flags and an object info;
 *  5. the same seed and actions give identical results;
 *  6. bad actions (NaN, wrong length, out-of-range integer) throw; `step` after the episode ended throws;
 *  7. a tabular model is a valid distribution (probabilities ≥ 0 summing to 1, next states in range);
 *  8. `close()` twice is safe.
 * Failures throw `EnvCheckError` naming the env, the index, the expected range and the actual value.
 */
import { Rng } from '../core/rng.js';
import { Box, type Space } from '../core/spaces.js';
import type { Action, Env, Info, Observation, StepResult } from './env.js';
import { isTabular } from './env.js';

/** Thrown by `checkEnv` for a broken env contract; the message names the check. */
export class EnvCheckError extends Error {
  override name = 'EnvCheckError';
}

/** Options of `checkEnv`: the length of its random-action rollouts and their seed. */
export interface CheckEnvOptions {
  /** Steps of the random-action rollouts used for the step and determinism checks. Default 200. */
  steps?: number;
  seed?: number;
}

/** Why `x` is not in `space`, or null when it is. */
function spaceViolation(space: Space, x: unknown): string | null {
  if (space.kind === 'discrete') {
    return space.contains(x) ? null : `expected an integer in [0, ${space.n - 1}], got ${String(x)}`;
  }
  const want = space.dtype === 'float32' ? Float32Array : Float64Array;
  if (!(x instanceof want)) return `expected a ${want.name} of length ${space.dim}, got ${describe(x)}`;
  if (x.length !== space.dim) return `expected length ${space.dim}, got length ${x.length}`;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // Float32 observations are compared with the bound rounded to float32, as NumPy does.
    const lo = space.dtype === 'float32' ? Math.fround(space.low[i]) : space.low[i];
    const hi = space.dtype === 'float32' ? Math.fround(space.high[i]) : space.high[i];
    if (Number.isNaN(v) || v < lo || v > hi)
      return `index ${i}: expected a value in [${space.low[i]}, ${space.high[i]}], got ${v}`;
  }
  return null;
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'object')
    return `${x.constructor?.name ?? 'object'}${'length' in x ? ` of length ${(x as ArrayLike<unknown>).length}` : ''}`;
  return `${typeof x} ${String(x)}`;
}

function sameObs(a: Observation, b: Observation): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function expectThrows(fail: (msg: string) => never, what: string, fn: () => unknown): void {
  let threw = false;
  try {
    fn();
  } catch {
    threw = true;
  }
  if (!threw) fail(`${what} should throw but did not`);
}

interface Rollout {
  obs: Observation[];
  rewards: number[];
  flags: string[];
}

/** Runs the checks above; returns warnings, throws `EnvCheckError` on the first failure. */
export function checkEnv(env: Env, opts: CheckEnvOptions = {}): string[] {
  const { steps = 200, seed = 123 } = opts;
  const warnings: string[] = [];
  const fail = (msg: string): never => {
    throw new EnvCheckError(`checkEnv(${env.id}): ${msg}`);
  };

  // 1. Spaces.
  for (const [name, space] of [
    ['observationSpace', env.observationSpace],
    ['actionSpace', env.actionSpace],
  ] as const) {
    if (!space || (space.kind !== 'discrete' && space.kind !== 'box'))
      fail(`${name} must be a Discrete or Box, got ${describe(space)}`);
    if (space instanceof Box) {
      if (space.low.length !== space.dim || space.high.length !== space.dim)
        fail(`${name} bounds do not match its shape [${space.dim}]`);
      for (let i = 0; i < space.dim; i++) {
        if (!(space.low[i] <= space.high[i])) fail(`${name} index ${i}: low ${space.low[i]} > high ${space.high[i]}`);
        if (!Number.isFinite(space.low[i]) || !Number.isFinite(space.high[i]))
          warnings.push(`${name} index ${i} has an infinite bound`);
      }
    }
  }
  const act = env.actionSpace;
  if (act instanceof Box && act.bounded && !act.low.every((l, i) => l === -act.high[i])) {
    warnings.push(`actionSpace ${act} is not symmetric; agents usually expect [-1, 1] or a symmetric Box`);
  }

  // 2. Reset.
  const r0 = env.reset({ seed });
  if (!r0 || typeof r0 !== 'object' || !('obs' in r0) || typeof r0.info !== 'object' || r0.info === null) {
    fail(`reset() must return { obs, info }, got ${describe(r0)}`);
  }
  const bad0 = spaceViolation(env.observationSpace, r0.obs);
  if (bad0) fail(`reset() observation: ${bad0}`);

  // 3. Seeding.
  const rngState = () => JSON.stringify(env.rng?.getState() ?? null);
  const state0 = rngState();
  const r1 = env.reset({ seed });
  if (!sameObs(r0.obs, r1.obs)) fail(`reset({ seed: ${seed} }) twice gave different observations`);
  if (rngState() !== state0) fail(`reset({ seed: ${seed} }) twice left different generator states`);
  env.reset({ seed: seed + 1 });
  if (env.rng !== undefined && rngState() === state0)
    fail(`reset with seeds ${seed} and ${seed + 1} gave the same generator state`);
  env.reset({ options: {} });

  // 4 + 5. Step results and determinism.
  const rollout = (): Rollout => {
    const actions = new Rng(`${seed}/checkEnv-actions`);
    const out: Rollout = { obs: [env.reset({ seed }).obs], rewards: [], flags: [] };
    for (let t = 0; t < steps; t++) {
      const a = env.actionSpace.sample(actions) as Action;
      const r = env.step(a) as StepResult;
      checkStep(r, t, fail, env);
      out.obs.push(r.obs);
      out.rewards.push(r.reward);
      out.flags.push(`${r.terminated}/${r.truncated}`);
      if (r.terminated || r.truncated) {
        expectThrows(fail, `step() after the episode ended at step ${t} without reset()`, () => env.step(a));
        out.obs.push(env.reset().obs);
      }
    }
    return out;
  };
  const a = rollout();
  const b = rollout();
  for (let t = 0; t < a.rewards.length; t++) {
    if (!sameObs(a.obs[t + 1], b.obs[t + 1]) || !Object.is(a.rewards[t], b.rewards[t]) || a.flags[t] !== b.flags[t]) {
      fail(
        `same seed and actions diverged at step ${t}: reward ${a.rewards[t]} vs ${b.rewards[t]}, flags ${a.flags[t]} vs ${b.flags[t]}`,
      );
    }
  }

  // 6. Bad actions.
  env.reset({ seed });
  if (act.kind === 'discrete') {
    for (const bad of [-1, act.n, 0.5, Number.NaN]) expectThrows(fail, `step(${bad}) with ${act}`, () => env.step(bad));
  } else {
    expectThrows(fail, `step() with a NaN action for ${act}`, () =>
      env.step(new Float32Array(act.dim).fill(Number.NaN)),
    );
    expectThrows(fail, `step() with an action of length ${act.dim + 1} for ${act}`, () =>
      env.step(new Float32Array(act.dim + 1)),
    );
  }

  // 7. Tabular model.
  if (isTabular(env)) checkModel(env.model, env.actionSpace, env.observationSpace, fail);

  // 8. Close twice.
  env.close();
  env.close();
  return warnings;
}

function checkStep(r: StepResult, t: number, fail: (msg: string) => never, env: Env): void {
  if (!r || typeof r !== 'object')
    fail(`step() at step ${t} must return { obs, reward, terminated, truncated, info }, got ${describe(r)}`);
  const bad = spaceViolation(env.observationSpace, r.obs);
  if (bad) fail(`step() observation at step ${t}: ${bad}`);
  if (typeof r.reward !== 'number' || !Number.isFinite(r.reward))
    fail(`step() reward at step ${t} must be a finite number, got ${String(r.reward)}`);
  if (typeof r.terminated !== 'boolean')
    fail(`step() terminated at step ${t} must be a boolean, got ${describe(r.terminated)}`);
  if (typeof r.truncated !== 'boolean')
    fail(`step() truncated at step ${t} must be a boolean, got ${describe(r.truncated)}`);
  const info: Info = r.info;
  if (typeof info !== 'object' || info === null || Array.isArray(info))
    fail(`step() info at step ${t} must be an object, got ${describe(info)}`);
}

function checkModel(
  model: import('./env.js').TabularModel,
  act: Space,
  obs: Space,
  fail: (msg: string) => never,
): void {
  const { nStates: nS, nActions: nA, P, initialDistribution } = model;
  if (obs.kind !== 'discrete' || obs.n !== nS) fail(`model.nStates = ${nS} but observationSpace is ${obs}`);
  if (act.kind !== 'discrete' || act.n !== nA) fail(`model.nActions = ${nA} but actionSpace is ${act}`);
  if (P.length !== nS) fail(`model.P has ${P.length} states, expected ${nS}`);
  for (let s = 0; s < nS; s++) {
    if (P[s].length !== nA) fail(`model.P[${s}] has ${P[s].length} actions, expected ${nA}`);
    for (let a = 0; a < nA; a++) {
      let sum = 0;
      for (const [i, t] of P[s][a].entries()) {
        if (!(t.prob >= 0 && t.prob <= 1))
          fail(`model.P[${s}][${a}][${i}].prob: expected a value in [0, 1], got ${t.prob}`);
        if (!Number.isInteger(t.next) || t.next < 0 || t.next >= nS)
          fail(`model.P[${s}][${a}][${i}].next: expected an integer in [0, ${nS - 1}], got ${t.next}`);
        if (!Number.isFinite(t.reward))
          fail(`model.P[${s}][${a}][${i}].reward: expected a finite number, got ${t.reward}`);
        sum += t.prob;
      }
      if (Math.abs(sum - 1) > 1e-9) fail(`model.P[${s}][${a}] probabilities sum to ${sum}, expected 1`);
    }
  }
  const total = initialDistribution.reduce((x, y) => x + y, 0);
  if (initialDistribution.length !== nS || Math.abs(total - 1) > 1e-9) {
    fail(
      `model.initialDistribution must have ${nS} entries summing to 1, got ${initialDistribution.length} entries summing to ${total}`,
    );
  }
}
