/**
 * Multi-layer perceptrons tuned for tfjs's wasm backend.
 *
 * Why not `tf.layers.dense`: on wasm a 2-D `matMul` without transpose flags runs on a fast path; the same
 * product with a transpose flag, or as a 3-D batched product, is 10–20× slower (measured in `bench/sac.ts`).
 * tfjs's built-in `matMul` gradient uses the flags. The `fused` implementation therefore:
 * - keeps all weights of a network (all ensemble copies included) in ONE flat `tf.Variable`, sliced into
 *   `[in, out]` / `[out]` views inside the forward pass, so the optimizer and the Polyak update touch one
 *   buffer with a handful of kernels instead of ~15 kernels per layer variable;
 * - runs each layer as one `tf.fused.matMul` (product + bias + activation in a single kernel);
 * - writes the backward pass by hand in a `tf.customGrad` with explicit transposes and plain 2-D products,
 *   returning the gradient of the whole flat buffer as one tensor (one concat);
 * - evaluates an ensemble (e.g. twin critics) inside the same custom op, as K chains of 2-D products
 *   (a 3-D batched product is slower on wasm than K separate 2-D ones).
 * The `autodiff` implementation is the straightforward baseline (one variable per weight and bias, tfjs's
 * built-in gradients); it keeps the same flat weight layout so weights move between the two, which the
 * tests use to check the hand-written gradients against tfjs's.
 *
 * Flat layout: for each copy k, for each layer l: W[k][l] (`in × out`, row-major) then b[k][l] (`out`).
 * Initialization is PyTorch's `nn.Linear` default (W, b ~ U(±1/√in)), drawn from our seeded `Rng`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';

export type Activation = 'relu' | 'tanh';
export type MlpImpl = 'fused' | 'autodiff';

export interface MlpConfig {
  /** Layer widths from input to output, e.g. `[3, 64, 64, 1]` (at least input and output). */
  sizes: readonly number[];
  /** Activation after every hidden layer; the output layer is linear. */
  activation?: Activation;
  /** Number of independent copies evaluated in one op (twin critics: 2). Output gains a leading K axis when K > 1. */
  ensemble?: number;
  /** Multiplies the initial weights and biases of the output layer (e.g. 0.01 for a policy head). */
  outputScale?: number;
  /** `fused` (flat variable, hand-written backward) or `autodiff` (per-layer variables, built-in gradients; the baseline). */
  impl?: MlpImpl;
  /** Name prefix of the variables (tfjs variable names must be unique). */
  name?: string;
}

interface LayerSlot {
  inDim: number;
  outDim: number;
  /** Offset of W in the flat buffer (b follows at `wOffset + inDim * outDim`). */
  wOffset: number;
}

let nameCounter = 0;

export class Mlp {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly ensemble: number;
  readonly impl: MlpImpl;
  /** Total number of parameters (all copies). */
  readonly numParams: number;
  /** The trainable variables: one flat buffer (`fused`) or one per weight and bias (`autodiff`, layout order). */
  readonly params: tf.Variable[];
  /** `slots[k][l]`: where layer l of copy k lives in the flat layout. */
  private readonly slots: LayerSlot[][];
  /** Forward with gradients w.r.t. the input and the flat parameters (`fused` only). */
  private readonly trainOp?: (x: tf.Tensor, p: tf.Tensor) => tf.Tensor;
  /** Forward with a gradient w.r.t. the input only: the parameters are held constant (`fused` only). */
  private readonly frozenOp?: (x: tf.Tensor) => tf.Tensor;

  constructor(cfg: MlpConfig, rng: Rng) {
    const { sizes, activation = 'relu', ensemble = 1, outputScale = 1, impl = 'fused' } = cfg;
    if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
      throw new RangeError(`Mlp.sizes: expected at least two positive integers, got [${sizes.join(', ')}]`);
    }
    if (!Number.isInteger(ensemble) || ensemble < 1) throw new RangeError(`Mlp.ensemble: expected a positive integer, got ${ensemble}`);
    if (!(outputScale > 0)) throw new RangeError(`Mlp.outputScale: expected > 0, got ${outputScale}`);
    if (impl !== 'fused' && impl !== 'autodiff') throw new RangeError(`Mlp.impl: expected 'fused' or 'autodiff', got '${impl}'`);
    if (activation !== 'relu' && activation !== 'tanh') throw new RangeError(`Mlp.activation: expected 'relu' or 'tanh', got '${activation}'`);
    this.sizes = [...sizes];
    this.activation = activation;
    this.ensemble = ensemble;
    this.impl = impl;

    const nLayers = sizes.length - 1;
    this.slots = [];
    let offset = 0;
    for (let k = 0; k < ensemble; k++) {
      const copy: LayerSlot[] = [];
      for (let l = 0; l < nLayers; l++) {
        copy.push({ inDim: sizes[l], outDim: sizes[l + 1], wOffset: offset });
        offset += (sizes[l] + 1) * sizes[l + 1];
      }
      this.slots.push(copy);
    }
    this.numParams = offset;

    const flat = new Float32Array(offset);
    for (const copy of this.slots) {
      copy.forEach((s, l) => {
        const bound = (1 / Math.sqrt(s.inDim)) * (l === nLayers - 1 ? outputScale : 1);
        const n = (s.inDim + 1) * s.outDim;
        for (let i = 0; i < n; i++) flat[s.wOffset + i] = rng.uniformRange(-bound, bound);
      });
    }
    const prefix = `${cfg.name ?? 'mlp'}_${nameCounter++}`;
    if (impl === 'fused') {
      this.params = [tf.variable(tf.tensor1d(flat), true, `${prefix}/flat`)];
      this.trainOp = tf.customGrad((x, p, save) =>
        this.fusedForward(x as tf.Tensor2D, p as tf.Tensor1D, save as tf.GradSaveFunc, true),
      ) as (x: tf.Tensor, p: tf.Tensor) => tf.Tensor;
      this.frozenOp = tf.customGrad((x, save) =>
        this.fusedForward(x as tf.Tensor2D, this.params[0] as tf.Tensor1D, save as tf.GradSaveFunc, false),
      ) as (x: tf.Tensor) => tf.Tensor;
    } else {
      this.params = [];
      for (const [k, copy] of this.slots.entries()) {
        for (const [l, s] of copy.entries()) {
          const w = flat.subarray(s.wOffset, s.wOffset + s.inDim * s.outDim);
          const b = flat.subarray(s.wOffset + s.inDim * s.outDim, s.wOffset + (s.inDim + 1) * s.outDim);
          this.params.push(tf.variable(tf.tensor2d(w, [s.inDim, s.outDim]), true, `${prefix}/${k}/W${l}`));
          this.params.push(tf.variable(tf.tensor1d(b), true, `${prefix}/${k}/b${l}`));
        }
      }
    }
  }

  get inDim(): number {
    return this.sizes[0];
  }

  get outDim(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /**
   * Evaluates the network on `x` (`[B, in]`): returns `[B, out]`, or `[K, B, out]` for an ensemble of K.
   * `frozen: true` differentiates w.r.t. `x` only (the parameters act as constants), e.g. the critic inside
   * the actor loss; it saves the parameter-gradient work of the backward pass.
   */
  apply(x: tf.Tensor2D, opts: { frozen?: boolean } = {}): tf.Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inDim) {
      throw new RangeError(`Mlp.apply: x must have shape [batch, ${this.inDim}], got [${x.shape.join(', ')}]`);
    }
    if (this.impl === 'fused') {
      return opts.frozen ? this.frozenOp!(x) : this.trainOp!(x, this.params[0]);
    }
    // Built-in autodiff only differentiates w.r.t. what is asked for, so `frozen` needs nothing here.
    const params = this.params;
    const outs = this.slots.map((copy, k) =>
      copy.reduce<tf.Tensor2D>((h, _s, l) => {
        const z = tf.add(tf.matMul(h, params[2 * (k * copy.length + l)] as tf.Tensor2D), params[2 * (k * copy.length + l) + 1]);
        return (l === copy.length - 1 ? z : this.activation === 'relu' ? tf.relu(z) : tf.tanh(z)) as tf.Tensor2D;
      }, x),
    );
    return this.ensemble === 1 ? outs[0] : tf.stack(outs);
  }

  /** The forward pass of the fused op and its hand-written backward (explicit transposes, 2-D products only). */
  private fusedForward(x: tf.Tensor2D, p: tf.Tensor1D, save: tf.GradSaveFunc, paramGrad: boolean) {
    const act = this.activation;
    const ws: tf.Tensor2D[][] = [];
    const hs: tf.Tensor2D[][] = []; // hs[k][l]: output of layer l of copy k (post-activation)
    const outs = this.slots.map((copy) => {
      const wk: tf.Tensor2D[] = [];
      const hk: tf.Tensor2D[] = [];
      let h = x;
      copy.forEach((s, l) => {
        const w = tf.reshape(tf.slice(p, s.wOffset, s.inDim * s.outDim), [s.inDim, s.outDim]) as tf.Tensor2D;
        const b = tf.slice(p, s.wOffset + s.inDim * s.outDim, s.outDim);
        // tfjs's fused kernel has relu but no tanh.
        const hidden = l < copy.length - 1;
        h = tf.fused.matMul({ a: h, b: w, bias: b, activation: hidden && act === 'relu' ? 'relu' : 'linear' }) as tf.Tensor2D;
        if (hidden && act === 'tanh') h = tf.tanh(h);
        wk.push(w);
        hk.push(h);
      });
      ws.push(wk);
      hs.push(hk);
      return h;
    });
    save([x, ...ws.flat(), ...hs.flat()]);
    const value = this.ensemble === 1 ? outs[0] : tf.stack(outs);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const nL = this.slots[0].length;
      const [xs] = saved as tf.Tensor2D[];
      const dys = this.ensemble === 1 ? [dy as tf.Tensor2D] : (tf.unstack(dy) as tf.Tensor2D[]);
      const dParams: tf.Tensor[] = [];
      const dxs: tf.Tensor2D[] = [];
      for (let k = 0; k < this.ensemble; k++) {
        const w = (l: number) => saved[1 + k * nL + l] as tf.Tensor2D;
        const h = (l: number) => saved[1 + this.ensemble * nL + k * nL + l] as tf.Tensor2D;
        const dCopy: tf.Tensor[] = [];
        let g = dys[k];
        for (let l = nL - 1; l >= 0; l--) {
          // dz = g ⊙ σ'(z), with σ' read from the layer's output: relu' = [h > 0], tanh' = 1 − h².
          const dz = l === nL - 1 ? g : act === 'relu' ? tf.mul(g, tf.step(h(l))) : tf.mul(g, tf.sub(1, tf.square(h(l))));
          const hIn = l === 0 ? xs : h(l - 1);
          if (paramGrad) {
            dCopy.unshift(tf.reshape(tf.matMul(tf.transpose(hIn), dz), [-1]), tf.sum(dz, 0)); // dW = hᵀ dz, db = Σ_batch dz
          }
          g = tf.matMul(dz, tf.transpose(w(l))); // dh = dz Wᵀ
        }
        dParams.push(...dCopy);
        dxs.push(g);
      }
      const dx = dxs.length === 1 ? dxs[0] : tf.addN(dxs);
      return paramGrad ? [dx, tf.concat(dParams)] : [dx];
    };
    return { value, gradFunc };
  }

  /** All weights in the flat layout (reads from the device: for checkpoints, not inside an update). */
  getWeights(): Float32Array {
    return tf.tidy(() => tf.concat(this.params.map((v) => tf.reshape(v, [-1])))).dataSync() as Float32Array;
  }

  /** Sets all weights from the flat layout (e.g. a checkpoint, or another Mlp with the same sizes). */
  setWeights(w: Float32Array): void {
    if (w.length !== this.numParams) {
      throw new RangeError(`Mlp.setWeights: expected ${this.numParams} values (sizes [${this.sizes.join(', ')}] × ${this.ensemble}), got ${w.length}`);
    }
    let off = 0;
    for (const v of this.params) {
      tf.tidy(() => v.assign(tf.tensor(w.slice(off, off + v.size), v.shape)));
      off += v.size;
    }
  }

  dispose(): void {
    for (const v of this.params) v.dispose();
  }
}
