/**
 * `DiscreteSacEngine`: discrete SAC's whole gradient step as one WebAssembly call, computing what
 * `DiscreteSacAgent.update` (src/agents/sac/discrete.ts) computes with tfjs: every expectation over the n
 * actions exact, twin critics with a Polyak target every `targetUpdateEvery` steps, α learned by the log-α
 * step KL̄ − KL, and with `greedy` (the agent's `atZeroAlpha: 'greedy'`, α ≡ 0) the max backup and the greedy
 * improvement step. Any prior: the Objective's log-probabilities for the batch's states come in with the
 * batch (`logP`, `logPNext`). The config comes from the agent's config and Objective (`discreteEngineConfig`).
 *
 *   const engine = new DiscreteSacEngine(await loadSacEngine(), cfg);
 *   engine.initWeights(streams.get('init'));               // the tfjs agent's draws
 *   const stats = engine.update({ ...batch, logP: prior table rows of obs, logPNext: … of nextObs });
 *   const p = engine.probs(encodedObs);                      // π(·|s), then rng.categorical(p) on the host
 *
 * Layouts: actor `[obs, ...hidden, n]`, critic and target `[obs, ...hidden, n]` × 2 (src/nn/mlp.ts), as the agent's.
 */
import {
  checkStepConfig,
  configFail,
  EngineCore,
  IO,
  MAX_HIDDEN,
  type EngineStepConfig,
  type EngineWeights,
} from './core.js';

export interface DiscreteSacEngineConfig extends EngineStepConfig {
  /** Width of the encoded observation (one-hot for tabular states). */
  obsDim: number;
  nActions: number;
  /** Hidden widths; `[]` makes the nets linear (tabular on one-hot states). */
  hidden: readonly number[];
  activation: 'relu' | 'tanh';
  targetUpdateEvery: number;
  /** The α → 0 limits of both steps (max backup, greedy actor); needs α fixed at 0. */
  greedy: boolean;
}

/** A minibatch, encoded, row-major: obs/nextObs `[B, obsDim]`, actions (indices) and the rest `[B]`, log p `[B, n]`. */
export interface DiscreteEngineBatch {
  batchSize: number;
  obs: Float32Array;
  actions: ArrayLike<number>;
  rewards: Float32Array;
  nextObs: Float32Array;
  terminated: Float32Array;
  /** log p(·|s) for each row's s, and log p(·|s') for its s'. */
  logP: Float32Array;
  logPNext: Float32Array;
}

/** The agent's statistics, in `lastStats()`'s names and order. */
export const DISCRETE_ENGINE_STATS = [
  'losses/critic',
  'losses/actor',
  'losses/alpha',
  'charts/alpha',
  'charts/entropy',
  'charts/kl_prior',
  'charts/q',
] as const;
export type DiscreteEngineStats = Record<(typeof DISCRETE_ENGINE_STATS)[number], number>;

export interface DiscreteSacEngineState extends EngineWeights {
  gradientSteps: number;
}

const fail = configFail('DiscreteSacEngineConfig');

function checkConfig(cfg: DiscreteSacEngineConfig): void {
  for (const f of ['obsDim', 'nActions', 'targetUpdateEvery'] as const)
    if (!Number.isInteger(cfg[f]) || cfg[f] < 1) fail(f, cfg[f], 'a positive integer');
  const h = cfg.hidden;
  if (!Array.isArray(h) || h.length > MAX_HIDDEN || !h.every((x) => Number.isInteger(x) && x > 0))
    fail('hidden', h, `0 to ${MAX_HIDDEN} positive integers`);
  if (cfg.activation !== 'relu' && cfg.activation !== 'tanh') fail('activation', cfg.activation, "'relu' or 'tanh'");
  checkStepConfig(cfg, fail);
  if (cfg.greedy && (cfg.alpha !== 0 || cfg.targetKl !== null))
    fail('greedy', { alpha: cfg.alpha, targetKl: cfg.targetKl }, 'true only with α fixed at 0 (targetKl null)');
}

export class DiscreteSacEngine extends EngineCore {
  readonly nActions: number;

  constructor(module: WebAssembly.Module, cfg: DiscreteSacEngineConfig) {
    checkConfig(cfg);
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = cfg;
    const sizes = [cfg.obsDim, ...cfg.hidden, cfg.nActions];
    super(module, cfg.obsDim, cfg.nActions, cfg.hidden, { actor: sizes, critic: sizes }, (w) =>
      w.configureDiscrete(
        cfg.obsDim,
        cfg.nActions,
        cfg.hidden.length,
        cfg.activation === 'tanh',
        cfg.gamma,
        cfg.tau,
        cfg.actorLr,
        cfg.criticLr,
        cfg.alphaLr,
        beta1,
        beta2,
        epsilon,
        cfg.clipNorm,
        cfg.alpha,
        cfg.targetKl !== null,
        cfg.greedy,
        cfg.targetKl ?? 0,
        cfg.targetUpdateEvery,
      ),
    );
    this.nActions = cfg.nActions;
  }

  private put(where: string, batch: DiscreteEngineBatch): number {
    const B = batch.batchSize;
    if (!Number.isInteger(B) || B < 1)
      throw new RangeError(`DiscreteSacEngine.${where}: batchSize must be a positive integer, got ${B}`);
    const [o, n] = [this.obsDim, this.nActions];
    const check = (name: string, arr: ArrayLike<number> | undefined, len: number) => {
      if (arr?.length !== len)
        throw new RangeError(
          `DiscreteSacEngine.${where}: ${name} must hold ${len} values (batch ${B}), got ${arr?.length}`,
        );
    };
    check('obs', batch.obs, B * o);
    check('actions', batch.actions, B);
    check('rewards', batch.rewards, B);
    check('nextObs', batch.nextObs, B * o);
    check('terminated', batch.terminated, B);
    check('logP', batch.logP, B * n);
    check('logPNext', batch.logPNext, B * n);
    for (let b = 0; b < B; b++) {
      const a = batch.actions[b];
      if (!Number.isInteger(a) || a < 0 || a >= n)
        throw new RangeError(`DiscreteSacEngine.${where}: actions[${b}] = ${a}, allowed: an integer in [0, ${n})`);
    }
    const io = this.io(B);
    io[IO.obs].set(batch.obs);
    io[IO.action].set(batch.actions);
    io[IO.reward].set(batch.rewards);
    io[IO.nextObs].set(batch.nextObs);
    io[IO.terminated].set(batch.terminated);
    io[IO.logP].set(batch.logP);
    io[IO.logPNext].set(batch.logPNext);
    return B;
  }

  /** One gradient step on the critics, the actor and (if tuned) α; returns the agent's statistics. */
  update(batch: DiscreteEngineBatch): DiscreteEngineStats {
    this.exports.updateDiscrete(this.put('update', batch));
    return this.lastStats();
  }

  lastStats(): DiscreteEngineStats {
    const m = this.metricsView();
    return Object.fromEntries(DISCRETE_ENGINE_STATS.map((k, i) => [k, m[i]])) as DiscreteEngineStats;
  }

  /** π(·|s) for encoded observations `[m, obsDim]`, as `[m, n]` probabilities. */
  probs(obs: Float32Array): Float32Array {
    const m = obs.length / this.obsDim;
    if (!Number.isInteger(m) || m < 1)
      throw new RangeError(`DiscreteSacEngine.probs: obs must hold m·${this.obsDim} floats (m ≥ 1), got ${obs.length}`);
    const io = this.io(m);
    io[IO.obs].set(obs);
    this.exports.probs(m);
    return io[IO.out].slice(0, m * this.nActions);
  }

  get gradientSteps(): number {
    return this.scalars()[6];
  }

  getState(): DiscreteSacEngineState {
    return { ...this.getWeights(), gradientSteps: this.gradientSteps };
  }

  setState(st: DiscreteSacEngineState): void {
    if (!Number.isInteger(st.gradientSteps) || st.gradientSteps < 0) {
      throw new RangeError(`DiscreteSacEngine.setState: gradientSteps must be an integer ≥ 0, got ${st.gradientSteps}`);
    }
    this.setWeights(st);
    const s = this.scalars();
    s[6] = st.gradientSteps;
    this.setScalars(Array.from(s));
  }

  /** For the gradient tests: the critic or actor loss on a batch and its gradient (flat layout), no step taken. */
  lossAndGrad(which: 'critic' | 'actor', batch: DiscreteEngineBatch): { loss: number; grad: Float32Array } {
    const B = this.put('lossAndGrad', batch);
    const loss = this.exports.lossAndGradDiscrete(B, which === 'critic' ? 0 : 1);
    return { loss, grad: this.grad(which) };
  }
}
