/**
 * Tokens panel: the RLHF objective on TokenSeq-v0 solved in closed form. The reference is the env's bigram
 * LM; every sequence y is enumerated (vocab^length of them) and the KL-regularized optimum
 * π*(y) ∝ π_ref(y)·exp(R(y)/β) (`agents/klppo/optimum.ts`) is recomputed as β moves. Shows the top
 * sequences under π* with their π_ref probabilities, sequences sampled from π*, the reference LM's bigram
 * table, and the reward–KL frontier traced by β, where β → 0 collapses onto the reward's degenerate
 * maximizer (reward hacking) and β → ∞ returns to the reference.
 */
import { klRegularizedOptimum } from '../../agents/klppo/optimum.js';
import { Rng } from '../../core/rng.js';
import { TOKEN_REWARDS, TokenSeq, type TokenReward } from '../../envs/tokens.js';
import { lineChart } from '../chart.js';
import { COLORS, PRIOR_COLORS, css, visitRamp } from '../palette.js';
import type { PanelModule } from '../panel.js';
import { extraNumber } from '../state.js';
import { mountEstimatorView, tokensViewSwitch } from '../tokens/estimators.js';
import { button, h, legend, section, select, setControl, slider, statTable, whatToNotice } from '../ui.js';

const TOP = 12;
const SAMPLES = 12;
/** log10 β range of the slider and of the frontier sweep. */
const LOG_BETA: readonly [number, number] = [-3, 1];

export const mount: PanelModule['mount'] = async (host, view) => {
  const lab = view.state.extra.view === 'estimators';
  tokensViewSwitch(host, view, lab);
  if (lab) return mountEstimatorView(host, view);
  let reward: TokenReward = (TOKEN_REWARDS as readonly string[]).includes(view.state.extra.reward)
    ? (view.state.extra.reward as TokenReward)
    : 'repeat';
  let beta = Math.min(10 ** LOG_BETA[1], Math.max(10 ** LOG_BETA[0], extraNumber(view.state, 'beta', 0.1)));
  let seed = view.state.seed;

  const ctl = section(
    host.sidebar,
    'Objective',
    'max_π E_π[R(y)] − β·KL(π ‖ π_ref) over whole sequences y. Its maximizer is π*(y) = π_ref(y)·exp(R(y)/β) / Z, computed here exactly over every sequence.',
  );
  const rewardSelect = select(
    ctl,
    'tokens-reward',
    'reward model R(y)',
    TOKEN_REWARDS,
    reward,
    (v) => ((reward = v as TokenReward), render()),
  );
  ctl.append(
    h(
      'p',
      { class: 'note' },
      'repeat: fraction of tokens equal to "a" (max at "aaaa", text the reference almost never writes). cycle: fraction of steps that follow the reference’s own grammar (b after a, c after b, …).',
    ),
  );
  const betaInput = slider(ctl, {
    id: 'tokens-beta',
    label: 'KL coefficient β (log scale)',
    min: LOG_BETA[0],
    max: LOG_BETA[1],
    step: 0.01,
    value: Math.log10(beta),
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((beta = 10 ** v), render()),
  });
  const preset = (r: TokenReward, b: number) => () => {
    setControl(rewardSelect, r);
    setControl(betaInput, Math.log10(b));
  };
  whatToNotice(
    host.sidebar,
    'tokens',
    'β prices the KL to the reference LM. One click sets:',
    'Move β and watch the top sequence and its π_ref(y).',
    [
      {
        id: 'hack',
        label: 'β → 0: reward hacking',
        note: 'At β = 0.001 the repeat reward wins outright: π* puts almost all its mass on "aaaa", text the reference almost never writes.',
        apply: preset('repeat', 0.001),
      },
      {
        id: 'reference',
        label: 'large β: the reference',
        note: "At β = 10 the KL costs too much to move: π* stays near π_ref, KL near 0, and its most likely sequence is the reference's.",
        apply: preset('repeat', 10),
      },
    ],
  );
  const samp = section(host.sidebar, 'Samples', `${SAMPLES} sequences drawn from π* with one seed.`);
  button(samp, 'tokens-resample', 'Resample (next seed)', () => ((seed += 1), render()));

  const left = h('div');
  left.style.cssText = 'display:flex;flex-direction:column;gap:12px';
  const right = h('div');
  right.style.cssText = 'display:flex;flex-direction:column;gap:12px';
  host.main.append(left, right);

  function probTable(
    title: string,
    testid: string,
    rows: Array<{ text: string; r: number; pStar: number; pRef: number }>,
    firstCol: string,
  ): HTMLElement {
    const box = h('div', { class: 'stats', 'data-testid': testid });
    box.append(h('h4', {}, title));
    const table = h('table');
    const head = h('tr');
    for (const c of [firstCol, 'R(y)', 'π*(y)', 'π_ref(y)', '']) head.append(h('th', {}, c));
    table.append(head);
    const maxP = Math.max(...rows.map((x) => Math.max(x.pStar, x.pRef)), 1e-12);
    for (const row of rows) {
      const tr = h('tr', {
        'data-seq': row.text,
        'data-r': String(row.r),
        'data-pstar': String(row.pStar),
        'data-pref': String(row.pRef),
      });
      const bars = h('td');
      // Clear of the probability column to its left.
      bars.style.cssText = 'width:138px;padding-left:8px';
      for (const [p, color] of [
        [row.pStar, PRIOR_COLORS.none],
        [row.pRef, PRIOR_COLORS.reference],
      ] as const) {
        const bar = h('div');
        bar.style.cssText = `height:5px;margin:1px 0;border-radius:2px;background:${css(color)};width:${((p / maxP) * 120).toFixed(1)}px`;
        bars.append(bar);
      }
      const mono = h('td', {}, row.text);
      mono.style.cssText = 'font-family:ui-monospace,DejaVu Sans Mono,monospace;text-align:left;letter-spacing:1px';
      // Numbers right-aligned with room between them (`0.25 2.5e-4` never touch).
      const num = (text: string) => {
        const td = h('td', {}, text);
        td.style.cssText = 'padding-left:10px;text-align:right';
        return td;
      };
      tr.append(mono, num(row.r.toFixed(2)), num(fmtP(row.pStar)), num(fmtP(row.pRef)), bars);
      table.append(tr);
    }
    box.append(table);
    return box;
  }

  function render(): void {
    view.update({ seed }, { reward, beta: String(+beta.toPrecision(4)) });
    const env = new TokenSeq({ reward });
    const seqs = env.allSequences();
    const texts = seqs.map((s) => env.text(s));
    const pRef = env.sequenceProbs((s) => env.referenceTable[s]);
    const R = env.sequenceRewards();
    const opt = klRegularizedOptimum(pRef, R, beta);
    const order = Array.from(seqs.keys()).sort((a, b) => opt.probs[b] - opt.probs[a]);
    const refTop = Array.from(seqs.keys()).reduce((a, b) => (pRef[b] > pRef[a] ? b : a), 0);
    const refReward = pRef.reduce((s, p, i) => s + p * R[i], 0);
    const row = (i: number) => ({ text: texts[i], r: R[i], pStar: opt.probs[i], pRef: pRef[i] });

    left.replaceChildren();
    right.replaceChildren();
    statTable(
      left,
      `closed-form optimum at β = ${beta.toPrecision(3)} (${seqs.length} sequences)`,
      [
        { key: 'beta', label: 'β', value: beta },
        { key: 'reward', label: 'E_π*[R]', value: opt.reward },
        { key: 'kl', label: 'KL(π* ‖ π_ref) (nats)', value: opt.kl },
        { key: 'objective', label: 'E_π*[R] − β·KL', value: opt.reward - beta * opt.kl },
        { key: 'topSeq', label: 'most likely under π*', value: texts[order[0]] },
        { key: 'topMass', label: 'its probability π*(y)', value: opt.probs[order[0]] },
        { key: 'refReward', label: 'E_π_ref[R] (the reference)', value: refReward },
        { key: 'refTopSeq', label: 'most likely under π_ref', value: texts[refTop] },
      ],
      'tokens-stats',
    );
    left.append(probTable(`top ${TOP} sequences under π*`, 'tokens-top', order.slice(0, TOP).map(row), 'y'));
    legend(left, [
      { color: css(PRIOR_COLORS.none), label: 'π*(y)', shape: 'line' },
      { color: css(PRIOR_COLORS.reference), label: 'π_ref(y)', shape: 'line' },
    ]);

    const rng = new Rng(`${seed}/tokens`);
    const drawn = Array.from({ length: SAMPLES }, () => rng.categorical(opt.probs));
    right.append(probTable(`${SAMPLES} samples y ~ π* (seed ${seed})`, 'tokens-samples', drawn.map(row), 'sample'));
    right.append(bigramTable(env));

    host.charts.replaceChildren();
    const sweep = Array.from(
      { length: 81 },
      (_, k) => 10 ** (LOG_BETA[0] + ((LOG_BETA[1] - LOG_BETA[0]) * k) / 80),
    ).map((b) => ({ b, ...klRegularizedOptimum(pRef, R, b) }));
    host.charts.append(
      lineChart({
        title: 'Reward–KL frontier traced by β',
        xLabel: 'KL(π* ‖ π_ref) (nats)',
        yLabel: 'E_π*[R]',
        series: [
          {
            name: 'π*(β), β from 10 (left) to 0.001 (right)',
            color: PRIOR_COLORS.reference,
            points: sweep.map((s) => [s.kl, s.reward] as const),
          },
        ],
        markers: [{ x: opt.kl, label: `β = ${beta.toPrecision(2)}` }],
        width: 460,
        height: 240,
      }),
      lineChart({
        title: 'Reward and collapse onto one sequence vs β',
        xLabel: 'log10 β',
        series: [
          { name: 'E_π*[R]', color: COLORS.goal, points: sweep.map((s) => [Math.log10(s.b), s.reward] as const) },
          {
            name: 'top-sequence mass',
            color: COLORS.muted,
            dashed: true,
            points: sweep.map((s) => [Math.log10(s.b), Math.max(...s.probs)] as const),
          },
        ],
        markers: [{ x: Math.log10(beta), label: 'β' }],
        width: 460,
        height: 240,
      }),
    );
    document.body.dataset.tokensRender = String(Number(document.body.dataset.tokensRender ?? 0) + 1);
  }

  render();
  return () => undefined;
};

const fmtP = (p: number): string => (p >= 1e-3 ? p.toFixed(3) : p.toExponential(1));

/** The reference LM's next-token table π_ref(y_t | y_{t−1}), one row per previous token (and the start). */
function bigramTable(env: TokenSeq): HTMLElement {
  const box = h('div', { class: 'stats', 'data-testid': 'tokens-bigram' });
  box.append(h('h4', {}, 'reference LM π_ref(next | previous)'));
  const table = h('table');
  const head = h('tr');
  head.append(h('th', {}, 'previous ↓ next →'));
  for (let a = 0; a < env.vocab; a++) head.append(h('th', {}, env.text([a])));
  table.append(head);
  const rows: Array<[string, number]> = [
    ['(start)', 0],
    ...Array.from({ length: env.vocab }, (_, y) => [env.text([y]), env.stateOf([y])] as [string, number]),
  ];
  for (const [label, s] of rows) {
    const tr = h('tr');
    tr.append(h('th', {}, label));
    for (let a = 0; a < env.vocab; a++) {
      const p = env.referenceTable[s][a];
      const td = h('td', {}, p.toFixed(2));
      td.style.cssText = `text-align:center;background:${css(visitRamp(p))};color:${p > 0.5 ? '#0f1420' : '#dfe6f3'};padding:2px 8px`;
      tr.append(td);
    }
    table.append(tr);
  }
  box.append(table);
  return box;
}
