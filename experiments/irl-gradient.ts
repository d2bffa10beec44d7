/**
 * irl-gradient: MaxEnt IRL's exact gradient (`src/agents/irl`, docs/irl.md) against central finite differences,
 * in the settings where the textbook form ("demo feature counts − expected counts from the start") is not the
 * derivative: discounting with demonstrations cut short (TwoRoute-v0, uniform and guide prior, α = 0.15,
 * γ = 0.95, 40 demonstrations cut at 12 steps, state features, L2 0.01) and stochastic moves (slippery
 * CliffWalking-v1, α = 2, γ = 0.9, 30 demonstrations cut at 30 steps, cell features).
 *
 * Per setting: ‖g − g_fd‖ / ‖g‖ with g the exact gradient and g_fd central differences of step h at a random
 * θ ~ N(0, 0.5²) (the seed's `theta` stream; the demonstrations from its `demos` stream), and on CliffWalking
 * the largest gap between the textbook's discounted demo feature counts and the exact gradient's.
 * `tests/irl.test.ts` runs the same `gradientChecks` and asserts the bounds (1e-6; the textbook off by > 0.05);
 * docs/irl.md quotes it over seeds (`npm run figures -- --only irl-gradient`). Writes `results.json`.
 */
import { z } from 'zod';
import { softOptimalPrecise } from '../src/agents/exact/index.js';
import { gridCellFeatures, MaxEntIrl, sampleDemonstrations } from '../src/agents/irl/index.js';
import type { RngStreams } from '../src/core/rng.js';
import { makeCliffWalking } from '../src/envs/cliffwalking.js';
import type { GridWorld } from '../src/envs/gridworld.js';
import { makeTwoRoute, twoRouteReference } from '../src/envs/tworoute.js';
import type { Experiment, RunContext } from '../src/node/run/experiment.js';

const options = z.object({
  h: z.number().positive().default(1e-5).describe('step of the central differences'),
});
type Options = z.infer<typeof options>;

/** ‖g − g_fd‖ / ‖g‖, g_fd_j = (L(θ + h e_j) − L(θ − h e_j)) / 2h. */
export function gradientError(irl: MaxEntIrl, theta: Float64Array, h: number): number {
  const g = irl.evaluate(theta).gradient;
  let num = 0;
  let den = 0;
  for (let j = 0; j < theta.length; j++) {
    const up = Float64Array.from(theta);
    const down = Float64Array.from(theta);
    up[j] += h;
    down[j] -= h;
    const fd = (irl.evaluate(up).value - irl.evaluate(down).value) / (2 * h);
    num += (fd - g[j]) ** 2;
    den += g[j] ** 2;
  }
  return Math.sqrt(num / den);
}

export interface GradientRow {
  setting: 'tworoute-uniform' | 'tworoute-guide' | 'cliff-slippery';
  relError: number;
  /** slippery CliffWalking: max_j |textbook demo count_j − the exact gradient's demo count_j|; null elsewhere */
  textbookGap: number | null;
}

const uniformPrior = (grid: GridWorld) =>
  new Float64Array(grid.model.nStates * grid.model.nActions).fill(1 / grid.model.nActions);

/** The three settings at one seed's streams (`demos`, `theta`). */
export function gradientChecks(streams: RngStreams, h = 1e-5): GradientRow[] {
  const demosRng = streams.get('demos');
  const thetaRng = streams.get('theta');
  const problem = (
    grid: GridWorld,
    prior: Float64Array,
    o: { alpha: number; gamma: number; count: number; maxSteps: number; l2?: number; cells?: boolean },
  ) => {
    const star = softOptimalPrecise(grid.model, { alpha: o.alpha, gamma: o.gamma, prior });
    const demonstrations = sampleDemonstrations(grid.model, star.pi, {
      count: o.count,
      rng: demosRng,
      maxSteps: o.maxSteps,
    });
    const irl = new MaxEntIrl({
      model: grid.model,
      objective: { alpha: o.alpha, prior },
      gamma: o.gamma,
      demonstrations,
      ...(o.l2 === undefined ? {} : { l2: o.l2 }),
      ...(o.cells ? { features: gridCellFeatures(grid) } : {}),
    });
    const theta = Float64Array.from({ length: irl.features.dim }, () => thetaRng.normal(0, 0.5));
    return { irl, theta, demonstrations };
  };
  const rows: GradientRow[] = [];
  const two = makeTwoRoute();
  for (const [setting, prior] of [
    ['tworoute-uniform', uniformPrior(two)],
    ['tworoute-guide', twoRouteReference(two.model)],
  ] as const) {
    const { irl, theta } = problem(two, prior, { alpha: 0.15, gamma: 0.95, count: 40, maxSteps: 12, l2: 0.01 });
    rows.push({ setting, relError: gradientError(irl, theta, h), textbookGap: null });
  }
  const cliff = makeCliffWalking({ isSlippery: true });
  const gamma = 0.9;
  const { irl, theta, demonstrations } = problem(cliff, uniformPrior(cliff), {
    alpha: 2,
    gamma,
    count: 30,
    maxSteps: 30,
    cells: true,
  });
  // The textbook's demo term, Σ_t γ^t φ(s_t, a_t) per demonstration, against the exact gradient's: discounting,
  // slips and the cut all break the telescoping that makes them equal.
  const { dim, phi } = irl.features;
  const nA = cliff.model.nActions;
  const textbook = new Float64Array(dim);
  for (const d of demonstrations)
    d.actions.forEach((a, t) => {
      const k = d.states[t] * nA + a;
      for (let j = 0; j < dim; j++) textbook[j] += (gamma ** t * phi[k * dim + j]) / demonstrations.length;
    });
  const exact = irl.evaluate(theta).demoFeatureCounts;
  rows.push({
    setting: 'cliff-slippery',
    relError: gradientError(irl, theta, h),
    textbookGap: Math.max(...textbook.map((v, j) => Math.abs(v - exact[j]))),
  });
  return rows;
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const rows = gradientChecks(ctx.streams, opts.h);
  ctx.print(`MaxEnt IRL: exact gradient vs central finite differences (h = ${opts.h}), relative error ‖g − g_fd‖/‖g‖`);
  for (const r of rows)
    ctx.print(
      `${r.setting.padEnd(17)} ${r.relError.toExponential(2)}${r.textbookGap === null ? '' : `   textbook demo counts off by ${r.textbookGap.toFixed(3)}`}`,
    );
  ctx.writeFile('results.json', `${JSON.stringify({ h: opts.h, rows }, null, 2)}\n`);
  ctx.print('wrote results.json');
}

const experiment: Experiment<typeof options> = {
  name: 'irl-gradient',
  summary:
    "MaxEnt IRL's exact gradient against central finite differences where the textbook form is off (truncated TwoRoute demonstrations, slippery CliffWalking)",
  options,
  kind: 'train',
  run,
};
export default experiment;
