/**
 * The one metric vocabulary: every key a learner or an experiment logs to `metrics.jsonl`, with its unit
 * and meaning. `compare`, the viewer and the sweep plots read keys from here. Keys are `namespace/name`;
 * an experiment that trains several learners in one run prefixes them with the part
 * (`uniform/sac/charts/episodic_return`): `vocabularyEntry` looks past the prefix.
 */

export interface MetricEntry {
  readonly key: string;
  readonly unit: string;
  readonly meaning: string;
}

/** The metric vocabulary: every key a learner logs, with its unit and meaning. */
export const METRICS: readonly MetricEntry[] = [
  // ---- episodes and the objective
  {
    key: 'charts/episodic_return',
    unit: 'return',
    meaning: 'mean undiscounted return of the training episodes that ended since the last log step',
  },
  { key: 'charts/episodic_length', unit: 'steps', meaning: 'mean length of those episodes' },
  {
    key: 'charts/eval_return',
    unit: 'return',
    meaning: 'mean undiscounted return of the deterministic (mean-action) policy over the evaluation episodes',
  },
  {
    key: 'charts/episodes',
    unit: 'count',
    meaning: 'episodes finished (cumulative for SAC, per iteration for KL-PPO)',
  },
  { key: 'charts/reward_per_step', unit: 'reward', meaning: 'mean reward per environment step of the rollout' },
  {
    key: 'charts/alpha',
    unit: 'α',
    meaning: "the Objective's temperature α on KL(π‖p) (KL-PPO's β): fixed, or the current learned value",
  },
  {
    key: 'charts/kl_prior',
    unit: 'nats/state',
    meaning:
      'KL(π(·|s) ‖ p(·|s)) to the Objective’s prior, averaged over visited states: closed form where it exists, else a Monte Carlo estimate',
  },
  { key: 'charts/entropy', unit: 'nats/state', meaning: 'entropy H(π(·|s)) averaged over visited states' },
  { key: 'charts/q', unit: 'return', meaning: 'mean soft Q-value of the sampled batch (SAC critics)' },
  { key: 'charts/v_start', unit: 'return', meaning: 'soft value of the start state V(s₀) (tabular soft Q-learning)' },
  { key: 'charts/learning_rate', unit: 'lr', meaning: 'the current (possibly annealed) learning rate' },
  { key: 'charts/global_step', unit: 'steps', meaning: 'environment steps taken over all vector envs' },
  // ---- Monte Carlo KL estimators (Schulman's k1, k2, k3 of log π − log p on the policy's own samples)
  { key: 'kl/k1', unit: 'nats/step', meaning: 'E[log π − log p]: unbiased, can be negative' },
  { key: 'kl/k2', unit: 'nats/step', meaning: '½E[(log π − log p)²]: low variance, biased' },
  { key: 'kl/k3', unit: 'nats/step', meaning: 'E[(p/π − 1) − log(p/π)]: unbiased and never negative' },
  // ---- losses
  {
    key: 'losses/critic',
    unit: 'loss',
    meaning: 'critic loss: SAC ½ Σ_k E[(Q_k(s,a) − y)²] over the twin critics; dreamer ½E[(f(s) − symlog R^λ)²]',
  },
  {
    key: 'losses/actor',
    unit: 'loss',
    meaning: 'actor loss: SAC E[α(log π − log p) − min_k Q_k]; dreamer −E[R^λ]/S on imagined rollouts',
  },
  {
    key: 'charts/imagined_return',
    unit: 'return',
    meaning: 'dreamer: mean soft λ-return R^λ over the imagined rollouts of a train step',
  },
  {
    key: 'charts/return_scale',
    unit: 'return',
    meaning: 'dreamer: S = max(1, P95 − P5) of the λ-returns (EMA), the actor loss is divided by it',
  },
  { key: 'charts/updates', unit: 'updates', meaning: 'gradient steps taken so far' },
  { key: 'losses/alpha', unit: 'loss', meaning: 'temperature loss log α·(KL̄ − KL) of a learned α' },
  { key: 'losses/policy', unit: 'loss', meaning: 'PPO clipped surrogate loss' },
  { key: 'losses/value', unit: 'loss', meaning: 'PPO value loss ½E[(V − R)²]' },
  { key: 'losses/kl', unit: 'nats', meaning: 'KL-PPO KL loss term (k3 or closed form; 0 in the reward mode)' },
  { key: 'losses/clipfrac', unit: 'fraction', meaning: 'fraction of samples whose ratio π/π_old left [1 − ε, 1 + ε]' },
  { key: 'losses/approx_kl', unit: 'nats', meaning: 'KL(π_old ‖ π) of one update, estimated by k3' },
  { key: 'losses/total', unit: 'loss', meaning: 'PPO total loss L_clip + c_v·L_V + β·L_KL' },
  {
    key: 'losses/td_abs',
    unit: 'return',
    meaning: 'mean |TD error| since the last log step (tabular soft Q-learning)',
  },
  // ---- world models: the ELBO and its terms, per sequence
  { key: 'elbo/total', unit: 'nats/sequence', meaning: 'ELBO = reconstruction + reward − KL' },
  { key: 'elbo/recon', unit: 'nats/sequence', meaning: 'E_q[log p(o_t | h_t, z_t)] summed over the sequence' },
  { key: 'elbo/reward', unit: 'nats/sequence', meaning: 'E_q[log p(r_t | h_t, z_t)] summed over the sequence' },
  { key: 'elbo/kl', unit: 'nats/sequence', meaning: 'Σ_t KL(q(z_t | h_t, o_t) ‖ p(z_t | h_t))' },
  // ---- inverse RL (step = number of demonstrations)
  {
    key: 'irl/kl_visited',
    unit: 'nats/state',
    meaning: 'KL(π_demo ‖ π_recovered) averaged over the states the demonstrator visits',
  },
  {
    key: 'irl/feature_gap',
    unit: 'count',
    meaning: 'largest |demonstration − expected| feature count (0 at the likelihood optimum)',
  },
  {
    key: 'irl/reward_rms',
    unit: 'reward',
    meaning: 'RMS of recovered − true reward on the cells the demonstrations enter, after the unidentifiable shaping',
  },
  {
    key: 'irl/reward_corr',
    unit: 'correlation',
    meaning: 'Pearson correlation of recovered and true reward on those cells',
  },
  {
    key: 'irl/loglik',
    unit: 'nats',
    meaning:
      'the objective L-BFGS maximizes: log-likelihood Σ log π*(a_t|s_t) of the demonstrations under the recovered reward (minus the L2 term)',
  },
  // ---- RLHF on the enumerable token task (src/agents/rlhf): exact by enumeration of every sequence
  {
    key: 'charts/tv_optimum',
    unit: 'probability',
    meaning: 'total variation ½Σ_y |π(y) − π*(y)| to the closed-form optimum π* ∝ π_ref·exp(R/β), over every sequence',
  },
  { key: 'charts/expected_reward', unit: 'reward', meaning: 'E_π[R(y)] of the policy, exact over every sequence' },
  {
    key: 'charts/implicit_reward_error',
    unit: 'reward',
    meaning: 'DPO: min_c max_y |β log(π(y)/π_ref(y)) − R(y) − c|, its implicit reward against R up to the constant',
  },
  { key: 'losses/dpo', unit: 'nats', meaning: 'DPO loss −E[p log σ(h) + (1 − p) log σ(−h)] on the batch of pairs' },
  // ---- sweeps inside one run
  { key: 'sweep/beta', unit: 'β', meaning: 'the β (α) of the current point of a sweep inside one run (tokens-rlhf)' },
];

const BY_KEY = new Map(METRICS.map((m) => [m.key, m]));

/** The entry of a logged key, looking past a part prefix (`uniform/sac/charts/x` → `charts/x`). */
export function vocabularyEntry(key: string): MetricEntry | undefined {
  const parts = key.split('/');
  return parts.length < 2 ? undefined : BY_KEY.get(parts.slice(-2).join('/'));
}

/** Throws for a key outside the vocabulary (a programming error: add the key to `METRICS`). */
export function checkMetricKeys(scalars: Record<string, number>): void {
  for (const key of Object.keys(scalars)) {
    if (vocabularyEntry(key) === undefined) {
      throw new RangeError(
        `metric '${key}' is not in the vocabulary (src/core/vocabulary.ts); allowed: ${METRICS.map((m) => m.key).join(', ')}`,
      );
    }
  }
}
