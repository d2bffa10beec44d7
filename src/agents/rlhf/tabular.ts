/**
 * A tabular autoregressive softmax policy on TokenSeq-v0 and its exact objective, in float64.
 *
 * One logit θ[s, a] per (prefix state s, next token a); π(a|s) = softmax(θ[s, ·])_a and a sequence y = (y_1..y_L)
 * has π(y) = Π_t π(y_t | y_<t). Every sequence is enumerable (vocab^length of them), so the RLHF objective
 *
 *     J(θ) = E_{y~π}[R(y)] − β · KL(π ‖ π_ref),   KL(π ‖ π_ref) = Σ_y π(y) (log π(y) − log π_ref(y))
 *
 * (the KL at the sequence level), its gradient and its maximizer π*(y) ∝ π_ref(y) exp(R(y)/β)
 * (`klppo/optimum.ts`) are computed exactly. The gradient, written once here:
 *
 *     ∇J = Σ_y π(y) ∇log π(y) · (R(y) − β ℓ(y)) − β Σ_y π(y) ∇log π(y)
 *        = E_π[ ∇log π(y) · (R(y) − β ℓ(y)) ],       ℓ(y) = log π(y) − log π_ref(y)
 *
 * (the last sum is ∇Σ_y π(y) = 0), with ∇_{θ[s,·]} log π(y) = Σ_t 1[s_t = s] (e_{y_t} − π(·|s)).
 * Browser-safe, no tensors.
 */
import type { Rng } from '../../core/rng.js';
import type { Env } from '../../envs/env.js';
import { TokenSeq } from '../../envs/tokens.js';
import type { Objective } from '../../priors/index.js';

/** The enumerated task: every sequence, the prefix state of each of its tokens, R, and π_ref. */
export interface TokenTask {
  readonly env: TokenSeq;
  /** Prefix states that still choose a token (the policy's rows): 0 .. nS − 1. */
  readonly nS: number;
  /** Tokens (the policy's columns). */
  readonly nA: number;
  /** Tokens per sequence. */
  readonly L: number;
  /** Number of sequences, nA^L; sequence k is `env.allSequences()[k]`. */
  readonly nSeq: number;
  /** tokens[k·L + t] = y_t of sequence k. */
  readonly tokens: Int32Array;
  /** states[k·L + t] = the prefix state y_<t of sequence k. */
  readonly states: Int32Array;
  /** R(y) per sequence. */
  readonly rewards: Float64Array;
  /** π_ref(a|s), nS·nA row-major. */
  readonly ref: Float64Array;
  /** log π_ref(y) per sequence. */
  readonly refSeqLogp: Float64Array;
}

/** The task of a TokenSeq env with the reference table `ref` (nS_env·nA row-major, e.g. `objective.tabular().prior`). */
export function tokenTask(env: TokenSeq, ref: ArrayLike<number>): TokenTask {
  const nA = env.vocab;
  const L = env.length;
  const nS = env.offset(L);
  const seqs = env.allSequences();
  const nSeq = seqs.length;
  const tokens = new Int32Array(nSeq * L);
  const states = new Int32Array(nSeq * L);
  seqs.forEach((y, k) => {
    for (let t = 0; t < L; t++) {
      tokens[k * L + t] = y[t];
      states[k * L + t] = env.stateOf(y.slice(0, t));
    }
  });
  const refRows = Float64Array.from({ length: nS * nA }, (_, i) => ref[i]);
  const task = { env, nS, nA, L, nSeq, tokens, states, rewards: env.sequenceRewards(), ref: refRows };
  return { ...task, refSeqLogp: sequenceLogProbs(task, refRows) };
}

/**
 * The task a learner works on: `makeEnv()` must build a TokenSeq; the reference π_ref and β come from the
 * Objective's tabular view (a fixed α: a learned one is refused, naming the field).
 */
export function taskFromArgs(who: string, makeEnv: () => Env, objective: Objective): { task: TokenTask; beta: number } {
  const env = makeEnv();
  if (!(env instanceof TokenSeq))
    throw new RangeError(`${who}: makeEnv() built ${env.id}; allowed: TokenSeq-v0 (the enumerable token task)`);
  if (objective.targetKl !== null)
    throw new RangeError(
      `${who}: objective.alpha: got ${JSON.stringify(objective.spec.alpha)}; allowed: a fixed number ≥ 0 (no α controller here)`,
    );
  const { alpha, prior } = objective.tabular();
  return { task: tokenTask(env, prior), beta: alpha };
}

/** Row-wise softmax of logits θ (nS·nA) → π(a|s). */
export function softmaxRows(task: Pick<TokenTask, 'nS' | 'nA'>, logits: ArrayLike<number>): Float64Array {
  const { nS, nA } = task;
  const p = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, logits[s * nA + a]);
    let z = 0;
    for (let a = 0; a < nA; a++) z += p[s * nA + a] = Math.exp(logits[s * nA + a] - m);
    for (let a = 0; a < nA; a++) p[s * nA + a] /= z;
  }
  return p;
}

/** log π(a|s) as logits: log of a probability table (the policy that starts AT the reference). */
export function logTable(probs: ArrayLike<number>): Float64Array {
  return Float64Array.from(probs, (p) => Math.log(p));
}

/** log π(y) per sequence for a probability table π(a|s). */
export function sequenceLogProbs(
  task: Pick<TokenTask, 'nSeq' | 'L' | 'nA' | 'tokens' | 'states'>,
  probs: ArrayLike<number>,
): Float64Array {
  const { nSeq, L, nA, tokens, states } = task;
  const out = new Float64Array(nSeq);
  for (let k = 0; k < nSeq; k++) {
    let lp = 0;
    for (let t = 0; t < L; t++) lp += Math.log(probs[states[k * L + t] * nA + tokens[k * L + t]]);
    out[k] = lp;
  }
  return out;
}

/** Exact E_π[R], KL(π ‖ π_ref) (nats per sequence) and J = E[R] − β·KL for logits θ. */
export function objectiveValue(
  task: TokenTask,
  logits: ArrayLike<number>,
  beta: number,
): { reward: number; kl: number; j: number } {
  const logp = sequenceLogProbs(task, softmaxRows(task, logits));
  let reward = 0;
  let kl = 0;
  for (let k = 0; k < task.nSeq; k++) {
    const p = Math.exp(logp[k]);
    reward += p * task.rewards[k];
    kl += p * (logp[k] - task.refSeqLogp[k]);
  }
  return { reward, kl, j: reward - beta * kl };
}

/** grad[s·nA + ·] += w · (e_a − π(·|s)): w times the score ∇_θ log π(a|s). */
export function addScore(
  grad: Float64Array,
  probs: ArrayLike<number>,
  nA: number,
  s: number,
  a: number,
  w: number,
): void {
  const o = s * nA;
  for (let b = 0; b < nA; b++) grad[o + b] -= w * probs[o + b];
  grad[o + a] += w;
}

/** The analytic ∇J = Σ_y π(y) (R(y) − β ℓ(y)) ∇log π(y), by enumeration of every sequence. */
export function exactGradient(task: TokenTask, logits: ArrayLike<number>, beta: number): Float64Array {
  const { nSeq, L, nA, tokens, states } = task;
  const probs = softmaxRows(task, logits);
  const logp = sequenceLogProbs(task, probs);
  const grad = new Float64Array(task.nS * nA);
  for (let k = 0; k < nSeq; k++) {
    const w = Math.exp(logp[k]) * (task.rewards[k] - beta * (logp[k] - task.refSeqLogp[k]));
    for (let t = 0; t < L; t++) addScore(grad, probs, nA, states[k * L + t], tokens[k * L + t], w);
  }
  return grad;
}

/** Central finite differences (J(θ + h e_i) − J(θ − h e_i)) / 2h, one coordinate at a time. */
export function finiteDifferenceGradient(
  task: TokenTask,
  logits: ArrayLike<number>,
  beta: number,
  h = 1e-5,
): Float64Array {
  const theta = Float64Array.from(logits);
  const grad = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) {
    const x = theta[i];
    theta[i] = x + h;
    const up = objectiveValue(task, theta, beta).j;
    theta[i] = x - h;
    const down = objectiveValue(task, theta, beta).j;
    theta[i] = x;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/** Draws one sequence from π token by token (the `rng` stream); returns its index k (its code in base nA). */
export function sampleSequence(task: TokenTask, probs: Float64Array, rng: Rng): number {
  const { nA, L, env } = task;
  let code = 0;
  for (let t = 0; t < L; t++) {
    const s = env.offset(t) + code;
    code = code * nA + rng.categorical(probs.subarray(s * nA, s * nA + nA));
  }
  return code;
}

/** KL(π(·|s) ‖ π_ref(·|s)) for every prefix state s. */
export function stateKls(task: TokenTask, probs: ArrayLike<number>): Float64Array {
  const { nS, nA, ref } = task;
  const out = new Float64Array(nS);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const p = probs[s * nA + a];
      if (p > 0) out[s] += p * Math.log(p / ref[s * nA + a]);
    }
  return out;
}

/** Euclidean norm and cosine of float64 vectors. */
export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

export function cosine(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < u.length; i++) d += u[i] * v[i];
  return d / (norm(u) * norm(v));
}
