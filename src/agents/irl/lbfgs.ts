/**
 * L-BFGS (Nocedal & Wright 2006, Algorithm 7.4 with the two-loop recursion) with a backtracking Armijo
 * line search, maximizing a smooth function given its value and gradient. Deterministic: no randomness,
 * the same start gives the same iterates. Used by MaxEnt IRL on the exact log-likelihood, whose gradient
 * is exact, so a quasi-Newton method converges to 1e-8 in tens of iterations where Adam needs thousands.
 */

export interface ValueAndGradient {
  value: number;
  gradient: Float64Array;
}

export interface LbfgsOptions {
  /** Stop when max_i |∇f_i| ≤ gradTol. Default 1e-8. */
  gradTol?: number;
  /** Default 500. */
  maxIterations?: number;
  /** Number of (s, y) pairs kept. Default 10. */
  memory?: number;
  /** Largest change of any coordinate in one step (default 10): flat directions (e.g. an unidentifiable
   * reward shaping) give huge quasi-Newton steps that the line search would otherwise halve for long. */
  maxStep?: number;
  /** Called after each accepted step. */
  onIteration?: (iteration: number, x: Float64Array, fx: ValueAndGradient) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  /** max_i |∇f_i| at x. */
  gradNorm: number;
  iterations: number;
  evaluations: number;
  /** `gradient`: gradNorm ≤ gradTol; `line-search`: 30 halvings found no increase (f flat to rounding); `iterations`. */
  stop: 'gradient' | 'line-search' | 'iterations';
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Maximizes f from x0. */
export function lbfgsMaximize(
  f: (x: Float64Array) => ValueAndGradient,
  x0: Float64Array,
  opts: LbfgsOptions = {},
): LbfgsResult {
  const { gradTol = 1e-8, maxIterations = 500, memory = 40, maxStep = 10 } = opts;
  // Minimize −f.
  let x: Float64Array = Float64Array.from(x0);
  let cur = f(x);
  let evaluations = 1;
  let g: Float64Array = cur.gradient.map((v) => -v);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  let iterations = 0;
  let stop: LbfgsResult['stop'] = 'iterations';
  while (iterations < maxIterations) {
    if (maxAbs(g) <= gradTol) {
      stop = 'gradient';
      break;
    }
    // Two-loop recursion: d = −H g.
    const q = Float64Array.from(g);
    const rho = S.map((s, i) => 1 / dot(Y[i], s));
    const al = new Array<number>(S.length);
    for (let i = S.length - 1; i >= 0; i--) {
      al[i] = rho[i] * dot(S[i], q);
      for (let j = 0; j < q.length; j++) q[j] -= al[i] * Y[i][j];
    }
    const gammaH = S.length ? dot(S.at(-1)!, Y.at(-1)!) / dot(Y.at(-1)!, Y.at(-1)!) : 1 / Math.max(1, maxAbs(g));
    for (let j = 0; j < q.length; j++) q[j] *= gammaH;
    for (let i = 0; i < S.length; i++) {
      const b = rho[i] * dot(Y[i], q);
      for (let j = 0; j < q.length; j++) q[j] += S[i][j] * (al[i] - b);
    }
    let d = q.map((v) => -v);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information gone stale): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      d = g.map((v) => -v / Math.max(1, maxAbs(g)));
      slope = dot(g, d);
    }
    let t = Math.min(1, maxStep / maxAbs(d));
    let accepted: { x: Float64Array; fx: ValueAndGradient } | null = null;
    for (let k = 0; k < 30; k++) {
      const xt = x.map((v, i) => v + t * d[i]);
      const ft = f(xt);
      evaluations++;
      if (Number.isFinite(ft.value) && -ft.value <= -cur.value + 1e-4 * t * slope) {
        accepted = { x: xt, fx: ft };
        break;
      }
      t *= 0.5;
    }
    if (!accepted) {
      stop = 'line-search';
      break;
    }
    const gNew = accepted.fx.gradient.map((v) => -v);
    const s = accepted.x.map((v, i) => v - x[i]);
    const y = gNew.map((v, i) => v - g[i]);
    if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      S.push(s);
      Y.push(y);
      if (S.length > memory) {
        S.shift();
        Y.shift();
      }
    }
    x = accepted.x;
    cur = accepted.fx;
    g = gNew;
    iterations++;
    opts.onIteration?.(iterations, x, cur);
  }
  return { x, value: cur.value, gradient: cur.gradient, gradNorm: maxAbs(cur.gradient), iterations, evaluations, stop };
}
