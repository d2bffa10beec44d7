/**
 * lqg-exact: the exact answers of LinearGaussian-v0 (`src/worldmodel/soft-lqg.ts`, γ = 0.99, α = 0.1), each
 * beside a second way to the same number:
 * - the LQR gain (α = 0) against a textbook discounted Riccati iteration (`textbookLqr`, written here with plain
 *   2×2 arithmetic), and the soft gain under a zero-mean reference N(0, σ_p²) against the textbook's at
 *   R + α/(2σ_p²);
 * - the stationary solution (soft policy iteration) against the finite-horizon recursion run 300 steps back,
 *   and the backward value of an episode against the forward evaluation of its policies;
 * - the exact evaluation (return, soft objective J) against `--episodes` rollouts of the real env with the
 *   online Kalman filter (the seed's env seed and action stream), with the largest |action| they took.
 * Also the exact episode returns of LQR, of a = 0 and of the LQR gain on the position estimate alone, and the
 * flat reference's pull on the gain against σ_p = 10⁶. `tests/soft-lqg.test.ts` runs the same functions and
 * asserts the bounds; the README quotes it over seeds (`npm run figures -- --only lqg-exact,lqg-monte-carlo`).
 * Writes `results.json`.
 */
import { z } from 'zod';
import type { LinearGaussianTask, Mat } from '../src/core/linear-gaussian.js';
import { Rng } from '../src/core/rng.js';
import { LINEAR_GAUSSIAN_REFERENCES, LINEAR_GAUSSIAN_TASK as TASK } from '../src/envs/lineargaussian.js';
import { make } from '../src/envs/registry.js';
import type { Experiment, RunContext } from '../src/node/run/experiment.js';
import { meanAndStdErr } from '../src/vi/linearGaussian.js';
import {
  episodeRows,
  evaluateLinearPolicy,
  kalmanMeans,
  lqgRollouts,
  softLqr,
  softLqrBackward,
  type LinearGaussianPolicy,
  type SoftLqgOptions,
} from '../src/worldmodel/soft-lqg.js';

const options = z.object({
  episodes: z.number().int().positive().max(100_000).default(3000).describe('Monte Carlo episodes per reference'),
});
type Options = z.infer<typeof options>;

export const GAMMA = 0.99;
export const ALPHA = 0.1;
const REFERENCE_NAMES = ['flat', 'tight'] as const;
type ReferenceName = (typeof REFERENCE_NAMES)[number];
export const lqgOptions = (reference: LinearGaussianPolicy, alpha = ALPHA): SoftLqgOptions => ({
  alpha,
  gamma: GAMMA,
  reference,
});

const flatOf = (p: LinearGaussianPolicy) => [...p.K.flat(), ...p.k, ...p.cov.flat()];
export const maxDiff = (a: number[], b: number[]) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const norm = (K: Mat) => Math.hypot(...K[0]);

/**
 * Textbook discounted LQR, written independently of the solver with plain 2×2 / 1×1 arithmetic (one action):
 *     P ← Q + γAᵀPA − γ² AᵀPB (R + γBᵀPB)⁻¹ BᵀPA,   K = −γ (R + γBᵀPB)⁻¹ BᵀPA.
 */
export function textbookLqr(task: LinearGaussianTask, r: number): { K: number[]; P: Mat } {
  const { A, B } = task.model;
  const Q = task.cost.Q;
  const b = [B[0][0], B[1][0]];
  let P: Mat = [
    [Q[0][0], Q[0][1]],
    [Q[1][0], Q[1][1]],
  ];
  let K = [0, 0];
  for (let it = 0; it < 5000; it++) {
    const Pb = [P[0][0] * b[0] + P[0][1] * b[1], P[1][0] * b[0] + P[1][1] * b[1]];
    const h = r + GAMMA * (b[0] * Pb[0] + b[1] * Pb[1]);
    // (BᵀPA)_j = Σ_i (Pb)_i A_ij
    const bPA = [Pb[0] * A[0][0] + Pb[1] * A[1][0], Pb[0] * A[0][1] + Pb[1] * A[1][1]];
    K = bPA.map((x) => (-GAMMA * x) / h);
    const next: Mat = [
      [0, 0],
      [0, 0],
    ];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let aPa = 0;
        for (let k = 0; k < 2; k++) for (let l = 0; l < 2; l++) aPa += A[k][i] * P[k][l] * A[l][j];
        next[i][j] = Q[i][j] + GAMMA * aPa - (GAMMA * GAMMA * bPA[i] * bPA[j]) / h;
      }
    P = next;
  }
  return { K, P };
}

/** The stationary optimum against the recursion run `steps` back: the largest difference in the policy, P and s. */
export function fixedPointGap(task: LinearGaussianTask, o: SoftLqgOptions, steps = 300): number {
  const sol = softLqr(task, o);
  const back = softLqrBackward(task, o, steps);
  return Math.max(
    maxDiff(flatOf(sol.policy), flatOf(back.policies[0])),
    maxDiff(sol.value.P.flat(), back.value.P.flat()),
    maxDiff(sol.value.s, back.value.s),
  );
}

/** |backward value of the episode − forward evaluation of its time-varying policies|. */
export function episodeValueGap(task: LinearGaussianTask, o: SoftLqgOptions): number {
  const back = softLqrBackward(task, o, task.horizon);
  return Math.abs(evaluateLinearPolicy(task, back.policies, o).softObjective - back.objective);
}

export interface MonteCarloCheck {
  reference: ReferenceName;
  exactReturn: number;
  exactJ: number;
  /** Monte Carlo mean and its standard error, of the return and of the sampled soft objective */
  mcReturn: number;
  seReturn: number;
  mcJ: number;
  seJ: number;
  maxAction: number;
  /** the online filter's means of the first episode against the batch filter's (its rows store float32 actions) */
  filterGap: number;
}

/** The soft-optimal policy of `reference` on the real env with the online filter (env seed `seed`, actions from Rng(seed)). */
export function monteCarloCheck(reference: ReferenceName, seed: number, episodes: number): MonteCarloCheck {
  const o = lqgOptions(LINEAR_GAUSSIAN_REFERENCES[reference]);
  const { policy } = softLqr(TASK, o);
  const exact = evaluateLinearPolicy(TASK, policy, o);
  const mc = lqgRollouts(make('LinearGaussian-v0'), TASK, policy, o, { episodes, seed, rng: new Rng(seed) });
  const rows = episodeRows(mc.episodes[0]);
  const R = meanAndStdErr(mc.returns);
  const J = meanAndStdErr(mc.softObjectives);
  return {
    reference,
    exactReturn: exact.return,
    exactJ: exact.softObjective,
    mcReturn: R.mean,
    seReturn: R.stdErr,
    mcJ: J.mean,
    seJ: J.stdErr,
    maxAction: mc.episodes.reduce((m, e) => e.actions.reduce((mm, a) => Math.max(mm, Math.abs(a)), m), 0),
    filterGap: maxDiff(kalmanMeans(TASK, rows.obs, rows.actions).flat(), mc.means[0].flat()),
  };
}

export interface SoftPolicyFacts {
  K: number[];
  sigma: number;
  return: number;
  J: number;
  klPerStep: number;
}

export interface ExactAnswers {
  lqr: { K: number[]; textbookGap: number };
  /** exact episode returns at α = 0: LQR, a = 0, the LQR gain on x̂'s position alone */
  returns: { lqg: number; zero: number; positionOnly: number };
  flat: SoftPolicyFacts;
  tight: SoftPolicyFacts;
  /** |K_tight| / |K_flat| */
  gainRatio: number;
  /** the flat reference's gain against σ_p = 10⁶: largest difference over |K| */
  flatPull: number;
  /** a zero-mean reference is LQR with R + α/(2σ_p²): largest gain difference over flat and tight */
  zeroMeanGap: number;
  /** stationary optimum vs 300-step recursion (flat, tight); backward vs forward over one episode (flat, tight) */
  fixedPointGap: number;
  episodeValueGap: number;
}

/** Every closed-form number of the task at γ = 0.99, α = 0.1 (no sampling). */
export function exactAnswers(): ExactAnswers {
  const det = lqgOptions(LINEAR_GAUSSIAN_REFERENCES.flat, 0);
  const lqr = softLqr(TASK, det).policy;
  const book = textbookLqr(TASK, TASK.cost.R[0][0]);
  const ret = (p: LinearGaussianPolicy) => evaluateLinearPolicy(TASK, p, det).return;
  const facts = (name: ReferenceName): SoftPolicyFacts => {
    const o = lqgOptions(LINEAR_GAUSSIAN_REFERENCES[name]);
    const { policy } = softLqr(TASK, o);
    const e = evaluateLinearPolicy(TASK, policy, o);
    return {
      K: policy.K[0],
      sigma: Math.sqrt(policy.cov[0][0]),
      return: e.return,
      J: e.softObjective,
      klPerStep: e.meanKl,
    };
  };
  const flat = facts('flat');
  const tight = facts('tight');
  const wide = softLqr(TASK, lqgOptions({ K: [[0, 0]], k: [0], cov: [[1e12]] })).policy.K;
  const refs = REFERENCE_NAMES.map((n) => lqgOptions(LINEAR_GAUSSIAN_REFERENCES[n]));
  return {
    lqr: { K: lqr.K[0], textbookGap: maxDiff(lqr.K[0], book.K) },
    returns: {
      lqg: ret(lqr),
      zero: ret({ K: [[0, 0]], k: [0], cov: [[0]] }),
      positionOnly: ret({ K: [[lqr.K[0][0], 0]], k: [0], cov: [[0]] }),
    },
    flat,
    tight,
    gainRatio: Math.hypot(...tight.K) / Math.hypot(...flat.K),
    flatPull: maxDiff(flat.K, wide[0]) / norm(wide),
    zeroMeanGap: Math.max(
      ...refs.map((o) => {
        const book = textbookLqr(TASK, TASK.cost.R[0][0] + o.alpha / (2 * o.reference.cov[0][0]));
        return maxDiff(softLqr(TASK, o).policy.K[0], book.K);
      }),
    ),
    fixedPointGap: Math.max(...refs.map((o) => fixedPointGap(TASK, o))),
    episodeValueGap: Math.max(...refs.map((o) => episodeValueGap(TASK, o))),
  };
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const x = exactAnswers();
  const vec = (v: number[]) => `[${v.map((c) => c.toFixed(4)).join(', ')}]`;
  ctx.print(`LinearGaussian-v0, γ = ${GAMMA}, α = ${ALPHA}: exact answers (src/worldmodel/soft-lqg.ts)`);
  ctx.print(`LQR (α = 0): K = ${vec(x.lqr.K)}; |K − textbook Riccati| ${x.lqr.textbookGap.toExponential(1)}`);
  ctx.print(
    `episode return (α = 0): LQG ${x.returns.lqg.toFixed(2)}, a = 0 ${x.returns.zero.toFixed(2)}, position only ${x.returns.positionOnly.toFixed(2)}`,
  );
  for (const name of REFERENCE_NAMES) {
    const f = x[name];
    ctx.print(
      `${name.padEnd(5)} K = ${vec(f.K)}, σ_π ${f.sigma.toFixed(4)}, return ${f.return.toFixed(3)}, J ${f.J.toFixed(3)}, KL ${f.klPerStep.toFixed(3)} nats/step`,
    );
  }
  ctx.print(
    `|K_tight| / |K_flat| ${x.gainRatio.toFixed(4)}; flat vs σ_p = 10⁶: ${(100 * x.flatPull).toFixed(3)} % of |K|; ` +
      `zero-mean reference vs LQR with R + α/(2σ_p²) ${x.zeroMeanGap.toExponential(1)}`,
  );
  ctx.print(
    `fixed point vs 300-step recursion ${x.fixedPointGap.toExponential(1)}; backward vs forward value ${x.episodeValueGap.toExponential(1)}`,
  );
  const mc = REFERENCE_NAMES.map((name) => monteCarloCheck(name, ctx.seed, opts.episodes));
  for (const m of mc)
    ctx.print(
      `${m.reference.padEnd(5)} Monte Carlo (${opts.episodes} episodes, seed ${ctx.seed}): return exact ${m.exactReturn.toFixed(3)}, ` +
        `MC ${m.mcReturn.toFixed(3)} ± ${m.seReturn.toFixed(3)}; J exact ${m.exactJ.toFixed(3)}, MC ${m.mcJ.toFixed(3)} ± ${m.seJ.toFixed(3)}; max |a| ${m.maxAction.toFixed(2)}`,
    );
  ctx.writeFile(
    'results.json',
    `${JSON.stringify({ gamma: GAMMA, alpha: ALPHA, episodes: opts.episodes, exact: x, monteCarlo: mc }, null, 2)}\n`,
  );
  ctx.print('wrote results.json');
}

const experiment: Experiment<typeof options> = {
  name: 'lqg-exact',
  summary:
    "LinearGaussian-v0's exact soft-LQG answers, each two ways: textbook Riccati, fixed point vs recursion, exact evaluation vs Monte Carlo on the real env",
  options,
  kind: 'train',
  run,
};
export default experiment;
