/**
 * What the continuous and discrete SAC engines share: loading `engine.wasm` (Node: fs; browser: fetch of
 * Vite's asset URL), one instance per agent, views of its memory, the weights/optimizer state in the tfjs
 * paths' layouts, and dispose. The engines themselves: `sac-engine.ts`, `discrete-engine.ts`.
 */
import type { Rng } from '../../core/rng.js';
import type { AdamState } from '../adam.js';
import { initialWeights } from '../init.js';

/** Most hidden layers the engine's static tables hold (`MAX_HIDDEN` in assembly/engine.ts). */
export const MAX_HIDDEN = 16;

export interface Exports {
  memory: WebAssembly.Memory;
  configure(...args: (number | boolean)[]): void;
  configureDiscrete(...args: (number | boolean)[]): void;
  configureReference(kind: number, squash: boolean, nHidden: number): void;
  priorLogProb(n: number): void;
  refSizesPtr(): number;
  refActorPtr(): number;
  reserve(batch: number): void;
  update(batch: number, updateActor: boolean): void;
  updateDiscrete(batch: number): void;
  act(n: number, deterministic: boolean): void;
  probs(n: number): void;
  lossAndGrad(batch: number, which: number): number;
  lossAndGradDiscrete(batch: number, which: number): number;
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

let compiled: Promise<WebAssembly.Module> | undefined;
let loaded: WebAssembly.Module | undefined;

/**
 * Compiles `engine.wasm` once per process/page (read from disk in Node, fetched in the browser) and keeps
 * it for `engineModule()`. The backend inits (`initNodeBackend`, the viewer's `initViewerBackend`) call it, so the agents'
 * synchronous constructors find it loaded.
 */
export function loadSacEngine(): Promise<WebAssembly.Module> {
  // Vite rewrites this pattern to the asset's URL in the browser build; in Node it is the file itself.
  compiled ??= compileWasm(new URL('./engine.wasm', import.meta.url), 'loadSacEngine').then((m) => (loaded = m));
  return compiled;
}

/** Compiles the wasm file at `url`: read from disk in Node, fetched in the browser. */
export async function compileWasm(url: URL, who: string): Promise<WebAssembly.Module> {
  let bytes: ArrayBuffer | Uint8Array;
  if (url.protocol === 'file:') {
    // A variable specifier keeps the Node-only module out of browser bundles.
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
    bytes = await fs.readFile(url);
  } else {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${who}: fetching ${url.href} failed: HTTP ${res.status}`);
    bytes = await res.arrayBuffer();
  }
  return WebAssembly.compile(bytes as BufferSource);
}

/** The compiled engine, for synchronous constructors; throws if `loadSacEngine()` has not completed. */
export function engineModule(who: string): WebAssembly.Module {
  if (!loaded) {
    throw new Error(
      `${who}: the SAC engine (engine.wasm) is not loaded: await loadSacEngine() (src/nn/engine) or initNodeBackend()/initViewerBackend() first, or use impl: 'autodiff'`,
    );
  }
  return loaded;
}

/** The hyperparameters of the SAC step both engines take (from the agent's config and its Objective). */
export interface EngineStepConfig {
  gamma: number;
  tau: number;
  actorLr: number;
  criticLr: number;
  alphaLr: number;
  /** Global-norm clip of each network's gradient (0 = off). */
  clipNorm: number;
  /** α: the Objective's fixed value, or the initial value of a learned one. */
  alpha: number;
  /** The Objective's target KL(π‖p) = E[log π − log p] toward which α is learned; null = α fixed. */
  targetKl: number | null;
  /** Adam's β₁, β₂, ε (defaults: tfjs's and src/nn/adam.ts's 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** The step's hyperparameters from an agent's config and its Objective's temperature (α, target KL). */
export function engineStepConfig(
  cfg: Pick<EngineStepConfig, 'gamma' | 'tau' | 'actorLr' | 'criticLr' | 'alphaLr' | 'clipNorm'>,
  objective: Pick<EngineStepConfig, 'alpha' | 'targetKl'>,
): EngineStepConfig {
  const { gamma, tau, actorLr, criticLr, alphaLr, clipNorm } = cfg;
  return { gamma, tau, actorLr, criticLr, alphaLr, clipNorm, alpha: objective.alpha, targetKl: objective.targetKl };
}

/** Throws a RangeError naming `<config>.<field>`, the value and what is allowed. */
export type ConfigFail = (field: string, value: unknown, allowed: string) => never;

export function configFail(config: string): ConfigFail {
  return (field, value, allowed) => {
    const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new RangeError(`${config}.${field}: got ${shown}, allowed: ${allowed}`);
  };
}

/** Checks the step hyperparameters both engines share (the rest of each config is checked by its engine). */
export function checkStepConfig(cfg: EngineStepConfig, fail: ConfigFail): void {
  if (!(cfg.gamma >= 0 && cfg.gamma <= 1)) fail('gamma', cfg.gamma, 'a number in [0, 1]');
  if (!(cfg.tau > 0 && cfg.tau <= 1)) fail('tau', cfg.tau, 'a number in (0, 1]');
  for (const f of ['actorLr', 'criticLr', 'alphaLr'] as const)
    if (!(cfg[f] > 0 && Number.isFinite(cfg[f]))) fail(f, cfg[f], 'a finite number > 0');
  if (!(cfg.clipNorm >= 0 && Number.isFinite(cfg.clipNorm)))
    fail('clipNorm', cfg.clipNorm, 'a finite number ≥ 0 (0 = off)');
  if (!(cfg.alpha >= 0 && Number.isFinite(cfg.alpha))) fail('alpha', cfg.alpha, 'a finite number ≥ 0');
  if (cfg.targetKl !== null) {
    if (!Number.isFinite(cfg.targetKl)) fail('targetKl', cfg.targetKl, 'a finite number, or null (α fixed)');
    if (!(cfg.alpha > 0)) fail('alpha', cfg.alpha, 'an initial value > 0 when α is learned (targetKl set)');
  }
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = cfg;
  if (!(beta1 >= 0 && beta1 < 1)) fail('beta1', beta1, 'a number in [0, 1)');
  if (!(beta2 >= 0 && beta2 < 1)) fail('beta2', beta2, 'a number in [0, 1)');
  if (!(epsilon > 0)) fail('epsilon', epsilon, 'a number > 0');
}

/** Weights and optimizer state in the tfjs paths' layouts (`SacState`'s fields). */
export interface EngineWeights {
  actor: Float32Array;
  critic: Float32Array;
  criticTarget: Float32Array;
  actorOpt: AdamState;
  criticOpt: AdamState;
  alphaOpt: AdamState;
  logAlpha: number;
}

/** The networks an engine holds: the actor, the twin critics, their Polyak target. */
export type EngineNet = 'actor' | 'critic' | 'criticTarget';

/** Input/output slots of the scratch region (the order of `inputPtrs` in assembly/engine.ts). */
export const IO = {
  obs: 0,
  action: 1,
  reward: 2,
  nextObs: 3,
  terminated: 4,
  epsNext: 5,
  epsActor: 6,
  out: 7,
  logPNext: 8,
  logP: 9,
  refMean: 10,
  refLogStd: 11,
  refMeanNext: 12,
  refLogStdNext: 13,
  logPRef: 14,
  gradRef: 15,
} as const;

export abstract class EngineCore {
  readonly actorSizes: readonly number[];
  readonly criticSizes: readonly number[];
  /** Floats in the actor, and in the twin critics (both copies; the target has as many). */
  readonly actorSize: number;
  readonly criticSize: number;
  private wasm?: Exports;
  private views?: { buffer: ArrayBuffer; capacity: number; io: Float32Array[]; metrics: Float32Array };
  private capacity = 0;

  /** `configure` lays out the instance's memory (the hidden widths are already written). */
  protected constructor(
    module: WebAssembly.Module,
    readonly obsDim: number,
    /** Per-sample action width of the scratch buffers (continuous: act dims; discrete: the number of actions). */
    protected readonly actWidth: number,
    hidden: readonly number[],
    sizes: { actor: number[]; critic: number[] },
    configure: (w: Exports) => void,
  ) {
    const wasm = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    new Int32Array(wasm.memory.buffer, wasm.hiddenPtr(), hidden.length).set(hidden);
    configure(wasm);
    this.actorSizes = sizes.actor;
    this.criticSizes = sizes.critic;
    this.actorSize = wasm.actorSize();
    this.criticSize = wasm.criticSize();
    this.wasm = wasm;
  }

  protected get exports(): Exports {
    if (!this.wasm) throw new Error(`${this.constructor.name}: used after dispose()`);
    return this.wasm;
  }

  /** Bytes of the instance's linear memory (it grows only when a larger batch than any before arrives). */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** A view of `n` floats at `ptr` (valid until memory grows: make, use, drop). */
  protected f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, n);
  }

  /** The scratch region's input/output views for a batch of `n` rows (indexed by `IO`). */
  protected io(n: number): Float32Array[] {
    const w = this.exports;
    if (n > this.capacity) {
      w.reserve(n);
      this.capacity = n;
    }
    if (this.views?.buffer !== w.memory.buffer || this.views.capacity !== this.capacity) {
      const [c, o, a] = [this.capacity, this.obsDim, this.actWidth];
      const lens = [c * o, c * a, c, c * o, c, c * a, c * a, c * a, c * a, c * a, c * a, c * a, c * a, c * a, c, c * a];
      const p = new Uint32Array(w.memory.buffer, w.inputPtrs(), lens.length);
      this.views = {
        buffer: w.memory.buffer,
        capacity: c,
        io: lens.map((len, i) => this.f32(p[i], len)),
        metrics: this.f32(w.metricsPtr(), 8),
      };
    }
    return this.views.io;
  }

  /** The metrics slots (see each engine's names). */
  protected metricsView(): Float32Array {
    this.io(1);
    return this.views!.metrics;
  }

  /** Initial weights from `rng` as the tfjs agents' constructors draw them (actor, critics, then a target set they overwrite). */
  initWeights(rng: Rng): void {
    const actor = initialWeights(this.actorSizes, 1, 1, rng);
    const critic = initialWeights(this.criticSizes, 2, 1, rng);
    initialWeights(this.criticSizes, 2, 1, rng); // the tfjs agents draw their target, then copy the critics over it
    const w = this.exports;
    this.f32(w.actorPtr(), this.actorSize).set(actor);
    this.f32(w.criticPtr(), this.criticSize).set(critic);
    this.f32(w.targetPtr(), this.criticSize).set(critic);
  }

  /** [logAlpha, alphaM, alphaV, actorT, criticT, alphaT, gradSteps] (a copy). */
  protected scalars(): Float64Array {
    const w = this.exports;
    return new Float64Array(w.memory.buffer, w.getScalars(), 7).slice();
  }

  /** The temperature's log (α = exp of it). */
  get logAlpha(): number {
    return this.scalars()[0];
  }

  protected setScalars(values: readonly number[]): void {
    const w = this.exports;
    new Float64Array(w.memory.buffer, w.getScalars(), 7).set(values);
    w.setScalars();
  }

  getWeights(): EngineWeights {
    const w = this.exports;
    const s = this.scalars();
    const opt = (t: number, mPtr: number, vPtr: number, n: number): AdamState => ({
      t,
      m: [this.f32(mPtr, n).slice()],
      v: [this.f32(vPtr, n).slice()],
    });
    return {
      actor: this.f32(w.actorPtr(), this.actorSize).slice(),
      critic: this.f32(w.criticPtr(), this.criticSize).slice(),
      criticTarget: this.f32(w.targetPtr(), this.criticSize).slice(),
      actorOpt: opt(s[3], w.actorMPtr(), w.actorVPtr(), this.actorSize),
      criticOpt: opt(s[4], w.criticMPtr(), w.criticVPtr(), this.criticSize),
      alphaOpt: { t: s[5], m: [Float32Array.of(s[1])], v: [Float32Array.of(s[2])] },
      logAlpha: s[0],
    };
  }

  /**
   * Restores weights and optimizer state from either tfjs path: Adam moments may be one flat array (the fused
   * path, this engine) or one per weight and bias (the autodiff path); their concatenation must fit the layout.
   */
  setWeights(st: EngineWeights): void {
    const w = this.exports;
    const name = this.constructor.name;
    const put = (field: string, ptr: number, n: number, parts: readonly ArrayLike<number>[]) => {
      const total = parts.reduce((s, p) => s + p.length, 0);
      if (total !== n) throw new RangeError(`${name}.setState: ${field} must hold ${n} floats, got ${total}`);
      const dst = this.f32(ptr, n);
      let off = 0;
      for (const p of parts) {
        dst.set(p, off);
        off += p.length;
      }
    };
    for (const [field, opt] of [
      ['actorOpt', st.actorOpt],
      ['criticOpt', st.criticOpt],
      ['alphaOpt', st.alphaOpt],
    ] as const) {
      if (!Number.isInteger(opt.t) || opt.t < 0)
        throw new RangeError(`${name}.setState: ${field}.t must be an integer ≥ 0, got ${opt.t}`);
    }
    put('actor', w.actorPtr(), this.actorSize, [st.actor]);
    put('critic', w.criticPtr(), this.criticSize, [st.critic]);
    put('criticTarget', w.targetPtr(), this.criticSize, [st.criticTarget]);
    put('actorOpt.m', w.actorMPtr(), this.actorSize, st.actorOpt.m);
    put('actorOpt.v', w.actorVPtr(), this.actorSize, st.actorOpt.v);
    put('criticOpt.m', w.criticMPtr(), this.criticSize, st.criticOpt.m);
    put('criticOpt.v', w.criticVPtr(), this.criticSize, st.criticOpt.v);
    const scalar = (field: string, parts: readonly ArrayLike<number>[]) => {
      const flat = parts.flatMap((x) => Array.from(x));
      if (flat.length !== 1) throw new RangeError(`${name}.setState: ${field} must hold 1 float, got ${flat.length}`);
      return flat[0];
    };
    const s = this.scalars();
    this.setScalars([
      st.logAlpha,
      scalar('alphaOpt.m', st.alphaOpt.m),
      scalar('alphaOpt.v', st.alphaOpt.v),
      st.actorOpt.t,
      st.criticOpt.t,
      st.alphaOpt.t,
      s[6],
    ]);
  }

  /** Where a network's parameters live (flat layout) and how many floats they hold. */
  private place(which: EngineNet): [number, number] {
    const w = this.exports;
    if (which === 'actor') return [w.actorPtr(), this.actorSize];
    return [which === 'critic' ? w.criticPtr() : w.targetPtr(), this.criticSize];
  }

  /** Sets one network's parameters (flat layout); the optimizer state stays. */
  setParams(which: EngineNet, p: Float32Array): void {
    const [ptr, n] = this.place(which);
    if (p.length !== n)
      throw new RangeError(`${this.constructor.name}.setParams: ${which} must hold ${n} floats, got ${p.length}`);
    this.f32(ptr, n).set(p);
  }

  /** One network's parameters (flat layout, a copy). */
  getParams(which: EngineNet): Float32Array {
    const [ptr, n] = this.place(which);
    return this.f32(ptr, n).slice();
  }

  /** The gradient the last `lossAndGrad` left (flat layout, a copy). */
  protected grad(which: 'critic' | 'actor'): Float32Array {
    const w = this.exports;
    return which === 'critic'
      ? this.f32(w.criticGradPtr(), this.criticSize).slice()
      : this.f32(w.actorGradPtr(), this.actorSize).slice();
  }

  /** Drops the instance: its memory goes with it (to the garbage collector); later calls throw. */
  dispose(): void {
    this.wasm = undefined;
    this.views = undefined;
  }
}

/** A network in the engine's flat layout (src/nn's Mlp): what `EngineMirror` mirrors into. */
export interface MirrorNet {
  getWeights(): Float32Array;
  setWeights(w: Float32Array): void;
  dispose(): void;
}

const ENGINE_NETS: readonly EngineNet[] = ['actor', 'critic', 'criticTarget'];

/**
 * An agent's tfjs networks beside the engine that may run its update (both SACs). With an engine the
 * networks are a copy of its weights for reading (policy tables, saved agents, tfjs-side statistics),
 * refreshed lazily after the engine moved them (`changed()`); without one they are the learner itself.
 */
export class EngineMirror<Net extends MirrorNet> {
  /** Whether the networks lag behind the engine's weights. */
  private stale = false;

  /** Copies the networks' initial weights into `engine` (so both paths start from the same draw). */
  constructor(
    readonly engine: EngineCore | null,
    private readonly nets: Record<EngineNet, Net>,
  ) {
    if (engine) for (const which of ENGINE_NETS) engine.setParams(which, nets[which].getWeights());
  }

  /** Marks the engine's weights as moved (after an update or a restored state). */
  changed(): void {
    if (this.engine) this.stale = true;
  }

  /** The networks, brought up to date with the engine's weights first. */
  get synced(): Record<EngineNet, Net> {
    if (this.engine && this.stale) {
      for (const which of ENGINE_NETS) this.nets[which].setWeights(this.engine.getParams(which));
      this.stale = false;
    }
    return this.nets;
  }

  get actor(): Net {
    return this.synced.actor;
  }

  get critic(): Net {
    return this.synced.critic;
  }

  get criticTarget(): Net {
    return this.synced.criticTarget;
  }

  /** Replaces one network's weights on whichever side learns (a saved policy loaded). */
  setParams(which: EngineNet, w: Float32Array): void {
    if (this.engine) {
      this.engine.setParams(which, w);
      this.stale = true;
    } else this.nets[which].setWeights(w);
  }

  /** Frees the networks and the engine. */
  dispose(): void {
    this.engine?.dispose();
    for (const which of ENGINE_NETS) this.nets[which].dispose();
  }
}
