/**
 * Gridworld panel: the exact soft-optimal policy for the chosen prior and α, recomputed on every slider
 * move, with 1,000 seeded rollouts re-sampled each time. Single mode shows one prior; compare mode shows
 * every prior the env supports side by side with the same seed (common random numbers).
 * The parts: `gridworld/state.ts` (what is shown, no DOM), `controls.ts` (the sidebar), `view.ts` (drawing).
 */
import { mountGridControls } from '../gridworld/controls.js';
import { GridPanelState, GridSolutions } from '../gridworld/state.js';
import { GridView } from '../gridworld/view.js';
import type { PanelModule } from '../panel.js';
import { frameScheduler } from '../ui.js';

export const mount: PanelModule['mount'] = async (host, view) => {
  const state = new GridPanelState(view.state);
  const solutions = new GridSolutions();
  const { schedule, cancel: cancelFrame } = frameScheduler(render);
  const controls = mountGridControls(host.sidebar, state, schedule);
  const grid = new GridView(host.main, host.charts);

  function render(): void {
    const scenes = solutions.scenes(state);
    controls.reflect(state, scenes[0].alpha);
    const { state: hashState, extra } = state.hashPatch();
    view.update(hashState, extra);
    grid.draw(state, scenes, solutions);
    document.body.dataset.gridRender = String(Number(document.body.dataset.gridRender ?? 0) + 1);
  }

  render();
  return () => {
    cancelFrame();
    grid.destroy();
  };
};
