/**
 * tokens-rlhf: reward hacking and its cure on TokenSeq-v0 (4 tokens, length 4, 256 sequences).
 *
 * The reward model pays for the keyword `a`; its maximum `aaaa` is text the reference bigram LM
 * almost never writes. For each β of the sweep, KL-PPO (per-token penalty r − β·(log π − log π_ref),
 * the policy first distilled onto the reference, as RLHF starts from the pretrained model) is trained,
 * and its whole sequence distribution is enumerated and compared with the closed-form optimum
 * π*(y) ∝ π_ref(y)·exp(R(y)/β):
 *   - β = 0 collapses onto `aaaa` (reward hacking: maximal reward, KL ≈ −log π_ref(aaaa));
 *   - growing β traces the reward–KL frontier back to the reference.
 * Prints the table, writes `frontier.svg` (reward vs KL, exact and trained) and `results.json`.
 */
import { z } from 'zod';
import { klDivergence } from '../src/agents/exact/index.js';
import { klRegularizedOptimum, totalVariation } from '../src/agents/klppo/optimum.js';
import { createLearner, type KlPpoLearnerConfig } from '../src/agents/learner.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { TokenSeq } from '../src/envs/tokens.js';
import { scatterPlot } from '../src/node/run/svgplot.js';
import { makeObjective } from '../src/priors/index.js';
import type { Experiment, RunContext } from '../src/node/run/experiment.js';

/** The β values of `--betas` (NaN for an empty or non-numeric entry; the schema rejects those). */
function parseBetas(spec: string): number[] {
  return spec.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
}

const options = z.object({
  betas: z
    .string()
    .refine((spec) => parseBetas(spec).every((b) => Number.isFinite(b) && b >= 0), {
      error: (iss) => `every comma-separated entry of '${String(iss.input)}' must be a finite number ≥ 0, e.g. 0,0.1,1`,
    })
    .default('0,0.03,0.1,0.3,1')
    .describe('comma-separated β values of the sweep (each ≥ 0)'),
  iterations: z.number().int().positive().default(150).describe('KL-PPO iterations per β'),
  distill: z
    .number()
    .int()
    .min(0)
    .default(30)
    .describe('iterations of distillation onto the reference before KL-PPO (0: start uniform)'),
  lr: z.number().gt(0).default(0.01).describe('Adam learning rate (annealed linearly to 0)'),
  numEnvs: z.number().int().positive().default(32).describe('parallel envs per rollout'),
  checkpointEvery: z.number().int().positive().default(25).describe('write a checkpoint every this many iterations'),
});
type Options = z.infer<typeof options>;

interface Row {
  beta: number;
  exactReward: number;
  exactKl: number;
  reward: number;
  kl: number;
  tv: number;
  top: string;
  topProb: number;
  minK1: number;
  minK3: number;
}

interface State {
  index: number;
  rows: Row[];
  /** Batch minima of k1/k3 over this β so far; null before its first iteration (JSON has no Infinity). */
  minK1: number | null;
  minK3: number | null;
  /** The learner's checkpoint of this β (`encodeF32Json`), or null. */
  agent: string | null;
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const betas = parseBetas(opts.betas);
  const env = new TokenSeq();
  const refSeq = env.sequenceProbs((s) => env.referenceTable[s]);
  const rewards = env.sequenceRewards();
  const seqs = env.allSequences();
  const expected = (p: ArrayLike<number>) => Array.from(p).reduce((s, x, i) => s + x * rewards[i], 0);

  const saved = ctx.resume ? ctx.loadCheckpoint<State>() : null;
  const st: State = saved?.state ?? { index: 0, rows: [], minK1: null, minK3: null, agent: null };
  let step = saved?.step ?? 0;
  for (; st.index < betas.length && !ctx.signal.aborted; st.index++) {
    const beta = betas[st.index];
    const batch = opts.numEnvs * 8;
    const cfg: Partial<KlPpoLearnerConfig> = {
      numEnvs: opts.numEnvs,
      numSteps: 8,
      hidden: [],
      gamma: 1,
      gaeLambda: 1,
      learningRate: opts.lr,
      annealIterations: opts.iterations,
      klMode: 'reward',
      totalSteps: (opts.distill + opts.iterations) * batch, // the warm start's rollouts count as steps
      distill: opts.distill,
      evalEvery: 0,
      checkpointEvery: opts.checkpointEvery * batch,
    };
    // β is the α of the Objective: KL-regularized toward the bigram reference.
    const objective = makeObjective({ prior: 'reference', alpha: beta, reference: 'bigram' }, env, {
      reference: { table: env.referenceTable },
    });
    const agent = createLearner('klppo', {
      makeEnv: () => new TokenSeq(),
      objective,
      config: cfg,
      streams: ctx.streams,
    });
    if (st.agent) agent.load(decodeF32Json(st.agent));
    await agent.run({
      signal: ctx.signal,
      log: (_, m) => {
        if (m['kl/k1'] === undefined) return; // the warm start's line: no PPO iteration yet
        st.minK1 = Math.min(st.minK1 ?? Infinity, m['kl/k1']);
        st.minK3 = Math.min(st.minK3 ?? Infinity, m['kl/k3']);
        step++;
        ctx.log(step, { 'sweep/beta': beta, ...m });
        ctx.progress(step, betas.length * opts.iterations, { β: beta, 'KL(π‖π_ref)_per_token': m['charts/kl_prior'] });
      },
      checkpoint: (_, state) => {
        st.agent = encodeF32Json(state);
        ctx.checkpoint(step, st);
      },
    });
    if (ctx.signal.aborted) {
      agent.dispose();
      objective.dispose();
      break;
    }
    const flat = agent.policyTable();
    const nA = env.actionSpace.n;
    agent.dispose();
    objective.dispose();
    const p = env.sequenceProbs((s) => flat.subarray(s * nA, (s + 1) * nA));
    const opt = klRegularizedOptimum(refSeq, rewards, beta);
    const best = p.indexOf(Math.max(...p));
    st.rows.push({
      beta,
      exactReward: opt.reward,
      exactKl: opt.kl,
      reward: expected(p),
      kl: klDivergence(p, refSeq),
      tv: totalVariation(p, opt.probs),
      top: env.text(seqs[best]),
      topProb: p[best],
      minK1: st.minK1 ?? NaN,
      minK3: st.minK3 ?? NaN,
    });
    st.agent = null;
    st.minK1 = null;
    st.minK3 = null;
    // The β is done: a resume starts at the next one (the loop's st.index++ runs after this).
    ctx.checkpoint(step, { ...st, index: st.index + 1 });
  }
  if (st.rows.length < betas.length) return;

  const refBest = refSeq.indexOf(Math.max(...refSeq));
  ctx.print(
    `reference: E[R] = ${expected(refSeq).toFixed(3)}, most likely '${env.text(seqs[refBest])}' (${refSeq[refBest].toFixed(3)}), P(aaaa) = ${refSeq[0].toExponential(2)}`,
  );
  ctx.print('');
  ctx.print(
    '|    β | E[R] exact | KL exact | E[R] PPO | KL PPO | TV(PPO, π*) | top sequence (p) | min batch k1 | min batch k3 |',
  );
  ctx.print(
    '|-----:|-----------:|---------:|---------:|-------:|------------:|:-----------------|-------------:|-------------:|',
  );
  for (const r of st.rows) {
    ctx.print(
      `| ${r.beta.toFixed(2).padStart(4)} | ${r.exactReward.toFixed(3).padStart(10)} | ${r.exactKl.toFixed(3).padStart(8)} | ${r.reward.toFixed(3).padStart(8)} | ${r.kl.toFixed(3).padStart(6)} | ${r.tv.toFixed(3).padStart(11)} | ${`${r.top} (${r.topProb.toFixed(3)})`.padEnd(16)} | ${r.minK1.toFixed(4).padStart(12)} | ${r.minK3.toFixed(4).padStart(12)} |`,
    );
  }
  ctx.print(
    'exact: the closed-form optimum π* ∝ π_ref·exp(R/β); PPO: the trained policy. KL(π ‖ π_ref) in nats per sequence;',
  );
  ctx.print('k1/k3 are per-token batch means during training (k1 can dip below 0, k3 cannot).');
  const fine = Array.from({ length: 41 }, (_, i) => 10 ** (-2.5 + (i * 3.5) / 40));
  const frontier = fine.map((b) => klRegularizedOptimum(refSeq, rewards, b)).map((o) => ({ x: o.kl, y: o.reward }));
  const svg = scatterPlot(
    { title: 'TokenSeq-v0: reward–KL frontier', xLabel: 'KL(π ‖ π_ref) per sequence (nats)', yLabel: 'E[R]' },
    [
      { label: 'exact optimum (β from 0.003 to 3)', points: frontier, connect: true },
      { label: 'KL-PPO', points: st.rows.map((r) => ({ x: r.kl, y: r.reward, text: `β=${r.beta}` })) },
    ],
  );
  ctx.writeFile('frontier.svg', svg);
  ctx.writeFile('results.json', JSON.stringify({ rows: st.rows }, null, 2));
}

const experiment: Experiment<typeof options> = {
  name: 'tokens-rlhf',
  summary:
    'tiny RLHF: KL-PPO on TokenSeq-v0 vs the closed-form optimum; β = 0 reward-hacks, larger β stays near the reference',
  options,
  kind: 'train',
  resumable: true,
  run,
};
export default experiment;
