/**
 * Generalized advantage estimation (Schulman et al. 2016) over a `[numSteps, numEnvs]` rollout stored
 * row-major (index `t * numEnvs + e`), with Gymnasium's two kinds of episode end:
 *
 *   δ_t = r_t + γ (1 − terminated_t) V(s'_t) − V(s_t)
 *   A_t = δ_t + γ λ (1 − done_t) A_{t+1},      done_t = terminated_t ∨ truncated_t
 *   R_t = A_t + V(s_t)                            (the value target)
 *
 * `nextValues[i]` is V of the observation that followed step i: the next step's value inside an
 * episode, the true final observation's value on truncation (so a time limit still bootstraps),
 * anything on termination (it is multiplied by 0).
 */
export interface GaeInput {
  rewards: ArrayLike<number>;
  values: ArrayLike<number>;
  nextValues: ArrayLike<number>;
  terminated: ArrayLike<boolean | number>;
  truncated: ArrayLike<boolean | number>;
  numSteps: number;
  numEnvs: number;
  gamma: number;
  lambda: number;
}

export interface GaeOutput {
  advantages: Float32Array;
  returns: Float32Array;
}

export function computeGae(inp: GaeInput): GaeOutput {
  const { numSteps, numEnvs, gamma, lambda } = inp;
  const n = numSteps * numEnvs;
  for (const field of ['rewards', 'values', 'nextValues', 'terminated', 'truncated'] as const) {
    if (inp[field].length !== n) {
      throw new RangeError(`computeGae: ${field} has length ${inp[field].length}, expected numSteps*numEnvs = ${n}`);
    }
  }
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`computeGae: gamma = ${gamma}, allowed [0, 1]`);
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`computeGae: lambda = ${lambda}, allowed [0, 1]`);
  const advantages = new Float32Array(n);
  const returns = new Float32Array(n);
  for (let e = 0; e < numEnvs; e++) {
    let next = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const i = t * numEnvs + e;
      const term = inp.terminated[i] ? 1 : 0;
      const done = term || inp.truncated[i] ? 1 : 0;
      const delta = inp.rewards[i] + gamma * (1 - term) * inp.nextValues[i] - inp.values[i];
      next = delta + gamma * lambda * (1 - done) * next;
      advantages[i] = next;
      returns[i] = next + inp.values[i];
    }
  }
  return { advantages, returns };
}
