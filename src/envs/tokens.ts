/**
 * # TokenSeq-v0
 *
 * ## Description
 * A tiny RLHF task. The agent writes a sequence of `length` tokens from a vocabulary of
 * `vocab` tokens, one token per step; a reward model scores the finished sequence. The reference
 * policy is a fixed bigram "language model" (`referenceTable`), so the whole sequence distribution of
 * any policy can be enumerated (4⁴ = 256 sequences by default) and compared with the closed-form
 * KL-regularized optimum π*(y) ∝ π_ref(y)·exp(R(y)/β).
 *
 * The reference LM has a "grammar": after token i it prefers i+1 (mod vocab) and rarely repeats i.
 * The default reward (`repeat`) counts the keyword token: its maximum, the keyword repeated `length`
 * times, is degenerate text the reference almost never writes, so an unregularized optimizer visibly
 * "hacks" the reward.
 *
 * ## Action Space
 * `Discrete(vocab)`: the next token.
 *
 * ## Observation Space
 * `Discrete(nStates)`: the prefix written so far, as an integer. A prefix (y_1..y_t) has index
 * `offset(t) + Σ_i y_i·vocab^(t−i)`, `offset(t) = (vocab^t − 1)/(vocab − 1)` (the empty prefix is 0);
 * the finished sequences are the last `vocab^length` states.
 *
 * ## Rewards
 * 0 on every step but the last, which pays R(y):
 * - `repeat`: the fraction of tokens equal to `keyword` (in [0, 1]; max 1 at keyword^length).
 * - `cycle`: the fraction of adjacent pairs with y_{t+1} = y_t + 1 (mod vocab), the reference's own
 *   grammar (a reward the reference already half-likes; maximum at the cyclic sequences).
 *
 * ## Starting State
 * The empty prefix (state 0).
 *
 * ## Episode End
 * Terminates after `length` tokens. Never truncated.
 *
 * ## Information
 * The last step's info has `sequence` (the tokens) and `text` (letters a, b, c, ...).
 *
 * ## Arguments
 * `make('TokenSeq-v0', { vocab: 4, length: 4, reward: 'repeat', keyword: 0 })` (the defaults): `vocab` in
 * 2..8, `length` in 1..6, `reward` one of `TOKEN_REWARDS`, `keyword` a token in {0, ..., vocab − 1}.
 *
 * ## Version History
 * - v0: initial version.
 */
import type { Rng } from '../core/rng.js';
import { Discrete } from '../core/spaces.js';
import { BaseEnv, checkDiscreteAction, OptionReader } from './base.js';
import type { ResetResult, StepResult, TabularEnv, TabularModel, Transition } from './env.js';

export const TOKEN_REWARDS = ['repeat', 'cycle'] as const;
export type TokenReward = (typeof TOKEN_REWARDS)[number];

export interface TokenSeqOptions {
  /** Vocabulary size (2..8). */
  vocab?: number;
  /** Tokens per sequence (1..6). */
  length?: number;
  /** Which reward model scores the finished sequence. */
  reward?: TokenReward;
  /** The token the `repeat` reward counts. */
  keyword?: number;
}

export class TokenSeq extends BaseEnv<number, number> implements TabularEnv {
  readonly id = 'TokenSeq-v0';
  readonly vocab: number;
  readonly length: number;
  readonly rewardKind: TokenReward;
  readonly keyword: number;
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  /** Row s is π_ref(·|prefix s): the bigram LM conditioned on the prefix's last token (uniform rows on finished sequences). */
  readonly referenceTable: Float64Array[];
  readonly model: TabularModel;
  private state = 0;
  private tokens: number[] = [];

  constructor(opts: TokenSeqOptions = {}) {
    super();
    const read = new OptionReader(this.id, { ...opts }, ['vocab', 'length', 'reward', 'keyword']);
    this.vocab = intOption('vocab', read.number('vocab', 4), 2, 8);
    this.length = intOption('length', read.number('length', 4), 1, 6);
    this.rewardKind = read.oneOf('reward', TOKEN_REWARDS, 'repeat');
    this.keyword = intOption('keyword', read.number('keyword', 0), 0, this.vocab - 1);
    const nStates = this.offset(this.length) + this.vocab ** this.length;
    this.observationSpace = new Discrete(nStates);
    this.actionSpace = new Discrete(this.vocab);
    this.referenceTable = Array.from({ length: nStates }, (_, s) =>
      this.bigramRow(this.isFinished(s) ? -2 : this.lastToken(s)),
    );
    this.model = this.buildModel();
  }

  /** Index of the first prefix of length t. */
  offset(t: number): number {
    return (this.vocab ** t - 1) / (this.vocab - 1);
  }

  /** State index of a prefix. */
  stateOf(prefix: readonly number[]): number {
    let code = 0;
    for (const y of prefix) code = code * this.vocab + y;
    return this.offset(prefix.length) + code;
  }

  /** The prefix a state stands for. */
  prefixOf(state: number): number[] {
    let t = 0;
    while (t < this.length && state >= this.offset(t + 1)) t++;
    let code = state - this.offset(t);
    const out = new Array<number>(t);
    for (let i = t - 1; i >= 0; i--) {
      out[i] = code % this.vocab;
      code = Math.floor(code / this.vocab);
    }
    return out;
  }

  /** True when `state` is a finished sequence (a terminal state). */
  isFinished(state: number): boolean {
    return state >= this.offset(this.length);
  }

  /** R(y) of a finished sequence. */
  score(seq: readonly number[]): number {
    if (seq.length !== this.length)
      throw new RangeError(`TokenSeq-v0: score() needs ${this.length} tokens, got ${seq.length}`);
    if (this.rewardKind === 'repeat') return seq.filter((y) => y === this.keyword).length / this.length;
    if (this.length === 1) return 0;
    let hits = 0;
    for (let t = 1; t < seq.length; t++) if (seq[t] === (seq[t - 1] + 1) % this.vocab) hits++;
    return hits / (this.length - 1);
  }

  /** Every sequence, in state order (index k is the sequence whose code is k). */
  allSequences(): number[][] {
    const first = this.offset(this.length);
    return Array.from({ length: this.vocab ** this.length }, (_, k) => this.prefixOf(first + k));
  }

  /**
   * The probability of every sequence (order of `allSequences`) under a policy given as per-state
   * action probabilities (`probs(s)` for each non-finished state s): π(y) = Π_t π(y_t | y_<t).
   */
  sequenceProbs(probs: (state: number) => ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.vocab ** this.length);
    const rows = new Map<number, ArrayLike<number>>();
    const row = (s: number) => {
      let r = rows.get(s);
      if (!r) rows.set(s, (r = probs(s)));
      return r;
    };
    this.allSequences().forEach((seq, k) => {
      let p = 1;
      for (let t = 0; t < seq.length; t++) p *= row(this.stateOf(seq.slice(0, t)))[seq[t]];
      out[k] = p;
    });
    return out;
  }

  /** R(y) for every sequence (order of `allSequences`). */
  sequenceRewards(): Float64Array {
    return Float64Array.from(this.allSequences(), (seq) => this.score(seq));
  }

  /** Letters for a sequence: [0, 1, 1] → "abb". */
  text(seq: readonly number[]): string {
    return seq.map((y) => String.fromCharCode(97 + y)).join('');
  }

  protected resetEpisode(_rng: Rng): ResetResult<number> {
    this.state = 0;
    this.tokens = [];
    return { obs: 0, info: {} };
  }

  protected stepEpisode(action: number): StepResult<number> {
    checkDiscreteAction(this.id, this.actionSpace, action);
    this.tokens.push(action);
    this.state = this.stateOf(this.tokens);
    if (this.tokens.length < this.length)
      return { obs: this.state, reward: 0, terminated: false, truncated: false, info: {} };
    const sequence = [...this.tokens];
    return {
      obs: this.state,
      reward: this.score(sequence),
      terminated: true,
      truncated: false,
      info: { sequence, text: this.text(sequence) },
    };
  }

  private lastToken(state: number): number {
    const prefix = this.prefixOf(state);
    return prefix.length === 0 ? -1 : prefix[prefix.length - 1];
  }

  /** Bigram row after token `prev` (−1: start of text, −2: finished, uniform). Weights: next-in-cycle 4, repeat 0.25, other 1; start: token 1 weight 2. */
  private bigramRow(prev: number): Float64Array {
    const w = new Float64Array(this.vocab).fill(1);
    if (prev === -1) w[1 % this.vocab] = 2;
    else if (prev >= 0) {
      w[(prev + 1) % this.vocab] = 4;
      w[prev] = 0.25;
    }
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / z);
  }

  private buildModel(): TabularModel {
    const nStates = this.observationSpace.n;
    const P: Transition[][][] = [];
    const terminalStates = new Set<number>();
    for (let s = 0; s < nStates; s++) {
      const rows: Transition[][] = [];
      const finished = this.isFinished(s);
      if (finished) terminalStates.add(s);
      const prefix = finished ? [] : this.prefixOf(s);
      for (let a = 0; a < this.vocab; a++) {
        if (finished) {
          rows.push([{ prob: 1, next: s, reward: 0, terminated: true }]);
          continue;
        }
        const next = [...prefix, a];
        const done = next.length === this.length;
        rows.push([{ prob: 1, next: this.stateOf(next), reward: done ? this.score(next) : 0, terminated: done }]);
      }
      P.push(rows);
    }
    const initialDistribution = new Float64Array(nStates);
    initialDistribution[0] = 1;
    return { nStates, nActions: this.vocab, P, initialDistribution, terminalStates };
  }
}

function intOption(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`TokenSeq-v0: option ${name} = ${v}, allowed: an integer in [${min}, ${max}]`);
  return v;
}
