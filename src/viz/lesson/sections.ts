/**
 * The lesson's six sections, each a short text beside the live view that shows it. Every number on the
 * page is computed here from `src/vi`, the exact solver or the token task's closed-form optimum, from
 * the sliders' values; the text states formulas, never their values.
 */
import { actionPosterior, backwardMessages } from '../../agents/exact/index.js';
import { klRegularizedOptimum } from '../../agents/klppo/optimum.js';
import { Rng } from '../../core/rng.js';
import { TokenSeq } from '../../envs/tokens.js';
import {
  LinearGaussianModel,
  WORKED_EXAMPLE,
  elboGradientEstimates,
  gaussianLogPdf,
  jensenSample,
  type Gaussian,
} from '../../vi/index.js';
import { lineChart } from '../chart.js';
import { GRID_ENVS, exactSummary, gridObjective, makeGridEnv } from '../gridworld/compute.js';
import { paintPolicyGrid, valueRange } from '../gridworld/draw.js';
import { COLORS, valueRamp } from '../palette.js';
import { DEFAULT_STATE, formatHash, type PanelId } from '../state.js';
import { button, frameScheduler, h, select, slider, statTable, type Stat } from '../ui.js';

/** Where a step draws: its controls (sidebar), its text and live view (main), its charts. */
export interface StepHost {
  controls: HTMLElement;
  text: HTMLElement;
  live: HTMLElement;
  charts: HTMLElement;
  /** The panel's seed (Monte Carlo draws); a step may move it and record it. */
  seed: number;
  setSeed(seed: number): void;
  /** Hash fields of this step (e.g. the randomized attempt). */
  extra: Record<string, string>;
  record(extra: Record<string, string>): void;
  /** Builds the step again from scratch (e.g. for a new attempt). */
  rerender(): void;
}

export interface Step {
  id: string;
  title: string;
  render(host: StepHost): void;
}

/** Paragraphs; a line starting with `=` is a displayed formula. */
export function prose(parent: HTMLElement, lines: readonly string[]): void {
  for (const l of lines)
    parent.append(l.startsWith('=') ? h('p', { class: 'lesson-math' }, l.slice(1).trim()) : h('p', {}, l));
}

const fmt = (v: number, d = 3) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(d);
const gauss = (g: Gaussian) => `N(${+g.mean.toFixed(4)}, ${+g.variance.toFixed(4)})`;

/** The linear-Gaussian sliders' state, shared by the first three sections (the worked example to start). */
const lg = {
  x: WORKED_EXAMPLE.x,
  mu: WORKED_EXAMPLE.q.mean,
  sigma: Math.sqrt(WORKED_EXAMPLE.q.variance),
  samples: 200,
};
const lgModel = () => new LinearGaussianModel(WORKED_EXAMPLE.priorVariance, WORKED_EXAMPLE.noiseVariance);
const lgQ = (): Gaussian => ({ mean: lg.mu, variance: lg.sigma ** 2 });

function lgSliders(parent: HTMLElement, onInput: () => void): void {
  const two = (v: number) => v.toFixed(2);
  slider(parent, {
    id: 'lesson-x',
    label: 'observation x',
    min: -3,
    max: 3,
    step: 0.05,
    value: lg.x,
    format: two,
    onInput: (v) => ((lg.x = v), onInput()),
  });
  slider(parent, {
    id: 'lesson-mu',
    label: 'q mean μ_q',
    min: -3,
    max: 3,
    step: 0.05,
    value: lg.mu,
    format: two,
    onInput: (v) => ((lg.mu = v), onInput()),
  });
  slider(parent, {
    id: 'lesson-sigma',
    label: 'q standard deviation σ_q',
    min: 0.1,
    max: 3,
    step: 0.05,
    value: lg.sigma,
    format: (v) => `${two(v)}, σ_q² = ${+(v * v).toFixed(4)}`,
    onInput: (v) => ((lg.sigma = v), onInput()),
  });
}

const zGrid = Array.from({ length: 241 }, (_, i) => -6 + i * 0.05);
const densityPoints = (g: Gaussian) => zGrid.map((z) => [z, Math.exp(gaussianLogPdf(z, g))] as const);

function densityChart(model: LinearGaussianModel, q: Gaussian, x: number): SVGSVGElement {
  return lineChart({
    title: 'Densities over the latent z',
    xLabel: 'z',
    yLabel: 'density',
    width: 460,
    height: 240,
    markers: [{ x, label: 'x' }],
    series: [
      { name: 'q(z)', color: COLORS.q, points: densityPoints(q), dashed: true },
      { name: 'posterior p(z|x)', color: COLORS.posterior, points: densityPoints(model.posterior(x)) },
      { name: 'prior p(z)', color: COLORS.prior, points: densityPoints(model.prior), dashed: true },
    ],
  });
}

/** An empirical density as a step line over `bins` equal bins of [lo, hi]. */
function histogram(values: ArrayLike<number>, lo: number, hi: number, bins = 40): Array<readonly [number, number]> {
  const counts = new Float64Array(bins);
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const k = Math.floor((values[i] - lo) / w);
    if (k >= 0 && k < bins) counts[k]++;
  }
  const pts: Array<readonly [number, number]> = [];
  counts.forEach((c, k) => {
    const d = c / (values.length * w);
    pts.push([lo + k * w, d], [lo + (k + 1) * w, d]);
  });
  return pts;
}

const jensen: Step = {
  id: 'jensen',
  title: "Jensen's inequality and the gap",
  render(host) {
    prose(host.text, [
      'A latent-variable model p(x, z) = p(x|z)·p(z) explains the data through an unobserved z. Its evidence p(x) = ∫ p(x|z) p(z) dz is what we want and usually cannot compute. Bring in any q(z) and write the evidence as an average under q of the weight w = p(x, z)/q(z):',
      '= log p(x) = log E_q[w]  ≥  E_q[log w] = ELBO',
      'log is concave, so the log of an average is at least the average of the log (Jensen). Split the right side into two terms:',
      '= ELBO = E_q[log p(x|z)] − KL(q ‖ p(z))',
      'reconstruction minus a regularizer. The gap is exactly KL(q ‖ p(z|x)) ≥ 0: zero only when q is the true posterior. Here p(z) = N(0, 1) and p(x|z) = N(z, 1). Move x, μ_q and σ_q: on every sample the average of log w stays below the log of the average of w, and they tend to the ELBO and log p(x).',
    ]);
    const draw = () => {
      const model = lgModel();
      const q = lgQ();
      const t = model.elbo(lg.x, q);
      const logpx = model.logMarginal(lg.x);
      const js = jensenSample(model, lg.x, q, new Rng(`lesson/jensen/${host.seed}`), 2000);
      host.live.replaceChildren();
      statTable(
        host.live,
        'Jensen on the linear-Gaussian model',
        [
          { key: 'logpx', label: 'log p(x) = log E_q[w]', value: logpx },
          { key: 'elbo', label: 'ELBO = E_q[log w]', value: t.elbo },
          { key: 'gap', label: 'gap = KL(q ‖ p(z|x))', value: model.gapByPosteriorKL(lg.x, q) },
          { key: 'logMeanW', label: 'log mean(w), 2000 draws', value: js.logMeanWeight },
          { key: 'meanLogW', label: 'mean(log w), 2000 draws', value: js.meanLogWeight.mean },
          {
            key: 'holds',
            label: 'log mean ≥ mean log',
            value: js.logMeanWeight >= js.meanLogWeight.mean ? 'yes' : 'no',
          },
        ],
        'lesson-jensen',
      );
      host.charts.replaceChildren(
        densityChart(model, q, lg.x),
        lineChart({
          title: 'log w(z) = log p(x, z) − log q(z)',
          xLabel: 'z',
          yLabel: 'nats',
          width: 460,
          height: 240,
          series: [
            {
              name: 'log w(z)',
              color: COLORS.q,
              points: zGrid.map((z) => [z, model.logJoint(lg.x, z) - gaussianLogPdf(z, q)] as const),
            },
            { name: 'log p(x)', color: COLORS.text, points: zGrid.map((z) => [z, logpx] as const), dashed: true },
            { name: 'ELBO', color: COLORS.posterior, points: zGrid.map((z) => [z, t.elbo] as const), dashed: true },
            // Where q puts its mass: far out in the tails log w runs off to −∞ and would flatten the rest.
          ].map((s) => ({ ...s, points: s.points.filter(([z]) => Math.abs(z - lg.mu) <= 2.5 * lg.sigma) })),
        }),
      );
    };
    lgSliders(host.controls, draw);
    draw();
  },
};

const worked: Step = {
  id: 'worked',
  title: 'The worked example, two ways',
  render(host) {
    const ex = WORKED_EXAMPLE;
    const m0 = lgModel();
    const v = m0.posterior(0).variance; // the posterior variance does not depend on x
    prose(host.text, [
      `The worked example: p(z) = N(0, ${ex.priorVariance}), p(x|z) = N(z, ${ex.noiseVariance}), x = ${ex.x}, and a mismatched q = N(${ex.q.mean}, ${ex.q.variance}). Every N(m, v) is written with its variance.`,
      `Completing the square in z gives the exact posterior p(z|x) = N(${v / ex.noiseVariance}·x, ${v}), and the marginal is p(x) = N(0, ${m0.marginal().variance}). Now compute the ELBO two ways:`,
      '= by definition:  E_q[log p(x|z)] − KL(q ‖ p(z))',
      '= through the posterior:  log p(x) − KL(q ‖ p(z|x))',
      'The first never uses the posterior; the second never uses the likelihood term. They agree for every q: move the sliders and watch the difference stay at rounding error.',
    ]);
    button(host.controls, 'lesson-worked-reset', `Set x = ${ex.x}, q = N(${ex.q.mean}, ${ex.q.variance})`, () => {
      Object.assign(lg, { x: ex.x, mu: ex.q.mean, sigma: Math.sqrt(ex.q.variance) });
      host.controls.querySelectorAll<HTMLInputElement>('input[type=range]').forEach((el) => {
        el.value = String(lg[el.dataset.testid!.slice('lesson-'.length) as 'x' | 'mu' | 'sigma']);
        el.dispatchEvent(new Event('input'));
      });
    });
    const draw = () => {
      const model = lgModel();
      const q = lgQ();
      const t = model.elbo(lg.x, q);
      const logpx = model.logMarginal(lg.x);
      const post = model.posterior(lg.x);
      const klPost = model.gapByPosteriorKL(lg.x, q);
      const viaPosterior = logpx - klPost;
      host.live.replaceChildren();
      const row = h('div', { class: 'lesson-row' });
      host.live.append(row);
      statTable(
        row,
        'By definition',
        [
          { key: 'reconstruction', label: 'E_q[log p(x|z)]', value: t.reconstruction, digits: 6 },
          { key: 'priorKL', label: 'KL(q ‖ p(z))', value: t.kl, digits: 6 },
          { key: 'elbo', label: 'ELBO = recon − KL', value: t.elbo, digits: 6 },
        ],
        'lesson-definition',
      );
      statTable(
        row,
        'Through the posterior',
        [
          { key: 'posterior', label: 'p(z|x)', value: gauss(post) },
          { key: 'logMarginal', label: 'log p(x)', value: logpx, digits: 6 },
          { key: 'posteriorKL', label: 'KL(q ‖ p(z|x))', value: klPost, digits: 6 },
          { key: 'elbo', label: 'log p(x) − KL(q ‖ p(z|x))', value: viaPosterior, digits: 6 },
        ],
        'lesson-posterior',
      );
      const gap = logpx - t.elbo;
      const eq = h('p', { class: 'identity', 'data-testid': 'lesson-both-ways' });
      eq.dataset.difference = String(t.elbo - viaPosterior);
      const diff = t.elbo - viaPosterior;
      eq.innerHTML = `ELBO <b>${fmt(t.elbo)}</b> both ways (difference ${diff === 0 ? '0' : diff.toExponential(1)}); gap log p(x) − ELBO = <b>${fmt(gap)}</b> = KL(q ‖ p(z|x)) = <b>${fmt(klPost)}</b>`;
      host.live.append(eq);
      const atExample = lg.x === ex.x && lg.mu === ex.q.mean && lg.sigma ** 2 === ex.q.variance;
      host.live.append(
        h(
          'p',
          { class: 'note' },
          atExample
            ? `This is the lesson's q: it states ELBO ≈ ${fmt(ex.stated.elbo!)} and gap ≈ ${fmt(ex.stated.gapByDefinition!)}.`
            : `Away from the lesson's q (x = ${ex.x}, q = N(${ex.q.mean}, ${ex.q.variance})) the numbers change, and still agree.`,
        ),
      );
      host.charts.replaceChildren(densityChart(model, q, lg.x));
    };
    lgSliders(host.controls, draw);
    draw();
  },
};

const reparam: Step = {
  id: 'reparam',
  title: 'The reparameterization trick',
  render(host) {
    prose(host.text, [
      'To fit q by gradient ascent we need ∇ of E_q[log p(x|z)] in q’s parameters (μ, σ). A sample z ~ q carries no gradient. Write instead',
      '= z = μ + σ·ε,   ε ~ N(0, 1)',
      'The noise ε has no parameters, so the gradient passes through z: ∂/∂μ ≈ f′(z), ∂/∂σ ≈ f′(z)·ε (pathwise). The score-function estimator f(z)·∇ log q(z) needs no derivative of the model and is also unbiased, but is usually much noisier. Both use the same draws below; the KL term is Gaussian to Gaussian and taken in closed form (sampling it would only add variance).',
    ]);
    const draw = () => {
      const model = lgModel();
      const q = lgQ();
      const g = elboGradientEstimates(model, lg.x, q, new Rng(`lesson/reparam/${host.seed}`), lg.samples);
      host.live.replaceChildren();
      const row = h('div', { class: 'lesson-row' });
      host.live.append(row);
      const part = (k: 'mu' | 's', name: string): Stat[] => [
        { key: `${k}Exact`, label: `exact ∂ELBO/∂${name}`, value: g.exact[k] },
        { key: `${k}Pathwise`, label: 'pathwise mean', value: g.pathwise[k].mean },
        { key: `${k}PathwiseVar`, label: 'pathwise variance per draw', value: g.pathwise[k].variance },
        { key: `${k}Score`, label: 'score-function mean', value: g.score[k].mean },
        { key: `${k}ScoreVar`, label: 'score variance per draw', value: g.score[k].variance },
        {
          key: `${k}Ratio`,
          label: 'variance ratio score/pathwise',
          value: g.score[k].variance / g.pathwise[k].variance,
          digits: 1,
        },
      ];
      statTable(row, `∂ELBO/∂μ from ${lg.samples} draws (seed ${host.seed})`, part('mu', 'μ'), 'lesson-grad-mu');
      statTable(row, `∂ELBO/∂σ from ${lg.samples} draws`, part('s', 'σ'), 'lesson-grad-s');
      const lo = Math.min(-4, lg.mu - 4 * lg.sigma);
      const hi = Math.max(4, lg.mu + 4 * lg.sigma);
      const all = [...g.muDraws.pathwise, ...g.muDraws.score].sort((a, b) => a - b);
      const [glo, ghi] = [all[Math.floor(all.length * 0.02)], all[Math.ceil(all.length * 0.98) - 1]];
      host.charts.replaceChildren(
        lineChart({
          title: 'ε ~ N(0, 1) pushed through z = μ + σ·ε',
          xLabel: 'value',
          yLabel: 'density',
          width: 460,
          height: 240,
          series: [
            { name: 'z = μ + σε (histogram)', color: COLORS.q, points: histogram(g.z, lo, hi) },
            { name: 'q(z)', color: COLORS.posterior, points: densityPoints(q).filter(([z]) => z >= lo && z <= hi) },
            { name: 'ε (histogram)', color: COLORS.prior, points: histogram(g.eps, lo, hi), dashed: true },
          ],
        }),
        lineChart({
          title: 'Per-draw ∂ELBO/∂μ: pathwise vs score function',
          xLabel: '∂ELBO/∂μ of one draw',
          yLabel: 'density',
          width: 460,
          height: 240,
          markers: [{ x: g.exact.mu, label: 'exact' }],
          series: [
            { name: 'pathwise', color: COLORS.posterior, points: histogram(g.muDraws.pathwise, glo, ghi, 30) },
            { name: 'score function', color: COLORS.hazard, points: histogram(g.muDraws.score, glo, ghi, 30) },
          ],
        }),
      );
    };
    lgSliders(host.controls, draw);
    select(
      host.controls,
      'lesson-samples',
      'draws ε',
      ['20', '200', '2000'],
      String(lg.samples),
      (v) => ((lg.samples = Number(v)), draw()),
    );
    button(host.controls, 'lesson-redraw', 'New draws (next seed)', () => {
      host.setSeed(host.seed + 1);
      draw();
    });
    draw();
  },
};

const GRID = GRID_ENVS['TwoRoute-v0'];
/** α of the last two sections, log10, shared so control as inference shows the π* SAC's section showed. */
let logAlpha = Math.log10(GRID.defaultAlpha);

function alphaSlider(parent: HTMLElement, onInput: () => void): void {
  slider(parent, {
    id: 'lesson-alpha',
    label: 'temperature α (log scale)',
    min: -2,
    max: 1,
    step: 0.01,
    value: logAlpha,
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((logAlpha = v), onInput()),
  });
}

/** The grid with V as the cell colour under π's arrows; cells up to 36 px, fitting `maxWidth`. */
function gridCanvas(parent: HTMLElement, V: Float64Array, pi: Float64Array, testid: string): void {
  const { grid } = makeGridEnv(GRID);
  const cell = Math.max(20, Math.min(36, Math.floor(Math.min(parent.clientWidth || 340, 360) / grid.nCols)));
  const canvas = h('canvas', { 'data-testid': testid });
  const [w, hgt] = [grid.nCols * cell, grid.nRows * cell];
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  canvas.width = w * dpr;
  canvas.height = hgt * dpr;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${hgt}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const [lo, hi] = valueRange(grid, V);
  paintPolicyGrid(ctx, 0, 0, grid, pi, cell, (s) => valueRamp(hi > lo ? (V[s] - lo) / (hi - lo) : 0.5));
  parent.append(canvas);
}

const sac: Step = {
  id: 'sac',
  title: "SAC's entropy bonus is −KL to uniform",
  render(host) {
    prose(host.text, [
      'Soft actor-critic maximizes reward plus an entropy bonus, E[Σ r + α·H(π(·|s))]. With |A| actions,',
      '= H(π(·|s)) = log|A| − KL(π(·|s) ‖ uniform)',
      'so the bonus is −α·KL(π ‖ uniform) plus a constant: the variational template E[r] − α·KL(π ‖ p) with the uniform action prior. In priorlab that is the Objective with prior uniform; the exact soft value iteration solver gives its optimum π*(a|s) ∝ exp(Q(s,a)/α) on TwoRoute-v0 (a short ledge beside lava, or a longer room). Move α: the arrows are π*, the colour V.',
    ]);
    const { grid } = makeGridEnv(GRID);
    const logA = Math.log(grid.model.nActions);
    const sched = frameScheduler(() => draw());
    const draw = () => {
      const alpha = 10 ** logAlpha;
      const sum = exactSummary(GRID, grid, gridObjective(GRID, grid, 'uniform', alpha));
      host.live.replaceChildren();
      gridCanvas(host.live, sum.V, sum.pi, 'lesson-grid');
      statTable(
        host.live,
        `exact π* at α = ${alpha.toPrecision(3)}, prior uniform (visitation-weighted)`,
        [
          { key: 'entropy', label: 'H(π*)', value: sum.entropy, digits: 4 },
          { key: 'klUniform', label: 'KL(π* ‖ uniform)', value: sum.klPrior, digits: 4 },
          { key: 'logAminusKl', label: 'log|A| − KL(π* ‖ uniform)', value: logA - sum.klPrior, digits: 4 },
          { key: 'bonus', label: 'α·H = α·log|A| − α·KL', value: alpha * sum.entropy, digits: 4 },
          { key: 'ledge', label: 'episodes by the ledge', value: sum.outcomes.ledge, digits: 3 },
          { key: 'room', label: 'episodes through the room', value: sum.outcomes.room, digits: 3 },
          { key: 'lava', label: 'episodes into the lava', value: sum.outcomes.lava, digits: 3 },
        ],
        'lesson-sac',
      );
    };
    alphaSlider(host.controls, sched.schedule);
    draw();
  },
};

let logBeta = -1;

const rlhf: Step = {
  id: 'rlhf',
  title: 'KL-regularized fine-tuning',
  render(host) {
    prose(host.text, [
      'RLHF fine-tunes a pretrained language model π_ref on a reward model R(y) with a KL penalty:',
      '= max_π  E_π[R(y)] − β·KL(π ‖ π_ref)',
      'The same template, with the pretrained model as the prior. Its maximizer is a posterior, prior times likelihood exp(R/β):',
      '= π*(y) = π_ref(y)·exp(R(y)/β) / Z',
      'On the token task (TokenSeq-v0, reward repeat) every sequence can be listed, so π* is exact (the closed form of KL-PPO’s optimum). The last column recomputes π_ref·exp(R/β)/Z from the columns beside it. Small β: reward hacking onto "aaaa"; large β: the reference.',
    ]);
    const env = new TokenSeq({ reward: 'repeat' });
    const seqs = env.allSequences();
    const pRef = env.sequenceProbs((s) => env.referenceTable[s]);
    const R = env.sequenceRewards();
    const sched = frameScheduler(() => draw());
    const draw = () => {
      const beta = 10 ** logBeta;
      const opt = klRegularizedOptimum(pRef, R, beta);
      const maxR = Math.max(...R);
      // Z with the exponent shifted by max R (the same π*, no overflow at small β).
      const unnorm = Array.from(pRef, (p, i) => p * Math.exp((R[i] - maxR) / beta));
      const Z = unnorm.reduce((a, b) => a + b, 0);
      host.live.replaceChildren();
      statTable(
        host.live,
        `closed-form optimum at β = ${beta.toPrecision(3)} (${seqs.length} sequences)`,
        [
          { key: 'reward', label: 'E_π*[R]', value: opt.reward, digits: 4 },
          { key: 'kl', label: 'KL(π* ‖ π_ref)', value: opt.kl, digits: 4 },
          { key: 'objective', label: 'E_π*[R] − β·KL', value: opt.reward - beta * opt.kl, digits: 4 },
        ],
        'lesson-rlhf',
      );
      const order = Array.from(seqs.keys()).sort((a, b) => opt.probs[b] - opt.probs[a]);
      const box = h('div', { class: 'stats', 'data-testid': 'lesson-rlhf-top' });
      box.append(h('h4', {}, 'most likely sequences under π*'));
      const table = h('table');
      const head = h('tr');
      for (const c of ['y', 'R(y)', 'π_ref(y)', 'π*(y)', 'π_ref·e^(R/β)/Z']) head.append(h('th', {}, c));
      table.append(head);
      for (const i of order.slice(0, 6)) {
        const tr = h('tr', { 'data-pstar': String(opt.probs[i]), 'data-formula': String(unnorm[i] / Z) });
        for (const c of [env.text(seqs[i]), R[i].toFixed(2), pRef[i].toExponential(2), opt.probs[i].toFixed(4)])
          tr.append(h('td', {}, c));
        tr.append(h('td', {}, (unnorm[i] / Z).toFixed(4)));
        table.append(tr);
      }
      box.append(table);
      host.live.append(box);
    };
    slider(host.controls, {
      id: 'lesson-beta',
      label: 'KL coefficient β (log scale)',
      min: -3,
      max: 1,
      step: 0.01,
      value: logBeta,
      format: (v) => (10 ** v).toPrecision(3),
      onInput: (v) => ((logBeta = v), sched.schedule()),
    });
    draw();
  },
};

const tabLink = (panel: PanelId, label: string) =>
  h('a', { href: formatHash({ ...DEFAULT_STATE, panel }), class: 'lesson-link' }, label);

const forward: Step = {
  id: 'forward',
  title: 'Forward: control as inference',
  render(host) {
    prose(host.text, [
      'Lesson 12 takes the whole RL problem, not only the entropy bonus, as inference. Add an "optimality" variable O_t per step with likelihood p(O_t = 1 | s, a) ∝ exp(r(s, a)/α) and actions a priori from p(a|s). The posterior over actions given that the trajectory was optimal is',
      '= p(a | s, O = 1) = p(a|s)·β(s, a) / β(s)  =  π*(a|s)',
      'with backward messages β = exp(Q/α): the soft Bellman backup is message passing. priorlab computes this posterior separately from soft value iteration (src/agents/exact/inference.ts); the table shows how far apart the two are at your α.',
    ]);
    const more = h('p', {});
    more.append(
      'Where to go next: ',
      tabLink('gridworld', 'Gridworld'),
      ' (every prior side by side), ',
      tabLink('tokens', 'Tokens'),
      ' (the RLHF objective), ',
      tabLink('irl', 'Inverse RL'),
      ' (MaxEnt IRL with the exact solver), ',
      tabLink('worldmodel', 'World model'),
      ' (an RSSM trained by the ELBO).',
    );
    host.text.append(more);
    const { grid } = makeGridEnv(GRID);
    const sched = frameScheduler(() => draw());
    const draw = () => {
      const alpha = 10 ** logAlpha;
      const sum = exactSummary(GRID, grid, gridObjective(GRID, grid, 'uniform', alpha));
      const msgs = backwardMessages(grid.model, {
        alpha,
        gamma: GRID.gamma,
        schedule: 'variational',
        prior: sum.table,
      });
      const post = actionPosterior(grid.model, msgs, sum.table);
      let maxDiff = 0;
      for (let i = 0; i < post.length; i++) maxDiff = Math.max(maxDiff, Math.abs(post[i] - sum.pi[i]));
      host.live.replaceChildren();
      gridCanvas(host.live, sum.V, post, 'lesson-posterior-grid');
      statTable(
        host.live,
        `posterior p(a | s, O = 1) vs π* at α = ${alpha.toPrecision(3)}`,
        [
          { key: 'maxDiff', label: 'max |posterior − π*| over (s, a)', value: maxDiff.toExponential(1) },
          { key: 'sweeps', label: 'message-passing sweeps', value: msgs.iterations, digits: 0 },
        ],
        'lesson-cai',
      ).dataset.maxdiff = String(maxDiff);
    };
    alphaSlider(host.controls, sched.schedule);
    host.controls.append(h('p', { class: 'note' }, 'The arrows are the posterior over actions; the colour is V.'));
    draw();
  },
};

export const SECTIONS: readonly Step[] = [jensen, worked, reparam, sac, rlhf, forward];
