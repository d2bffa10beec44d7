/**
 * The ways the field estimates ∇J from N sampled sequences, each measured against the exact gradient.
 *
 *     J(θ) = E_π[R(y)] − β KL(π ‖ π_ref)     (the KL of whole sequences; `tabular.ts`)
 *     ∇J   = E_π[ g(y) (R(y) − β ℓ(y)) ],     g(y) = ∇log π(y) = Σ_t g_t,  g_t = ∇log π(y_t|s_t),
 *                                             ℓ(y) = log π(y) − log π_ref(y) = Σ_t ℓ_t
 *
 * Samples y_i come from a behaviour policy π_old: π itself (on-policy), or the policy one update before
 * (off-policy). ρ_t = π(y_t|s_t)/π_old(y_t|s_t) is the per-token ratio PPO-style losses carry, w = Π_t ρ_t the
 * whole-sequence importance weight (1 on-policy). r_t = π_ref(y_t|s_t)/π(y_t|s_t). Each estimator is the
 * gradient of its loss, written out (the loss in brackets):
 *
 * | name               | ĝ (mean over the N samples i)                                   | unbiased for ∇J? |
 * |--------------------|-----------------------------------------------------------------|------------------|
 * | reinforce          | w R g                                         [no KL term]      | no (β∇KL lost)   |
 * | k1-reward          | w (R − βℓ) g                                  [KL in the reward] | yes              |
 * | k1-mean-baseline   | w (A − Ā) g,  A = R − βℓ, Ā the batch mean incl. i               | no: (1 − 1/N)∇J  |
 * | rloo               | w (A − Ā₋ᵢ) g, Ā₋ᵢ the mean of the OTHER N − 1                   | yes              |
 * | k2-loss            | Σ_t (ρ_t R − βℓ_t) g_t                        [β·½ℓ_t² per token] | no               |
 * | k3-loss            | Σ_t (ρ_t R − β(1 − r_t)) g_t                  [β·k3_t per token]  | no               |
 * | k3-loss-ratio      | Σ_t ρ_t (R − βℓ_t) g_t                        [β·ρ_t·k3_t]        | no               |
 * | kl-exact-token     | Σ_t ρ_t R g_t − β ∇KL_t                       [β·KL(π(·|s_t)‖p)]   | no               |
 * | kl-exact-loss      | w (R g − β Σ_t (∇KL_t + g_t Σ_{t'>t} KL_t'))  [the same + its score term] | yes     |
 * | grpo               | Σ_t (ρ_t Â − β(1 − r_t)) g_t, Â = (R − R̄)/(std R + 1e-4)        | no               |
 * | grpo-beta0         | the same with β = 0 (TRL's default: no reference model)          | no               |
 * | grpo-noscale       | the same with Â = R − R̄ (no std division; Dr. GRPO)            | no               |
 * | ppo-clip           | Σ_t 1[unclipped] ρ_t A_old g_t, A_old = R − βℓ(π_old)  [L^CLIP]  | on-policy only   |
 *
 * Why: E_π[g] = 0 and, by causality, E[g_t f(y_<t)] = 0 for t ≥ the last token f reads; so
 * - k1 in the reward is ∇J exactly in expectation. A baseline that does not depend on y_i keeps it so (RLOO's
 *   Ā₋ᵢ); the batch mean contains A_i itself: E[(A_i − Ā) g_i] = (1 − 1/N) ∇J.
 * - KL = E_π[Σ_t KL_t] (the chain rule, KL_t = KL(π(·|s_t) ‖ π_ref(·|s_t))), and ∇ of that expectation has two
 *   parts: Σ_t ∇KL_t with the visited states held fixed, and the score term Σ_t g_t Σ_{t'>t} KL_t' (how token t
 *   changes which later states are visited). Every per-token loss keeps only the first part:
 *   - ½ℓ_t² has gradient ℓ_t g_t, whose mean over y_t ~ π is ∇KL_t: the per-state reverse KL;
 *   - ρ_t·k3_t has gradient ρ_t ℓ_t g_t: the same (on-policy identical to k2); the ratio makes it right off-policy;
 *   - k3_t without the ratio has gradient (1 − r_t) g_t, whose mean Σ_a (π − π_ref) ∇log π = ∇KL(π_ref ‖ π)(s_t)
 *     is the FORWARD KL's gradient, a different divergence;
 *   - the exact per-state KL, the same as k2 in expectation.
 *   Adding the score term back (kl-exact-loss) makes it unbiased.
 * - GRPO divides by the batch's reward std (a random step size, and the reward's scale against β changes)
 *   and uses k3 without the ratio; it estimates no fixed multiple of ∇J.
 * - PPO-clip on-policy is k1-reward (ρ = 1, nothing clipped); off-policy its per-token ratio is not the
 *   sequence's weight, its penalty is π_old's, and clipped tokens drop out.
 *
 * How bias is measured: B independent batches give errors e_b = ĝ_b − ∇J; the bias estimate is the mean
 * error m and its per-coordinate standard error se_j. The 95% interval for ‖bias‖ is the range of the norm
 * over the Bonferroni box m_j ± z·se_j, z = Φ⁻¹(1 − 0.05/(2d)) (≈ 3.8 for d = 340 coordinates):
 * lower = √Σ max(0, |m_j| − z se_j)², upper = √Σ (|m_j| + z se_j)². If the box covers the true bias (≥ 95%
 * simultaneously), the norm is inside; the lower end is 0 exactly when every coordinate's interval holds 0.
 * The normal interval needs many events: a coordinate θ[s, a] whose (state, token) pair π_old is expected to
 * draw fewer than `MIN_VISITS` times in all B·N samples is left out of m and the box (`dropped` reports its
 * share of ‖∇J‖). Its mean is driven by the rare draws of a; with none drawn, its whole gradient would show
 * as a "bias" with se = 0.
 */
import { Rng } from '../../core/rng.js';
import {
  addScore,
  cosine,
  exactGradient,
  logTable,
  norm,
  sampleSequence,
  sequenceLogProbs,
  softmaxRows,
  stateKls,
  type TokenTask,
} from './tabular.js';

export const ESTIMATORS = [
  'reinforce',
  'k1-reward',
  'k1-mean-baseline',
  'rloo',
  'k2-loss',
  'k3-loss',
  'k3-loss-ratio',
  'kl-exact-token',
  'kl-exact-loss',
  'grpo',
  'grpo-beta0',
  'grpo-noscale',
  'ppo-clip',
] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

/** What the derivation above says: unbiased for ∇J (with β > 0). */
export function derivedUnbiased(name: EstimatorName, onPolicy: boolean): boolean {
  return name === 'k1-reward' || name === 'rloo' || name === 'kl-exact-loss' || (onPolicy && name === 'ppo-clip');
}

/** Everything the estimators read that does not depend on the batch: π, π_old, π_ref, per-sequence log-probs. */
export interface EstimatorContext {
  readonly task: TokenTask;
  readonly beta: number;
  /** π(a|s) at θ, where the gradient is taken. */
  readonly probs: Float64Array;
  /** The behaviour policy π_old(a|s) the samples come from (= probs on-policy). */
  readonly oldProbs: Float64Array;
  /** log π(y), log π_old(y) per sequence. */
  readonly logp: Float64Array;
  readonly oldLogp: Float64Array;
  /** KL_s = KL(π(·|s) ‖ π_ref(·|s)) and its gradient ∇_θ KL_s = π(b|s)(log π(b|s)/π_ref(b|s) − KL_s) (nS·nA). */
  readonly stateKl: Float64Array;
  readonly stateKlGrad: Float64Array;
  /** PPO's clip range ε. */
  readonly clip: number;
  /** The exact ∇J at θ. */
  readonly exact: Float64Array;
}

export function estimatorContext(
  task: TokenTask,
  beta: number,
  logits: ArrayLike<number>,
  oldLogits: ArrayLike<number> = logits,
  clip = 0.2,
): EstimatorContext {
  const probs = softmaxRows(task, logits);
  const oldProbs = softmaxRows(task, oldLogits);
  const stateKl = stateKls(task, probs);
  const stateKlGrad = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) {
    const s = Math.floor(i / task.nA);
    stateKlGrad[i] = probs[i] * (Math.log(probs[i] / task.ref[i]) - stateKl[s]);
  }
  return {
    task,
    beta,
    probs,
    oldProbs,
    logp: sequenceLogProbs(task, probs),
    oldLogp: sequenceLogProbs(task, oldProbs),
    stateKl,
    stateKlGrad,
    clip,
    exact: exactGradient(task, logits, beta),
  };
}

/**
 * Where the table is measured: θ = log π_ref + σ·ε (ε standard normal per logit, from `rng`), a policy away
 * from the reference (at π = π_ref every KL gradient vanishes and no KL estimator could show its bias).
 */
export function evaluationLogits(task: TokenTask, rng: Rng, sigma = 1): Float64Array {
  return logTable(task.ref).map((x) => x + sigma * rng.normal());
}

/** θ one update after θ_old: θ_old + δ·∇J(θ_old)/max|∇J(θ_old)| (the largest logit moves by δ). */
export function oneStepLater(task: TokenTask, beta: number, oldLogits: ArrayLike<number>, delta = 0.3): Float64Array {
  const g = exactGradient(task, oldLogits, beta);
  const gmax = g.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return Float64Array.from(oldLogits, (x, i) => x + (delta * g[i]) / gmax);
}

/** ĝ of `name` for a batch of sequence indices (drawn from π_old), written into `out` (zeroed first). */
export function estimate(ctx: EstimatorContext, name: EstimatorName, batch: Int32Array, out: Float64Array): void {
  const { task, probs, oldProbs, logp, oldLogp, stateKl, stateKlGrad } = ctx;
  const { nA, L, tokens, states, rewards, ref, refSeqLogp } = task;
  const N = batch.length;
  out.fill(0);
  const st = (k: number, t: number) => states[k * L + t];
  const tok = (k: number, t: number) => tokens[k * L + t];
  const pi = (k: number, t: number) => probs[st(k, t) * nA + tok(k, t)];
  const rho = (k: number, t: number) => pi(k, t) / oldProbs[st(k, t) * nA + tok(k, t)];
  const lTok = (k: number, t: number) => Math.log(pi(k, t) / ref[st(k, t) * nA + tok(k, t)]);
  const w = (k: number) => Math.exp(logp[k] - oldLogp[k]);
  const ell = (k: number) => logp[k] - refSeqLogp[k];
  /** out += c · g_t of sample k. */
  const score = (k: number, t: number, c: number) => addScore(out, probs, nA, st(k, t), tok(k, t), c / N);
  const scoreSeq = (k: number, c: number) => {
    for (let t = 0; t < L; t++) score(k, t, c);
  };
  const beta = name === 'grpo-beta0' ? 0 : ctx.beta;

  switch (name) {
    case 'reinforce':
      // ĝ = mean_i w_i R_i g_i                                   (loss −w·R·log π: the KL term left out)
      for (const k of batch) scoreSeq(k, w(k) * rewards[k]);
      return;
    case 'k1-reward':
      // ĝ = mean_i w_i (R_i − β ℓ_i) g_i                         (reward R − β·k1 of the whole sequence)
      for (const k of batch) scoreSeq(k, w(k) * (rewards[k] - beta * ell(k)));
      return;
    case 'k1-mean-baseline':
    case 'rloo': {
      // A_i = R_i − β ℓ_i;  ĝ = mean_i w_i (A_i − b_i) g_i,  b_i = Ā (batch mean) or Ā₋ᵢ = (ΣA − A_i)/(N − 1)
      const A = Array.from(batch, (k) => rewards[k] - beta * ell(k));
      const sum = A.reduce((s, x) => s + x, 0);
      batch.forEach((k, i) => {
        const b = name === 'rloo' ? (sum - A[i]) / (N - 1) : sum / N;
        scoreSeq(k, w(k) * (A[i] - b));
      });
      return;
    }
    case 'k2-loss':
      // L = mean_i Σ_t [ −ρ_t R_i + β ½ ℓ_t² ]  ⇒  ĝ = mean_i Σ_t (ρ_t R_i − β ℓ_t) g_t
      for (const k of batch) for (let t = 0; t < L; t++) score(k, t, rho(k, t) * rewards[k] - beta * lTok(k, t));
      return;
    case 'k3-loss':
      // k3_t = r_t − 1 − log r_t, ∇log r_t = −g_t ⇒ ∇k3_t = (1 − r_t) g_t  ⇒  ĝ = mean Σ_t (ρ_t R − β(1 − r_t)) g_t
      for (const k of batch)
        for (let t = 0; t < L; t++) score(k, t, rho(k, t) * rewards[k] - beta * (1 - 1 / Math.exp(lTok(k, t))));
      return;
    case 'k3-loss-ratio':
      // ∇(ρ_t k3_t) = ρ_t g_t (k3_t + 1 − r_t) = ρ_t ℓ_t g_t  ⇒  ĝ = mean Σ_t ρ_t (R − β ℓ_t) g_t
      for (const k of batch) for (let t = 0; t < L; t++) score(k, t, rho(k, t) * (rewards[k] - beta * lTok(k, t)));
      return;
    case 'kl-exact-token':
    case 'kl-exact-loss': {
      // token: ĝ = mean Σ_t [ρ_t R g_t − β ∇KL_{s_t}]
      // loss:  ĝ = mean w [R g − β Σ_t (∇KL_{s_t} + g_t Σ_{t'>t} KL_{s_t'})]   (the score term of later states)
      const full = name === 'kl-exact-loss';
      for (const k of batch) {
        const wk = full ? w(k) : 1;
        let later = 0;
        for (let t = L - 1; t >= 0; t--) {
          const s = st(k, t);
          score(k, t, full ? wk * (rewards[k] - beta * later) : rho(k, t) * rewards[k]);
          for (let b = 0; b < nA; b++) out[s * nA + b] -= (wk * beta * stateKlGrad[s * nA + b]) / N;
          later += stateKl[s];
        }
      }
      return;
    }
    case 'grpo':
    case 'grpo-beta0':
    case 'grpo-noscale': {
      // Â_i = (R_i − R̄)/(std(R) + 1e-4) (sample std; grpo-noscale: Â_i = R_i − R̄);  L = −mean_i Σ_t [ρ_t Â_i − β k3_t]   (DeepSeekMath eq. 3;
      // its 1/|o_i| is the constant 1/L here, left to the learning rate)
      const Rb = Array.from(batch, (k) => rewards[k]);
      const mean = Rb.reduce((s, x) => s + x, 0) / N;
      const std = Math.sqrt(Rb.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, N - 1));
      batch.forEach((k, i) => {
        const adv = name === 'grpo-noscale' ? Rb[i] - mean : (Rb[i] - mean) / (std + 1e-4);
        for (let t = 0; t < L; t++) score(k, t, rho(k, t) * adv - beta * (1 - 1 / Math.exp(lTok(k, t))));
      });
      return;
    }
    case 'ppo-clip': {
      // A_i = R_i − β ℓ_old(y_i) (the penalty at rollout time);  L^CLIP = −mean Σ_t min(ρ_t A, clip(ρ_t, 1 ± ε) A)
      // ⇒ ĝ = mean Σ_t 1[the unclipped branch is the min] ρ_t A g_t
      for (const k of batch) {
        const A = rewards[k] - beta * (oldLogp[k] - refSeqLogp[k]);
        for (let t = 0; t < L; t++) {
          const r = rho(k, t);
          const clipped = (A > 0 && r > 1 + ctx.clip) || (A < 0 && r < 1 - ctx.clip);
          if (!clipped) score(k, t, r * A);
        }
      }
      return;
    }
  }
}

/** N sequence indices from the behaviour policy π_old. */
export function sampleBatch(ctx: EstimatorContext, n: number, rng: Rng): Int32Array {
  return Int32Array.from({ length: n }, () => sampleSequence(ctx.task, ctx.oldProbs, rng));
}

/** One estimator's error statistics over B batches. */
export interface EstimatorStats {
  name: EstimatorName;
  n: number;
  batches: number;
  /** ‖m‖, m = mean_b (ĝ_b − ∇J). */
  bias: number;
  /** The 95% interval for ‖E ĝ − ∇J‖ (Bonferroni box; see the file's header). */
  biasLo: number;
  biasHi: number;
  /** ‖m‖ / ‖∇J‖. */
  relBias: number;
  /** E‖ĝ − E ĝ‖²: the trace of ĝ's covariance (per batch of N). */
  variance: number;
  /** Mean over batches of cos(ĝ_b, ∇J). */
  cosine: number;
  /** ‖∇J‖. */
  exactNorm: number;
  /** ‖∇J‖ on the coordinates left out (states expected < MIN_VISITS visits) over ‖∇J‖. */
  dropped: number;
}

/** Expected draws a (state, token) pair needs over all samples before its coordinate enters the bias interval. */
export const MIN_VISITS = 100;

/** P(the prefix state s is visited and token a drawn there) under the behaviour policy, nS·nA. */
function visitProbs(ctx: EstimatorContext): Float64Array {
  const { task, oldLogp } = ctx;
  const { L, nA } = task;
  const out = new Float64Array(task.nS * nA);
  for (let k = 0; k < task.nSeq; k++)
    for (let t = 0; t < L; t++) out[task.states[k * L + t] * nA + task.tokens[k * L + t]] += Math.exp(oldLogp[k]);
  return out;
}

/** Φ⁻¹(p) (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Bias, variance and cosine of each estimator in `names` from `batches` independent batches of `n` sequences
 * (every estimator sees the same batches), drawn from `rng`.
 */
export function measureEstimators(
  ctx: EstimatorContext,
  names: readonly EstimatorName[],
  n: number,
  batches: number,
  rng: Rng,
): EstimatorStats[] {
  const d = ctx.exact.length;
  const sums = names.map(() => new Float64Array(d));
  const sqs = names.map(() => new Float64Array(d));
  const cos = new Float64Array(names.length);
  const g = new Float64Array(d);
  for (let b = 0; b < batches; b++) {
    const batch = sampleBatch(ctx, n, rng);
    names.forEach((name, e) => {
      estimate(ctx, name, batch, g);
      const s = sums[e];
      const q = sqs[e];
      for (let j = 0; j < d; j++) {
        const err = g[j] - ctx.exact[j];
        s[j] += err;
        q[j] += err * err;
      }
      // A zero ĝ (every reward in the batch equal, for the baselines) has no direction: cosine 0.
      const gn = norm(g);
      cos[e] += gn > 0 ? cosine(g, ctx.exact) : 0;
    });
  }
  const visits = visitProbs(ctx);
  const kept = Array.from(visits, (p) => p * batches * n >= MIN_VISITS);
  const z = normalQuantile(1 - 0.05 / (2 * kept.filter(Boolean).length));
  const exactNorm = norm(ctx.exact);
  const dropped = norm(ctx.exact.filter((_, j) => !kept[j])) / exactNorm;
  return names.map((name, e) => {
    let bias2 = 0;
    let lo2 = 0;
    let hi2 = 0;
    let variance = 0;
    for (let j = 0; j < d; j++) {
      const m = sums[e][j] / batches;
      const v = Math.max(0, (sqs[e][j] / batches - m * m) * (batches / (batches - 1)));
      variance += v;
      if (!kept[j]) continue;
      const se = Math.sqrt(v / batches);
      bias2 += m * m;
      lo2 += Math.max(0, Math.abs(m) - z * se) ** 2;
      hi2 += (Math.abs(m) + z * se) ** 2;
    }
    const bias = Math.sqrt(bias2);
    return {
      name,
      n,
      batches,
      bias,
      biasLo: Math.sqrt(lo2),
      biasHi: Math.sqrt(hi2),
      relBias: bias / exactNorm,
      variance,
      cosine: cos[e] / batches,
      exactNorm,
      dropped,
    };
  });
}

/**
 * `count` sampled gradients of one estimator projected on two directions (the viewer's scatter): u = ∇J/‖∇J‖
 * and v, the unit direction of the sampled mean's part orthogonal to u (where its bias points; a fixed random
 * direction when the mean has none). Returns the points, their mean, the exact gradient's coordinates (‖∇J‖, 0)
 * and the mean cos(ĝ, ∇J) in all d dimensions.
 */
export function projectedEstimates(
  ctx: EstimatorContext,
  name: EstimatorName,
  n: number,
  count: number,
  rng: Rng,
): { points: Array<[number, number]>; mean: [number, number]; exact: [number, number]; cosine: number } {
  const d = ctx.exact.length;
  const en = norm(ctx.exact);
  const u = ctx.exact.map((x) => x / en);
  const all: Float64Array[] = [];
  const mean = new Float64Array(d);
  let cos = 0;
  for (let c = 0; c < count; c++) {
    const g = new Float64Array(d);
    estimate(ctx, name, sampleBatch(ctx, n, rng), g);
    all.push(g);
    for (let j = 0; j < d; j++) mean[j] += g[j] / count;
    cos += norm(g) > 0 ? cosine(g, ctx.exact) / count : 0;
  }
  const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[j] * y[j];
    return s;
  };
  const orth = (x: Float64Array) => {
    const a = dot(x, u);
    return x.map((xj, j) => xj - a * u[j]);
  };
  let v = orth(mean);
  if (norm(v) < 1e-12 * en) {
    const fixed = new Rng('projection');
    v = orth(Float64Array.from({ length: d }, () => fixed.normal()));
  }
  const vn = norm(v);
  v = v.map((x) => x / vn);
  return {
    points: all.map((g) => [dot(g, u), dot(g, v)]),
    mean: [dot(mean, u), dot(mean, v)],
    exact: [en, 0],
    cosine: cos,
  };
}
