/**
 * rlhf-estimators: every way the field estimates the RLHF gradient, against the exact one, on TokenSeq-v0.
 *
 * The tabular softmax policy over the 256 sequences (`src/agents/rlhf`) makes J(θ) = E_π[R] − β KL(π ‖ π_ref),
 * its gradient and its optimum π* ∝ π_ref·exp(R/β) exact. Three parts:
 *   1. the exact gradient two ways (analytic enumeration vs central finite differences);
 *   2. the estimator table: for each β, on-policy and one update off-policy, each estimator's bias (with a 95%
 *      interval over `--batches` independent batches), variance and cosine to ∇J, as N grows;
 *   3. what the learners converge to: TV(π, π*) per method, β and seed (RLOO, DPO with its data variants,
 *      GRPO with and without std normalization and with β = 0).
 * Prints the tables, writes `bias-vs-n.svg`, `variance-vs-n.svg`, `tv-vs-steps-beta<β>.svg`, `results.json`,
 * and the learners' curves to metrics.jsonl (`<method>/beta<β>/seed<k>/charts/tv_optimum`, …).
 */
import { z } from 'zod';
import {
  ESTIMATORS,
  createDpo,
  createGrpo,
  createRloo,
  derivedUnbiased,
  estimatorContext,
  evaluationLogits,
  exactGradient,
  finiteDifferenceGradient,
  measureEstimators,
  oneStepLater,
  tokenTask,
  type EstimatorStats,
  type RlhfLearnerArgs,
  type TabularRlhfLearner,
} from '../src/agents/rlhf/index.js';
import { klRegularizedOptimum, totalVariation } from '../src/agents/klppo/optimum.js';
import { Rng } from '../src/core/rng.js';
import { yieldToEventLoop } from '../src/core/yield.js';
import { TokenSeq } from '../src/envs/tokens.js';
import { partStreams, sequentialParts, type Experiment, type RunContext } from '../src/node/run/experiment.js';
import { linePlot } from '../src/node/run/svgplot.js';
import { makeObjective } from '../src/priors/index.js';

/** Comma-separated numbers (NaN for a bad entry; the schema rejects it). */
const parseList = (spec: string): number[] => spec.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
const listOption = (def: string, ok: (x: number) => boolean, what: string, describe: string) =>
  z
    .string()
    .refine((spec) => parseList(spec).every(ok), {
      error: (iss) => `every comma-separated entry of '${String(iss.input)}' must be ${what}`,
    })
    .default(def)
    .describe(describe);

const options = z.object({
  betas: listOption('0.1,0.3', (b) => Number.isFinite(b) && b > 0, 'a number > 0', 'β values (each > 0)'),
  ns: listOption(
    '4,16,64',
    (n) => Number.isInteger(n) && n >= 2 && n <= 4096,
    'an integer in [2, 4096]',
    'batch sizes N of the estimator table (sequences per batch)',
  ),
  batches: z
    .number()
    .int()
    .min(100)
    .max(1_000_000)
    .default(10_000)
    .describe('independent batches per (estimator, N, β, regime)'),
  steps: z.number().int().positive().default(600).describe('learner steps (each one batch and one Adam step)'),
  learnerSeeds: z.number().int().min(1).max(20).default(3).describe('seeds per learner and β (1 … this)'),
});
type Options = z.infer<typeof options>;

/** The learners compared to π*: a factory and its config (learning rate annealed over the steps). */
interface Method {
  name: string;
  note: string;
  create(args: RlhfLearnerArgs): TabularRlhfLearner;
  config: Record<string, unknown>;
  /** β of the learner's own Objective (the compared π* is always the study's β). */
  ownBeta?: number;
}

const METHODS: Method[] = [
  { name: 'rloo', note: 'k1 in the reward, leave-one-out baseline', create: createRloo, config: {} },
  { name: 'dpo', note: 'uniform pairs, soft Bradley–Terry labels', create: createDpo, config: {} },
  {
    name: 'dpo-sampled',
    note: 'uniform pairs, one Bernoulli label each',
    create: createDpo,
    config: { labels: 'sampled' },
  },
  {
    name: 'dpo-ref-pairs',
    note: 'pairs drawn from π_ref, soft labels',
    create: createDpo,
    config: { pairSource: 'reference' },
  },
  { name: 'grpo', note: 'std-normalized advantages, β·k3 per token', create: createGrpo, config: {} },
  {
    name: 'grpo-noscale',
    note: 'mean-only advantages, β·k3 per token',
    create: createGrpo,
    config: { scaleRewards: false },
  },
  { name: 'grpo-beta0', note: 'std-normalized, β = 0 (no KL term)', create: createGrpo, config: {}, ownBeta: 0 },
];

const f = (x: number, d = 5) => x.toFixed(d);
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const betas = parseList(opts.betas);
  const ns = parseList(opts.ns);
  const env = new TokenSeq();
  const refTable = env.referenceTable.flatMap((r) => Array.from(r));
  const task = tokenTask(env, refTable);
  const seqs = env.allSequences();
  // Where the table is measured: θ = log π_ref + ε, ε ~ N(0, 1) per logit (the `table` stream).
  const thetaOld = evaluationLogits(task, ctx.streams.get('table'));
  const totalWork = betas.length * 2 * ns.length + betas.length * METHODS.length * opts.learnerSeeds;
  let done = 0;

  // ── 1. exact gradient two ways
  ctx.print(
    `TokenSeq-v0: ${task.nSeq} sequences, ${task.nS} prefix states × ${task.nA} tokens = ${task.nS * task.nA} logits`,
  );
  const gradientCheck = betas.map((beta) => {
    const a = exactGradient(task, thetaOld, beta);
    const fd = finiteDifferenceGradient(task, thetaOld, beta);
    const maxErr = a.reduce((m, x, i) => Math.max(m, Math.abs(x - fd[i])), 0);
    ctx.print(`β = ${beta}: max |analytic ∇J − central differences| = ${maxErr.toExponential(2)} (h = 1e-5)`);
    return { beta, maxErr };
  });

  // ── 2. the estimator table
  const table: Array<{ beta: number; regime: 'on-policy' | 'off-policy'; stats: EstimatorStats[] }> = [];
  const head = ns.includes(16) ? 16 : ns[Math.floor(ns.length / 2)];
  for (const beta of betas) {
    for (const regime of ['on-policy', 'off-policy'] as const) {
      const theta = regime === 'on-policy' ? thetaOld : oneStepLater(task, beta, thetaOld);
      const ectx = estimatorContext(task, beta, theta, thetaOld);
      const stats: EstimatorStats[] = [];
      for (const n of ns) {
        if (ctx.signal.aborted) return;
        stats.push(
          ...measureEstimators(ectx, ESTIMATORS, n, opts.batches, new Rng(`${ctx.seed}/${beta}/${regime}/${n}`)),
        );
        ctx.progress(++done, totalWork, { β: beta, N: n });
        await yieldToEventLoop();
      }
      table.push({ beta, regime, stats });
      ctx.print('');
      ctx.print(`β = ${beta}, ${regime}${regime === 'off-policy' ? ': samples from π_old, ∇J one update later' : ''}`);
      ctx.print(
        `‖∇J‖ = ${f(stats[0].exactNorm, 4)}; N = ${head}, ${opts.batches} batches; 0∈CI at N = ${ns.join(', ')}`,
      );
      ctx.print(
        `${pad('estimator', 17)}${lpad('‖bias‖', 8)} ${pad('  95% interval', 18)} ${lpad('rel', 5)} ${lpad('var', 7)} ${lpad('cos', 6)}  0∈CI`,
      );
      for (const name of ESTIMATORS) {
        const s = stats.find((x) => x.name === name && x.n === head)!;
        const marks = ns
          .map((n) => (stats.find((x) => x.name === name && x.n === n)!.biasLo === 0 ? 'yes' : 'no'))
          .join(' ');
        const flag = derivedUnbiased(name, regime === 'on-policy') ? '*' : ' ';
        ctx.print(
          `${pad(name + flag, 17)}${lpad(f(s.bias), 8)} [${f(s.biasLo)}, ${f(s.biasHi)}] ${lpad(s.relBias.toFixed(2), 5)} ${lpad(s.variance.toPrecision(2), 7)} ${lpad(s.cosine.toFixed(2), 6)}  ${marks}`,
        );
      }
    }
  }
  ctx.print('');
  const dropped = (table[0].stats[0].dropped * 100).toFixed(1);
  for (const line of [
    '* unbiased by derivation. ‖bias‖ = ‖mean(ĝ − ∇J)‖ with its 95% interval (the',
    'Bonferroni box of per-coordinate intervals, docs/rlhf-estimators.md);',
    'rel = ‖bias‖/‖∇J‖; var = E‖ĝ − Eĝ‖²; cos = mean cos(ĝ, ∇J). The coordinates of',
    `(state, token) pairs expected < 100 draws are left out (${dropped}% of ‖∇J‖ at N = ${ns[0]}).`,
  ])
    ctx.print(line);

  // ── 3. the learners against π*
  const refSeq = env.sequenceProbs((s) => env.referenceTable[s]);
  const makeEnv = () => new TokenSeq();
  const logEvery = Math.max(1, Math.floor(opts.steps / 60));
  const parts = sequentialParts(ctx, betas.length * METHODS.length * opts.learnerSeeds * opts.steps);
  const learnerRows: Array<{
    method: string;
    beta: number;
    tv: number[];
    reward: number;
    kl: number;
    top: string;
    curve: { step: number; tv: number }[];
  }> = [];
  for (const beta of betas) {
    const optimum = klRegularizedOptimum(refSeq, task.rewards, beta).probs;
    for (const method of METHODS) {
      const objective = makeObjective({ prior: 'reference', alpha: method.ownBeta ?? beta }, env, {
        reference: { table: env.referenceTable },
      });
      const row = {
        method: method.name,
        beta,
        tv: [] as number[],
        reward: 0,
        kl: 0,
        top: '',
        curve: [] as { step: number; tv: number }[],
      };
      const curves: number[][] = [];
      for (let seed = 1; seed <= opts.learnerSeeds; seed++) {
        if (ctx.signal.aborted) return objective.dispose();
        const part = `${method.name}/beta${beta}/seed${seed}`;
        const pctx = parts.next();
        const learner = method.create({
          makeEnv,
          objective,
          config: { ...method.config, learningRate: 0.05, annealSteps: opts.steps },
          streams: partStreams(ctx, part),
        });
        const curve: number[] = [];
        for (let i = 1; i <= opts.steps; i++) {
          const m = learner.step();
          if (i % logEvery === 0 || i === opts.steps) {
            const tv = totalVariation(learner.sequenceProbs(), optimum);
            curve.push(tv);
            pctx.log(
              i,
              Object.fromEntries(
                Object.entries({ ...m, 'charts/tv_optimum': tv }).map(([k, v]) => [`${part}/${k}`, v]),
              ),
            );
          }
        }
        curves.push(curve);
        const p = learner.sequenceProbs();
        row.tv.push(totalVariation(p, optimum));
        row.reward += learner.exactMetrics()['charts/expected_reward'] / opts.learnerSeeds;
        row.kl += p.reduce((s, x, k) => s + (x > 0 ? x * Math.log(x / refSeq[k]) : 0), 0) / opts.learnerSeeds;
        if (seed === 1) row.top = `${env.text(seqs[p.indexOf(Math.max(...p))])} ${Math.max(...p).toFixed(2)}`;
        ctx.progress(++done, totalWork, { β: beta, TV: row.tv[row.tv.length - 1] });
        await yieldToEventLoop();
      }
      row.curve = curves[0].map((_, j) => ({
        step: Math.min(opts.steps, (j + 1) * logEvery),
        tv: curves.reduce((s, c) => s + c[j], 0) / curves.length,
      }));
      learnerRows.push(row);
      objective.dispose();
    }
  }
  ctx.print('');
  ctx.print(`Learners after ${opts.steps} steps (lr 0.05 annealed to 0), TV(π, π*) per seed 1..${opts.learnerSeeds}:`);
  ctx.print(
    `${pad('method', 14)}${lpad('β', 5)}  ${pad('TV per seed', 6 * opts.learnerSeeds + 2)}${lpad('E[R]', 6)} ${lpad('KL', 6)}  top seq (seed 1)`,
  );
  for (const r of learnerRows)
    ctx.print(
      `${pad(r.method, 14)}${lpad(String(r.beta), 5)}  ${pad(r.tv.map((x) => x.toFixed(3)).join(' '), 6 * opts.learnerSeeds + 2)}${lpad(r.reward.toFixed(3), 6)} ${lpad(r.kl.toFixed(3), 6)}  ${r.top}`,
    );
  const optRows = betas.map((beta) => klRegularizedOptimum(refSeq, task.rewards, beta));
  for (const [i, b] of betas.entries())
    ctx.print(
      `π* at β = ${b}: E[R] ${optRows[i].reward.toFixed(3)}, KL ${optRows[i].kl.toFixed(3)} (nats per sequence)`,
    );

  // ── figures and results
  const shown = [
    'k1-reward',
    'k1-mean-baseline',
    'rloo',
    'k2-loss',
    'k3-loss',
    'kl-exact-token',
    'kl-exact-loss',
    'grpo',
  ] as const;
  const onPolicy = table.filter((t) => t.regime === 'on-policy');
  const logN = ns.map(Math.log10);
  const seriesFor = (beta: number, pick: (s: EstimatorStats) => number) =>
    shown.map((name) => {
      const st = onPolicy.find((t) => t.beta === beta)!.stats.filter((s) => s.name === name);
      return { label: `${name} (β ${beta})`, x: logN, y: st.map((s) => Math.log10(Math.max(pick(s), 1e-12))) };
    });
  const b0 = betas[betas.length - 1];
  // Biased estimators: ‖bias‖ with its interval as a band; unbiased ones (the interval holds 0): its upper end.
  ctx.writeFile(
    'bias-vs-n.svg',
    linePlot(
      { title: `‖E ĝ − ∇J‖ against N (on-policy, β ${b0})`, xLabel: 'log10 N', yLabel: 'log10 ‖bias‖' },
      shown.map((name) => {
        const st = onPolicy.find((t) => t.beta === b0)!.stats.filter((s) => s.name === name);
        if (derivedUnbiased(name, true))
          return { label: `${name}: unbiased, 95% upper end`, x: logN, y: st.map((s) => Math.log10(s.biasHi)) };
        return {
          label: name,
          x: logN,
          y: st.map((s) => Math.log10(s.bias)),
          lower: st.map((s) => Math.log10(Math.max(s.biasLo, 1e-6))),
          upper: st.map((s) => Math.log10(s.biasHi)),
        };
      }),
    ),
  );
  ctx.writeFile(
    'variance-vs-n.svg',
    linePlot(
      { title: `variance E‖ĝ − E ĝ‖² against N (on-policy, β ${b0})`, xLabel: 'log10 N', yLabel: 'log10 variance' },
      seriesFor(b0, (s) => s.variance),
    ),
  );
  for (const beta of betas)
    ctx.writeFile(
      `tv-vs-steps-beta${beta}.svg`,
      linePlot(
        {
          title: `TV(π, π*) against steps, β = ${beta} (mean over ${opts.learnerSeeds} seeds)`,
          xLabel: 'step',
          yLabel: 'TV to π*',
        },
        learnerRows
          .filter((r) => r.beta === beta)
          .map((r) => ({ label: r.method, x: r.curve.map((c) => c.step), y: r.curve.map((c) => c.tv) })),
      ),
    );
  ctx.writeFile(
    'results.json',
    JSON.stringify(
      {
        gradientCheck,
        estimatorTable: table,
        learners: learnerRows.map(({ curve: _curve, ...r }) => r),
        methods: METHODS.map((m) => ({ name: m.name, note: m.note, config: m.config })),
      },
      null,
      2,
    ),
  );
}

const experiment: Experiment<typeof options> = {
  name: 'rlhf-estimators',
  summary:
    'RLHF gradient estimators (k1/k2/k3, RLOO, GRPO, PPO-clip) against the exact gradient on TokenSeq-v0; RLOO, DPO, GRPO vs π*',
  options,
  kind: 'train',
  run,
};
export default experiment;
