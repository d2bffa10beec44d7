/**
 * What GRPO, RLOO and DPO share on the tabular TokenSeq policy (`tabular.ts`): the optimizer's config fields,
 * Adam ascent on float64 logits (with a linearly annealed learning rate), the exact
 * metrics every step (enumerated: KL to π_ref, E[R], TV to π* ∝ π_ref·exp(R/β)), policy weights, `act` and
 * `stats`, and exact resume through `getState`/`setState`. Each algorithm's file holds only its objective.
 * Browser-safe (no Node imports).
 */
import { field } from '../../core/config.js';
import type { Rng, RngState } from '../../core/rng.js';
import type { Observation } from '../../envs/env.js';
import type { Objective } from '../../priors/index.js';
import { checkFinite } from '../diverged.js';
import type { LearnerArgs } from '../learner.js';
import { klRegularizedOptimum, totalVariation } from '../klppo/optimum.js';
import { estimate, estimatorContext, sampleBatch, type EstimatorName } from './estimators.js';
import { logTable, sequenceLogProbs, softmaxRows, stateKls, taskFromArgs, type TokenTask } from './tabular.js';

/** The arguments of every learner factory: the one learner API's `LearnerArgs` (`src/agents/learner.ts`). */
export type RlhfLearnerArgs = LearnerArgs;

// ──────────────────────────────────────────────────────────────────────────────── config fields
/** The optimizer's fields every learner here has. */
export interface OptimizerFields {
  /** Adam learning rate (the ascent step on the logits). */
  learningRate: number;
  /** If > 0: the learning rate decays linearly to 0 over this many steps (0: constant). */
  annealSteps: number;
}

export const OPTIMIZER_SHAPE = {
  learningRate: field.range('a finite number in (0, 10]', (x) => x > 0 && x <= 10),
  annealSteps: field.nonNegativeInt(' (0 = constant)'),
};
export const OPTIMIZER_DEFAULTS: OptimizerFields = { learningRate: 0.05, annealSteps: 0 };

/** A count field in [min, max]. */
export const countField = (min: number, max: number) =>
  field.range(`an integer in [${min}, ${max}]`, (x) => Number.isInteger(x) && x >= min && x <= max);

// ──────────────────────────────────────────────────────────────────────────────── the learner
/** Exact resume: the logits, Adam's moments, the counters and the sampler's RNG (plus what a learner adds). */
export interface RlhfState {
  version: 1;
  algo: string;
  iteration: number;
  logits: Float64Array;
  adamM: Float64Array;
  adamV: Float64Array;
  adamT: number;
  rng: RngState;
  /** Learner-specific typed arrays (DPO: its preference pairs). */
  data: Record<string, Int32Array | Float64Array>;
}

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export abstract class TabularRlhfLearner {
  abstract readonly algo: string;
  readonly task: TokenTask;
  /** β: the Objective's α (fixed). */
  readonly beta: number;
  readonly objective: Objective;
  /** Completed steps. */
  iteration = 0;
  protected theta: Float64Array;
  protected readonly rng: Rng;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private adamT = 0;
  private readonly optimum: Float64Array;
  private readonly opt: { learningRate: number; annealSteps: number };

  protected constructor(who: string, args: RlhfLearnerArgs, opt: { learningRate: number; annealSteps: number }) {
    const { task, beta } = taskFromArgs(who, args.makeEnv, args.objective);
    this.task = task;
    this.beta = beta;
    this.objective = args.objective;
    this.opt = opt;
    // RLHF starts at the reference: θ = log π_ref.
    this.theta = logTable(task.ref);
    this.m = new Float64Array(this.theta.length);
    this.v = new Float64Array(this.theta.length);
    this.rng = args.streams.get('agent');
    this.optimum = klRegularizedOptimum(Float64Array.from(task.refSeqLogp, Math.exp), task.rewards, beta).probs;
  }

  /** The ascent direction ĝ ≈ ∇(objective) from one batch drawn with `this.rng`, and the batch's own metrics. */
  protected abstract direction(): { grad: Float64Array; metrics: Record<string, number> };

  /** `n` sequences drawn from π with `this.rng` and the named estimator's ĝ from them (RLOO's, GRPO's step). */
  protected sampledEstimate(name: EstimatorName, n: number) {
    const ctx = estimatorContext(this.task, this.beta, this.theta);
    const batch = sampleBatch(ctx, n, this.rng);
    const grad = new Float64Array(this.theta.length);
    estimate(ctx, name, batch, grad);
    return { ctx, batch, grad };
  }

  /** Learner-specific typed arrays for `getState` (and their check in `setState`). */
  protected stateData(): Record<string, Int32Array | Float64Array> {
    return {};
  }
  protected setStateData(_data: Record<string, Int32Array | Float64Array>): void {}

  /** One iteration: one batch, one Adam ascent step θ ← θ + lr·m̂/(√v̂ + ε); returns the metrics. */
  step(): Record<string, number> {
    const { learningRate, annealSteps } = this.opt;
    const lr = annealSteps > 0 ? learningRate * Math.max(0, 1 - this.iteration / annealSteps) : learningRate;
    const { grad, metrics } = this.direction();
    checkFinite(this.algo, metrics, this.iteration);
    this.adamT += 1;
    const { beta1, beta2, epsilon } = ADAM;
    const c1 = 1 - beta1 ** this.adamT;
    const c2 = 1 - beta2 ** this.adamT;
    for (let i = 0; i < grad.length; i++) {
      this.m[i] = beta1 * this.m[i] + (1 - beta1) * grad[i];
      this.v[i] = beta2 * this.v[i] + (1 - beta2) * grad[i] * grad[i];
      this.theta[i] += (lr * this.m[i]) / c1 / (Math.sqrt(this.v[i] / c2) + epsilon);
    }
    this.iteration += 1;
    const out = { ...metrics, ...this.exactMetrics(), 'charts/learning_rate': lr };
    checkFinite(this.algo, out, this.iteration);
    return out;
  }

  /** Exact, by enumeration: KL(π‖π_ref) per token, E_π[R], TV(π, π*). */
  exactMetrics(): Record<string, number> {
    const logp = sequenceLogProbs(this.task, this.probabilities());
    let kl = 0;
    let reward = 0;
    for (let k = 0; k < this.task.nSeq; k++) {
      const p = Math.exp(logp[k]);
      kl += p * (logp[k] - this.task.refSeqLogp[k]);
      reward += p * this.task.rewards[k];
    }
    return {
      'charts/kl_prior': kl / this.task.L,
      'charts/expected_reward': reward,
      'charts/tv_optimum': totalVariation(logp.map(Math.exp), this.optimum),
    };
  }

  /** θ[s, a] (nS·nA row-major, a copy). */
  get logits(): Float64Array {
    return Float64Array.from(this.theta);
  }

  /** π(a|s) (nS·nA row-major). */
  probabilities(): Float64Array {
    return softmaxRows(this.task, this.theta);
  }

  /** π(y) of every sequence (order of `env.allSequences()`). */
  sequenceProbs(): Float64Array {
    return sequenceLogProbs(this.task, this.probabilities()).map(Math.exp);
  }

  /** π*(y) ∝ π_ref(y)·exp(R(y)/β), the optimum of the KL-regularized objective at this β. */
  optimumProbs(): Float64Array {
    return Float64Array.from(this.optimum);
  }

  /** The row of an observation (finished sequences have no choice left: uniform). */
  private row(probs: Float64Array, obs: Observation): Float64Array {
    const s = Number(obs);
    const nA = this.task.nA;
    return s < this.task.nS ? probs.subarray(s * nA, s * nA + nA) : new Float64Array(nA).fill(1 / nA);
  }

  /** Tokens for a batch of prefix states: the most likely one, or drawn with `opts.rng`. */
  act(obs: readonly Observation[], opts: { deterministic: true } | { deterministic: false; rng: Rng }): Float32Array {
    const probs = this.probabilities();
    return Float32Array.from(obs, (o) => {
      const p = this.row(probs, o);
      return opts.deterministic ? p.indexOf(Math.max(...p)) : opts.rng.categorical(p);
    });
  }

  /** Mean over the batch of H(π(·|s)) and KL(π(·|s) ‖ π_ref(·|s)) (nats). */
  stats(obs: readonly Observation[]): { entropy: number; kl: number } {
    const probs = this.probabilities();
    const kls = stateKls(this.task, probs);
    let entropy = 0;
    let kl = 0;
    for (const o of obs) {
      for (const p of this.row(probs, o)) if (p > 0) entropy -= p * Math.log(p);
      if (Number(o) < this.task.nS) kl += kls[Number(o)];
    }
    return { entropy: entropy / obs.length, kl: kl / obs.length };
  }

  networkSizes(): Record<string, number[]> {
    return { logits: [this.task.nS, this.task.nA] };
  }

  policyWeights(): Record<string, Float32Array> {
    return { logits: Float32Array.from(this.theta) };
  }

  setPolicyWeights(w: Record<string, Float32Array>): void {
    if (!w.logits || w.logits.length !== this.theta.length)
      throw new RangeError(
        `${this.algo}.setPolicyWeights: logits has ${w.logits?.length ?? 'no'} numbers; allowed: ${this.theta.length} (${this.task.nS} states × ${this.task.nA} tokens)`,
      );
    this.theta = Float64Array.from(w.logits);
  }

  getState(): RlhfState {
    return {
      version: 1,
      algo: this.algo,
      iteration: this.iteration,
      logits: Float64Array.from(this.theta),
      adamM: Float64Array.from(this.m),
      adamV: Float64Array.from(this.v),
      adamT: this.adamT,
      rng: this.rng.getState(),
      data: this.stateData(),
    };
  }

  setState(s: RlhfState): void {
    if (s.version !== 1) throw new RangeError(`${this.algo} state.version: got ${s.version}; allowed: 1`);
    if (s.algo !== this.algo) throw new RangeError(`${this.algo} state.algo: got ${s.algo}; allowed: ${this.algo}`);
    for (const k of ['logits', 'adamM', 'adamV'] as const)
      if (s[k].length !== this.theta.length)
        throw new RangeError(`${this.algo} state.${k}: got ${s[k].length} numbers; allowed: ${this.theta.length}`);
    this.setStateData(s.data);
    this.theta = Float64Array.from(s.logits);
    this.m.set(s.adamM);
    this.v.set(s.adamV);
    this.adamT = s.adamT;
    this.iteration = s.iteration;
    this.rng.setState(s.rng);
  }

  /** Nothing to free (no tensors); part of the learner protocol. */
  dispose(): void {}
}
