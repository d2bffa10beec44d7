/**
 * The Gridworld panel's sidebar: env, view, prior and α, the "what to notice" presets, the seed, and the
 * legend. Each input calls a transition of `GridPanelState`, then `changed()` (the panel redraws).
 */
import { COLORS, PRIOR_COLORS, css, rampGradient, valueRamp, visitRamp } from '../palette.js';
import type { PriorName } from '../../priors/objective.js';
import { button, fixSlider, h, legend, section, segmented, select, slider, whatToNotice } from '../ui.js';
import { GRID_ENVS } from './compute.js';
import { ROLLOUTS, type GridPanelState } from './state.js';

export interface GridControls {
  /** Shows what the state and the computed α imply: the prior picker off side by side, α fixed by the prior. */
  reflect(state: GridPanelState, sceneAlpha: number): void;
}

export function mountGridControls(sidebar: HTMLElement, state: GridPanelState, changed: () => void): GridControls {
  const env = section(
    sidebar,
    'Environment',
    'Exact soft value iteration gives π*(a|s) ∝ p(a|s)·exp(Q(s,a)/α). Move α or switch the prior: the policy and the rollouts update at once.',
  );
  const envSelect = select(env, 'grid-env', 'gridworld', Object.keys(GRID_ENVS), state.envName, (v) => {
    state.setEnv(v);
    // Through the slider's own listener, so α takes the slider's rounding of the env's default.
    alphaInput.value = String(Math.log10(state.alpha));
    alphaInput.dispatchEvent(new Event('input'));
    rebuildPriorButtons();
  });
  segmented(
    env,
    'grid-mode',
    'view',
    [
      { value: 'single', label: 'one prior' },
      { value: 'compare', label: 'side by side' },
    ],
    state.mode,
    (v) => ((state.mode = v), changed()),
  );
  const priorBox = h('div');
  env.append(priorBox);
  const rebuildPriorButtons = () => {
    priorBox.replaceChildren();
    segmented(
      priorBox,
      'grid-prior',
      'prior p(a|s)',
      state.priors().map((p) => ({ value: p, label: p, color: css(PRIOR_COLORS[p]) })),
      state.prior,
      (v) => ((state.prior = v), changed()),
    );
    changed();
  };
  const alphaInput = slider(env, {
    id: 'grid-alpha',
    label: 'temperature α (log scale)',
    min: -3,
    max: 1,
    step: 0.01,
    value: Math.log10(Math.max(state.alpha, 1e-3)),
    format: (v) => (10 ** v).toPrecision(3),
    onInput: (v) => ((state.alpha = 10 ** v), changed()),
  });
  // What to notice, with one click to the view that shows it.
  const preset = (prior: PriorName, alpha: number) => () => {
    state.applyPreset(prior, alpha);
    envSelect.value = state.envName;
    alphaInput.value = String(Math.log10(alpha));
    rebuildPriorButtons();
  };
  whatToNotice(
    sidebar,
    'grid',
    'Where the policy goes as α moves, and what the prior adds. One click sets the view:',
    'Start with "side by side": the same seed under each prior.',
    [
      {
        id: 'plain',
        label: 'α → 0: plain RL',
        note: 'The uniform prior at α → 0 is plain RL: every episode takes the 8-step ledge.',
        apply: preset('uniform', 0.001),
      },
      {
        id: 'lava',
        label: 'large α: into the lava',
        note: 'At α = 1 the uniform prior pulls π towards random moves: most episodes fall into the lava or time out.',
        apply: preset('uniform', 1),
      },
      {
        id: 'guide',
        label: 'the reference follows the guide',
        note: "The reference prior keeps π close to the guide's room route: the ledge is almost never taken.",
        apply: preset('reference', 0.15),
      },
    ],
  );
  const seedRow = section(
    sidebar,
    'Rollouts',
    `${ROLLOUTS} episodes sampled from π* with one seed; every prior uses the same env and agent random streams.`,
  );
  const seedInput = h('input', { type: 'number', min: '0', step: '1', 'data-testid': 'grid-seed' });
  seedInput.value = String(state.seed);
  seedInput.addEventListener('change', () => (state.setSeed(seedInput.value), changed()));
  const seedLabel = h('label', { class: 'select' });
  seedLabel.append(h('span', {}, 'seed'), seedInput);
  seedRow.append(seedLabel);
  button(seedRow, 'grid-resample', 'Resample (next seed)', () => {
    state.seed += 1;
    seedInput.value = String(state.seed);
    changed();
  });
  const key = section(sidebar, 'Legend');
  legend(key, [
    { color: rampGradient(valueRamp), label: 'V(s): low → high', shape: 'ramp' },
    { color: rampGradient(visitRamp), label: 'visits: none → most (√ scale)', shape: 'ramp' },
    { color: css(COLORS.wall), label: 'wall' },
    { color: css(COLORS.hazard), label: 'hazard' },
    { color: css(COLORS.goal), label: 'goal' },
    { color: css(COLORS.start), label: 'start (outline)' },
  ]);
  key.append(
    h(
      'p',
      { class: 'note' },
      'White arrows: one per action, from the cell centre, length and opacity ∝ π(a|s); the thin dark arrows beside them are the prior p(a|s) (not drawn at α = 0, where it has no weight). KL and entropy are averaged over the exact state visitation of π* within the time limit.',
    ),
  );
  key.append(
    h(
      'p',
      { class: 'note' },
      'Hover a cell for V(s), π(·|s), p(·|s) and the KL between them. The α-sweep charts below come from the exact solver; the dotted line marks the current α.',
    ),
  );
  rebuildPriorButtons();

  return {
    reflect(s, sceneAlpha) {
      // Side by side shows every prior: the single-prior picker is greyed out and inert.
      priorBox.classList.toggle('inactive', s.mode === 'compare');
      priorBox.title = s.mode === 'compare' ? 'side by side shows every prior; switch to "one prior" to pick one' : '';
      // α is the Objective's: where it ignores the slider (prior none: α ≡ 0) the slider shows that value and is off.
      fixSlider(alphaInput, s.mode === 'single' && sceneAlpha !== s.alpha ? sceneAlpha : null, s.alpha.toPrecision(3));
    },
  };
}
