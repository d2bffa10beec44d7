/**
 * Continuous control tab. The default view: trained SAC agents (shipped in `src/viz/agents/`, made by
 * `npm run viewer-agents`; or any `train` run folder loaded from disk) under the three priors side by side,
 * on Pendulum, PointMass and MountainCarContinuous: a fan of rollouts per prior from the same start states,
 * per-prior stats, and at a chosen state each policy's action density π(a|s) next to its prior's p(a|s) with
 * KL(π‖p) (1-D curves; 2-D banded contours for PointMass). `view=controller` in the link opens the
 * hand-written controllers (the reference priors themselves) with adjustable noise (`control/controller-view.ts`).
 * The agents view's parts: `control/state.ts` (what is shown, the agents; no DOM), `controls.ts` (the sidebar),
 * `view.ts` (drawing).
 */
import { initViewerBackend } from '../backend.js';
import { mountControllerView } from '../control/controller-view.js';
import { ENV_LABELS, mountAgentControls, mountViewSwitch } from '../control/controls.js';
import { ControlPanelState } from '../control/state.js';
import { AgentsView } from '../control/view.js';
import type { PanelModule, ViewController } from '../panel.js';
import type { PanelHost } from '../ui.js';

export const mount: PanelModule['mount'] = async (host, view) => {
  const controller = view.state.extra.view === 'controller';
  mountViewSwitch(host.sidebar, view, controller);
  return controller ? mountControllerView(host, view) : mountAgentsView(host, view);
};

async function mountAgentsView(host: PanelHost, view: ViewController): Promise<() => void> {
  await initViewerBackend();
  const state = new ControlPanelState(view.state);
  let generation = 0;
  let abort = new AbortController();
  const controls = mountAgentControls(host.sidebar, state, { render, renderDensity });
  const agents = new AgentsView(host.main, host.charts);

  /** Rolls out every prior's agent and redraws; a newer render supersedes one still running. */
  async function render(): Promise<void> {
    const gen = ++generation;
    abort.abort();
    abort = new AbortController();
    const { state: hashState, extra } = state.hashPatch();
    view.update(hashState, extra);
    agents.setStatus(`Running ${state.n} rollouts per prior on ${ENV_LABELS[state.env]}…`);
    delete host.main.dataset.done;
    let next;
    try {
      next = await state.rollColumns(abort.signal, () => gen === generation);
    } catch (err) {
      if (gen !== generation) return;
      agents.setStatus(`Could not show ${ENV_LABELS[state.env]}: ${(err as Error).message}`, true);
      return;
    }
    if (!next) return;
    state.columns = next;
    await agents.drawColumns(state, renderDensity);
    if (gen !== generation) return;
    agents.setStatus(
      `${state.n} rollouts per prior from the same ${state.n} start states (seed ${state.seed}), actions ${state.deterministic ? 'the mean of π' : 'sampled from π'}.`,
    );
    renderDensity();
    host.main.dataset.done = String(gen);
  }

  function renderDensity(): void {
    const chosen = state.chosen();
    if (!chosen) return;
    const { prior, t } = state.pick;
    const s = chosen.run.obs[t];
    controls.showChosen(
      chosen.run.obs.length - 1,
      t,
      `${prior} rollout ${chosen.index + 1}, step ${t}: s = (${Array.from(s, (v) => v.toFixed(3)).join(', ')})`,
    );
    agents.showInFans(prior, chosen.index, t);
    view.update({}, { t: String(t) });
    agents.drawDensity(state, chosen.column, s);
  }

  await render();
  return () => {
    generation++;
    abort.abort();
    controls.cancel();
    agents.destroyStages();
    state.dispose();
  };
}
