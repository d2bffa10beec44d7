/**
 * RLOO (Ahmadian et al. 2024, "Back to Basics"; Kool et al. 2019) on the tabular TokenSeq policy: REINFORCE
 * with the KL to π_ref in the reward and a leave-one-out baseline. Each step draws k sequences from π and
 * ascends
 *
 *     A_i = R(y_i) − β·(log π(y_i) − log π_ref(y_i))           (the whole sequence's k1 penalty in the reward)
 *     ĝ   = (1/k) Σ_i (A_i − (1/(k−1)) Σ_{j≠i} A_j) ∇log π(y_i)
 *
 * an unbiased estimate of ∇J, J = E_π[R] − β KL(π ‖ π_ref) (`estimators.ts`, estimator `rloo`), so its
 * fixed point is π* ∝ π_ref·exp(R/β). β is the Objective's α; π_ref is its prior.
 */
import { configSchema, resolveConfig } from '../../core/config.js';
import {
  countField,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_SHAPE,
  TabularRlhfLearner,
  type OptimizerFields,
  type RlhfLearnerArgs,
} from './base.js';

export interface RlooConfig extends OptimizerFields {
  /** Sequences per step k (the leave-one-out baseline needs k ≥ 2). */
  batchSize: number;
}

export const RLOO_SCHEMA = configSchema<RlooConfig>(
  'RlooConfig',
  { batchSize: countField(2, 65_536), ...OPTIMIZER_SHAPE },
  { batchSize: 64, ...OPTIMIZER_DEFAULTS },
);

export class Rloo extends TabularRlhfLearner {
  readonly algo = 'rloo';
  readonly config: RlooConfig;

  constructor(args: RlhfLearnerArgs) {
    const config = resolveConfig(RLOO_SCHEMA, args.config);
    super('rloo', args, config);
    this.config = config;
  }

  protected direction() {
    const { ctx, batch, grad } = this.sampledEstimate('rloo', this.config.batchSize);
    let reward = 0;
    let k1 = 0;
    for (const k of batch) {
      reward += this.task.rewards[k];
      k1 += ctx.logp[k] - this.task.refSeqLogp[k];
    }
    const n = batch.length;
    return { grad, metrics: { 'charts/episodic_return': reward / n, 'kl/k1': k1 / n / this.task.L } };
  }
}

export function createRloo(args: RlhfLearnerArgs): Rloo {
  return new Rloo(args);
}
