// The SAC engine: small-MLP SAC updates compiled to WebAssembly with SIMD (AssemblyScript).
//
// One instance holds one agent. Everything lives in this instance's linear memory, laid out by `configure`
// (continuous) or `configureDiscrete`: actor and twin-critic parameters with their Adam moments, the target
// critics, the temperature, and a scratch region sized for the largest batch seen so far.
// - `update` runs one whole continuous gradient step (critics, actor, temperature, Polyak) as
//   `SacContinuous.update` does it on tfjs (src/agents/sac/continuous.ts); `act` samples (or takes the mean
//   of) the policy for a batch of observations. Sampling noise comes in from the JS side (the seeded
//   streams), so every result is a function of the seed.
// - `updateDiscrete` runs one discrete step as `DiscreteSacAgent.update` (src/agents/sac/discrete.ts), every
//   expectation over actions exact, the prior's log-probabilities passed in with the batch; `probs` gives π(·|s).
// - The continuous prior (`configureReference`): the uniform density over the Box (a constant log p), or a
//   reference Gaussian N(μ_ref(s), σ_ref(s)²), raw or tanh-squashed to the Box, whose μ_ref and log σ_ref come
//   in with each batch (host-computed, for s and s′) or from a frozen SAC actor held here (`refLogProb`).
//
// Parameter layout (the flat layout of src/nn/mlp.ts): for each copy k, for each layer l: W (in × out,
// row-major) then b (out). Hidden layers are ReLU (or tanh, discrete), the output layer is linear.
// Arrays are padded to a multiple of 4 floats (zeros) so element-wise loops run on whole f32x4 vectors.

import { gradInput, gradParams, matmul } from './dense';

// ---- configuration (set once by `configure` / `configureDiscrete`) ----
const MAX_HIDDEN = 16;
const HIDDEN = memory.data(4 * MAX_HIDDEN, 16); // hidden widths, written by JS before `configure`
const ACT_SIZES = memory.data(4 * (MAX_HIDDEN + 2), 16);
const CRIT_SIZES = memory.data(4 * (MAX_HIDDEN + 2), 16);
const METRICS = memory.data(4 * 8, 16); // continuous: criticLoss, q, actorLoss, kl, entropy, alpha; discrete: see updateDiscrete
const INPUTS = memory.data(4 * 16, 16); // scratch pointers, see `inputPtrs`
const REF_SIZES = memory.data(4 * (MAX_HIDDEN + 2), 16); // the frozen reference actor's widths, written by JS
const SCALARS = memory.data(8 * 7, 16); // scalar state, see `getScalars`

let obsDim = 0;
let actDim = 0;
let nLayers = 0; // layers per network (hidden + 1)
let maxWidth = 0;
let actorCopy = 0; // floats per actor (one copy)
let criticCopy = 0; // floats per critic copy (two copies)
let gamma: f32 = 0;
let tau: f32 = 0;
let oneMinusTau: f32 = 0;
let actorLr: f64 = 0;
let criticLr: f64 = 0;
let alphaLr: f64 = 0;
let beta1: f64 = 0;
let beta2: f64 = 0;
let epsilon: f64 = 0;
let clipNorm: f32 = 0;
let fixedAlpha: f32 = 0;
let autoAlpha = false;
let targetKl: f32 = 0;
let logPrior: f32 = 0; // log p(a|s): constant for the uniform prior, 0 for none
let logHalfRangeSum: f32 = 0;
// continuous reference prior (see `configureReference`)
let refKind = 0; // 0: uniform (log p = logPrior); 1: Gaussian, μ_ref/log σ_ref passed in; 2: from the frozen actor at refP
let refSquash = false; // log p of the tanh-squashed Gaussian (with its Jacobian), else of the raw Gaussian
let refLayers = 0; // layers of the frozen actor (kind 2)
let refP: usize = 0;
// discrete only
let tanhHidden = false; // hidden activation tanh (else ReLU)
let greedy = false; // α ≡ 0 with atZeroAlpha 'greedy': max backup and greedy (cross-entropy) improvement step
let targetUpdateEvery = 1;
let gradSteps = 0;

// ---- state ----
let logAlpha: f32 = 0;
let alphaM: f32 = 0;
let alphaV: f32 = 0;
let actorT = 0;
let criticT = 0;
let alphaT = 0;

// ---- persistent arrays (byte pointers) ----
let bounds: usize = 0; // center [actDim] then halfRange [actDim]
let actorP: usize = 0;
let actorM: usize = 0;
let actorV: usize = 0;
let actorG: usize = 0;
let criticP: usize = 0;
let criticM: usize = 0;
let criticV: usize = 0;
let criticG: usize = 0;
let targetP: usize = 0;
let scratchBase: usize = 0;

// ---- scratch (per batch capacity) ----
let capacity = 0;
let inObs: usize = 0;
let inAction: usize = 0;
let inReward: usize = 0;
let inNextObs: usize = 0;
let inTerminated: usize = 0;
let inEpsNext: usize = 0;
let inEpsActor: usize = 0;
let outAction: usize = 0;
let inLogPNext: usize = 0; // [B, n] log p(·|s') (discrete)
let inLogP: usize = 0; // [B, n] log p(·|s) (discrete)
let minQ: usize = 0; // [B, n] (discrete)
let gq0: usize = 0; // [B, n] ∂L/∂Q_k (discrete)
let gq1: usize = 0;
let logPiAll: usize = 0; // [B, n] log π(·|s) (discrete)
let actH: usize = 0; // actor activations, all layers
let critH0: usize = 0; // critic copy 0 activations
let critH1: usize = 0; // critic copy 1 activations
let sa: usize = 0; // [B, obs + act] critic input
let dSa: usize = 0; // [B, obs + act] gradient w.r.t. the critic input
let gradA: usize = 0; // [B, 2·act] gradient w.r.t. the actor output
let bufA: usize = 0; // [B, maxWidth] backward ping-pong
let bufB: usize = 0;
let q0: usize = 0; // [B] per-sample vectors
let q1: usize = 0;
let yTarget: usize = 0;
let logPi: usize = 0;
let preTanh: usize = 0; // [B, act] u
let logStd: usize = 0; // [B, act]
let xT: usize = 0; // [maxWidth, B] a layer input, transposed
let inRefMean: usize = 0; // [B, act] μ_ref(s), then log σ_ref(s); the same for s′
let inRefLogStd: usize = 0;
let inRefMeanNext: usize = 0;
let inRefLogStdNext: usize = 0;
let logPRef: usize = 0; // [B] log p(a|s) of the last `refLogProb`
let gradRef: usize = 0; // [B, act] ∂log p/∂a of the last `refLogProb`
let refH: usize = 0; // the frozen actor's activations
let wT: usize = 0; // [out, in] a weight matrix, transposed (the largest layer)

const LOG_STD_MIN: f32 = -5;
const LOG_STD_MAX: f32 = 2;
const LOG_STD_MID: f32 = 0.5 * (LOG_STD_MAX + LOG_STD_MIN);
const LOG_STD_HALF: f32 = 0.5 * (LOG_STD_MAX - LOG_STD_MIN);
const LOG_2: f32 = <f32>Math.LN2;
const HALF_LOG_2PI: f32 = <f32>(0.5 * Math.log(2 * Math.PI));

// ---- memory ----
let top: usize = 0;

function pad4(n: i32): i32 {
  return (n + 3) & ~3;
}

/** Reserves `floats` zeroed f32s (padded to a multiple of 4) at the top of memory, growing it as needed. */
function alloc(floats: i32): usize {
  const ptr = top;
  top += <usize>pad4(floats) << 2;
  const pages = <i32>((top + 0xffff) >> 16);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) unreachable();
  memory.fill(ptr, 0, top - ptr);
  return ptr;
}

/** Layers of the network a sizes table describes (the frozen reference actor has its own). */
@inline function layersOf(sizes: usize): i32 {
  return sizes == REF_SIZES ? refLayers : nLayers;
}

function netSize(sizes: usize): i32 {
  let n = 0;
  for (let l = 0; l < layersOf(sizes); l++) n += (load<i32>(sizes + (<usize>l << 2)) + 1) * load<i32>(sizes + (<usize>(l + 1) << 2));
  return n;
}

/** The hyperparameters both variants share (see `configure` / `configureDiscrete`). */
function setCommon(gamma_: f32, tau_: f32, actorLr_: f64, criticLr_: f64, alphaLr_: f64, beta1_: f64, beta2_: f64, epsilon_: f64, clip_: f32): void {
  gamma = gamma_;
  tau = tau_;
  oneMinusTau = <f32>(1 - <f64>tau_);
  actorLr = actorLr_;
  criticLr = criticLr_;
  alphaLr = alphaLr_;
  beta1 = beta1_;
  beta2 = beta2_;
  epsilon = epsilon_;
  clipNorm = clip_;
}

/**
 * Lays out memory (parameters zero: JS writes them) for an actor [obs, ...hidden, actorOut] and twin critics
 * [criticIn, ...hidden, criticOut]; `act` sizes the per-sample action buffers. Call once.
 */
function layout(obs: i32, act: i32, nHidden: i32, actorOut: i32, criticIn: i32, criticOut: i32): void {
  if (top != 0 || nHidden < 0 || nHidden > MAX_HIDDEN) unreachable();
  obsDim = obs;
  actDim = act;
  nLayers = nHidden + 1;
  store<i32>(ACT_SIZES, obs);
  store<i32>(CRIT_SIZES, criticIn);
  maxWidth = max(max(obs + act, 2 * act), max(criticIn, max(actorOut, criticOut)));
  for (let l = 0; l < nHidden; l++) {
    const h = load<i32>(HIDDEN + (<usize>l << 2));
    store<i32>(ACT_SIZES + (<usize>(l + 1) << 2), h);
    store<i32>(CRIT_SIZES + (<usize>(l + 1) << 2), h);
    maxWidth = max(maxWidth, h);
  }
  store<i32>(ACT_SIZES + (<usize>nLayers << 2), actorOut);
  store<i32>(CRIT_SIZES + (<usize>nLayers << 2), criticOut);

  top = (__heap_base + 15) & ~15;
  actorCopy = netSize(ACT_SIZES);
  criticCopy = netSize(CRIT_SIZES);
  bounds = alloc(2 * act);
  actorP = alloc(actorCopy);
  actorM = alloc(actorCopy);
  actorV = alloc(actorCopy);
  actorG = alloc(actorCopy);
  criticP = alloc(2 * criticCopy);
  criticM = alloc(2 * criticCopy);
  criticV = alloc(2 * criticCopy);
  criticG = alloc(2 * criticCopy);
  targetP = alloc(2 * criticCopy);
  let largest = 0;
  for (let l = 0; l < nLayers; l++) {
    largest = max(largest, width(ACT_SIZES, l) * width(ACT_SIZES, l + 1));
    largest = max(largest, width(CRIT_SIZES, l) * width(CRIT_SIZES, l + 1));
  }
  wT = alloc(largest);
  scratchBase = top;
}

/** Continuous SAC: actor [obs, ...hidden, 2·act] (μ | r), critics [obs + act, ...hidden, 1], ReLU. */
export function configure(
  obs: i32,
  act: i32,
  nHidden: i32,
  gamma_: f32,
  tau_: f32,
  actorLr_: f64,
  criticLr_: f64,
  alphaLr_: f64,
  beta1_: f64,
  beta2_: f64,
  epsilon_: f64,
  clip_: f32,
  alpha_: f32,
  autoAlpha_: bool,
  targetKl_: f32,
  logPrior_: f32,
  logHalfRangeSum_: f32,
): void {
  if (nHidden < 1) unreachable();
  layout(obs, act, nHidden, 2 * act, obs + act, 1);
  setCommon(gamma_, tau_, actorLr_, criticLr_, alphaLr_, beta1_, beta2_, epsilon_, clip_);
  fixedAlpha = alpha_;
  autoAlpha = autoAlpha_;
  targetKl = targetKl_;
  logPrior = logPrior_;
  logHalfRangeSum = logHalfRangeSum_;
  logAlpha = <f32>Math.log(max<f64>(<f64>alpha_, f64.MIN_VALUE));
}

/**
 * Continuous SAC's reference prior, after `configure` and before the first `reserve`: `kind` 1 takes
 * μ_ref, log σ_ref per row with each batch (refMean/refLogStd for s, refMeanNext/refLogStdNext for s′);
 * `kind` 2 computes them with a frozen SAC actor [obs, ...nHidden widths at REF_SIZES (written by JS), 2·act]
 * whose parameters JS writes at `refActorPtr()` (its output [μ | r], log σ = mid + half·tanh(r), as the
 * learner's). `squash`: p is the tanh-squashed Gaussian over the Box (kind 2 always is). Kind 0 = uniform.
 */
export function configureReference(kind: i32, squash: bool, nHidden: i32): void {
  if (top == 0 || capacity != 0 || kind < 0 || kind > 2 || (kind == 2 && (nHidden < 1 || nHidden > MAX_HIDDEN))) unreachable();
  refKind = kind;
  refSquash = squash;
  if (kind == 2) {
    refLayers = nHidden + 1;
    top = scratchBase;
    refP = alloc(netSize(REF_SIZES));
    scratchBase = top;
  }
}

/**
 * Discrete SAC: actor [obs, ...hidden, n] (logits), critics [obs, ...hidden, n] (Q for every action);
 * hidden ReLU or tanh, none at all for tabular (linear) nets. α = exp(log α) (α = 0 is log α = log(MIN_VALUE), exactly 0 in float32).
 */
export function configureDiscrete(
  obs: i32,
  nActions: i32,
  nHidden: i32,
  tanh_: bool,
  gamma_: f32,
  tau_: f32,
  actorLr_: f64,
  criticLr_: f64,
  alphaLr_: f64,
  beta1_: f64,
  beta2_: f64,
  epsilon_: f64,
  clip_: f32,
  alpha_: f32,
  tunesAlpha_: bool,
  greedy_: bool,
  klTarget_: f32,
  targetUpdateEvery_: i32,
): void {
  layout(obs, nActions, nHidden, nActions, obs, nActions);
  setCommon(gamma_, tau_, actorLr_, criticLr_, alphaLr_, beta1_, beta2_, epsilon_, clip_);
  tanhHidden = tanh_;
  autoAlpha = tunesAlpha_;
  greedy = greedy_;
  targetKl = klTarget_;
  targetUpdateEvery = targetUpdateEvery_;
  logAlpha = <f32>Math.log(max<f64>(<f64>alpha_, f64.MIN_VALUE));
}

function activations(sizes: usize, batch: i32): i32 {
  let n = 0;
  for (let l = 1; l <= layersOf(sizes); l++) n += batch * pad4(load<i32>(sizes + (<usize>l << 2)));
  return n;
}

/** Makes the scratch region hold a batch of `batch` rows (reallocated only when the batch grows). */
export function reserve(batch: i32): void {
  if (batch <= capacity) return;
  top = scratchBase;
  const ob = batch * obsDim;
  const ab = batch * actDim;
  inObs = alloc(ob);
  inAction = alloc(ab);
  inReward = alloc(batch);
  inNextObs = alloc(ob);
  inTerminated = alloc(batch);
  inEpsNext = alloc(ab);
  inEpsActor = alloc(ab);
  outAction = alloc(ab);
  inLogPNext = alloc(ab);
  inLogP = alloc(ab);
  minQ = alloc(ab);
  gq0 = alloc(ab);
  gq1 = alloc(ab);
  logPiAll = alloc(ab);
  actH = alloc(activations(ACT_SIZES, batch));
  critH0 = alloc(activations(CRIT_SIZES, batch));
  critH1 = alloc(activations(CRIT_SIZES, batch));
  sa = alloc(batch * (obsDim + actDim));
  dSa = alloc(batch * (obsDim + actDim));
  gradA = alloc(batch * 2 * actDim);
  bufA = alloc(batch * maxWidth);
  bufB = alloc(batch * maxWidth);
  q0 = alloc(batch);
  q1 = alloc(batch);
  yTarget = alloc(batch);
  logPi = alloc(batch);
  preTanh = alloc(ab);
  logStd = alloc(ab);
  xT = alloc(batch * maxWidth);
  inRefMean = alloc(ab);
  inRefLogStd = alloc(ab);
  inRefMeanNext = alloc(ab);
  inRefLogStdNext = alloc(ab);
  logPRef = alloc(batch);
  gradRef = alloc(ab);
  refH = refKind == 2 ? alloc(activations(REF_SIZES, batch)) : 0;
  capacity = batch;
}

// ---- dense layers (SIMD): the products are in dense.ts, with the engine's transpose scratch ----
@inline function denseGradParams(X: usize, B: i32, nin: i32, nout: i32, dZ: usize, dW: usize, db: usize): void {
  gradParams(X, B, nin, nout, dZ, dW, db, xT);
}

@inline function denseGradInput(dZ: usize, B: i32, nin: i32, nout: i32, W: usize, dX: usize): void {
  gradInput(dZ, B, nin, nout, W, dX, wT);
}

// ---- networks ----

@inline function width(sizes: usize, l: i32): i32 {
  return load<i32>(sizes + (<usize>l << 2));
}

/** Byte offset of layer l's activations inside a network's activation block. */
function actOffset(sizes: usize, l: i32, B: i32): usize {
  let n = 0;
  for (let j = 1; j <= l; j++) n += B * pad4(width(sizes, j));
  return <usize>n << 2;
}

/** Byte offset of layer l's W inside one copy's parameters. */
function paramOffset(sizes: usize, l: i32): usize {
  let n = 0;
  for (let j = 0; j < l; j++) n += (width(sizes, j) + 1) * width(sizes, j + 1);
  return <usize>n << 2;
}

/** Runs one network copy (parameters at P) on X [B, in]; layer l's output goes to H + actOffset(l + 1). */
function netForward(sizes: usize, P: usize, X: usize, B: i32, H: usize): usize {
  let x = X;
  let p = P;
  const nl = layersOf(sizes);
  for (let l = 0; l < nl; l++) {
    const nin = width(sizes, l);
    const nout = width(sizes, l + 1);
    const y = H + actOffset(sizes, l, B);
    const hidden = l < nl - 1;
    matmul(x, B, nin, nout, p, p + ((<usize>nin * nout) << 2), y, hidden && !tanhHidden);
    if (hidden && tanhHidden) for (let k = 0; k < B * nout; k++) store<f32>(y + (<usize>k << 2), Mathf.tanh(load<f32>(y + (<usize>k << 2))));
    p += (<usize>(nin + 1) * nout) << 2;
    x = y;
  }
  return x;
}

/**
 * Backward of `netForward` from dOut [B, out]: the parameter gradient into G (if G ≠ 0, overwritten) and
 * the input gradient into dX (if dX ≠ 0). Uses bufA/bufB; dOut must be neither.
 */
function netBackward(sizes: usize, P: usize, X: usize, B: i32, H: usize, dOut: usize, G: usize, dX: usize): void {
  let dz = dOut;
  for (let l = nLayers - 1; l >= 0; l--) {
    const nin = width(sizes, l);
    const nout = width(sizes, l + 1);
    const w = P + paramOffset(sizes, l);
    if (l < nLayers - 1) {
      // dz = g ⊙ σ'(z), read from the layer's output: relu' = [h > 0], tanh' = 1 − h².
      const h = H + actOffset(sizes, l, B);
      for (let k = 0; k < B * nout; k++) {
        const kb = <usize>k << 2;
        const hk = load<f32>(h + kb);
        if (tanhHidden) store<f32>(dz + kb, load<f32>(dz + kb) * (1 - hk * hk));
        else if (!(hk > 0)) store<f32>(dz + kb, 0);
      }
    }
    const hIn = l == 0 ? X : H + actOffset(sizes, l - 1, B);
    if (G != 0) {
      const g = G + paramOffset(sizes, l);
      denseGradParams(hIn, B, nin, nout, dz, g, g + ((<usize>nin * nout) << 2));
    }
    if (l > 0) {
      const next = dz == bufA ? bufB : bufA;
      denseGradInput(dz, B, nin, nout, w, next);
      dz = next;
    } else if (dX != 0) {
      denseGradInput(dz, B, nin, nout, w, dX);
    }
  }
}

// ---- policy head ----

/**
 * π(·|s) from the actor's output [B, 2·act] = [μ | r], log σ = mid + half·tanh(r); with noise ε:
 * u = μ + σε, ã = c + h·tanh(u) into `action` and log π(ã|s) into logPi:
 *   log π = Σ_d [ −½((u − μ)/σ)² − log σ − ½ log 2π − 2(log 2 − u − softplus(−2u)) ] − Σ_d log h_d.
 */
function head(out: usize, eps: usize, B: i32, action: usize, withLogPi: bool): void {
  const a = actDim;
  for (let b = 0; b < B; b++) {
    let lp: f32 = 0;
    for (let d = 0; d < a; d++) {
      const o = out + ((<usize>(b * 2 * a + d)) << 2);
      const mean = load<f32>(o);
      const ls = LOG_STD_MID + LOG_STD_HALF * Mathf.tanh(load<f32>(o + (<usize>a << 2)));
      const std = Mathf.exp(ls);
      const k = <usize>(b * a + d) << 2;
      const u = mean + std * load<f32>(eps + k);
      store<f32>(action + k, load<f32>(bounds + (<usize>d << 2)) + load<f32>(bounds + (<usize>(a + d) << 2)) * Mathf.tanh(u));
      if (withLogPi) {
        store<f32>(preTanh + k, u);
        store<f32>(logStd + k, ls);
        const z = (u - mean) / std;
        const m2u: f32 = -2 * u;
        const softplus = max<f32>(m2u, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(m2u)));
        lp += -0.5 * z * z - ls - HALF_LOG_2PI - 2 * (LOG_2 - u - softplus);
      }
    }
    if (withLogPi) store<f32>(logPi + (<usize>b << 2), lp - logHalfRangeSum);
  }
}

/**
 * Backward of `head` (uses preTanh/logStd/eps of its last call): with g_ã [B, act] (row stride `strideA`
 * floats, from `gA`) and the same g_logπ for every row, writes ∂/∂[μ | r] into gradA:
 *   ∂u = g_ã·h(1 − y²) + g_logπ·2y,  ∂μ = ∂u,  ∂log σ = ∂u·σε − g_logπ,  ∂r = ∂log σ·half·(1 − tanh²(r)).
 */
function headBackward(gA: usize, strideA: i32, gLogPi: f32, eps: usize, B: i32): void {
  const a = actDim;
  for (let b = 0; b < B; b++) {
    for (let d = 0; d < a; d++) {
      const k = <usize>(b * a + d) << 2;
      const y = Mathf.tanh(load<f32>(preTanh + k));
      const ls = load<f32>(logStd + k);
      const gU = load<f32>(gA + (<usize>(b * strideA + d) << 2)) * (load<f32>(bounds + (<usize>(a + d) << 2)) * (1 - y * y)) + gLogPi * (2 * y);
      const gLogStd = gU * (Mathf.exp(ls) * load<f32>(eps + k)) - gLogPi;
      const tanhR = (ls - LOG_STD_MID) / LOG_STD_HALF; // tanh(r) recovered from log σ, as on the tfjs path
      const g = gradA + (<usize>(b * 2 * a) << 2);
      store<f32>(g + (<usize>d << 2), gU);
      store<f32>(g + (<usize>(a + d) << 2), gLogStd * (LOG_STD_HALF * (1 - tanhR * tanhR)));
    }
  }
}

// ---- the reference prior's log-density and its action gradient ----

const SQUASH_CLIP: f32 = <f32>(1 - 1e-6);

/** μ_ref, log σ_ref [B, act] of the frozen actor on X [B, obs]: its output [μ | r], log σ = mid + half·tanh(r). */
function refFromActor(X: usize, B: i32, mean: usize, logStd_: usize): void {
  const a = actDim;
  const out = netForward(REF_SIZES, refP, X, B, refH);
  for (let b = 0; b < B; b++) {
    for (let d = 0; d < a; d++) {
      const o = out + (<usize>(b * 2 * a + d) << 2);
      const k = <usize>(b * a + d) << 2;
      store<f32>(mean + k, load<f32>(o));
      store<f32>(logStd_ + k, LOG_STD_MID + LOG_STD_HALF * Mathf.tanh(load<f32>(o + (<usize>a << 2))));
    }
  }
}

/**
 * log p(a|s) of actions A [B, act] (env units) under the reference N(μ, σ²) (μ, log σ [B, act]) into logPRef,
 * and with `withGrad` ∂log p/∂a into gradRef (the reference itself frozen: no gradient reaches μ, σ):
 * - raw (`refSquash` false, the named controllers): z = (a − μ)/σ,
 *     log p = Σ_d [ −½z² − log σ − ½ log 2π ],   ∂log p/∂a = −z/σ;
 * - squashed (a saved SAC agent): y = clip((a − c)/h, ±(1 − 1e-6)), u = atanh(y) (as TanhGaussian.logProb),
 *     log p = Σ_d [ −½((u − μ)/σ)² − log σ − ½ log 2π − 2(log 2 − u − softplus(−2u)) ] − Σ_d log h_d,
 *     ∂log p/∂a = [−(u − μ)/σ² + 2y] · 1/(1 − y²) · 1/h   (0 where the clip is active).
 */
function refLogProb(A: usize, mean: usize, logStd_: usize, B: i32, withGrad: bool): void {
  const a = actDim;
  for (let b = 0; b < B; b++) {
    let lp: f32 = 0;
    for (let d = 0; d < a; d++) {
      const k = <usize>(b * a + d) << 2;
      const mu = load<f32>(mean + k);
      const ls = load<f32>(logStd_ + k);
      const std = Mathf.exp(ls);
      const x = load<f32>(A + k);
      if (refSquash) {
        const h = load<f32>(bounds + (<usize>(a + d) << 2));
        const yRaw = (x - load<f32>(bounds + (<usize>d << 2))) / h;
        const y = min<f32>(max<f32>(yRaw, -SQUASH_CLIP), SQUASH_CLIP);
        const u = Mathf.atanh(y);
        const z = (u - mu) / std;
        const m2u: f32 = -2 * u;
        const softplus = max<f32>(m2u, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(m2u)));
        lp += -0.5 * z * z - ls - HALF_LOG_2PI - 2 * (LOG_2 - u - softplus);
        if (withGrad) {
          const inside = yRaw >= -SQUASH_CLIP && yRaw <= SQUASH_CLIP;
          store<f32>(gradRef + k, inside ? ((-z / std + 2 * y) / (1 - y * y)) / h : 0);
        }
      } else {
        const z = (x - mu) / std;
        lp += -0.5 * z * z - ls - HALF_LOG_2PI;
        if (withGrad) store<f32>(gradRef + k, -z / std);
      }
    }
    store<f32>(logPRef + (<usize>b << 2), refSquash ? lp - logHalfRangeSum : lp);
  }
}

/**
 * For the gradient tests: log p(a|s) and ∂log p/∂a of the `n` rows of inObs/inAction into logPRef/gradRef
 * (kind 1: μ, log σ from refMean/refLogStd; kind 2: from the frozen actor on inObs).
 */
export function priorLogProb(n: i32): void {
  if (n < 1 || n > capacity || refKind == 0) unreachable();
  if (refKind == 2) refFromActor(inObs, n, inRefMean, inRefLogStd);
  refLogProb(inAction, inRefMean, inRefLogStd, n, true);
}

// ---- optimizer, Polyak ----

/** Adam with tfjs's semantics (src/nn/adam.ts): optional global-norm clip, bias corrections folded into lr_t, ε̂. */
function adamStep(P: usize, G: usize, M: usize, V: usize, n: i32, lr: f64, t: i32): void {
  const n4 = pad4(n);
  if (clipNorm > 0) {
    let s = f32x4.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const g = v128.load(G + (<usize>i << 2));
      s = f32x4.add(s, f32x4.mul(g, g));
    }
    const norm = Mathf.sqrt(f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3)));
    const scale = f32x4.splat(clipNorm / max<f32>(norm, clipNorm));
    for (let i = 0; i < n4; i += 4) v128.store(G + (<usize>i << 2), f32x4.mul(v128.load(G + (<usize>i << 2)), scale));
  }
  const lrT = f32x4.splat(<f32>((lr * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t))));
  const epsHat = f32x4.splat(<f32>(epsilon * Math.sqrt(1 - Math.pow(beta2, t))));
  const b1 = f32x4.splat(<f32>beta1);
  const c1 = f32x4.splat(<f32>(1 - beta1));
  const b2 = f32x4.splat(<f32>beta2);
  const c2 = f32x4.splat(<f32>(1 - beta2));
  for (let i = 0; i < n4; i += 4) {
    const k = <usize>i << 2;
    const g = v128.load(G + k);
    const m = f32x4.add(f32x4.mul(v128.load(M + k), b1), f32x4.mul(g, c1)); // m ← β₁m + (1−β₁)g
    const v = f32x4.add(f32x4.mul(v128.load(V + k), b2), f32x4.mul(f32x4.mul(g, g), c2)); // v ← β₂v + (1−β₂)g²
    v128.store(P + k, f32x4.sub(v128.load(P + k), f32x4.div(f32x4.mul(m, lrT), f32x4.add(f32x4.sqrt(v), epsHat))));
    v128.store(M + k, m);
    v128.store(V + k, v);
  }
}

// ---- the update ----

/** Temperature: L_α = log α·(KL̄ − E[KL]), so ∂L_α/∂log α = KL̄ − E[KL] = g; one Adam step on log α (no clip). */
function alphaStep(g: f32): void {
  alphaT++;
  const lrT = <f32>((alphaLr * Math.sqrt(1 - Math.pow(beta2, alphaT))) / (1 - Math.pow(beta1, alphaT)));
  const epsHat = <f32>(epsilon * Math.sqrt(1 - Math.pow(beta2, alphaT)));
  alphaM = alphaM * <f32>beta1 + g * <f32>(1 - beta1);
  alphaV = alphaV * <f32>beta2 + g * g * <f32>(1 - beta2);
  logAlpha = logAlpha - (alphaM * lrT) / (Mathf.sqrt(alphaV) + epsHat);
}

/** θ' ← τθ + (1 − τ)θ' over both target critics. */
function polyak(): void {
  const t4 = f32x4.splat(tau);
  const u4 = f32x4.splat(oneMinusTau);
  const n4 = pad4(2 * criticCopy);
  for (let i = 0; i < n4; i += 4) {
    const k = <usize>i << 2;
    v128.store(targetP + k, f32x4.add(f32x4.mul(v128.load(criticP + k), t4), f32x4.mul(v128.load(targetP + k), u4)));
  }
}

@inline function alphaValue(): f32 {
  return autoAlpha ? Mathf.exp(logAlpha) : fixedAlpha;
}

/** Writes [obs | action] rows into `sa`. */
function concatSa(obs: usize, action: usize, B: i32): void {
  const o = obsDim;
  const a = actDim;
  for (let b = 0; b < B; b++) {
    memory.copy(sa + (<usize>(b * (o + a)) << 2), obs + (<usize>(b * o) << 2), <usize>o << 2);
    memory.copy(sa + (<usize>(b * (o + a) + o) << 2), action + (<usize>(b * a) << 2), <usize>a << 2);
  }
}

/**
 * The critic loss on the batch in the input region, with its gradient into criticG:
 *   y = r + γ(1 − terminated)·(min_k Q'_k(s', a') − α(log π(a'|s') − log p(a'|s'))),  a' ~ π(·|s') (noise epsNext),
 *   L_Q = ½ Σ_k E[(Q_k(s,a) − y)²],  ∂L/∂Q_k = (Q_k − y)/B.
 * Writes the criticLoss and q metrics.
 */
function criticLossGrad(B: i32, alpha: f32): f32 {
  const fB = <f32>B;
  netForward(ACT_SIZES, actorP, inNextObs, B, actH);
  head(actH + actOffset(ACT_SIZES, nLayers - 1, B), inEpsNext, B, outAction, true);
  concatSa(inNextObs, outAction, B);
  const crit1 = <usize>criticCopy << 2;
  const tq0 = netForward(CRIT_SIZES, targetP, sa, B, critH0);
  const tq1 = netForward(CRIT_SIZES, targetP + crit1, sa, B, critH1);
  if (refKind == 2) refFromActor(inNextObs, B, inRefMeanNext, inRefLogStdNext);
  if (refKind != 0) refLogProb(outAction, inRefMeanNext, inRefLogStdNext, B, false); // log p(a'|s')
  for (let b = 0; b < B; b++) {
    const k = <usize>b << 2;
    const qMin = min<f32>(load<f32>(tq0 + k), load<f32>(tq1 + k));
    const notDone: f32 = 1 - load<f32>(inTerminated + k);
    const lpPrior = refKind == 0 ? logPrior : load<f32>(logPRef + k);
    store<f32>(yTarget + k, load<f32>(inReward + k) + gamma * notDone * (qMin - alpha * (load<f32>(logPi + k) - lpPrior)));
  }
  concatSa(inObs, inAction, B);
  const cq0 = netForward(CRIT_SIZES, criticP, sa, B, critH0);
  const cq1 = netForward(CRIT_SIZES, criticP + crit1, sa, B, critH1);
  let sq: f32 = 0;
  let sumQ: f32 = 0;
  for (let b = 0; b < B; b++) {
    const k = <usize>b << 2;
    const y = load<f32>(yTarget + k);
    const e0 = load<f32>(cq0 + k) - y;
    const e1 = load<f32>(cq1 + k) - y;
    sq += e0 * e0 + e1 * e1;
    sumQ += load<f32>(cq0 + k) + load<f32>(cq1 + k);
    store<f32>(q0 + k, e0 / fB);
    store<f32>(q1 + k, e1 / fB);
  }
  netBackward(CRIT_SIZES, criticP, sa, B, critH0, q0, criticG, 0);
  netBackward(CRIT_SIZES, criticP + crit1, sa, B, critH1, q1, criticG + crit1, 0);
  const loss: f32 = (0.5 * sq) / fB;
  store<f32>(METRICS, loss);
  store<f32>(METRICS + 4, sumQ / (2 * fB));
  return loss;
}

/**
 * The actor loss with its gradient into actorG (the critics frozen):
 *   L_π = E_s[ α(log π(ã|s) − log p(ã|s)) − min_k Q_k(s, ã) ],  ã = squash(μ + σε) (noise epsActor),
 *   ∂L_π/∂ã = −(1/B)·∂min_k Q_k/∂ã − (α/B)·∂log p/∂ã  (the second term only for a reference prior).
 * Writes the actorLoss, kl (E[log π − log p]) and entropy (−E[log π]) metrics.
 */
function actorLossGrad(B: i32, alpha: f32): f32 {
  const fB = <f32>B;
  netForward(ACT_SIZES, actorP, inObs, B, actH);
  head(actH + actOffset(ACT_SIZES, nLayers - 1, B), inEpsActor, B, outAction, true);
  concatSa(inObs, outAction, B);
  const crit1 = <usize>criticCopy << 2;
  const aq0 = netForward(CRIT_SIZES, criticP, sa, B, critH0);
  const aq1 = netForward(CRIT_SIZES, criticP + crit1, sa, B, critH1);
  if (refKind == 2) refFromActor(inObs, B, inRefMean, inRefLogStd);
  if (refKind != 0) refLogProb(outAction, inRefMean, inRefLogStd, B, true); // log p(ã|s), ∂/∂ã (outAction is reused below)
  let sumKl: f32 = 0;
  let sumLogPi: f32 = 0;
  let sumLoss: f32 = 0;
  for (let b = 0; b < B; b++) {
    const k = <usize>b << 2;
    const v0 = load<f32>(aq0 + k);
    const v1 = load<f32>(aq1 + k);
    const qMin = min<f32>(v0, v1);
    const lp = load<f32>(logPi + k);
    const lpPrior = refKind == 0 ? logPrior : load<f32>(logPRef + k);
    sumKl += lp - lpPrior;
    sumLogPi += lp;
    sumLoss += alpha * (lp - lpPrior) - qMin;
    // ∂L/∂Q_k = −1/B where Q_k is the minimum (both on a tie, as tfjs's min gradient).
    store<f32>(q0 + k, v0 == qMin ? -1 / fB : 0);
    store<f32>(q1 + k, v1 == qMin ? -1 / fB : 0);
  }
  // ∂L/∂ã = Σ_k the action columns of ∂Q_k/∂[s | ã]; copy 0's part waits in gradA (free until headBackward).
  const w = obsDim + actDim;
  netBackward(CRIT_SIZES, criticP, sa, B, critH0, q0, 0, dSa);
  for (let b = 0; b < B; b++) {
    for (let d = 0; d < actDim; d++) store<f32>(gradA + (<usize>(b * actDim + d) << 2), load<f32>(dSa + (<usize>(b * w + obsDim + d) << 2)));
  }
  netBackward(CRIT_SIZES, criticP + crit1, sa, B, critH1, q1, 0, dSa);
  for (let b = 0; b < B; b++) {
    for (let d = 0; d < actDim; d++) {
      const k = <usize>(b * actDim + d) << 2;
      const gQ = load<f32>(gradA + k) + load<f32>(dSa + (<usize>(b * w + obsDim + d) << 2));
      store<f32>(outAction + k, refKind == 0 ? gQ : gQ - (alpha / fB) * load<f32>(gradRef + k));
    }
  }
  headBackward(outAction, actDim, alpha / fB, inEpsActor, B);
  netBackward(ACT_SIZES, actorP, inObs, B, actH, gradA, actorG, 0);
  const meanKl = sumKl / fB;
  store<f32>(METRICS + 8, sumLoss / fB);
  store<f32>(METRICS + 12, meanKl);
  store<f32>(METRICS + 16, -(sumLogPi / fB));
  return sumLoss / fB;
}

/**
 * One SAC gradient step on the batch in the input region (`reserve(B)` first), as `SacContinuous.update`:
 * the critics always; the actor and α when `updateActor` (after the critics' step, so the actor sees the
 * updated critics); then Polyak. Metrics go to METRICS (the actor's stay from its last step when skipped).
 */
export function update(B: i32, updateActor: bool): void {
  if (B < 1 || B > capacity) unreachable();
  const alpha = alphaValue();
  criticLossGrad(B, alpha);
  criticT++;
  adamStep(criticP, criticG, criticM, criticV, 2 * criticCopy, criticLr, criticT);

  if (updateActor) {
    actorLossGrad(B, alpha);
    actorT++;
    adamStep(actorP, actorG, actorM, actorV, actorCopy, actorLr, actorT);
    if (autoAlpha) alphaStep(targetKl - load<f32>(METRICS + 12));
  }

  polyak();
  store<f32>(METRICS + 20, alphaValue());
}

/**
 * For the finite-difference tests: the loss of one phase at the current parameters, its gradient left in
 * the gradient buffer (`gradPtr`), no step taken. `which`: 0 = critic (into criticG), 1 = actor (actorG).
 */
export function lossAndGrad(B: i32, which: i32): f32 {
  if (B < 1 || B > capacity) unreachable();
  return which == 0 ? criticLossGrad(B, alphaValue()) : actorLossGrad(B, alphaValue());
}

/** Actions for the `n` observations in inObs into outAction: c + h·tanh(μ + σε) (ε from epsActor) or c + h·tanh(μ). */
export function act(n: i32, deterministic: bool): void {
  if (n < 1 || n > capacity) unreachable();
  netForward(ACT_SIZES, actorP, inObs, n, actH);
  const out = actH + actOffset(ACT_SIZES, nLayers - 1, n);
  if (deterministic) {
    for (let b = 0; b < n; b++) {
      for (let d = 0; d < actDim; d++) {
        const mean = load<f32>(out + (<usize>(b * 2 * actDim + d) << 2));
        store<f32>(outAction + (<usize>(b * actDim + d) << 2), load<f32>(bounds + (<usize>d << 2)) + load<f32>(bounds + (<usize>(actDim + d) << 2)) * Mathf.tanh(mean));
      }
    }
  } else {
    head(out, inEpsActor, n, outAction, false);
  }
}

// ---- discrete SAC (exact expectations over the n actions) ----

/** Row-wise log-softmax of X [B, n] into Y, as tfjs: (x − max) − log Σ exp(x − max). */
function logSoftmaxRows(X: usize, B: i32, n: i32, Y: usize): void {
  for (let b = 0; b < B; b++) {
    const x = X + (<usize>(b * n) << 2);
    const y = Y + (<usize>(b * n) << 2);
    let m = load<f32>(x);
    for (let a = 1; a < n; a++) m = max<f32>(m, load<f32>(x + (<usize>a << 2)));
    let s: f32 = 0;
    for (let a = 0; a < n; a++) s += Mathf.exp(load<f32>(x + (<usize>a << 2)) - m);
    const ls = Mathf.log(s);
    for (let a = 0; a < n; a++) store<f32>(y + (<usize>a << 2), load<f32>(x + (<usize>a << 2)) - m - ls);
  }
}

/**
 * Critic loss with its gradient into criticG (actions in inAction as floats):
 *   y = r + γ(1 − terminated) Σ_a' π(a'|s') [ min_k Q̄_k(s',a') − α(log π(a'|s') − log p(a'|s')) ]
 *       (greedy: y = r + γ(1 − terminated) max_a' min_k Q̄_k(s',a'))
 *   L_Q = ½ Σ_k E[(Q_k(s,a) − y)²],  ∂L/∂Q_k(s,a) = (Q_k(s,a) − y)/B.
 */
function discreteCriticLossGrad(B: i32, alpha: f32): f32 {
  const n = actDim;
  const fB = <f32>B;
  const logits = netForward(ACT_SIZES, actorP, inNextObs, B, actH);
  logSoftmaxRows(logits, B, n, logPiAll);
  const crit1 = <usize>criticCopy << 2;
  const tq0 = netForward(CRIT_SIZES, targetP, inNextObs, B, critH0);
  const tq1 = netForward(CRIT_SIZES, targetP + crit1, inNextObs, B, critH1);
  for (let b = 0; b < B; b++) {
    let v: f32 = 0;
    let best: f32 = -Infinity;
    for (let a = 0; a < n; a++) {
      const k = <usize>(b * n + a) << 2;
      const q = min<f32>(load<f32>(tq0 + k), load<f32>(tq1 + k));
      const lp = load<f32>(logPiAll + k);
      best = max<f32>(best, q);
      v += Mathf.exp(lp) * (q - alpha * (lp - load<f32>(inLogPNext + k)));
    }
    const kb = <usize>b << 2;
    store<f32>(yTarget + kb, load<f32>(inReward + kb) + gamma * (1 - load<f32>(inTerminated + kb)) * (greedy ? best : v));
  }
  const cq0 = netForward(CRIT_SIZES, criticP, inObs, B, critH0);
  const cq1 = netForward(CRIT_SIZES, criticP + crit1, inObs, B, critH1);
  memory.fill(gq0, 0, <usize>(B * n) << 2);
  memory.fill(gq1, 0, <usize>(B * n) << 2);
  let sq0: f32 = 0;
  let sq1: f32 = 0;
  for (let b = 0; b < B; b++) {
    const y = load<f32>(yTarget + (<usize>b << 2));
    const k = <usize>(b * n + <i32>load<f32>(inAction + (<usize>b << 2))) << 2;
    const e0 = load<f32>(cq0 + k) - y;
    const e1 = load<f32>(cq1 + k) - y;
    sq0 += e0 * e0;
    sq1 += e1 * e1;
    store<f32>(gq0 + k, e0 / fB);
    store<f32>(gq1 + k, e1 / fB);
  }
  netBackward(CRIT_SIZES, criticP, inObs, B, critH0, gq0, criticG, 0);
  netBackward(CRIT_SIZES, criticP + crit1, inObs, B, critH1, gq1, criticG + crit1, 0);
  const loss: f32 = (0.5 * (sq0 + sq1)) / fB;
  store<f32>(METRICS, loss);
  return loss;
}

/**
 * Actor loss with its gradient into actorG, the updated critics frozen, f_a = α(log π_a − log p_a) − min_k Q_k(s,a):
 *   L_π = E_s Σ_a π_a f_a,  ∂L/∂z_j = π_j (f_j − Σ_a π_a f_a) / B  (z: logits; the α-term's own part cancels)
 *   greedy: L_π = −E_s log π(a*|s), a* = argmax_a min_k Q_k(s,a) (first on ties),  ∂L/∂z = (π − onehot(a*)) / B.
 * Statistics of the policy before the step: entropy −E Σ π log π, kl E Σ π (log π − log p),
 * q E Σ π min_k Q_k.
 */
function discreteActorLossGrad(B: i32, alpha: f32): f32 {
  const n = actDim;
  const fB = <f32>B;
  const crit1 = <usize>criticCopy << 2;
  const aq0 = netForward(CRIT_SIZES, criticP, inObs, B, critH0);
  const aq1 = netForward(CRIT_SIZES, criticP + crit1, inObs, B, critH1);
  const logits = netForward(ACT_SIZES, actorP, inObs, B, actH);
  logSoftmaxRows(logits, B, n, logPiAll);
  let sumLoss: f32 = 0;
  let sumEnt: f32 = 0;
  let sumKl: f32 = 0;
  let sumQ: f32 = 0;
  for (let b = 0; b < B; b++) {
    let lb: f32 = 0;
    let star = 0;
    let best: f32 = -Infinity;
    for (let a = 0; a < n; a++) {
      const k = <usize>(b * n + a) << 2;
      const q = min<f32>(load<f32>(aq0 + k), load<f32>(aq1 + k));
      store<f32>(minQ + k, q);
      if (q > best) {
        best = q;
        star = a;
      }
      const lp = load<f32>(logPiAll + k);
      const p = Mathf.exp(lp);
      const f = alpha * (lp - load<f32>(inLogP + k)) - q;
      store<f32>(gq0 + k, f); // f_a, consumed below
      lb += p * f;
      sumEnt += p * lp;
      sumKl += p * (lp - load<f32>(inLogP + k));
      sumQ += p * q;
    }
    for (let a = 0; a < n; a++) {
      const k = <usize>(b * n + a) << 2;
      const p = Mathf.exp(load<f32>(logPiAll + k));
      store<f32>(gradA + k, greedy ? (p - (a == star ? <f32>1 : <f32>0)) / fB : (p * (load<f32>(gq0 + k) - lb)) / fB);
    }
    sumLoss += greedy ? -load<f32>(logPiAll + (<usize>(b * n + star) << 2)) : lb;
  }
  netBackward(ACT_SIZES, actorP, inObs, B, actH, gradA, actorG, 0);
  const loss = sumLoss / fB;
  store<f32>(METRICS + 4, loss);
  store<f32>(METRICS + 16, -(sumEnt / fB));
  store<f32>(METRICS + 20, sumKl / fB);
  store<f32>(METRICS + 24, sumQ / fB);
  return loss;
}

/**
 * One discrete SAC gradient step (as `DiscreteSacAgent.update`): critics, actor, α (when tuned), and every
 * `targetUpdateEvery` steps Polyak. METRICS: criticLoss, actorLoss, alphaLoss, alpha (this step's), entropy, kl, q.
 */
export function updateDiscrete(B: i32): void {
  if (B < 1 || B > capacity) unreachable();
  const alpha = Mathf.exp(logAlpha);
  discreteCriticLossGrad(B, alpha);
  criticT++;
  adamStep(criticP, criticG, criticM, criticV, 2 * criticCopy, criticLr, criticT);
  discreteActorLossGrad(B, alpha);
  actorT++;
  adamStep(actorP, actorG, actorM, actorV, actorCopy, actorLr, actorT);
  let alphaLoss: f32 = 0;
  if (autoAlpha) {
    const g: f32 = targetKl - load<f32>(METRICS + 20);
    alphaLoss = logAlpha * g;
    alphaStep(g);
  }
  gradSteps++;
  if (gradSteps % targetUpdateEvery == 0) polyak();
  store<f32>(METRICS + 8, alphaLoss);
  store<f32>(METRICS + 12, alpha);
}

/** For the gradient tests: the discrete critic (0) or actor (1) loss, gradient left in criticG / actorG. */
export function lossAndGradDiscrete(B: i32, which: i32): f32 {
  if (B < 1 || B > capacity) unreachable();
  return which == 0 ? discreteCriticLossGrad(B, Mathf.exp(logAlpha)) : discreteActorLossGrad(B, Mathf.exp(logAlpha));
}

/** π(·|s) for the `n` observations in inObs into outAction [n, actions]: exp(x − max) / Σ exp(x − max). */
export function probs(nObs: i32): void {
  if (nObs < 1 || nObs > capacity) unreachable();
  const n = actDim;
  const logits = netForward(ACT_SIZES, actorP, inObs, nObs, actH);
  for (let b = 0; b < nObs; b++) {
    const x = logits + (<usize>(b * n) << 2);
    const y = outAction + (<usize>(b * n) << 2);
    let m = load<f32>(x);
    for (let a = 1; a < n; a++) m = max<f32>(m, load<f32>(x + (<usize>a << 2)));
    let s: f32 = 0;
    for (let a = 0; a < n; a++) {
      const e = Mathf.exp(load<f32>(x + (<usize>a << 2)) - m);
      store<f32>(y + (<usize>a << 2), e);
      s += e;
    }
    for (let a = 0; a < n; a++) store<f32>(y + (<usize>a << 2), load<f32>(y + (<usize>a << 2)) / s);
  }
}

// ---- accessors for the JS wrapper ----
export function hiddenPtr(): usize { return HIDDEN; }
export function refSizesPtr(): usize { return REF_SIZES; }
export function refActorPtr(): usize { return refP; }
export function metricsPtr(): usize { return METRICS; }
export function boundsPtr(): usize { return bounds; }
export function actorPtr(): usize { return actorP; }
export function actorMPtr(): usize { return actorM; }
export function actorVPtr(): usize { return actorV; }
export function criticPtr(): usize { return criticP; }
export function criticMPtr(): usize { return criticM; }
export function criticVPtr(): usize { return criticV; }
export function targetPtr(): usize { return targetP; }
export function actorGradPtr(): usize { return actorG; }
export function criticGradPtr(): usize { return criticG; }
export function actorSize(): i32 { return actorCopy; }
export function criticSize(): i32 { return 2 * criticCopy; }
export function inputPtrs(): usize {
  // The scratch pointers in one static table (valid until the next `reserve` that grows the batch).
  store<u32>(INPUTS, <u32>inObs);
  store<u32>(INPUTS, <u32>inAction, 4);
  store<u32>(INPUTS, <u32>inReward, 8);
  store<u32>(INPUTS, <u32>inNextObs, 12);
  store<u32>(INPUTS, <u32>inTerminated, 16);
  store<u32>(INPUTS, <u32>inEpsNext, 20);
  store<u32>(INPUTS, <u32>inEpsActor, 24);
  store<u32>(INPUTS, <u32>outAction, 28);
  store<u32>(INPUTS, <u32>inLogPNext, 32);
  store<u32>(INPUTS, <u32>inLogP, 36);
  store<u32>(INPUTS, <u32>inRefMean, 40);
  store<u32>(INPUTS, <u32>inRefLogStd, 44);
  store<u32>(INPUTS, <u32>inRefMeanNext, 48);
  store<u32>(INPUTS, <u32>inRefLogStdNext, 52);
  store<u32>(INPUTS, <u32>logPRef, 56);
  store<u32>(INPUTS, <u32>gradRef, 60);
  return INPUTS;
}

/** Scalar state: [logAlpha, alphaM, alphaV, actorT, criticT, alphaT, gradSteps] (counts as f64). */
export function getScalars(): usize {
  store<f64>(SCALARS, <f64>logAlpha);
  store<f64>(SCALARS, <f64>alphaM, 8);
  store<f64>(SCALARS, <f64>alphaV, 16);
  store<f64>(SCALARS, <f64>actorT, 24);
  store<f64>(SCALARS, <f64>criticT, 32);
  store<f64>(SCALARS, <f64>alphaT, 40);
  store<f64>(SCALARS, <f64>gradSteps, 48);
  return SCALARS;
}
/** Sets the scalar state from the same table (written by JS at `getScalars()`'s pointer). */
export function setScalars(): void {
  logAlpha = <f32>load<f64>(SCALARS);
  alphaM = <f32>load<f64>(SCALARS, 8);
  alphaV = <f32>load<f64>(SCALARS, 16);
  actorT = <i32>load<f64>(SCALARS, 24);
  criticT = <i32>load<f64>(SCALARS, 32);
  alphaT = <i32>load<f64>(SCALARS, 40);
  gradSteps = <i32>load<f64>(SCALARS, 48);
}
