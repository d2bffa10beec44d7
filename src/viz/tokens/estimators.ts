/**
 * The Tokens tab's estimator lab (`#panel=tokens&view=estimators`): the RLHF gradient estimators of
 * `agents/rlhf/estimators.ts` on TokenSeq-v0, where the exact gradient ∇J of J = E[R] − β·KL(π ‖ π_ref) is known.
 * Pick an estimator and N: 300 sampled gradients ĝ (each from N sequences) scatter around the exact ∇J, projected on
 * u = ∇J/‖∇J‖ and v, the direction of their mean's part orthogonal to u (where a bias points). Beside it, each
 * learner's sequence distribution after training in the page (RLOO, DPO, GRPO, GRPO with β = 0) next to π*.
 */
import {
  ESTIMATORS,
  createDpo,
  createGrpo,
  createRloo,
  derivedUnbiased,
  estimatorContext,
  evaluationLogits,
  oneStepLater,
  projectedEstimates,
  tokenTask,
  type EstimatorName,
  type TabularRlhfLearner,
} from '../../agents/rlhf/index.js';
import { klRegularizedOptimum, totalVariation } from '../../agents/klppo/optimum.js';
import { Rng, RngStreams } from '../../core/rng.js';
import { TokenSeq } from '../../envs/tokens.js';
import { makeObjective } from '../../priors/objective.js';
import { fmtTick, ticks } from '../chart.js';
import { COLORS, PRIOR_COLORS, css } from '../palette.js';
import type { ViewController } from '../panel.js';
import { DEFAULT_STATE, extraNumber, formatHash } from '../state.js';
import {
  button,
  h,
  legend,
  section,
  segmented,
  select,
  setControl,
  statTable,
  whatToNotice,
  type PanelHost,
} from '../ui.js';

const NS_CHOICES = ['4', '16', '64', '256'] as const;
const BETAS = ['0.1', '0.3'] as const;
const DRAWS = 300;
const STEPS = 600;
const TOP = 12;
const SVGNS = 'http://www.w3.org/2000/svg';

/** Closed form / estimator lab: switching rewrites the link, which remounts the tab on the other view. */
export function tokensViewSwitch(host: PanelHost, view: ViewController, lab: boolean): void {
  segmented(
    section(host.sidebar, 'View'),
    'tokens-view',
    'what to show',
    [
      { value: 'closed-form', label: 'closed-form optimum' },
      { value: 'estimators', label: 'estimator lab' },
    ],
    lab ? 'estimators' : 'closed-form',
    (v) => {
      location.hash = formatHash({ ...DEFAULT_STATE, panel: 'tokens', extra: v === 'estimators' ? { view: v } : {} });
    },
  );
}

const METHODS: Array<{ name: string; color: number; make: (beta: number, seed: number) => TabularRlhfLearner }> = [
  { name: 'RLOO', color: PRIOR_COLORS.uniform, make: (b, s) => trained(createRloo, b, s) },
  { name: 'DPO', color: COLORS.goal, make: (b, s) => trained(createDpo, b, s) },
  { name: 'GRPO', color: PRIOR_COLORS.none, make: (b, s) => trained(createGrpo, b, s) },
  { name: 'GRPO β=0', color: COLORS.muted, make: (_b, s) => trained(createGrpo, 0, s) },
];

/** A learner with its default config trained for STEPS steps (learning rate 0.05 annealed to 0), as in the experiment. */
function trained(
  create: typeof createRloo | typeof createDpo | typeof createGrpo,
  beta: number,
  seed: number,
): TabularRlhfLearner {
  const env = new TokenSeq();
  const objective = makeObjective({ prior: 'reference', alpha: beta }, env, {
    reference: { table: env.referenceTable },
  });
  const l = create({
    makeEnv: () => new TokenSeq(),
    objective,
    config: { learningRate: 0.05, annealSteps: STEPS },
    streams: new RngStreams(seed),
  });
  objective.dispose(); // the learner keeps its own float64 copy of π_ref (objective.tabular())
  for (let i = 0; i < STEPS; i++) l.step();
  return l;
}

export async function mountEstimatorView(host: PanelHost, view: ViewController): Promise<() => void> {
  const pick = <T extends string>(key: string, allowed: readonly T[], def: T): T =>
    (allowed as readonly string[]).includes(view.state.extra[key]) ? (view.state.extra[key] as T) : def;
  let estimator: EstimatorName = pick('estimator', ESTIMATORS, 'k3-loss');
  let n = pick('n', NS_CHOICES, '16');
  let beta = pick('beta', BETAS, '0.3');
  let regime = pick('regime', ['on', 'off'] as const, 'on');
  let seed = Math.max(0, Math.round(extraNumber(view.state, 'draws', view.state.seed)));

  const ctl = section(
    host.sidebar,
    'Estimator lab',
    'J = E_π[R] − β·KL(π ‖ π_ref) over whole sequences, with a tabular softmax policy: ∇J is exact here. Each dot is one estimate ĝ from N sampled sequences.',
  );
  const estimatorSelect = select(
    ctl,
    'tokens-estimator',
    'estimator',
    ESTIMATORS,
    estimator,
    (v) => ((estimator = v as EstimatorName), render()),
  );
  select(ctl, 'tokens-n', 'N sequences per estimate', NS_CHOICES, n, (v) => ((n = v as typeof n), render()));
  select(ctl, 'tokens-lab-beta', 'β', BETAS, beta, (v) => ((beta = v as typeof beta), render(), renderLearners()));
  const regimeSelect = select(
    ctl,
    'tokens-regime',
    'samples from',
    [
      { value: 'on', label: 'π (on-policy)' },
      { value: 'off', label: 'π_old, one update back' },
    ],
    regime,
    (v) => ((regime = v as typeof regime), render()),
  );
  button(ctl, 'tokens-redraw', 'Draw again (next seed)', () => ((seed += 1), render()));
  const preset = (name: EstimatorName, from: typeof regime) => () => {
    setControl(regimeSelect, from);
    setControl(estimatorSelect, name);
  };
  whatToNotice(
    host.sidebar,
    'tokens-lab',
    'Where the cloud of estimates centres is the estimator’s mean. One click sets:',
    'Pick an estimator: the orange ring is the exact ∇J, the red cross the mean of the estimates.',
    [
      {
        id: 'unbiased',
        label: 'k1 in the reward: unbiased',
        note: 'k1-reward: the red cross sits on the ring. The cloud is wide (the KL is sampled), but centred on ∇J.',
        apply: preset('k1-reward', 'on'),
      },
      {
        id: 'forward',
        label: 'k3 without the ratio: biased',
        note: 'k3-loss: the cross lands far from the ring. Its gradient is the forward KL(π_ref ‖ π) per token, a different divergence.',
        apply: preset('k3-loss', 'on'),
      },
      {
        id: 'ppo-off',
        label: 'PPO-clip off-policy',
        note: 'ppo-clip one update off-policy: per-token ratios, the old policy’s KL penalty and clipped tokens pull the mean off ∇J (on-policy it is k1-reward).',
        apply: preset('ppo-clip', 'off'),
      },
    ],
  );
  ctl.append(
    h(
      'p',
      { class: 'note' },
      'Unbiased: k1-reward, rloo, kl-exact-loss (and ppo-clip on-policy): the cloud centres on ∇J. The per-token KL losses miss the score term of later tokens; k3 without the ratio follows the forward KL; GRPO rescales by 1/std(R). docs/rlhf-estimators.md has the derivations.',
    ),
  );

  const left = h('div');
  left.style.cssText = 'display:flex;flex-direction:column;gap:12px;max-width:100%';
  const right = h('div');
  right.style.cssText = 'display:flex;flex-direction:column;gap:12px;max-width:100%';
  host.main.append(left, right);

  const env = new TokenSeq();
  const task = tokenTask(
    env,
    env.referenceTable.flatMap((r) => Array.from(r)),
  );
  const texts = env.allSequences().map((y) => env.text(y));
  const refSeq = env.sequenceProbs((s) => env.referenceTable[s]);
  // The policy the gradients are taken at: θ = log π_ref + ε (seed 1), as in `rlhf-estimators`' tests.
  const thetaOld = evaluationLogits(task, new Rng(1));

  function render(): void {
    view.update({}, { view: 'estimators', estimator, n, beta, regime, draws: String(seed) });
    const b = Number(beta);
    const theta = regime === 'on' ? thetaOld : oneStepLater(task, b, thetaOld);
    const ctx = estimatorContext(task, b, theta, thetaOld);
    const proj = projectedEstimates(ctx, estimator, Number(n), DRAWS, new Rng(`${seed}/lab/${estimator}/${n}`));
    const [ex] = proj.exact;
    const [mu, mv] = proj.mean;
    left.replaceChildren();
    const box = h('div', { class: 'stats', 'data-testid': 'tokens-scatter' });
    box.append(h('h4', {}, `${DRAWS} estimates ĝ of ${estimator}, N = ${n}, β = ${beta} (${regime}-policy)`));
    box.append(scatter(proj.points, proj.exact, proj.mean));
    left.append(box);
    legend(left, [
      { color: css(PRIOR_COLORS.reference), label: 'exact ∇J' },
      { color: css(PRIOR_COLORS.none), label: `mean of the ${DRAWS} ĝ` },
      { color: css(COLORS.muted), label: 'one ĝ' },
    ]);
    statTable(
      left,
      'against the exact gradient',
      [
        { key: 'exactNorm', label: '‖∇J‖', value: ex, digits: 4 },
        { key: 'meanAlong', label: 'mean ĝ along ∇J / ‖∇J‖', value: mu / ex, digits: 3 },
        { key: 'meanAcross', label: 'mean ĝ across ∇J / ‖∇J‖', value: mv / ex, digits: 3 },
        { key: 'cosine', label: 'mean cos(ĝ, ∇J) (all 340 logits)', value: proj.cosine, digits: 3 },
        {
          key: 'unbiased',
          label: 'unbiased by derivation',
          value: derivedUnbiased(estimator, regime === 'on') ? 'yes' : 'no',
        },
      ],
      'tokens-lab-stats',
    );
    document.body.dataset.tokensLabRender = String(Number(document.body.dataset.tokensLabRender ?? 0) + 1);
  }

  /** The learners' sequence distributions beside π* (trained in the page, seed 1). */
  function renderLearners(): void {
    const b = Number(beta);
    right.replaceChildren(h('p', { class: 'note' }, `training RLOO, DPO, GRPO (${STEPS} steps each)…`));
    setTimeout(() => {
      if (Number(beta) !== b) return;
      const opt = klRegularizedOptimum(refSeq, task.rewards, b).probs;
      const dists = METHODS.map((m) => ({ ...m, p: m.make(b, 1).sequenceProbs() }));
      const order = Array.from(opt.keys())
        .sort((x, y) => opt[y] - opt[x])
        .slice(0, TOP);
      const boxEl = h('div', { class: 'stats', 'data-testid': 'tokens-learners' });
      boxEl.append(h('h4', {}, `top ${TOP} sequences under π* (β = ${beta}) and what each learner puts there`));
      const table = h('table');
      const head = h('tr');
      for (const c of ['y', 'π*', ...dists.map((d) => d.name)]) {
        const th = h('th', {}, c);
        th.style.cssText = c === 'y' ? 'text-align:left' : 'text-align:right;padding-left:10px';
        head.append(th);
      }
      table.append(head);
      const cols = [{ color: PRIOR_COLORS.reference, p: opt }, ...dists];
      const maxP = Math.max(...order.flatMap((k) => cols.map((c) => c.p[k])));
      for (const k of order) {
        const tr = h('tr', { 'data-seq': texts[k] });
        const mono = h('td', {}, texts[k]);
        mono.style.cssText = 'font-family:ui-monospace,DejaVu Sans Mono,monospace;letter-spacing:1px;text-align:left';
        tr.append(mono);
        for (const c of cols) {
          const td = h('td', {}, c.p[k].toFixed(3));
          td.style.paddingLeft = '10px';
          const bar = h('div');
          bar.style.cssText = `height:4px;border-radius:2px;margin-left:auto;background:${css(c.color)};width:${((c.p[k] / maxP) * 44).toFixed(1)}px`;
          td.append(bar);
          tr.append(td);
        }
        table.append(tr);
      }
      const tvRow = h('tr', { 'data-testid': 'tokens-learners-tv' });
      tvRow.append(h('th', {}, 'TV to π*'), h('td', {}, '0'));
      for (const d of dists) {
        const tv = totalVariation(d.p, opt);
        tvRow.append(h('td', { 'data-method': d.name, 'data-value': String(tv) }, tv.toFixed(3)));
      }
      table.append(tvRow);
      boxEl.append(table);
      right.replaceChildren(boxEl);
      document.body.dataset.tokensLearners = beta;
    }, 0);
  }

  render();
  renderLearners();
  return () => undefined;
}

/** The projected estimates (grey dots), their mean (red cross) and the exact gradient (orange ring), axes through 0. */
function scatter(
  points: ReadonlyArray<[number, number]>,
  exact: [number, number],
  mean: [number, number],
): SVGSVGElement {
  const W = 420;
  const H = 330;
  const m = { l: 52, r: 12, t: 10, b: 40 };
  const xs = [0, exact[0], ...points.map((p) => p[0])];
  const ys = [0, ...points.map((p) => p[1])];
  const span = (v: number[]) => {
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    const pad = (hi - lo || 1) * 0.06;
    return [lo - pad, hi + pad] as const;
  };
  const [x0, x1] = span(xs);
  const [y0, y1] = span(ys);
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const svg = document.createElementNS(SVGNS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('class', 'chart');
  svg.style.maxWidth = '100%';
  svg.style.height = 'auto';
  const add = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  const muted = css(COLORS.muted);
  for (const t of ticks(x0, x1, 5)) {
    add('line', { x1: px(t), x2: px(t), y1: m.t, y2: H - m.b, stroke: '#2a3346' });
    add('text', { x: px(t), y: H - m.b + 14, fill: muted, 'font-size': 10, 'text-anchor': 'middle' }, fmtTick(t));
  }
  for (const t of ticks(y0, y1, 5)) {
    add('line', { x1: m.l, x2: W - m.r, y1: py(t), y2: py(t), stroke: '#2a3346' });
    add('text', { x: m.l - 4, y: py(t) + 3, fill: muted, 'font-size': 10, 'text-anchor': 'end' }, fmtTick(t));
  }
  add('line', { x1: px(0), x2: px(0), y1: m.t, y2: H - m.b, stroke: muted, 'stroke-dasharray': '3 3' });
  add('line', { x1: m.l, x2: W - m.r, y1: py(0), y2: py(0), stroke: muted, 'stroke-dasharray': '3 3' });
  for (const [x, y] of points) add('circle', { cx: px(x), cy: py(y), r: 2.2, fill: muted, 'fill-opacity': 0.55 });
  add('circle', {
    cx: px(exact[0]),
    cy: py(exact[1]),
    r: 7,
    fill: 'none',
    stroke: css(PRIOR_COLORS.reference),
    'stroke-width': 3,
  });
  const [cx, cy] = [px(mean[0]), py(mean[1])];
  const red = css(PRIOR_COLORS.none);
  add('path', {
    d: `M${cx - 6},${cy - 6}L${cx + 6},${cy + 6}M${cx - 6},${cy + 6}L${cx + 6},${cy - 6}`,
    stroke: red,
    'stroke-width': 3,
  });
  add(
    'text',
    { x: (m.l + W - m.r) / 2, y: H - 6, fill: muted, 'font-size': 11, 'text-anchor': 'middle' },
    'ĝ · u  (u = ∇J / ‖∇J‖)',
  );
  const yl = add(
    'text',
    { x: 12, y: (m.t + H - m.b) / 2, fill: muted, 'font-size': 11, 'text-anchor': 'middle' },
    'ĝ · v  (v ⊥ u, toward the mean)',
  );
  yl.setAttribute('transform', `rotate(-90 12 ${(m.t + H - m.b) / 2})`);
  return svg;
}
