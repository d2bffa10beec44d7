/**
 * User-defined priors and their combinators. A prior a user builds is a {@link PriorBuilder}: a function of
 * the env's spaces that returns a {@link ReferenceSource} (a `table`, `logits`, `gaussian` or `logDensity`),
 * the same value `makeObjective(spec, env, { reference })` already takes for the `reference` prior. So a
 * custom prior goes through the one path every built-in reference goes through (`referencePrior`: the
 * spaces, the table's normalization, finite positive values, the shapes a function returns), and every
 * learner, the exact solver (`objective.tabular()`) and the viewer take it with no change:
 *
 *   const safe = masked(uniform(), (s, a) => !stepsIntoCliff(s, a));
 *   const objective = makeObjective({ prior: 'reference', alpha: 0.2 }, env, { reference: safe });
 *
 * What each combinator makes, by action space:
 *
 * | combinator            | Discrete actions, tabular states | Discrete actions, vector states | Box actions                  |
 * |-----------------------|----------------------------------|---------------------------------|------------------------------|
 * | `mixture(ps, w)`      | table Σ w_i p_i                  | logits log Σ w_i p_i            | logDensity log Σ w_i p_i     |
 * | `tempered(p, λ)`      | table ∝ p^λ                      | logits λ·log p                  | Gaussian with std/√λ         |
 * | `masked(p, allowed)`  | table ∝ p on allowed, ε elsewhere| (needs tabular states)          | (needs Discrete actions)     |
 * | `fromDensity(f)`      | table ∝ f(s, a) ≥ 0              | (needs tabular states)          | logDensity = f(obs, a)       |
 *
 * A masked action keeps mass ε (default 1e-8), not 0: a softmax policy never puts exactly 0 on an action,
 * and KL(π ‖ p) to a zero-mass action is infinite. With p(a|s) = ε the exact optimum π* ∝ p·exp(Q/α) puts
 * about ε·exp(ΔQ/α) there, and the learners' KL term pushes the learned policy to the same. Browser-safe.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { referencePrior, type ReferenceSource } from './reference.js';
import { tableFromLogits, type BoxPrior, type DiscretePrior, type PriorSpaces } from './prior.js';
import { uniformPrior } from './uniform.js';

/** A prior made for an env's spaces when the Objective is built (`makeObjective`'s `reference` option). */
export type PriorBuilder = (spaces: PriorSpaces) => ReferenceSource;

/** What the combinators take: a ready source (a table, a learner's `asPrior()`, …), a builder, or `'uniform'`. */
export type PriorInput = ReferenceSource | PriorBuilder | 'uniform';

/**
 * A density for {@link fromDensity}: over tabular states and `Discrete` actions an unnormalized mass
 * f(s, a) ≥ 0; over a `Box` action space a log-density of encoded obs `[B, obsDim]` and actions `[B, d]`
 * → `[B]` in tfjs ops (differentiable in the actions).
 */
export type DensityFn = ((s: number, a: number) => number) | ((obs: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D);

/** Which actions a masked prior allows: a predicate, or an nS·nA row-major table of booleans (or 0/1). */
export type Allowed = ((s: number, a: number) => boolean) | ArrayLike<boolean | number>;

/** The uniform prior as a combinator input (1/|A|, or the constant density over a bounded Box). */
export function uniform(): PriorBuilder {
  return (spaces) => uniformSource(spaces);
}

/** The source of `input` for `spaces` (`'uniform'` stays a marker the helpers below understand). */
function resolveInput(input: PriorInput, spaces: PriorSpaces): ReferenceSource | 'uniform' {
  if (input === 'uniform') return 'uniform';
  return typeof input === 'function' ? input(spaces) : input;
}

/** The tensor prior of a resolved input (checked by `referencePrior`, the built-in references' path). */
function priorOf(source: ReferenceSource | 'uniform', spaces: PriorSpaces) {
  return source === 'uniform' ? uniformPrior(spaces) : referencePrior(spaces, source);
}

function tabularSizes(field: string, spaces: PriorSpaces): { nS: number; nA: number } | null {
  const a = spaces.actionSpace;
  const o = spaces.observationSpace;
  if (a.kind !== 'discrete') return null;
  if (o.kind !== 'discrete') return null;
  if (!Number.isInteger(o.n) || o.n <= 0) throw new RangeError(`${field}: observationSpace ${o.toString()} is empty`);
  return { nS: o.n, nA: a.n };
}

function requireTabular(field: string, spaces: PriorSpaces): { nS: number; nA: number } {
  const t = tabularSizes(field, spaces);
  if (!t) {
    throw new RangeError(
      `${field}: needs Discrete observations and actions (tabular), the env has ${spaces.observationSpace.toString()} → ${spaces.actionSpace.toString()}`,
    );
  }
  return t;
}

/** p(a|s) of a resolved input as a float64 table (tabular spaces): checked by `referencePrior`. */
function tableOf(source: ReferenceSource | 'uniform', spaces: PriorSpaces): Float64Array {
  const prior = priorOf(source, spaces) as DiscretePrior;
  try {
    return prior.table();
  } finally {
    if (source !== 'uniform' && !('table' in source)) {
      // Function sources own tensors the caller may still use; only the prior's own tensors go.
    } else prior.dispose();
  }
}

/** Normalizes each row of a nonnegative nS·nA table; every row needs positive mass. */
function normalizeRows(field: string, t: Float64Array, nS: number, nA: number): Float64Array {
  for (let s = 0; s < nS; s++) {
    let z = 0;
    for (let a = 0; a < nA; a++) {
      const v = t[s * nA + a];
      if (!(v >= 0) || !Number.isFinite(v))
        throw new RangeError(`${field}[${s}][${a}]: got ${v}; allowed: a finite number ≥ 0`);
      z += v;
    }
    if (!(z > 0)) throw new RangeError(`${field}[${s}]: row sums to ${z}; allowed: a row with positive mass`);
    for (let a = 0; a < nA; a++) t[s * nA + a] /= z;
  }
  return t;
}

function checkWeights(n: number, weights: readonly number[] | undefined): number[] {
  if (n === 0) throw new RangeError('mixture.priors: got []; allowed: at least one prior');
  const w = weights ?? new Array<number>(n).fill(1);
  if (w.length !== n) throw new RangeError(`mixture.weights: got ${w.length} weights; allowed: one per prior (${n})`);
  w.forEach((x, i) => {
    if (!(x >= 0) || !Number.isFinite(x))
      throw new RangeError(`mixture.weights[${i}]: got ${x}; allowed: a finite number ≥ 0`);
  });
  const z = w.reduce((a, b) => a + b, 0);
  if (!(z > 0)) throw new RangeError(`mixture.weights: got [${w.join(', ')}]; allowed: weights with a positive sum`);
  return w.map((x) => x / z);
}

/**
 * The mixture Σ_i w_i p_i(a|s) (weights normalized to sum 1; default equal). Tabular: a table; Discrete
 * actions on vector states: logits log Σ_i w_i p_i; Box actions: a log-density (KL then by samples).
 */
export function mixture(priors: readonly PriorInput[], weights?: readonly number[]): PriorBuilder {
  const w = checkWeights(priors.length, weights);
  return (spaces) => {
    const sources = priors.map((p) => resolveInput(p, spaces));
    const tab = tabularSizes('mixture', spaces);
    if (tab) {
      const out = new Float64Array(tab.nS * tab.nA);
      sources.forEach((src, i) => tableOf(src, spaces).forEach((p, k) => (out[k] += w[i] * p)));
      return { table: normalizeRows('mixture.table', out, tab.nS, tab.nA) };
    }
    const parts = sources.map((src) => priorOf(src, spaces));
    const logW = w.map((x) => Math.log(x));
    const dispose = () => parts.forEach((p) => p.dispose());
    if (spaces.actionSpace.kind === 'discrete') {
      return {
        logits: (obs) =>
          tf.tidy(() =>
            tf.logSumExp(tf.stack(parts.map((p, i) => tf.add((p as DiscretePrior).logProbs(obs), logW[i]))), 0),
          ) as tf.Tensor2D,
        dispose,
      };
    }
    return {
      logDensity: (obs, actions) =>
        tf.tidy(() =>
          tf.logSumExp(tf.stack(parts.map((p, i) => tf.add((p as BoxPrior).logProb(obs, actions), logW[i]))), 0),
        ) as tf.Tensor1D,
      label: 'mixture',
      dispose,
    };
  };
}

/**
 * The tempered prior p^λ / Z (λ > 0): λ < 1 flattens p toward uniform, λ > 1 sharpens it toward its mode.
 * Tabular: a table; Discrete actions on vector states: logits λ·log p; Box: a Gaussian reference with its
 * std divided by √λ (the uniform prior stays uniform). A squashed or density Box prior is refused (p^λ has
 * no closed-form normalizer there).
 */
export function tempered(prior: PriorInput, lambda: number): PriorBuilder {
  if (!(lambda > 0) || !Number.isFinite(lambda))
    throw new RangeError(`tempered.lambda: got ${lambda}; allowed: a finite number > 0`);
  return (spaces) => {
    const src = resolveInput(prior, spaces);
    const tab = tabularSizes('tempered', spaces);
    if (tab) {
      const t = tableOf(src, spaces).map((p) => Math.pow(p, lambda));
      return { table: normalizeRows('tempered.table', t, tab.nS, tab.nA) };
    }
    if (src === 'uniform') return uniformSource(spaces);
    if (spaces.actionSpace.kind === 'discrete') {
      const p = priorOf(src, spaces) as DiscretePrior;
      return {
        logits: (obs) => tf.tidy(() => tf.mul(p.logProbs(obs), lambda)) as tf.Tensor2D,
        dispose: () => p.dispose(),
      };
    }
    if ('gaussian' in src && !src.squash) {
      const shift = -0.5 * Math.log(lambda);
      const g = src.gaussian;
      return {
        gaussian: (obs) => {
          const { mean, logStd } = g(obs);
          return { mean, logStd: tf.add(logStd, shift) };
        },
        dispose: () => src.dispose?.(),
      };
    }
    throw new RangeError(
      `tempered.prior: got a ${Object.keys(src).join('/')} source over ${spaces.actionSpace.toString()}; allowed: uniform or an unsquashed gaussian over a Box (p^λ of this one has no closed-form normalizer)`,
    );
  };
}

/** The uniform prior as a plain source for `spaces` (a table when tabular, else a logits/density function). */
function uniformSource(spaces: PriorSpaces): ReferenceSource {
  const tab = tabularSizes('uniform', spaces);
  if (tab) return { table: new Float64Array(tab.nS * tab.nA).fill(1 / tab.nA) };
  const u = uniformPrior(spaces);
  if (spaces.actionSpace.kind === 'discrete')
    return { logits: (obs) => (u as DiscretePrior).logProbs(obs), dispose: () => u.dispose() };
  return { logDensity: (obs, a) => (u as BoxPrior).logProb(obs, a), label: 'uniform', dispose: () => u.dispose() };
}

/**
 * `prior` restricted to the allowed actions: q(a|s) ∝ p(a|s) where allowed, ε where not (tabular spaces).
 * Every state needs at least one allowed action; ε in (0, 1e-3] (default 1e-8; see the module doc for why
 * not 0).
 */
export function masked(prior: PriorInput, allowed: Allowed, opts: { epsilon?: number } = {}): PriorBuilder {
  const eps = opts.epsilon ?? 1e-8;
  if (!(eps > 0 && eps <= 1e-3)) throw new RangeError(`masked.epsilon: got ${eps}; allowed: a number in (0, 1e-3]`);
  return (spaces) => {
    const { nS, nA } = requireTabular('masked', spaces);
    if (typeof allowed !== 'function' && allowed.length !== nS * nA) {
      throw new RangeError(
        `masked.allowed: has ${allowed.length} entries; allowed: nS·nA = ${nS}·${nA} = ${nS * nA} (row-major) or a predicate (s, a) => boolean`,
      );
    }
    const isAllowed = typeof allowed === 'function' ? allowed : (s: number, a: number) => Boolean(allowed[s * nA + a]);
    const p = tableOf(resolveInput(prior, spaces), spaces);
    const out = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) {
      let mass = 0;
      let any = false;
      for (let a = 0; a < nA; a++) if (isAllowed(s, a)) ((any = true), (mass += p[s * nA + a]));
      if (!any) throw new RangeError(`masked.allowed[${s}]: allows no action; allowed: at least one action per state`);
      let blocked = 0;
      for (let a = 0; a < nA; a++) if (!isAllowed(s, a)) blocked++;
      // The allowed actions share 1 − ε·(blocked) in proportion to p; each blocked action gets ε.
      for (let a = 0; a < nA; a++)
        out[s * nA + a] = isAllowed(s, a) ? ((1 - eps * blocked) * p[s * nA + a]) / mass : eps;
    }
    return { table: normalizeRows('masked.table', out, nS, nA) };
  };
}

/**
 * A prior from a density: over tabular states and Discrete actions `f(s, a) ≥ 0` (normalized per state);
 * over a Box action space `f(obs, actions)` returning log p(a|s) `[B]` (tfjs ops, used as is: make it a
 * normalized density, or the KL it enters is shifted by log Z(s)).
 */
export function fromDensity(f: DensityFn, label = 'density'): PriorBuilder {
  return (spaces) => {
    if (spaces.actionSpace.kind === 'box')
      return { logDensity: f as (obs: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D, label };
    const { nS, nA } = requireTabular('fromDensity', spaces);
    const mass = f as (s: number, a: number) => number;
    const t = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) for (let a = 0; a < nA; a++) t[s * nA + a] = mass(s, a);
    return { table: normalizeRows('fromDensity', t, nS, nA) };
  };
}

/** A prior from a table p(a|s) (nS·nA row-major or one row per state), as a combinator input. */
export function fromTable(table: ArrayLike<number> | ArrayLike<ArrayLike<number>>): PriorBuilder {
  return () => ({ table });
}

/** The float64 table p(a|s) a prior input gives on tabular spaces (what the exact solver sees). */
export function priorTable(prior: PriorInput, spaces: PriorSpaces): Float64Array {
  return tabularPrior(prior, spaces).table;
}

/**
 * A prior on tabular spaces as plain numbers: log p(a|s), a ~ p(·|s) and the table, what a user's own code
 * (rollouts of the prior, a check against the exact solver) reads. The learners and the solver never need it:
 * they take the Objective.
 */
export interface TabularPrior {
  /** The number of states and of actions. */
  readonly nS: number;
  /** The number of actions. */
  readonly nA: number;
  /** p(a|s), nS·nA row-major (the exact solver's layout). */
  readonly table: Float64Array;
  /** log p(a|s) (−∞ never: every mass is positive). */
  logProb(s: number, a: number): number;
  /** Draws a ~ p(·|s) from `rng`. */
  sample(s: number, rng: Rng): number;
}

/** The tabular view of a prior input on `spaces` (Discrete observations and actions), checked as `makeObjective` checks it. */
export function tabularPrior(prior: PriorInput, spaces: PriorSpaces): TabularPrior {
  const { nS, nA } = requireTabular('tabularPrior', spaces);
  const table = tableOf(resolveInput(prior, spaces), spaces);
  const check = (s: number, a?: number) => {
    if (!Number.isInteger(s) || s < 0 || s >= nS)
      throw new RangeError(`tabularPrior: state ${s}; allowed: 0 … ${nS - 1}`);
    if (a !== undefined && (!Number.isInteger(a) || a < 0 || a >= nA))
      throw new RangeError(`tabularPrior: action ${a}; allowed: 0 … ${nA - 1}`);
  };
  return {
    nS,
    nA,
    table,
    logProb: (s, a) => (check(s, a), Math.log(table[s * nA + a])),
    sample: (s, rng) => (check(s), rng.categorical(table.subarray(s * nA, (s + 1) * nA))),
  };
}
