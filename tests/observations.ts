/** Observations for act/load comparisons, shared by the tests. */
import { Rng } from '../src/core/rng.js';
import type { Observation } from '../src/envs/env.js';
import { make } from '../src/envs/registry.js';

/** 100 observations of the env, from seeded random-action episodes. */
export function observations(envId: string): Observation[] {
  const env = make(envId);
  const rng = new Rng(7);
  const out: Observation[] = [];
  let obs = env.reset({ seed: 1 }).obs;
  while (out.length < 100) {
    out.push(obs);
    const r = env.step(env.actionSpace.sample(rng) as never);
    obs = r.terminated || r.truncated ? env.reset({ seed: out.length }).obs : r.obs;
  }
  return out;
}
