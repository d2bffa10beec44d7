/**
 * `src/nn`: the small, fast network core shared by the agents (SAC, KL-PPO, RSSM).
 *
 *   const critic = new Mlp({ sizes: [obsDim + actDim, 64, 64, 1], ensemble: 2 }, rng); // twin Qs, one op
 *   const opt = new Adam(critic.params, { lr: 3e-4, clipNorm: 10 });
 *   tf.tidy(() => {
 *     const { value: loss, grads } = tf.variableGrads(() => lossOf(critic.apply(x)), critic.params);
 *     opt.step(critic.params.map((v) => grads[v.name]));
 *   });
 *   polyakUpdate(target.params, critic.params, 0.005);
 *
 * - `Mlp`: `apply(x [B,in]) → [B,out]` (or `[K,B,out]` for `ensemble: K`); `apply(x, { frozen: true })`
 *   differentiates w.r.t. the input only; `params` (one flat variable with `impl: 'fused'`, the default);
 *   `getWeights()/setWeights()` as one Float32Array (checkpoints, copying into a target network).
 * - `Adam`: tfjs `adam` semantics over any list of variables, fused per variable, optional global-norm
 *   clipping, `getState()/setState()` for checkpoints (`toJSON()/fromJSON()` as plain arrays).
 * - `polyakUpdate(target, online, τ)`: `target ← τ·online + (1−τ)·target`.
 * Weights are initialized from a seeded `Rng`, never from tfjs's random ops.
 *
 * Fast-path details (see `mlp.ts`): the fused forward/backward call tfjs's `_FusedMatMul` and `BatchMatMul`
 * kernels directly, with explicit transposes (no transpose flags); W/b views and Wᵀ are sliced once per
 * parameter version (a `Variable.assign` invalidates them), so a network must not be re-assigned between
 * a forward pass and its backward pass (within one `tf.variableGrads` call; checked).
 *
 * `engine/` (imported from `src/nn/engine/index.js`, not re-exported here): the whole SAC update, continuous
 * (`SacEngine`) and discrete (`DiscreteSacEngine`), as one WebAssembly call, the same math without tfjs's
 * per-kernel overhead: the SAC agents' fast path. The fused `Mlp` serves KL-PPO, the RSSM and the tfjs
 * fallback of continuous SAC (reference prior).
 */
export { Mlp, type MlpConfig, type Activation, type MlpImpl } from './mlp.js';
export { initialWeights } from './init.js';
export { Adam, type AdamConfig, type AdamJson, type AdamState } from './adam.js';
export { polyakUpdate } from './polyak.js';
