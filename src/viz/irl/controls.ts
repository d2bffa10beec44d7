/**
 * The Inverse RL panel's sidebar: env, prior, α and N, the "what to notice" presets, and the legend.
 * A change of env, prior or α calls `restart()` (a new demonstrator and demonstrations); a change of N,
 * `redraw()` (a fit of the same demonstrations).
 */
import { COLORS, PRIOR_COLORS, css } from '../palette.js';
import { h, legend, section, segmented, select, setControl, slider, whatToNotice } from '../ui.js';
import { COUNTS, ENVS, type IrlPanelState } from './state.js';
import { diverging } from './view.js';

export function mountIrlControls(
  sidebar: HTMLElement,
  state: IrlPanelState,
  on: { restart(): void; redraw(): void },
): void {
  const ctl = section(
    sidebar,
    'Demonstrator and learner',
    'The demonstrator is soft-optimal for the env reward: π*(a|s) ∝ p(a|s)·exp(Q(s,a)/α). The learner finds the reward per cell entered that makes the demonstrations most likely under the same prior and α (exact likelihood, L-BFGS).',
  );
  select(ctl, 'irl-env', 'gridworld', Object.keys(ENVS), state.envName, (v) => {
    state.setEnv(v);
    alphaInput.value = String(Math.log10(state.alpha));
    rebuildPrior();
    on.restart();
  });
  const priorBox = h('div');
  ctl.append(priorBox);
  const rebuildPrior = () => {
    priorBox.replaceChildren();
    segmented(
      priorBox,
      'irl-prior',
      'prior p(a|s) (none: α = 0 has no likelihood)',
      state.priors().map((p) => ({ value: p, label: p, color: css(PRIOR_COLORS[p]) })),
      state.prior,
      (v) => ((state.prior = v), on.restart()),
    );
  };
  rebuildPrior();
  const alphaInput = slider(ctl, {
    id: 'irl-alpha',
    label: 'temperature α (log scale)',
    min: -1.5,
    max: 0.5,
    step: 0.01,
    value: Math.log10(state.alpha),
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((state.alpha = 10 ** v), on.restart()),
  });
  const countInput = slider(ctl, {
    id: 'irl-n',
    label: 'number of demonstrations N',
    min: 0,
    max: COUNTS.length - 1,
    step: 1,
    value: state.countIndex,
    format: (v) => String(COUNTS[v]),
    onInput: (v) => ((state.countIndex = v), on.redraw()),
  });
  const demos = (n: (typeof COUNTS)[number]) => () => setControl(countInput, COUNTS.indexOf(n));
  whatToNotice(
    sidebar,
    'irl',
    'How much the demonstrations pin down. One click sets N:',
    'The chart below fills in KL against N for the current setting.',
    [
      {
        id: 'few',
        label: 'N = 10',
        note: 'Ten demonstrations enter few cells: the recovered reward is blank elsewhere and the KL to the demonstrator is large.',
        apply: demos(10),
      },
      {
        id: 'many',
        label: 'N = 10,000',
        note: 'Ten thousand demonstrations: the recovered policy matches the demonstrator where it goes; the chart shows the KL falling with N (TwoRoute, uniform, α = 0.5: 0.13 at N = 10, 2e-5 at N = 10,000).',
        apply: demos(10000),
      },
    ],
  );
  const key = section(sidebar, 'Legend');
  legend(key, [
    {
      color: `linear-gradient(90deg, ${css(diverging(-1))}, ${css(diverging(0))}, ${css(diverging(1))})`,
      label: 'reward: negative → 0 → positive (the truth’s scale)',
      shape: 'ramp',
    },
    { color: css(COLORS.panel), label: 'recovered: a cell the demonstrations never enter' },
  ]);
  key.append(
    h(
      'p',
      { class: 'note' },
      'Only a shaping by a constant potential is undetectable: the recovered reward is shown with it chosen in its favour. Cells never entered are only known to be avoided. See docs/irl.md.',
    ),
  );
}
