/**
 * `SacEngine`: continuous SAC's whole gradient step (twin critics, tanh-Gaussian actor, auto α, Polyak) as
 * one WebAssembly call, with parameters, Adam moments and target critics in the instance's linear memory.
 * Source: `assembly/engine.ts` (AssemblyScript, SIMD), built to `engine.wasm` next to this file (`npm run
 * build:engine`; a test checks the committed binary matches its source). It computes what
 * `SacContinuous.update` (src/agents/sac/continuous.ts) computes on tfjs, for the uniform and none priors.
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
import type { Rng } from '../../core/rng.js';
import type { AdamState } from '../adam.js';
import { initialWeights } from '../init.js';

export interface SacEngineConfig {
  obsDim: number;
  actDim: number;
  /** Widths of the hidden (ReLU) layers of the actor and of each critic. */
  hidden: readonly number[];
  /** The action Box (finite, low < high). */
  low: ArrayLike<number>;
  high: ArrayLike<number>;
  /** `uniform` (log p = −Σ log(high − low)) or `none` (α must be 0, no auto α). */
  prior: 'uniform' | 'none';
  gamma: number;
  tau: number;
  actorLr: number;
  criticLr: number;
  alphaLr: number;
  /** Global-norm clip of each network's gradient (0 = off). */
  gradClip: number;
  /** α: fixed, or the initial value when `autoAlpha`. */
  alpha: number;
  autoAlpha: boolean;
  /** Target of E[log π − log p] for auto α (the SAC derives it from the target entropy). */
  targetKl?: number;
  /** Update the actor and α every this many critic updates (default 1). */
  policyFrequency?: number;
  /** Adam's β₁, β₂, ε (defaults: tfjs's and src/nn/adam.ts's 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** What `SacContinuous.getState()` holds (its `metrics` included), so one object restores either path. */
export interface SacEngineState {
  actor: Float32Array;
  critic: Float32Array;
  criticTarget: Float32Array;
  actorOpt: AdamState;
  criticOpt: AdamState;
  alphaOpt: AdamState;
  logAlpha: number;
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

interface Exports {
  memory: WebAssembly.Memory;
  configure(...args: (number | boolean)[]): void;
  reserve(batch: number): void;
  update(batch: number, updateActor: boolean): void;
  act(n: number, deterministic: boolean): void;
  lossAndGrad(batch: number, which: number): number;
  hiddenPtr(): number;
  metricsPtr(): number;
  boundsPtr(): number;
  actorPtr(): number;
  actorMPtr(): number;
  actorVPtr(): number;
  actorGradPtr(): number;
  criticPtr(): number;
  criticMPtr(): number;
  criticVPtr(): number;
  criticGradPtr(): number;
  targetPtr(): number;
  actorSize(): number;
  criticSize(): number;
  inputPtrs(): number;
  getScalars(): number;
  setScalars(): void;
}

/** Most hidden layers the engine's static tables hold (`MAX_HIDDEN` in assembly/engine.ts). */
const MAX_HIDDEN = 16;

let compiled: Promise<WebAssembly.Module> | undefined;

/** Compiles `engine.wasm` once per process/page (read from disk in Node, fetched in the browser). */
export function loadSacEngine(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    // Vite rewrites this pattern to the asset's URL in the browser build; in Node it is the file itself.
    const url = new URL('./engine.wasm', import.meta.url);
    let bytes: ArrayBuffer | Uint8Array;
    if (url.protocol === 'file:') {
      // A variable specifier keeps the Node-only module out of browser bundles.
      const fsModule = 'node:fs/promises';
      const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
      bytes = await fs.readFile(url);
    } else {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`loadSacEngine: fetching ${url.href} failed: HTTP ${res.status}`);
      bytes = await res.arrayBuffer();
    }
    return WebAssembly.compile(bytes as BufferSource);
  })();
  return compiled;
}

function fail(field: string, value: unknown, allowed: string): never {
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new RangeError(`SacEngineConfig.${field}: got ${shown}, allowed: ${allowed}`);
}

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
  if (cfg.prior !== 'uniform' && cfg.prior !== 'none') fail('prior', cfg.prior, "'uniform' or 'none'");
  if (!(cfg.gamma >= 0 && cfg.gamma <= 1)) fail('gamma', cfg.gamma, 'a number in [0, 1]');
  if (!(cfg.tau > 0 && cfg.tau <= 1)) fail('tau', cfg.tau, 'a number in (0, 1]');
  for (const f of ['actorLr', 'criticLr', 'alphaLr'] as const) if (!(cfg[f] > 0 && Number.isFinite(cfg[f]))) fail(f, cfg[f], 'a finite number > 0');
  if (!(cfg.gradClip >= 0 && Number.isFinite(cfg.gradClip))) fail('gradClip', cfg.gradClip, 'a finite number ≥ 0 (0 = off)');
  if (!(cfg.alpha >= 0 && Number.isFinite(cfg.alpha))) fail('alpha', cfg.alpha, 'a finite number ≥ 0');
  if (cfg.prior === 'none' && (cfg.alpha !== 0 || cfg.autoAlpha)) fail('alpha', { alpha: cfg.alpha, autoAlpha: cfg.autoAlpha }, "alpha = 0 and autoAlpha = false with the 'none' prior");
  if (cfg.autoAlpha) {
    if (!(cfg.alpha > 0)) fail('alpha', cfg.alpha, 'an initial value > 0 when autoAlpha');
    if (!Number.isFinite(cfg.targetKl)) fail('targetKl', cfg.targetKl, 'a finite number when autoAlpha');
  }
  const pf = cfg.policyFrequency ?? 1;
  if (!Number.isInteger(pf) || pf < 1) fail('policyFrequency', pf, 'a positive integer');
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = cfg;
  if (!(beta1 >= 0 && beta1 < 1)) fail('beta1', beta1, 'a number in [0, 1)');
  if (!(beta2 >= 0 && beta2 < 1)) fail('beta2', beta2, 'a number in [0, 1)');
  if (!(epsilon > 0)) fail('epsilon', epsilon, 'a number > 0');
}

export class SacEngine {
  readonly obsDim: number;
  readonly actDim: number;
  readonly actorSizes: readonly number[];
  readonly criticSizes: readonly number[];
  /** Floats in the actor, and in the twin critics (both copies; the target has as many). */
  readonly actorSize: number;
  readonly criticSize: number;
  readonly policyFrequency: number;
  /** Gradient steps taken (the actor steps when `updates % policyFrequency === 0`, as in `SacContinuous`). */
  updates = 0;
  private wasm?: Exports;
  private metricsView!: Float32Array;
  private views?: { buffer: ArrayBuffer; capacity: number; io: Float32Array[] };
  private capacity = 0;

  constructor(module: WebAssembly.Module, cfg: SacEngineConfig) {
    checkConfig(cfg);
    this.obsDim = cfg.obsDim;
    this.actDim = cfg.actDim;
    this.actorSizes = [cfg.obsDim, ...cfg.hidden, 2 * cfg.actDim];
    this.criticSizes = [cfg.obsDim + cfg.actDim, ...cfg.hidden, 1];
    this.policyFrequency = cfg.policyFrequency ?? 1;
    const wasm = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    new Int32Array(wasm.memory.buffer, wasm.hiddenPtr(), cfg.hidden.length).set(cfg.hidden);
    let logPrior = 0;
    let logHalfRangeSum = 0;
    for (let i = 0; i < cfg.actDim; i++) {
      // As the uniform prior's density and TanhGaussian's Σ log h (in float64, then float32 inside).
      if (cfg.prior === 'uniform') logPrior -= Math.log(cfg.high[i] - cfg.low[i]);
      logHalfRangeSum += Math.log((cfg.high[i] - cfg.low[i]) / 2);
    }
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = cfg;
    wasm.configure(
      cfg.obsDim, cfg.actDim, cfg.hidden.length, cfg.gamma, cfg.tau, cfg.actorLr, cfg.criticLr, cfg.alphaLr,
      beta1, beta2, epsilon, cfg.gradClip, cfg.alpha, cfg.autoAlpha, cfg.targetKl ?? 0, logPrior, logHalfRangeSum,
    );
    this.actorSize = wasm.actorSize();
    this.criticSize = wasm.criticSize();
    const b = new Float32Array(wasm.memory.buffer, wasm.boundsPtr(), 2 * cfg.actDim);
    for (let i = 0; i < cfg.actDim; i++) {
      b[i] = (cfg.high[i] + cfg.low[i]) / 2;
      b[cfg.actDim + i] = (cfg.high[i] - cfg.low[i]) / 2;
    }
    this.wasm = wasm;
  }

  private get exports(): Exports {
    if (!this.wasm) throw new Error('SacEngine: used after dispose()');
    return this.wasm;
  }

  /** Bytes of the instance's linear memory (it grows only when a larger batch than any before arrives). */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** A view of `n` floats at `ptr` (valid until memory grows: make, use, drop). */
  private f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, n);
  }

  /** Input/output views for a batch of `n` rows: obs, action, reward, nextObs, terminated, epsNext, epsActor, outAction. */
  private io(n: number): Float32Array[] {
    const w = this.exports;
    if (n > this.capacity) {
      w.reserve(n);
      this.capacity = n;
    }
    if (this.views?.buffer !== w.memory.buffer || this.views.capacity !== this.capacity) {
      const p = new Uint32Array(w.memory.buffer, w.inputPtrs(), 8);
      const c = this.capacity;
      const [o, a] = [this.obsDim, this.actDim];
      const lens = [c * o, c * a, c, c * o, c, c * a, c * a, c * a];
      this.views = { buffer: w.memory.buffer, capacity: c, io: lens.map((len, i) => this.f32(p[i], len)) };
      this.metricsView = this.f32(w.metricsPtr(), ENGINE_METRICS.length);
    }
    return this.views.io;
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

  /** Initial weights from `rng` as `SacContinuous`'s constructor draws them (actor, critics, then a target set it overwrites). */
  initWeights(rng: Rng): void {
    const actor = initialWeights(this.actorSizes, 1, 1, rng);
    const critic = initialWeights(this.criticSizes, 2, 1, rng);
    initialWeights(this.criticSizes, 2, 1, rng); // the tfjs agent draws its target, then copies the critics over it
    const w = this.exports;
    this.f32(w.actorPtr(), this.actorSize).set(actor);
    this.f32(w.criticPtr(), this.criticSize).set(critic);
    this.f32(w.targetPtr(), this.criticSize).set(critic);
  }

  /** One gradient step (critics; actor and α when `actorDue`; Polyak). Returns the step's metrics. */
  update(batch: SacEngineBatch, noise: SacEngineNoise): SacEngineMetrics {
    const B = batch.batchSize;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`SacEngine.update: batchSize must be a positive integer, got ${B}`);
    const [o, a] = [this.obsDim, this.actDim];
    const check = (name: string, arr: Float32Array | undefined, n: number) => {
      if (arr?.length !== n) throw new RangeError(`SacEngine.update: ${name} must hold ${n} floats (batch ${B}), got ${arr?.length}`);
    };
    check('obs', batch.obs, B * o);
    check('action', batch.action, B * a);
    check('reward', batch.reward, B);
    check('nextObs', batch.nextObs, B * o);
    check('terminated', batch.terminated, B);
    check('noise.next', noise.next, B * a);
    const actor = this.actorDue;
    if (actor) check('noise.actor (the actor steps this update)', noise.actor, B * a);
    const io = this.io(B);
    io[0].set(batch.obs);
    io[1].set(batch.action);
    io[2].set(batch.reward);
    io[3].set(batch.nextObs);
    io[4].set(batch.terminated);
    io[5].set(noise.next);
    if (actor) io[6].set(noise.actor!);
    this.exports.update(B, actor);
    this.updates += 1;
    return this.readMetrics();
  }

  /** The latest update's scalars (the actor's from its latest step). */
  readMetrics(): SacEngineMetrics {
    this.io(1);
    return Object.fromEntries(ENGINE_METRICS.map((k, i) => [k, this.metricsView[i]])) as SacEngineMetrics;
  }

  /** Actions for observations `[n, obsDim]`: c + h·tanh(μ) (`deterministic`) or c + h·tanh(μ + σε), ε `[n, actDim]`. */
  act(obs: Float32Array, opts: { deterministic: true } | { deterministic: false; eps: Float32Array }): Float32Array {
    const n = obs.length / this.obsDim;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`SacEngine.act: obs must hold n·${this.obsDim} floats (n ≥ 1), got ${obs.length}`);
    const io = this.io(n);
    io[0].set(obs);
    if (!opts.deterministic) {
      if (opts.eps?.length !== n * this.actDim) throw new RangeError(`SacEngine.act: eps must hold ${n * this.actDim} floats, got ${opts.eps?.length}`);
      io[6].set(opts.eps);
    }
    this.exports.act(n, opts.deterministic);
    return io[7].slice(0, n * this.actDim);
  }

  getState(): SacEngineState {
    const w = this.exports;
    const s = new Float64Array(w.memory.buffer, w.getScalars(), 6);
    const opt = (t: number, mPtr: number, vPtr: number, n: number): AdamState => ({ t, m: [this.f32(mPtr, n).slice()], v: [this.f32(vPtr, n).slice()] });
    return {
      actor: this.f32(w.actorPtr(), this.actorSize).slice(),
      critic: this.f32(w.criticPtr(), this.criticSize).slice(),
      criticTarget: this.f32(w.targetPtr(), this.criticSize).slice(),
      actorOpt: opt(s[3], w.actorMPtr(), w.actorVPtr(), this.actorSize),
      criticOpt: opt(s[4], w.criticMPtr(), w.criticVPtr(), this.criticSize),
      alphaOpt: { t: s[5], m: [Float32Array.of(s[1])], v: [Float32Array.of(s[2])] },
      logAlpha: s[0],
      updates: this.updates,
      metrics: { ...this.readMetrics() },
    };
  }

  /**
   * Restores a state from either path: Adam moments may be one flat array (the fused tfjs path, this engine)
   * or one per weight and bias (the autodiff path); their concatenation must match the flat layout.
   */
  setState(st: SacEngineState): void {
    const w = this.exports;
    const put = (field: string, ptr: number, n: number, parts: readonly Float32Array[]) => {
      const total = parts.reduce((s, p) => s + p.length, 0);
      if (total !== n) throw new RangeError(`SacEngine.setState: ${field} must hold ${n} floats, got ${total}`);
      const dst = this.f32(ptr, n);
      let off = 0;
      for (const p of parts) {
        dst.set(p, off);
        off += p.length;
      }
    };
    for (const [field, opt] of [['actorOpt', st.actorOpt], ['criticOpt', st.criticOpt], ['alphaOpt', st.alphaOpt]] as const) {
      if (!Number.isInteger(opt.t) || opt.t < 0) throw new RangeError(`SacEngine.setState: ${field}.t must be an integer ≥ 0, got ${opt.t}`);
    }
    if (!Number.isInteger(st.updates) || st.updates < 0) throw new RangeError(`SacEngine.setState: updates must be an integer ≥ 0, got ${st.updates}`);
    put('actor', w.actorPtr(), this.actorSize, [st.actor]);
    put('critic', w.criticPtr(), this.criticSize, [st.critic]);
    put('criticTarget', w.targetPtr(), this.criticSize, [st.criticTarget]);
    put('actorOpt.m', w.actorMPtr(), this.actorSize, st.actorOpt.m);
    put('actorOpt.v', w.actorVPtr(), this.actorSize, st.actorOpt.v);
    put('criticOpt.m', w.criticMPtr(), this.criticSize, st.criticOpt.m);
    put('criticOpt.v', w.criticVPtr(), this.criticSize, st.criticOpt.v);
    const scalar = (field: string, parts: readonly Float32Array[]) => {
      const flat = parts.flatMap((x) => Array.from(x));
      if (flat.length !== 1) throw new RangeError(`SacEngine.setState: ${field} must hold 1 float, got ${flat.length}`);
      return flat[0];
    };
    const scalars = [st.logAlpha, scalar('alphaOpt.m', st.alphaOpt.m), scalar('alphaOpt.v', st.alphaOpt.v), st.actorOpt.t, st.criticOpt.t, st.alphaOpt.t];
    new Float64Array(w.memory.buffer, w.getScalars(), 6).set(scalars);
    w.setScalars();
    this.updates = st.updates;
    this.io(1);
    ENGINE_METRICS.forEach((k, i) => {
      if (st.metrics[k] !== undefined) this.metricsView[i] = st.metrics[k];
    });
  }

  /** For the gradient tests: one phase's loss on a batch and its gradient (flat layout), no step taken. */
  lossAndGrad(which: 'critic' | 'actor', batch: SacEngineBatch, noise: SacEngineNoise): { loss: number; grad: Float32Array } {
    const B = batch.batchSize;
    const io = this.io(B);
    [batch.obs, batch.action, batch.reward, batch.nextObs, batch.terminated, noise.next].forEach((x, i) => io[i].set(x));
    if (noise.actor) io[6].set(noise.actor);
    const w = this.exports;
    const loss = w.lossAndGrad(B, which === 'critic' ? 0 : 1);
    const grad = which === 'critic' ? this.f32(w.criticGradPtr(), this.criticSize) : this.f32(w.actorGradPtr(), this.actorSize);
    return { loss, grad: grad.slice() };
  }

  /** Sets the actor or critic parameters (flat layout; for tests and `setState`-free experiments). */
  setParams(which: 'critic' | 'actor', p: Float32Array): void {
    const w = this.exports;
    const [ptr, n] = which === 'critic' ? [w.criticPtr(), this.criticSize] : [w.actorPtr(), this.actorSize];
    if (p.length !== n) throw new RangeError(`SacEngine.setParams: ${which} must hold ${n} floats, got ${p.length}`);
    this.f32(ptr, n).set(p);
  }

  /** Drops the instance: its memory goes with it (to the garbage collector); later calls throw. */
  dispose(): void {
    this.wasm = undefined;
    this.views = undefined;
  }
}
