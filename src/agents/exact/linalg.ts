/** Dense linear solve by Gaussian elimination with partial pivoting (small tabular systems only). */

/** Solves `A x = b` for an n×n row-major `A`; `A` and `b` are left untouched. Throws if `A` is singular. */
export function solveLinear(A: Float64Array, b: Float64Array, what = 'system'): Float64Array {
  const n = b.length;
  if (A.length !== n * n) throw new RangeError(`solveLinear: A has ${A.length} entries, expected ${n}x${n}`);
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r * n + col]) > Math.abs(M[pivot * n + col])) pivot = r;
    if (!(Math.abs(M[pivot * n + col]) > 1e-12)) {
      throw new RangeError(`${what} is singular at column ${col} (e.g. γ = 1 and a policy that never terminates)`);
    }
    if (pivot !== col) {
      for (let c = 0; c < n; c++) {
        const t = M[col * n + c];
        M[col * n + c] = M[pivot * n + c];
        M[pivot * n + c] = t;
      }
      const t = x[col];
      x[col] = x[pivot];
      x[pivot] = t;
    }
    const d = M[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = M[r * n + col] / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) M[r * n + c] -= f * M[col * n + c];
      x[r] -= f * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let c = r + 1; c < n; c++) s -= M[r * n + c] * x[c];
    x[r] = s / M[r * n + r];
  }
  return x;
}
