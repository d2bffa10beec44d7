/**
 * Linear probes: does a representation contain a quantity linearly? `fitLinearReadout` solves ridge-
 * regularized least squares y ≈ Xw + b (float64, normal equations with mathjs); `rSquared` is the
 * coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)² of a readout on (usually held-out) data.
 */
import { lusolve } from 'mathjs';

export interface LinearReadout {
  weights: Float64Array;
  bias: number;
}

/**
 * Least squares with an intercept: minimizes mean((y − Xw − b)²) + ridge·|w|², i.e. `ridge · n` (n rows, ridge ≥ 0)
 * is added to the diagonal of XᵀX (not to the intercept), so the same `ridge` means the same shrinkage at any n.
 */
export function fitLinearReadout(X: ArrayLike<number>, y: ArrayLike<number>, dim: number, ridge = 1e-6): LinearReadout {
  const n = y.length;
  if (X.length !== n * dim)
    throw new RangeError(`fitLinearReadout: X has ${X.length} values, expected rows·dim = ${n}·${dim}`);
  if (n <= dim) throw new RangeError(`fitLinearReadout: need more rows than features (rows=${n}, dim=${dim})`);
  if (!(ridge >= 0)) throw new RangeError(`fitLinearReadout: ridge must be ≥ 0, got ${ridge}`);
  const d = dim + 1; // last column: the intercept
  const xtx = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const xty = new Array<number>(d).fill(0);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = X[i * dim + j];
    row[dim] = 1;
    for (let j = 0; j < d; j++) {
      xty[j] += row[j] * y[i];
      for (let k = 0; k <= j; k++) xtx[j][k] += row[j] * row[k];
    }
  }
  for (let j = 0; j < d; j++) for (let k = j + 1; k < d; k++) xtx[j][k] = xtx[k][j];
  for (let j = 0; j < dim; j++) xtx[j][j] += ridge * n;
  const w = (lusolve(xtx, xty) as number[][]).map((r) => r[0]);
  return { weights: Float64Array.from(w.slice(0, dim)), bias: w[dim] };
}

/** Predictions Xw + b. */
export function applyReadout(r: LinearReadout, X: ArrayLike<number>, dim: number): Float64Array {
  const n = X.length / dim;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = r.bias;
    for (let j = 0; j < dim; j++) s += r.weights[j] * X[i * dim + j];
    out[i] = s;
  }
  return out;
}

/** R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)². */
export function rSquared(y: ArrayLike<number>, yHat: ArrayLike<number>): number {
  if (y.length !== yHat.length || y.length === 0)
    throw new RangeError(
      `rSquared: y and yHat must be non-empty and equal in length (got ${y.length}, ${yHat.length})`,
    );
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i] / y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i] - yHat[i]) ** 2;
    tot += (y[i] - mean) ** 2;
  }
  return 1 - res / tot;
}
