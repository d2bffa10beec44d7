/**
 * DPO (Rafailov et al. 2023) on the tabular TokenSeq policy, offline from a fixed set of preference pairs.
 *
 * The data: `pairs` pairs (y, y'), both drawn from `pairSource` (uniform over all sequences, or π_ref) with the
 * `data` stream, labelled by the Bradley–Terry model of the env's reward model,
 *     P(y ≻ y') = σ(R(y) − R(y')),
 * either as that probability (`labels: 'soft'`, the expected label) or as one Bernoulli draw of it
 * (`'sampled'`, what a human labeller gives). Each step takes `batchSize` pairs (with replacement, `agent`
 * stream) and descends
 *
 *     L = −mean [ p·log σ(h) + (1 − p)·log σ(−h) ],   h = β (log π(y)/π_ref(y) − log π(y')/π_ref(y'))
 *     ∇(−L) = mean (p − σ(h)) · β (∇log π(y) − ∇log π(y'))
 *
 * with β the Objective's α. At the minimum over pairs that connect every sequence the implicit reward
 * r̂(y) = β log π(y)/π_ref(y) equals R(y) up to one constant (which DPO cannot identify: it only sees
 * differences), i.e. π = π_ref·exp(R/β)/Z = π*. Soft labels reach it exactly; sampled ones fit their noise.
 */
import { configSchema, field, resolveConfig } from '../../core/config.js';
import { Rng } from '../../core/rng.js';
import {
  countField,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_SHAPE,
  TabularRlhfLearner,
  type OptimizerFields,
  type RlhfLearnerArgs,
} from './base.js';
import { addScore, sampleSequence, sequenceLogProbs } from './tabular.js';

export interface DpoConfig extends OptimizerFields {
  /** Preference pairs in the offline data set. */
  pairs: number;
  /** Where both sequences of a pair come from: uniform over every sequence, or the reference LM π_ref. */
  pairSource: 'uniform' | 'reference';
  /** Bradley–Terry labels: the probability σ(R(y) − R(y')) itself (soft), or one draw of it (sampled). */
  labels: 'soft' | 'sampled';
  /** Pairs per step. */
  batchSize: number;
}

export const DPO_SCHEMA = configSchema<DpoConfig>(
  'DpoConfig',
  {
    pairs: countField(1, 1_000_000),
    pairSource: field.oneOf(['uniform', 'reference']),
    labels: field.oneOf(['soft', 'sampled']),
    batchSize: countField(1, 65_536),
    ...OPTIMIZER_SHAPE,
  },
  { pairs: 4096, pairSource: 'uniform', labels: 'soft', batchSize: 256, ...OPTIMIZER_DEFAULTS },
);

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class Dpo extends TabularRlhfLearner {
  readonly algo = 'dpo';
  readonly config: DpoConfig;
  /** pairData[2i], pairData[2i + 1]: the sequence indices of pair i. */
  private pairData: Int32Array;
  /** P(first ≻ second) the loss is fitted to (0/1 when sampled). */
  private target: Float64Array;

  constructor(args: RlhfLearnerArgs) {
    const config = resolveConfig(DPO_SCHEMA, args.config);
    super('dpo', args, config);
    if (!(this.beta > 0))
      throw new RangeError(`dpo objective.alpha: got ${this.beta}; allowed: > 0 (β = 0 has no implicit reward)`);
    this.config = config;
    const data: Rng = args.streams.get('data');
    const { task } = this;
    const source = config.pairSource === 'uniform' ? null : task.ref;
    const draw = () => (source ? sampleSequence(task, source, data) : data.integer(task.nSeq));
    this.pairData = new Int32Array(2 * config.pairs);
    this.target = new Float64Array(config.pairs);
    for (let i = 0; i < config.pairs; i++) {
      const a = draw();
      const b = draw();
      const p = sigmoid(task.rewards[a] - task.rewards[b]);
      this.pairData[2 * i] = a;
      this.pairData[2 * i + 1] = b;
      this.target[i] = config.labels === 'soft' ? p : Number(data.uniform() < p);
    }
  }

  protected direction() {
    const { task, beta } = this;
    const { nA, L, states, tokens, refSeqLogp } = task;
    const probs = this.probabilities();
    const logp = sequenceLogProbs(task, probs);
    const grad = new Float64Array(this.theta.length);
    const n = this.config.batchSize;
    let loss = 0;
    for (let b = 0; b < n; b++) {
      const i = this.rng.integer(this.config.pairs);
      const [y, y2] = [this.pairData[2 * i], this.pairData[2 * i + 1]];
      const p = this.target[i];
      // h = β (log π(y)/π_ref(y) − log π(y')/π_ref(y'))
      const h = beta * (logp[y] - refSeqLogp[y] - (logp[y2] - refSeqLogp[y2]));
      // L_i = −[p log σ(h) + (1 − p) log σ(−h)]
      loss -= p * Math.log(sigmoid(h)) + (1 - p) * Math.log(sigmoid(-h));
      // −∇L_i = (p − σ(h)) β (∇log π(y) − ∇log π(y'))
      const c = ((p - sigmoid(h)) * beta) / n;
      for (let t = 0; t < L; t++) {
        addScore(grad, probs, nA, states[y * L + t], tokens[y * L + t], c);
        addScore(grad, probs, nA, states[y2 * L + t], tokens[y2 * L + t], -c);
      }
    }
    return {
      grad,
      metrics: { 'losses/dpo': loss / n, 'charts/implicit_reward_error': this.implicitRewardError() },
    };
  }

  /** r̂(y) = β log π(y)/π_ref(y) for every sequence. */
  implicitReward(): Float64Array {
    const logp = sequenceLogProbs(this.task, this.probabilities());
    return logp.map((lp, k) => this.beta * (lp - this.task.refSeqLogp[k]));
  }

  /** min_c max_y |r̂(y) − R(y) − c| = half the range of r̂ − R over every sequence (0: R up to a constant). */
  implicitRewardError(): number {
    const d = this.implicitReward().map((r, k) => r - this.task.rewards[k]);
    return (Math.max(...d) - Math.min(...d)) / 2;
  }

  protected override stateData() {
    return { pairs: Int32Array.from(this.pairData), target: Float64Array.from(this.target) };
  }

  protected override setStateData(data: Record<string, Int32Array | Float64Array>): void {
    const { pairs, target } = data;
    if (!(pairs instanceof Int32Array) || pairs.length !== 2 * this.config.pairs)
      throw new RangeError(
        `dpo state.data.pairs: got ${pairs?.length ?? 'none'}; allowed: an Int32Array of ${2 * this.config.pairs}`,
      );
    if (!(target instanceof Float64Array) || target.length !== this.config.pairs)
      throw new RangeError(
        `dpo state.data.target: got ${target?.length ?? 'none'}; allowed: a Float64Array of ${this.config.pairs}`,
      );
    this.pairData = Int32Array.from(pairs);
    this.target = Float64Array.from(target);
  }
}

export function createDpo(args: RlhfLearnerArgs): Dpo {
  return new Dpo(args);
}
