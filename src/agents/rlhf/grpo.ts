/**
 * GRPO (Shao et al. 2024, DeepSeekMath eq. 3) on the tabular TokenSeq policy, one update per group (TRL's
 * default of one iteration, so the ratio ρ = π/π_old is 1 with gradient ∇log π). Each step draws a group of
 * G sequences from π and ascends
 *
 *     Â_i = (R(y_i) − mean R) / (std R + 1e-4)                 (scaleRewards: false → Â_i = R(y_i) − mean R)
 *     L   = (1/G) Σ_i Σ_t [ ρ_t Â_i − β·k3_t ],  k3_t = r_t − 1 − log r_t,  r_t = π_ref(y_t|s_t)/π(y_t|s_t)
 *
 * (the paper's 1/|o_i| is the constant 1/length here, left to the learning rate). This is not ∇J: the std
 * division rescales the reward against β by a random factor, and k3 without the ratio has the gradient of
 * the FORWARD per-token KL(π_ref ‖ π) (`estimators.ts`, estimators `grpo` and `grpo-noscale`). With β = 0
 * (an Objective with α = 0; TRL's default) it maximizes E[R] alone and collapses onto the reward's maximizer.
 */
import { configSchema, field, resolveConfig } from '../../core/config.js';
import {
  countField,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_SHAPE,
  TabularRlhfLearner,
  type OptimizerFields,
  type RlhfLearnerArgs,
} from './base.js';

export interface GrpoConfig extends OptimizerFields {
  /** Sequences per group G (the std needs G ≥ 2). */
  groupSize: number;
  /** Divide the group's advantages by their std (GRPO); false: only subtract the mean (Dr. GRPO). */
  scaleRewards: boolean;
}

export const GRPO_SCHEMA = configSchema<GrpoConfig>(
  'GrpoConfig',
  { groupSize: countField(2, 65_536), scaleRewards: field.boolean(), ...OPTIMIZER_SHAPE },
  { groupSize: 64, scaleRewards: true, ...OPTIMIZER_DEFAULTS },
);

export class Grpo extends TabularRlhfLearner {
  readonly algo = 'grpo';
  readonly config: GrpoConfig;

  constructor(args: RlhfLearnerArgs) {
    const config = resolveConfig(GRPO_SCHEMA, args.config);
    super('grpo', args, config);
    this.config = config;
  }

  protected direction() {
    const { ctx, batch, grad } = this.sampledEstimate(
      this.config.scaleRewards ? 'grpo' : 'grpo-noscale',
      this.config.groupSize,
    );
    const { nA, L, states, tokens, ref } = this.task;
    let reward = 0;
    let k3 = 0;
    for (const k of batch) {
      reward += this.task.rewards[k];
      for (let t = 0; t < L; t++) {
        const i = states[k * L + t] * nA + tokens[k * L + t];
        const r = ref[i] / ctx.probs[i];
        k3 += r - 1 - Math.log(r);
      }
    }
    const n = batch.length;
    return { grad, metrics: { 'charts/episodic_return': reward / n, 'kl/k3': k3 / n / L } };
  }
}

export function createGrpo(args: RlhfLearnerArgs): Grpo {
  return new Grpo(args);
}
