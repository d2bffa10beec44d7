/**
 * lesson: the variational-inference lesson's worked example and practice exercise, reproduced.
 *
 * For each linear-Gaussian exercise (p(z) = N(0, σ_p²), p(x|z) = N(z, σ_x²), a mismatched q) the table
 * shows every quantity three ways: as the lesson states it, analytically from the formulas, and by
 * reparameterized Monte Carlo (z = μ + s·ε, ε from the seeded `mc` stream) with its standard error.
 * Then the dual-path check of log p(x) = ELBO + KL(q ‖ p(z|x)): the gap by definition against the KL to
 * the exact posterior. Last, the reparameterization trick at work: SGD on the Monte Carlo ELBO over
 * (μ, log s), from q = prior, lands on the exact posterior and closes the gap.
 */
import { z } from 'zod';
import {
  LESSON_EXAMPLES,
  type LessonExample,
  type LessonQuantities,
  computeQuantities,
  exampleModel,
  fitByReparameterization,
} from '../src/vi/index.js';
import type { Estimate } from '../src/vi/index.js';
import type { Experiment, RunContext } from '../src/node/run/experiment.js';

const options = z.object({
  samples: z.number().int().min(2).default(10_000).describe('Monte Carlo draws ε per exercise for the MC column'),
  fitSteps: z.number().int().min(0).default(400).describe('SGD steps of the reparameterized fit (0 skips the fit)'),
  fitSamples: z.number().int().min(1).default(64).describe('Monte Carlo draws per SGD step of the fit'),
  learningRate: z.number().gt(0).default(0.05).describe('SGD step size on (μ, log s) for the fit'),
});
type Options = z.infer<typeof options>;

/** A lesson value agrees when it equals ours rounded to the lesson's three decimals. */
const AGREE = 5e-4;

const ROWS: readonly { key: keyof LessonQuantities; label: string }[] = [
  { key: 'posteriorMean', label: 'posterior mean  m' },
  { key: 'posteriorVariance', label: 'posterior variance  v' },
  { key: 'marginalVariance', label: 'marginal variance  σ_p²+σ_x²' },
  { key: 'logMarginal', label: 'log p(x)' },
  { key: 'reconstruction', label: 'E_q[log p(x|z)]' },
  { key: 'priorKL', label: 'KL(q ‖ p(z))' },
  { key: 'elbo', label: 'ELBO' },
  { key: 'gapByDefinition', label: 'gap  log p(x) − ELBO' },
  { key: 'gapByPosteriorKL', label: 'KL(q ‖ p(z|x))' },
];

const num = (v: number, digits: number): string => (v < 0 ? '−' : ' ') + Math.abs(v).toFixed(digits);
const est = (e: Estimate): string => `${num(e.mean, 4)} ± ${e.stdErr.toFixed(4)}`;

/** Left-aligns the first column and right-aligns the rest, with a rule under the header. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]): string =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('   ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('   '), ...rows.map(line)];
}

/** Prints one exercise; returns the lesson values that disagree with the math. */
function reportExample(ex: LessonExample, opts: Options, ctx: RunContext): string[] {
  const model = exampleModel(ex);
  const ours = computeQuantities(ex);
  const mc = model.monteCarloElbo(ex.x, ex.q, ctx.streams.get('mc'), opts.samples);
  const mcColumn: Partial<Record<keyof LessonQuantities, string>> = {
    reconstruction: est(mc.reconstruction),
    priorKL: est(mc.kl),
    elbo: est(mc.elbo),
    // log p(x) is exact, so the gap inherits the ELBO estimate's standard error.
    gapByDefinition: est({ mean: ours.logMarginal - mc.elbo.mean, stdErr: mc.elbo.stdErr }),
  };
  const disagreements: string[] = [];
  const rows = ROWS.map(({ key, label }) => {
    const stated = ex.stated[key];
    let check = '—';
    if (stated !== undefined) {
      const ok = Math.abs(ours[key] - stated) <= AGREE;
      check = ok ? '✓' : '✗';
      if (!ok)
        disagreements.push(`${ex.title}: ${label} is ${stated} in the lesson, ${ours[key].toFixed(6)} by the formulas`);
    }
    return [label, stated === undefined ? '—' : num(stated, 3), num(ours[key], 6), mcColumn[key] ?? '—', check];
  });

  ctx.print(ex.title);
  ctx.print(
    `  true posterior p(z|x) = N(${ours.posteriorMean}, ${ours.posteriorVariance}), marginal p(x) = N(0, ${ours.marginalVariance})`,
  );
  ctx.print('');
  for (const l of table(['quantity', 'lesson', 'ours (analytic)', `ours (MC, n=${opts.samples})`, 'check'], rows))
    ctx.print(`  ${l}`);
  ctx.print('');
  const diff = ours.gapByDefinition - ours.gapByPosteriorKL;
  ctx.print('  dual path: log p(x) − ELBO = KL(q ‖ p(z|x))');
  ctx.print(`    gap by definition   ${num(ours.gapByDefinition, 12)}`);
  ctx.print(`    KL to the posterior ${num(ours.gapByPosteriorKL, 12)}`);
  ctx.print(
    `    difference          ${diff === 0 ? ' 0' : `${diff < 0 ? '−' : ' '}${Math.abs(diff).toExponential(2)}`}`,
  );
  ctx.print('');
  return disagreements;
}

/** SGD on the Monte Carlo ELBO from q = prior; prints where it lands against the exact posterior. */
function reportFit(ex: LessonExample, opts: Options, ctx: RunContext): void {
  const model = exampleModel(ex);
  const post = model.posterior(ex.x);
  const fit = fitByReparameterization(model, ex.x, ctx.streams.get('fit'), {
    steps: opts.fitSteps,
    samples: opts.fitSamples,
    learningRate: opts.learningRate,
  });
  const rows = [
    [
      'q = prior (start)',
      num(model.prior.mean, 4),
      num(model.prior.variance, 4),
      num(model.gapByDefinition(ex.x, model.prior), 6),
    ],
    [
      `q after ${opts.fitSteps} steps`,
      num(fit.q.mean, 4),
      num(fit.q.variance, 4),
      num(model.gapByDefinition(ex.x, fit.q), 6),
    ],
    ['exact posterior', num(post.mean, 4), num(post.variance, 4), num(0, 6)],
  ];
  ctx.print(`  x=${ex.x}, p(z)=N(0,${ex.priorVariance}):`);
  for (const l of table(['q', 'mean', 'variance', 'gap'], rows)) ctx.print(`    ${l}`);
}

const lesson: Experiment<typeof options> = {
  name: 'lesson',
  summary:
    "the VI lesson's worked example and practice reproduced two ways (ELBO gap vs KL to the posterior), with Monte Carlo",
  options,
  kind: 'print',
  async run(opts, ctx) {
    ctx.print(
      `lesson: variational inference on the linear-Gaussian model   (seed ${ctx.seed}, backend ${ctx.backend})`,
    );
    ctx.print('  N(μ, σ²) is written with its variance; MC is reparameterized: z = μ + s·ε, ε ~ N(0, 1).');
    ctx.print('');
    const disagreements = LESSON_EXAMPLES.flatMap((ex) => reportExample(ex, opts, ctx));
    if (opts.fitSteps > 0) {
      ctx.print(
        `reparameterization trick: SGD on the MC ELBO over (μ, log s), ${opts.fitSamples} draws/step, step size ${opts.learningRate}`,
      );
      for (const ex of LESSON_EXAMPLES) reportFit(ex, opts, ctx);
      ctx.print('');
    }
    const stated = LESSON_EXAMPLES.reduce((n, ex) => n + Object.keys(ex.stated).length, 0);
    if (disagreements.length === 0)
      ctx.print(`all ${stated} values the lesson states agree with the formulas to three decimals`);
    else for (const d of disagreements) ctx.print(`DISAGREES: ${d}`);
  },
};

export default lesson;
