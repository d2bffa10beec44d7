/**
 * The Continuous control tab's sidebar: the switch between its two views, and for the trained agents the
 * env, rollouts, action mode and seed, the chosen step, the "what to notice" presets, the run-folder input
 * and the legend. A change that needs new rollouts calls `render()`; a new step, `renderDensity()`.
 */
import { PRIOR_NAMES } from '../../priors/objective.js';
import { COLORS, css, PRIOR_COLORS } from '../palette.js';
import type { ViewController } from '../panel.js';
import { DEFAULT_STATE, formatHash } from '../state.js';
import { button, h, legend, section, segmented, select, slider, whatToNotice } from '../ui.js';
import { AGENT_ENVS, type AgentEnv } from './agents.js';
import type { ControlPanelState } from './state.js';

export const ENV_LABELS: Record<AgentEnv, string> = {
  'Pendulum-v1': 'Pendulum',
  'PointMass-v0': 'PointMass',
  'MountainCarContinuous-v0': 'MountainCar',
};

/** Agents / controller: switching rewrites the link, which remounts the tab on the other view. */
export function mountViewSwitch(sidebar: HTMLElement, view: ViewController, controller: boolean): void {
  const box = section(sidebar, 'View');
  segmented(
    box,
    'control-view',
    'what drives the env',
    [
      { value: 'agents', label: 'trained agents' },
      { value: 'controller', label: 'hand-written controller' },
    ],
    controller ? 'controller' : 'agents',
    (v) => {
      location.hash = formatHash({
        ...DEFAULT_STATE,
        panel: 'control',
        prior: view.state.prior,
        env: view.state.env,
        extra: v === 'controller' ? { view: 'controller' } : {},
      });
    },
  );
}

export interface AgentControls {
  /** Shows the chosen step: the t slider's range and value, and the state in words. */
  showChosen(maxT: number, t: number, text: string): void;
  /** Stops a pending debounced render. */
  cancel(): void;
}

export function mountAgentControls(
  sidebar: HTMLElement,
  state: ControlPanelState,
  on: { render(): Promise<void>; renderDensity(): void },
): AgentControls {
  let nTimer = 0;
  const ctl = section(
    sidebar,
    'Trained agents',
    'Continuous SAC trained with `priorlab train` under each prior (seed 1, small budgets; `npm run viewer-agents` remakes them). Every prior starts from the same start states; the fan shows its rollouts.',
  );
  const envSelect = select(
    ctl,
    'control-env',
    'environment',
    AGENT_ENVS.map((e) => ({ value: e, label: ENV_LABELS[e] })),
    state.env,
    (v) => (state.setEnv(v as AgentEnv), void on.render()),
  );
  slider(ctl, {
    id: 'control-n',
    label: 'rollouts per prior',
    min: 2,
    max: 32,
    step: 1,
    value: state.n,
    onInput: (v) => {
      state.n = v;
      // A drag fires many inputs: roll out once it rests.
      clearTimeout(nTimer);
      nTimer = window.setTimeout(() => void on.render(), 200);
    },
  });
  segmented(
    ctl,
    'control-actions',
    'actions',
    [
      { value: 'sampled', label: 'sampled a ~ π' },
      { value: 'mean', label: 'mean (deterministic)' },
    ],
    state.deterministic ? 'mean' : 'sampled',
    (v) => ((state.deterministic = v === 'mean'), void on.render()),
  );
  button(ctl, 'control-resample', 'Resample (next seed)', () => ((state.seed += 1), void on.render()));

  const stateBox = section(
    sidebar,
    'Chosen state',
    'Click a rollout in a fan (or use the sliders): the densities below are taken at its state at step t.',
  );
  const tSlider = slider(stateBox, {
    id: 'control-t',
    label: 'step t',
    min: 0,
    max: 200,
    step: 1,
    value: state.pick.t,
    onInput: (v) => ((state.pick.t = v), on.renderDensity()),
  });
  const stateText = h('p', { class: 'note', 'data-testid': 'control-state' });
  stateBox.append(stateText);

  const preset = (env: AgentEnv, mean: boolean, t: number) => () => {
    state.applyPreset(env, mean, t);
    envSelect.value = env;
    for (const b of sidebar.querySelectorAll('[data-testid="control-actions"] button'))
      b.setAttribute('aria-checked', String(b.getAttribute('data-value') === (mean ? 'mean' : 'sampled')));
    void on.render();
  };
  whatToNotice(
    sidebar,
    'control',
    'How the prior shapes a trained agent. One click sets the view:',
    'Start with MountainCar: the three columns are the same SAC under three priors; the densities are at step 40 of the first reference rollout.',
    [
      {
        id: 'trap',
        label: 'MountainCar: the trap',
        note: 'Uniform and none stand still in the valley (no push, no force cost); the pumping reference rocks the car and climbs out: it reaches the flag in every rollout, the other two in none.',
        apply: preset('MountainCarContinuous-v0', true, 0),
      },
      {
        id: 'density',
        label: 'MountainCar: π next to p',
        note: "Mid-climb (t = 40): the reference agent's π(a|s) leans on the controller's p(a|s) (KL under 1 nat); uniform's π is nearly its flat prior (KL near 0: it never learned to push); none's π is a spike (KL to uniform about 4).",
        apply: preset('MountainCarContinuous-v0', false, 40),
      },
      {
        id: 'pendulum',
        label: 'Pendulum: none vs uniform',
        note: "All three swing up. Once upright (t = 150) none's torque density is a spike (α = 0: nothing keeps it wide; KL to uniform about 4 nats); uniform's is a bump it pays α·KL for (about 1.3); the reference's follows the controller's catch (about 0.1).",
        apply: preset('Pendulum-v1', false, 150),
      },
      {
        id: 'pointmass',
        label: 'PointMass: the route',
        note: 'The steering reference passes below the big obstacle to the far goal (+5) in every rollout; uniform settles for the near goal (+1); none stalls for 200 steps. The 2-D densities: none is a dot, the reference a blob where the controller points.',
        apply: preset('PointMass-v0', false, 20),
      },
    ],
  );

  const load = section(
    sidebar,
    'Load a run folder',
    "Choose a `train` run's agent.json and agent.bin (Pendulum, PointMass or MountainCar, --algo sac): it replaces the column of its prior.",
  );
  const file = h('input', { type: 'file', multiple: '', accept: '.json,.bin', 'data-testid': 'control-load' });
  const loadMsg = h('p', { class: 'note', 'data-testid': 'control-load-msg' });
  load.append(file, loadMsg);
  file.addEventListener('change', async () => {
    loadMsg.classList.remove('error');
    try {
      const agent = await state.loadAgent(Array.from(file.files ?? []));
      envSelect.value = state.env;
      loadMsg.textContent = `Loaded an agent of ${state.env} (${agent.objective.label}, ${agent.manifest.step} steps): it replaces the ${agent.prior} column.`;
      await on.render();
    } catch (err) {
      loadMsg.classList.add('error');
      loadMsg.textContent = `Not loaded: ${(err as Error).message}`;
    }
  });

  const key = section(sidebar, 'Legend');
  legend(key, [
    ...PRIOR_NAMES.map((p) => ({
      color: css(PRIOR_COLORS[p]),
      label: `π under the ${p} prior`,
      shape: 'line' as const,
    })),
    { color: css(COLORS.prior), label: "p(a|s): the objective's prior (dashed)", shape: 'line' },
  ]);

  return {
    showChosen(maxT, t, text) {
      tSlider.max = String(maxT);
      tSlider.value = String(t);
      tSlider.parentElement!.querySelector('output')!.textContent = String(t);
      stateText.textContent = text;
    },
    cancel: () => clearTimeout(nTimer),
  };
}
