/**
 * Runs panel: recorded run folders, from the dev server's read-only `/runs/` listing or picked with a
 * folder input. It opens on the newest run. Tick runs to compare their learning curves. A run made of
 * parts (gridworld-priors: prior × learner) is shown part by part: one small visit map per part (labelled
 * `prior · learner`), each part's curves overlaid from its own step 0, one chart per metric with the colour
 * naming the prior. The first ticked run's config, its evaluation episodes and the SVG figures it wrote are shown.
 * The parts: `recorded/state.ts` (which runs, no DOM), `controls.ts` (the sidebar), `view.ts` (drawing).
 */
import type { PanelModule } from '../panel.js';
import { RunsControls } from '../recorded/controls.js';
import { RunsPanelState } from '../recorded/state.js';
import { RunsView } from '../recorded/view.js';

export const mount: PanelModule['mount'] = async (host, view) => {
  const base = import.meta.env.BASE_URL;
  const state = new RunsPanelState(view.state.extra.runs);
  const show = async (): Promise<void> => {
    view.update({}, { runs: state.link() });
    runsView.draw(await state.pickedRuns(base));
  };
  const controls = new RunsControls(host.sidebar, state, show);
  const runsView = new RunsView(host.main, host.charts);

  try {
    await state.listServer(base);
  } catch (e) {
    controls.listingFailed((e as Error).message);
  }
  state.tickNewestUnlessLinked();
  controls.addPresets((group) =>
    host.charts.querySelector(`[data-group="${group}"]`)?.scrollIntoView({ block: 'start' }),
  );
  controls.drawList();
  await show();
  return () => runsView.clearReplay();
};
