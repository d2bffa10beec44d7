/**
 * The reference prior: a FIXED policy p(a|s) that the learner is pulled toward by α·KL(π‖p) (KL-regularized
 * RL, the RLHF objective). It wraps, frozen (never trained, no gradient reaches it):
 * - `{ table }`: p(a|s) per tabular state (e.g. `twoRouteReference(...)`): nS·nA row-major like the exact
 *   solver's tables, or one row per state;
 * - `{ logits }`: any function of encoded obs → logits `[B, n]` over a `Discrete` action space, e.g. a saved
 *   agent checkpoint loaded into frozen tensors (`discreteSacReference` in `agents/sac/discrete.ts` or
 *   `klPpoReference` in `agents/klppo/ppo.ts`);
 * - `{ gaussian, squash? }`: a hand-written controller with noise over a `Box` action space, obs → mean and
 *   log-std in the env's action units (`squash: true`: a tanh-squashed Gaussian rescaled to the bounds).
 *   The same parameters in host numbers (`prior.host`, what continuous SAC's engine takes) come from
 *   `hostParams` (a host controller: no tensors), from `actor` (a frozen SAC actor the engine runs itself),
 *   or else from one call of `gaussian` per batch read back.
 * - `{ logDensity }`: any log-density log p(a|s) over a `Box` action space, encoded obs `[B, obsDim]` and
 *   actions `[B, d]` → `[B]`, differentiable in the actions (SAC's actor loss takes its action gradient);
 *   KL to it is estimated by samples (`fromDensity`, `mixture` of Box priors in `custom.ts` make these).
 * Function outputs go through a stop-gradient, and the table is a constant tensor (built on the first
 * tensor call, so reading `table()` alone builds none). The prior owns its source: `prior.dispose()` frees
 * the log table and calls the source's `dispose` (the tensors a function source holds).
 */
import * as tf from '@tensorflow/tfjs';
import { DiagGaussian, TanhGaussian } from '../core/distributions.js';
import type { Box, Discrete } from '../core/spaces.js';
import { stopGradient } from '../core/tensor.js';
import {
  categoricalKl,
  tableFromLogits,
  type BoxPrior,
  type BoxPriorHost,
  type FrozenSacActor,
  type HostGaussianParams,
  type DiscretePrior,
  type Prior,
  type PriorSpaces,
} from './prior.js';

/** Controller parameters for a `Box` reference: mean `[B, d]`; logStd `[B, d]` or state-independent `[d]`. */
export interface GaussianParams {
  mean: tf.Tensor2D;
  logStd: tf.Tensor;
}

/** Frees the tensors a function source holds (a frozen network, a kept log-std); the prior made from it calls it. */
type Disposable = { dispose?: () => void };

/** What a reference prior is made from: a `table`, a `logits` function, a `gaussian` controller or a `logDensity`. */
export type ReferenceSource =
  | {
      /** p(a|s): nS·nA row-major, or one row per state. */
      table: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
    }
  | ({
      /** Encoded obs `[B, obsDim]` → logits `[B, n]`. */
      logits: (obs: tf.Tensor2D) => tf.Tensor2D;
    } & Disposable)
  | ({
      /** Encoded obs → mean and log-std in the env's action units. */
      gaussian: (obs: tf.Tensor2D) => GaussianParams;
      /** A tanh-squashed Gaussian rescaled to the bounds. */
      squash?: boolean;
      /** The same parameters in host numbers (e.g. a controller's), for the engine. */
      hostParams?: HostGaussianParams;
      /** The frozen SAC actor `gaussian` evaluates (needs `squash: true`), for the engine to hold. */
      actor?: FrozenSacActor;
    } & Disposable)
  | ({
      /** log p(a|s) of encoded obs `[B, obsDim]` and actions `[B, d]` → `[B]`. */
      logDensity: (obs: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D;
      /** Shown in the prior's label. */
      label?: string;
    } & Disposable);

/** Tolerance on Σ_a p(a|s) = 1 for a reference table. */
const TABLE_SUM_TOL = 1e-6;

/** The frozen prior over `spaces` that `source` describes (checked: spaces, shapes, normalization, finite values). */
export function referencePrior(spaces: PriorSpaces, source: ReferenceSource): Prior {
  const a = spaces.actionSpace;
  if ('table' in source) return tableReference(spaces, a, source.table);
  const dispose = () => (source as Disposable).dispose?.();
  if ('logits' in source) return logitsReference(spaces, a, source.logits, dispose);
  if ('gaussian' in source) return gaussianReference(spaces, a, source, dispose);
  if ('logDensity' in source) return densityReference(spaces, a, source.logDensity, source.label, dispose);
  throw new RangeError(
    `reference: source must have one of the fields table, logits, gaussian, logDensity; got {${Object.keys(source as object).join(', ')}}`,
  );
}

function requireDiscrete(field: string, space: PriorSpaces['actionSpace']): Discrete {
  if (space.kind !== 'discrete')
    throw new RangeError(`${field}: needs a Discrete action space, the env has ${space.toString()}`);
  return space;
}

function tableReference(
  spaces: PriorSpaces,
  actionSpace: PriorSpaces['actionSpace'],
  source: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
): DiscretePrior {
  const aSpace = requireDiscrete('reference.table', actionSpace);
  const oSpace = spaces.observationSpace;
  if (oSpace.kind !== 'discrete') {
    throw new RangeError(
      `reference.table: needs a Discrete (tabular) observation space, the env has ${oSpace.toString()}`,
    );
  }
  const nS = oSpace.n;
  const nA = aSpace.n;
  const table = toRows(source, nS, nA);
  const probs = Array.from({ length: nS }, (_, s) => {
    const row = table[s];
    if (row.length !== nA)
      throw new RangeError(`reference.table[${s}]: has ${row.length} entries, the env has ${nA} actions`);
    let sum = 0;
    for (let i = 0; i < nA; i++) {
      if (!(row[i] > 0) || !Number.isFinite(row[i])) {
        throw new RangeError(
          `reference.table[${s}][${i}]: ${row[i]} must be a finite probability > 0 (KL to a prior with zero mass is infinite)`,
        );
      }
      sum += row[i];
    }
    if (Math.abs(sum - 1) > TABLE_SUM_TOL)
      throw new RangeError(`reference.table[${s}]: sums to ${sum}, must sum to 1 (±${TABLE_SUM_TOL})`);
    return Float64Array.from(row, (p) => p / sum);
  });
  const logFlat = new Float32Array(nS * nA);
  probs.forEach((row, s) => row.forEach((p, i) => (logFlat[s * nA + i] = Math.log(p))));
  // A constant kept until `dispose()` (not a variable: nothing can train it); built on first use.
  let logTable: tf.Tensor2D | null = null;
  // One-hot obs [B, nS] × log table [nS, nA] selects each state's row exactly.
  const logProbs = (obs: tf.Tensor2D): tf.Tensor2D => {
    logTable ??= tf.keep(tf.tensor2d(logFlat, [nS, nA]));
    return tf.matMul(obs, logTable);
  };
  return {
    kind: 'reference',
    label: 'reference(table)',
    observationSpace: oSpace,
    actionSpace: aSpace,
    logProbs,
    logProb: (obs, actions) =>
      tf.tidy(() => tf.sum(tf.mul(logProbs(obs), tf.oneHot(tf.cast(actions, 'int32'), nA)), -1) as tf.Tensor1D),
    kl: (obs, logits) => tf.tidy(() => categoricalKl(logits, logProbs(obs))),
    table: () => {
      const flat = new Float64Array(nS * nA);
      probs.forEach((row, s) => flat.set(row, s * nA));
      return flat;
    },
    dispose: () => {
      logTable?.dispose();
      logTable = null;
    },
  };
}

/** A flat nS·nA row-major table or a list of rows, as rows; checks the row count. */
function toRows(source: ArrayLike<number> | ArrayLike<ArrayLike<number>>, nS: number, nA: number): ArrayLike<number>[] {
  if (source.length > 0 && typeof source[0] === 'number') {
    const flat = source as ArrayLike<number>;
    if (flat.length !== nS * nA)
      throw new RangeError(
        `reference.table: has ${flat.length} entries, the env needs nS·nA = ${nS}·${nA} = ${nS * nA}`,
      );
    return Array.from({ length: nS }, (_, s) => Array.prototype.slice.call(flat, s * nA, (s + 1) * nA) as number[]);
  }
  if (source.length !== nS)
    throw new RangeError(`reference.table: has ${source.length} rows, the env has ${nS} states`);
  return Array.from(source as ArrayLike<ArrayLike<number>>);
}

function logitsReference(
  spaces: PriorSpaces,
  actionSpace: PriorSpaces['actionSpace'],
  logitsFn: (obs: tf.Tensor2D) => tf.Tensor2D,
  dispose: () => void,
): DiscretePrior {
  const aSpace = requireDiscrete('reference.logits', actionSpace);
  const nA = aSpace.n;
  const logProbs = (obs: tf.Tensor2D) =>
    tf.tidy(() => {
      const logits = logitsFn(obs);
      if (logits.rank !== 2 || logits.shape[0] !== obs.shape[0] || logits.shape[1] !== nA) {
        throw new RangeError(
          `reference.logits: returned shape [${logits.shape.join(', ')}], expected [${obs.shape[0]}, ${nA}] for ${aSpace.toString()}`,
        );
      }
      return stopGradient(tf.logSoftmax(logits)) as tf.Tensor2D;
    });
  const prior: DiscretePrior = {
    kind: 'reference',
    label: 'reference(logits)',
    observationSpace: spaces.observationSpace,
    actionSpace: aSpace,
    logProbs,
    logProb: (obs, actions) =>
      tf.tidy(() => tf.sum(tf.mul(logProbs(obs), tf.oneHot(tf.cast(actions, 'int32'), nA)), -1) as tf.Tensor1D),
    kl: (obs, logits) => tf.tidy(() => categoricalKl(logits, logProbs(obs))),
    table: () => tableFromLogits('reference.table()', spaces.observationSpace, logProbs),
    dispose,
  };
  return prior;
}

type GaussianSource = Extract<ReferenceSource, { gaussian: unknown }>;

function gaussianReference(
  spaces: PriorSpaces,
  actionSpace: PriorSpaces['actionSpace'],
  source: GaussianSource,
  dispose: () => void,
): BoxPrior {
  const paramsFn = source.gaussian;
  const squash = source.squash ?? false;
  if (actionSpace.kind !== 'box')
    throw new RangeError(`reference.gaussian: needs a Box action space, the env has ${actionSpace.toString()}`);
  const box: Box = actionSpace;
  if (squash && !box.bounded)
    throw new RangeError(`reference.squash: true needs a bounded Box action space, the env has ${box.toString()}`);
  const d = box.dim;
  if (source.actor && !squash)
    throw new RangeError(`reference.squash: got ${squash} with an actor, allowed: true (a SAC actor is squashed)`);
  // Built inside the caller's tidy; the returned distribution holds stop-gradient copies of the parameters.
  const distribution = (obs: tf.Tensor2D): DiagGaussian | TanhGaussian => {
    const { mean, logStd } = paramsFn(obs);
    if (mean.rank !== 2 || mean.shape[0] !== obs.shape[0] || mean.shape[1] !== d) {
      throw new RangeError(
        `reference.gaussian: mean has shape [${mean.shape.join(', ')}], expected [${obs.shape[0]}, ${d}] for ${box.toString()}`,
      );
    }
    const m = stopGradient(mean);
    const ls = stopGradient(logStd);
    return squash ? new TanhGaussian(m, ls, box) : new DiagGaussian(m, ls);
  };
  // Without host parameters: one call of the tensor function per batch, read back (log σ broadcast to [n, d]).
  const viaTensors: HostGaussianParams = (obs, n) =>
    tf.tidy(() => {
      const { mean, logStd } = paramsFn(tf.tensor2d(obs, [n, obs.length / n]));
      if (mean.rank !== 2 || mean.shape[0] !== n || mean.shape[1] !== d) {
        throw new RangeError(
          `reference.gaussian: mean has shape [${mean.shape.join(', ')}], expected [${n}, ${d}] for ${box.toString()}`,
        );
      }
      const ls = tf.broadcastTo(logStd, [n, d]);
      return { mean: mean.dataSync() as Float32Array, logStd: ls.dataSync() as Float32Array };
    });
  const host: BoxPriorHost = source.actor
    ? { squash: true, actor: source.actor }
    : { squash, params: source.hostParams ?? viaTensors };
  return {
    kind: 'reference',
    label: squash ? 'reference(squashed gaussian)' : 'reference(gaussian)',
    observationSpace: spaces.observationSpace,
    actionSpace: box,
    host,
    logProb: (obs, actions) => tf.tidy(() => distribution(obs).logProb(actions) as tf.Tensor1D),
    kl: (obs, policy) => {
      // Closed form only within one family: Gaussian‖Gaussian, or squashed‖squashed over the same bounds.
      if (squash && policy instanceof TanhGaussian)
        return tf.tidy(() => policy.kl(distribution(obs) as TanhGaussian) as tf.Tensor1D);
      if (!squash && policy instanceof DiagGaussian)
        return tf.tidy(() => policy.kl(distribution(obs) as DiagGaussian) as tf.Tensor1D);
      return null;
    },
    dispose,
  };
}

function densityReference(
  spaces: PriorSpaces,
  actionSpace: PriorSpaces['actionSpace'],
  logDensity: (obs: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D,
  label: string | undefined,
  dispose: () => void,
): BoxPrior {
  if (actionSpace.kind !== 'box')
    throw new RangeError(`reference.logDensity: needs a Box action space, the env has ${actionSpace.toString()}`);
  const box: Box = actionSpace;
  return {
    kind: 'reference',
    label: `reference(${label ?? 'density'})`,
    observationSpace: spaces.observationSpace,
    actionSpace: box,
    logProb: (obs, actions) =>
      tf.tidy(() => {
        const lp = logDensity(obs, actions);
        if (lp.rank !== 1 || lp.shape[0] !== obs.shape[0]) {
          throw new RangeError(
            `reference.logDensity: returned shape [${lp.shape.join(', ')}], expected [${obs.shape[0]}] for ${box.toString()}`,
          );
        }
        return lp;
      }),
    kl: () => null,
    dispose,
  };
}
