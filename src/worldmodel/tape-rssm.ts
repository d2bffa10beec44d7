/**
 * The RSSM of `rssm.ts` (same model, config, weight layout and `RssmState`; its header has the math) on the
 * host tape (`src/nn/tape.ts`): the fast path the world-model agent trains and imagines with. The tfjs
 * `Rssm` stays the autodiff reference: from the same weights, batch and noise both give the same ELBO terms
 * and gradients to float32 tolerance (`tests/tape-rssm.test.ts`), and a state moves between them.
 *
 * Besides the ELBO step it offers the pieces an agent composes on its own tape: the filter step (acting),
 * the prior step (imagination), the reward and decoder heads, each with the nets trainable or frozen.
 */
import type { Rng } from '../core/rng.js';
import { HostAdam } from '../nn/host-adam.js';
import { initialWeights } from '../nn/init.js';
import { frozen, type Net, type Node, Tape, trainableNet } from '../nn/tape.js';
import { checkRssmConfig, type RssmConfig, type RssmDims, type RssmState } from './rssm.js';
import type { SequenceBatch } from './sequences.js';

/** The RSSM's networks, in `Rssm.modules` order. */
export interface RssmNets {
  gru: Net;
  prior: Net;
  post: Net;
  decoder: Net;
  reward: Net;
}

const NET_ORDER = ['gru', 'prior', 'post', 'decoder', 'reward'] as const;

/** Batch means of the per-sequence ELBO terms (as in `ElboTerms`, plain numbers). */
export interface ElboNumbers {
  elbo: number;
  recon: number;
  reward: number;
  kl: number;
}

/** Posterior states of a batch, time-major rows t·B + b: h_t `[T·B, D]` and z_t `[T·B, S]`. */
export interface LatentStates {
  n: number;
  deter: Float32Array;
  stoch: Float32Array;
}

export class TapeRssm {
  readonly cfg: RssmConfig;
  readonly nets: RssmNets;
  /** log σ_d and its gradient when the decoder std is learned (`learnObsStd`), else null. */
  private readonly logObsStd: { value: Float32Array; grad: Float32Array } | null;
  private readonly adam: HostAdam;

  constructor(
    readonly dims: RssmDims,
    cfg: Partial<RssmConfig>,
    rng: Rng,
  ) {
    this.cfg = checkRssmConfig(cfg);
    const { deterDim: D, stochDim: S, hiddenDim: H } = this.cfg;
    const { obsDim: O, actDim: A } = dims;
    // Drawn in `Rssm`'s order, so the same seed gives the same weights on both paths.
    const make = (sizes: number[]) => trainableNet(sizes, initialWeights(sizes, 1, 1, rng));
    this.nets = {
      gru: make([S + A + D, 3 * D]),
      prior: make([D, H, 2 * S]),
      post: make([D + O, H, 2 * S]),
      decoder: make([D + S, H, O]),
      reward: make([D + S, H, 1]),
    };
    this.logObsStd = this.cfg.learnObsStd
      ? { value: Float32Array.of(Math.log(this.cfg.obsStd)), grad: new Float32Array(1) }
      : null;
    this.adam = new HostAdam(this.params(), this.grads(), { lr: this.cfg.lr, clipNorm: this.cfg.clipNorm });
  }

  /** The trained buffers: every net's weights (`Rssm.modules` order), then log σ_d if it is learned. */
  private params(): Float32Array[] {
    return [...NET_ORDER.map((k) => this.nets[k].weights), ...(this.logObsStd ? [this.logObsStd.value] : [])];
  }

  /** Their gradient buffers, in the same order. */
  private grads(): Float32Array[] {
    return [...NET_ORDER.map((k) => this.nets[k].grad!), ...(this.logObsStd ? [this.logObsStd.grad] : [])];
  }

  /** The decoder std σ_d: obsStd, or the learned value. */
  decoderStd(): number {
    return this.logObsStd ? Math.exp(this.logObsStd.value[0]) : this.cfg.obsStd;
  }

  get featDim(): number {
    return this.cfg.deterDim + this.cfg.stochDim;
  }

  /** The nets as the agent's losses see them: frozen (gradients pass through to states and actions only). */
  frozenNets(): RssmNets {
    return Object.fromEntries(NET_ORDER.map((k) => [k, frozen(this.nets[k])])) as unknown as RssmNets;
  }

  /** h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}]). */
  transition(tape: Tape, nets: RssmNets, h: Node, z: Node, a: Node): Node {
    return tape.gru(tape.mlp(tape.concat([z, a, h]), nets.gru), h);
  }

  /** The prior p(z_t | h_t) = N(mean, std²). */
  prior(tape: Tape, nets: RssmNets, h: Node): { mean: Node; std: Node } {
    return tape.gaussianHead(tape.mlp(h, nets.prior), this.cfg.minStd);
  }

  /** The posterior q(z_t | h_t, o_t) = N(mean, std²). */
  posterior(tape: Tape, nets: RssmNets, h: Node, o: Node): { mean: Node; std: Node } {
    return tape.gaussianHead(tape.mlp(tape.concat([h, o]), nets.post), this.cfg.minStd);
  }

  /** The features [h, z] the heads (and an agent's actor and critic) read. */
  features(tape: Tape, h: Node, z: Node): Node {
    return tape.concat([h, z]);
  }

  /**
   * The ELBO terms of a batch on `tape` with the posterior noise `eps` (T·B·S, time-major), as `Rssm`'s
   * `elboTerms`; the loss −(recon + reward) + klScale·KL (free nats, KL balancing as configured) as a node.
   */
  private elbo(tape: Tape, batch: SequenceBatch, eps: Float32Array) {
    const { T, B, obsDim: O, actDim: A } = batch;
    const { deterDim: D, stochDim: S, obsStd, rewardStd, freeNats, klBalance, klScale } = this.cfg;
    const nets = this.nets;
    let h = tape.constant(new Float32Array(B * D), B, D);
    let z = tape.constant(new Float32Array(B * S), B, S);
    const hs: Node[] = [];
    const zs: Node[] = [];
    const klSteps: Node[] = [];
    const klLosses: Node[] = [];
    const row = (data: Float32Array, t: number, w: number) =>
      tape.constant(data.subarray(t * B * w, (t + 1) * B * w), B, w);
    const sg = (g: { mean: Node; std: Node }) => ({ mean: tape.detach(g.mean), std: tape.detach(g.std) });
    for (let t = 0; t < T; t++) {
      h = this.transition(tape, nets, h, z, row(batch.prevActions, t, A));
      const q = this.posterior(tape, nets, h, row(batch.obs, t, O));
      const p = this.prior(tape, nets, h);
      z = tape.rsample(q.mean, q.std, eps.subarray(t * B * S, (t + 1) * B * S));
      hs.push(h);
      zs.push(z);
      // The batch-mean KL of step t, and what the loss takes of it (free nats, balancing).
      const klMean = (qq: typeof q, pp: typeof p) => tape.sum(tape.klDiag(qq.mean, qq.std, pp.mean, pp.std), 1 / B);
      const freed = (k: Node) => (freeNats > 0 ? tape.maxConst(k, freeNats) : k);
      klSteps.push(klMean(q, p));
      klLosses.push(
        klBalance === null
          ? freed(klSteps[t])
          : tape.add(tape.affine(freed(klMean(sg(q), p)), klBalance), freed(klMean(q, sg(p))), 1 - klBalance),
      );
    }
    const feat = tape.concat([tape.stack(hs), tape.stack(zs)]);
    const logStd = this.logObsStd && tape.variable(this.logObsStd.value, 1, 1);
    const recon = tape.affine(
      tape.gaussLogLik(batch.obs, tape.mlp(feat, nets.decoder), logStd ? { log: logStd } : obsStd),
      1 / B,
    );
    const reward = tape.affine(tape.gaussLogLik(batch.rewards, tape.mlp(feat, nets.reward), rewardStd), 1 / B);
    const kl = tape.sum(tape.stack(klSteps));
    const klLoss = tape.sum(tape.stack(klLosses));
    const loss = tape.add(tape.affine(tape.add(recon, reward), -1), klLoss, klScale);
    return { loss, recon, reward, kl, hs, zs, logStd };
  }

  private checkBatch(batch: SequenceBatch, where: string): void {
    if (batch.obsDim !== this.dims.obsDim || batch.actDim !== this.dims.actDim)
      throw new RangeError(
        `${where}: batch has obsDim=${batch.obsDim}, actDim=${batch.actDim}; the model was built for ${this.dims.obsDim}, ${this.dims.actDim}`,
      );
  }

  /** The posterior noise of a batch, drawn as `Rssm` draws it (`standardNormal`, time-major). */
  noise(batch: SequenceBatch, rng: Rng): Float32Array {
    const eps = new Float32Array(batch.T * batch.B * this.cfg.stochDim);
    for (let i = 0; i < eps.length; i++) eps[i] = rng.normal();
    return eps;
  }

  /**
   * The ELBO terms and the loss's gradient (one array per net, `Rssm.modules` order, left in the nets'
   * buffers; then log σ_d's if learned) for posterior noise `eps`, with the posterior states (detached) for an
   * agent's imagination.
   */
  lossAndGradient(
    batch: SequenceBatch,
    eps: Float32Array,
  ): { terms: ElboNumbers; grads: Float32Array[]; states: LatentStates } {
    this.checkBatch(batch, 'TapeRssm.lossAndGradient');
    for (const g of this.grads()) g.fill(0);
    const tape = new Tape();
    const e = this.elbo(tape, batch, eps);
    tape.backward(e.loss);
    if (e.logStd) this.logObsStd!.grad.set(e.logStd.grad);
    const recon = e.recon.scalar;
    const reward = e.reward.scalar;
    const kl = e.kl.scalar;
    const n = batch.T * batch.B;
    const deter = new Float32Array(n * this.cfg.deterDim);
    const stoch = new Float32Array(n * this.cfg.stochDim);
    e.hs.forEach((h, t) => deter.set(h.value, t * h.value.length));
    e.zs.forEach((z, t) => stoch.set(z.value, t * z.value.length));
    return {
      terms: { elbo: recon + reward - kl, recon, reward, kl },
      grads: this.grads(),
      states: { n, deter, stoch },
    };
  }

  /** The ELBO terms of a batch without updating (forward only, fresh posterior noise from `rng`). */
  evaluate(batch: SequenceBatch, rng: Rng): ElboNumbers {
    this.checkBatch(batch, 'TapeRssm.evaluate');
    const e = this.elbo(new Tape(), batch, this.noise(batch, rng));
    const [recon, reward, kl] = [e.recon.scalar, e.reward.scalar, e.kl.scalar];
    return { elbo: recon + reward - kl, recon, reward, kl };
  }

  /** Sets Adam's learning rate (a schedule; `cfg.lr` is the first value). */
  setLearningRate(lr: number): void {
    this.adam.lr = lr;
  }

  /** One Adam step on the ELBO loss; returns its terms and the batch's posterior states. */
  trainStep(batch: SequenceBatch, rng: Rng): { terms: ElboNumbers; states: LatentStates } {
    const { terms, states } = this.lossAndGradient(batch, this.noise(batch, rng));
    for (const [name, value] of Object.entries(terms))
      if (!Number.isFinite(value))
        throw new RangeError(`TapeRssm.trainStep: ELBO term '${name}' is ${value} (non-finite)`);
    this.adam.step();
    return { terms, states };
  }

  /**
   * One filter step for acting, forward only: h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}]), z_t the posterior's mean
   * (`eps` null) or a sample. Rows are episodes; returns the new h and z.
   */
  filterStep(
    h: Float32Array,
    z: Float32Array,
    prevAction: Float32Array,
    obs: Float32Array,
    n: number,
    eps: Float32Array | null,
  ): { h: Float32Array; z: Float32Array } {
    const { deterDim: D, stochDim: S } = this.cfg;
    const tape = new Tape();
    const hn = this.transition(
      tape,
      this.nets,
      tape.constant(h, n, D),
      tape.constant(z, n, S),
      tape.constant(prevAction, n, this.dims.actDim),
    );
    const q = this.posterior(tape, this.nets, hn, tape.constant(obs, n, this.dims.obsDim));
    return { h: hn.value, z: eps ? tape.rsample(q.mean, q.std, eps).value : q.mean.value };
  }

  /** The model's state in `Rssm`'s format (a tfjs `Rssm` can load it, and this one `Rssm`'s). */
  getState(): RssmState {
    return {
      version: 1,
      config: { ...this.cfg },
      dims: { ...this.dims },
      weights: this.params().flatMap((w) => Array.from(w)),
      adam: this.adam.toJSON(),
    };
  }

  setState(state: RssmState): void {
    for (const k of ['obsDim', 'actDim'] as const)
      if (state?.dims?.[k] !== this.dims[k])
        throw new RangeError(`RssmState.dims.${k}: ${state?.dims?.[k]} does not match the model's ${this.dims[k]}`);
    for (const k of ['deterDim', 'stochDim', 'hiddenDim'] as const)
      if (state.config[k] !== this.cfg[k])
        throw new RangeError(`RssmState.config.${k}: ${state.config[k]} does not match the model's ${this.cfg[k]}`);
    if ((state.config.learnObsStd ?? false) !== this.cfg.learnObsStd)
      throw new RangeError(
        `RssmState.config.learnObsStd: ${state.config.learnObsStd} does not match the model's ${this.cfg.learnObsStd}`,
      );
    const params = this.params();
    const total = params.reduce((s, w) => s + w.length, 0);
    if (state.weights.length !== total)
      throw new RangeError(`RssmState.weights: has ${state.weights.length} values, expected ${total}`);
    let off = 0;
    for (const w of params) {
      w.set(state.weights.slice(off, off + w.length));
      off += w.length;
    }
    this.adam.fromJSON(state.adam);
  }
}
