/**
 * `SacEngine`: continuous SAC's whole gradient step (twin critics, tanh-Gaussian actor, auto α, Polyak) as
 * one WebAssembly call, with parameters, Adam moments and target critics in the instance's linear memory.
 * Source: `assembly/engine.ts` (AssemblyScript, SIMD), built to `engine.wasm` next to this file (`npm run
 * build:engine`; a test checks the committed binary matches its source). It computes what
 * `SacContinuous.update` (src/agents/sac/continuous.ts) computes on tfjs, for every Box prior: the uniform
 * one over the action Box (`uniform`, and `none` = uniform at α ≡ 0), or a reference Gaussian
 * N(μ_ref(s), σ_ref(s)²), raw or tanh-squashed (`reference`): its μ_ref, log σ_ref come in with each batch
 * (`SacEnginePriorParams`, computed on the host for s and s′), or from a frozen SAC actor the engine holds
 * (`reference.actor`: its forward and ∂log p/∂ã in the same call). The math is `refLogProb` in
 * assembly/engine.ts. The config comes from the agent's config and its Objective (`sacEngineConfig` there).
 *
 *   const engine = new SacEngine(await loadSacEngine(), cfg);   // one wasm instance per agent
 *   engine.initWeights(initRng);                                 // or engine.setState(sacState)
 *   const metrics = engine.update(batch, engine.drawNoise(batch.batchSize, agentRng));
 *   const actions = engine.act(obs, { deterministic: false, eps }); // eps: n·actDim normals from the seeded stream
 *   engine.dispose();
 *
 * State layout = `SacState`'s: actor `[obs, ...hidden, 2·act]`, critic and target `[obs + act, ...hidden, 1]` × 2
 * (src/nn/mlp.ts's flat layout), Adam states per optimizer, log α. So checkpoints move between paths.
 * Node and browser load the same `.wasm` (fs in Node, fetch of Vite's asset URL in the browser).
 */
import { logVolume } from '../../core/spaces.js';
import type { Rng } from '../../core/rng.js';
import {
  checkStepConfig,
  configFail,
  EngineCore,
  IO,
  MAX_HIDDEN,
  type EngineStepConfig,
  type EngineWeights,
} from './core.js';

/**
 * The reference prior: a Gaussian whose parameters come with each batch (`squash`: tanh-squashed to the Box),
 * or a frozen SAC actor (src/nn/mlp.ts flat layout, sizes [obsDim, ...hidden, 2·actDim]; squashed).
 */
export type SacEngineReference =
  { kind: 'gaussian'; squash: boolean } | { kind: 'actor'; sizes: readonly number[]; weights: Float32Array };

/** μ_ref, log σ_ref `[batch, actDim]` of a `gaussian` reference at the batch's s and s′. */
export interface SacEnginePriorParams {
  mean: Float32Array;
  logStd: Float32Array;
  nextMean: Float32Array;
  nextLogStd: Float32Array;
}

/** Without `reference` the prior is the uniform density over the Box, log p = −Σ log(high − low). */
export interface SacEngineConfig extends EngineStepConfig {
  obsDim: number;
  actDim: number;
  /** Widths of the hidden (ReLU) layers of the actor and of each critic. */
  hidden: readonly number[];
  /** The action Box (finite, low < high). */
  low: ArrayLike<number>;
  high: ArrayLike<number>;
  /** Update the actor and α every this many critic updates (default 1). */
  policyFrequency?: number;
  /** The reference prior (absent: uniform). */
  reference?: SacEngineReference;
}

/** What `SacContinuous.getState()` holds (its `metrics` included), so one object restores either path. */
export interface SacEngineState extends EngineWeights {
  updates: number;
  metrics: Record<string, number>;
}

/** A minibatch, row-major (`ReplayBatch` of src/agents/replay.ts fits). */
export interface SacEngineBatch {
  batchSize: number;
  obs: Float32Array;
  action: Float32Array;
  reward: Float32Array;
  nextObs: Float32Array;
  terminated: Float32Array;
}

/** N(0, 1) noise of one update, `[batch, actDim]` each: a' for the critic target, ã for the actor (when due). */
export interface SacEngineNoise {
  next: Float32Array;
  actor?: Float32Array;
}

export const ENGINE_METRICS = ['criticLoss', 'q', 'actorLoss', 'kl', 'entropy', 'alpha'] as const;
export type SacEngineMetrics = Record<(typeof ENGINE_METRICS)[number], number>;

const fail = configFail('SacEngineConfig');

function checkConfig(cfg: SacEngineConfig): void {
  const posInt = (f: 'obsDim' | 'actDim', v: number) => {
    if (!Number.isInteger(v) || v < 1) fail(f, v, 'a positive integer');
  };
  posInt('obsDim', cfg.obsDim);
  posInt('actDim', cfg.actDim);
  const h = cfg.hidden;
  if (!Array.isArray(h) || h.length < 1 || h.length > MAX_HIDDEN || !h.every((x) => Number.isInteger(x) && x > 0)) {
    fail('hidden', h, `1 to ${MAX_HIDDEN} positive integers`);
  }
  for (const f of ['low', 'high'] as const) {
    if (cfg[f]?.length !== cfg.actDim) fail(f, Array.from(cfg[f] ?? []), `${cfg.actDim} numbers (actDim)`);
  }
  for (let i = 0; i < cfg.actDim; i++) {
    if (!(Number.isFinite(cfg.low[i]) && Number.isFinite(cfg.high[i]) && cfg.low[i] < cfg.high[i])) {
      fail(`low/high[${i}]`, [cfg.low[i], cfg.high[i]], 'finite numbers with low < high');
    }
  }
  checkStepConfig(cfg, fail);
  const pf = cfg.policyFrequency ?? 1;
  if (!Number.isInteger(pf) || pf < 1) fail('policyFrequency', pf, 'a positive integer');
  const ref = cfg.reference;
  if (ref === undefined || ref.kind === 'gaussian') return;
  if (ref.kind !== 'actor') fail('reference.kind', (ref as { kind: unknown }).kind, "'gaussian' or 'actor'");
  const s = ref.sizes;
  const ok =
    Array.isArray(s) &&
    s.length >= 3 &&
    s.length <= MAX_HIDDEN + 2 &&
    s.every((x) => Number.isInteger(x) && x > 0) &&
    s[0] === cfg.obsDim &&
    s.at(-1) === 2 * cfg.actDim;
  if (!ok) fail('reference.sizes', s, `[${cfg.obsDim}, 1 to ${MAX_HIDDEN} hidden widths, ${2 * cfg.actDim}]`);
  let n = 0;
  for (let l = 0; l + 1 < s.length; l++) n += (s[l] + 1) * s[l + 1];
  if (ref.weights?.length !== n) fail('reference.weights.length', ref.weights?.length, `${n} (the sizes' parameters)`);
}

export class SacEngine extends EngineCore {
  readonly actDim: number;
  readonly policyFrequency: number;
  /** Gradient steps taken (the actor steps when `updates % policyFrequency === 0`, as in `SacContinuous`). */
  updates = 0;
  /** Whether each batch brings the reference's parameters (`reference.kind` 'gaussian'). */
  readonly takesParams: boolean;
  /** Whether the prior is a reference (else the uniform density). */
  readonly hasReference: boolean;

  constructor(module: WebAssembly.Module, cfg: SacEngineConfig) {
    checkConfig(cfg);
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = cfg;
    // As the uniform prior's density and TanhGaussian's Σ log h (in float64, then float32 inside).
    const logPrior = -logVolume(cfg.low, cfg.high);
    let logHalfRangeSum = 0;
    for (let i = 0; i < cfg.actDim; i++) logHalfRangeSum += Math.log((cfg.high[i] - cfg.low[i]) / 2);
    const sizes = {
      actor: [cfg.obsDim, ...cfg.hidden, 2 * cfg.actDim],
      critic: [cfg.obsDim + cfg.actDim, ...cfg.hidden, 1],
    };
    super(module, cfg.obsDim, cfg.actDim, cfg.hidden, sizes, (w) => {
      w.configure(
        cfg.obsDim,
        cfg.actDim,
        cfg.hidden.length,
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
        cfg.targetKl ?? 0,
        logPrior,
        logHalfRangeSum,
      );
      const b = new Float32Array(w.memory.buffer, w.boundsPtr(), 2 * cfg.actDim);
      for (let i = 0; i < cfg.actDim; i++) {
        b[i] = (cfg.high[i] + cfg.low[i]) / 2;
        b[cfg.actDim + i] = (cfg.high[i] - cfg.low[i]) / 2;
      }
      const ref = cfg.reference;
      if (ref?.kind === 'gaussian') w.configureReference(1, ref.squash, 0);
      if (ref?.kind === 'actor') {
        new Int32Array(w.memory.buffer, w.refSizesPtr(), ref.sizes.length).set(ref.sizes);
        w.configureReference(2, true, ref.sizes.length - 2);
        new Float32Array(w.memory.buffer, w.refActorPtr(), ref.weights.length).set(ref.weights);
      }
    });
    this.actDim = cfg.actDim;
    this.takesParams = cfg.reference?.kind === 'gaussian';
    this.hasReference = cfg.reference !== undefined;
    this.policyFrequency = cfg.policyFrequency ?? 1;
  }

  /** Whether the next `update` steps the actor (and so needs `noise.actor`). */
  get actorDue(): boolean {
    return this.updates % this.policyFrequency === 0;
  }

  /** The noise of the next update drawn from `rng` in `SacContinuous.update`'s order (a' first, then ã if due). */
  drawNoise(batchSize: number, rng: Rng): SacEngineNoise {
    const draw = () => Float32Array.from({ length: batchSize * this.actDim }, () => rng.normal());
    const next = draw();
    return this.actorDue ? { next, actor: draw() } : { next };
  }

  /** Writes a batch and its noise into the scratch region; errors name the array and the sizes. */
  private put(
    where: string,
    batch: SacEngineBatch,
    noise: SacEngineNoise,
    needActor: boolean,
    prior?: SacEnginePriorParams,
  ): number {
    const B = batch.batchSize;
    if (!Number.isInteger(B) || B < 1)
      throw new RangeError(`SacEngine.${where}: batchSize must be a positive integer, got ${B}`);
    const [o, a] = [this.obsDim, this.actDim];
    const check = (name: string, arr: Float32Array | undefined, n: number) => {
      if (arr?.length !== n)
        throw new RangeError(`SacEngine.${where}: ${name} must hold ${n} floats (batch ${B}), got ${arr?.length}`);
    };
    check('obs', batch.obs, B * o);
    check('action', batch.action, B * a);
    check('reward', batch.reward, B);
    check('nextObs', batch.nextObs, B * o);
    check('terminated', batch.terminated, B);
    check('noise.next', noise.next, B * a);
    if (needActor) check('noise.actor (the actor steps this update)', noise.actor, B * a);
    if (this.takesParams) {
      if (!prior)
        throw new RangeError(
          `SacEngine.${where}: prior got undefined, allowed: μ_ref, log σ_ref at s and s′ (a 'gaussian' reference)`,
        );
      for (const f of ['mean', 'logStd', 'nextMean', 'nextLogStd'] as const) check(`prior.${f}`, prior[f], B * a);
    }
    const io = this.io(B);
    if (this.takesParams) {
      io[IO.refMean].set(prior!.mean);
      io[IO.refLogStd].set(prior!.logStd);
      io[IO.refMeanNext].set(prior!.nextMean);
      io[IO.refLogStdNext].set(prior!.nextLogStd);
    }
    io[IO.obs].set(batch.obs);
    io[IO.action].set(batch.action);
    io[IO.reward].set(batch.reward);
    io[IO.nextObs].set(batch.nextObs);
    io[IO.terminated].set(batch.terminated);
    io[IO.epsNext].set(noise.next);
    if (needActor) io[IO.epsActor].set(noise.actor!);
    return B;
  }

  /**
   * One gradient step (critics; actor and α when `actorDue`; Polyak). Returns the step's metrics. A
   * `gaussian` reference needs `prior`: its parameters at the batch's s and s′.
   */
  update(batch: SacEngineBatch, noise: SacEngineNoise, prior?: SacEnginePriorParams): SacEngineMetrics {
    const actor = this.actorDue;
    const B = this.put('update', batch, noise, actor, prior);
    this.exports.update(B, actor);
    this.updates += 1;
    return this.readMetrics();
  }

  /** The latest update's scalars (the actor's from its latest step). */
  readMetrics(): SacEngineMetrics {
    const m = this.metricsView();
    return Object.fromEntries(ENGINE_METRICS.map((k, i) => [k, m[i]])) as SacEngineMetrics;
  }

  /** Actions for observations `[n, obsDim]`: c + h·tanh(μ) (`deterministic`) or c + h·tanh(μ + σε), ε `[n, actDim]`. */
  act(obs: Float32Array, opts: { deterministic: true } | { deterministic: false; eps: Float32Array }): Float32Array {
    const n = obs.length / this.obsDim;
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`SacEngine.act: obs must hold n·${this.obsDim} floats (n ≥ 1), got ${obs.length}`);
    const io = this.io(n);
    io[IO.obs].set(obs);
    if (!opts.deterministic) {
      if (opts.eps?.length !== n * this.actDim)
        throw new RangeError(`SacEngine.act: eps must hold ${n * this.actDim} floats, got ${opts.eps?.length}`);
      io[IO.epsActor].set(opts.eps);
    }
    this.exports.act(n, opts.deterministic);
    return io[IO.out].slice(0, n * this.actDim);
  }

  getState(): SacEngineState {
    return { ...this.getWeights(), updates: this.updates, metrics: { ...this.readMetrics() } };
  }

  /** Restores a state of either path (`SacContinuous.getState()` fits; see `setWeights`). */
  setState(st: SacEngineState): void {
    if (!Number.isInteger(st.updates) || st.updates < 0)
      throw new RangeError(`SacEngine.setState: updates must be an integer ≥ 0, got ${st.updates}`);
    this.setWeights(st);
    this.updates = st.updates;
    const m = this.metricsView();
    ENGINE_METRICS.forEach((k, i) => {
      if (st.metrics[k] !== undefined) m[i] = st.metrics[k];
    });
  }

  /** For the gradient tests: one phase's loss on a batch and its gradient (flat layout), no step taken. */
  lossAndGrad(
    which: 'critic' | 'actor',
    batch: SacEngineBatch,
    noise: SacEngineNoise,
    prior?: SacEnginePriorParams,
  ): { loss: number; grad: Float32Array } {
    const B = this.put('lossAndGrad', batch, noise, which === 'actor', prior);
    const loss = this.exports.lossAndGrad(B, which === 'critic' ? 0 : 1);
    return { loss, grad: this.grad(which) };
  }

  /**
   * For the gradient tests: the reference's log p(a|s) `[n]` and ∂log p/∂a `[n, actDim]` at observations `[n,
   * obsDim]` and actions `[n, actDim]` (a `gaussian` reference takes μ_ref, log σ_ref `[n, actDim]`).
   */
  priorLogProb(
    obs: Float32Array,
    action: Float32Array,
    params?: { mean: Float32Array; logStd: Float32Array },
  ): { logP: Float32Array; grad: Float32Array } {
    const n = obs.length / this.obsDim;
    if (!this.hasReference) throw new RangeError('SacEngine.priorLogProb: needs a reference prior (config.reference)');
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`SacEngine.priorLogProb: obs must hold n·${this.obsDim} floats (n ≥ 1), got ${obs.length}`);
    if (this.takesParams !== (params !== undefined))
      throw new RangeError(`SacEngine.priorLogProb: params must be given exactly for a 'gaussian' reference`);
    if (action.length !== n * this.actDim)
      throw new RangeError(`SacEngine.priorLogProb: action must hold ${n * this.actDim} floats, got ${action.length}`);
    const io = this.io(n);
    io[IO.obs].set(obs);
    io[IO.action].set(action);
    if (params) {
      io[IO.refMean].set(params.mean);
      io[IO.refLogStd].set(params.logStd);
    }
    this.exports.priorLogProb(n);
    return { logP: io[IO.logPRef].slice(0, n), grad: io[IO.gradRef].slice(0, n * this.actDim) };
  }
}
