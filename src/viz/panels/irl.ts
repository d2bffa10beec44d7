/**
 * Inverse RL panel: maximum-entropy IRL (`src/agents/irl`) computed live in the page. A demonstrator acts
 * soft-optimally for the env's reward under the chosen prior and α; from the first N of its seeded
 * trajectories the learner recovers a reward per cell entered, under the same prior and α. The KL-vs-N
 * curve fills in, one fit at a time, after the current N is shown.
 * The parts: `irl/state.ts` (what is shown and its fits, no DOM), `controls.ts` (the sidebar), `view.ts` (drawing).
 */
import { mountIrlControls } from '../irl/controls.js';
import { COUNTS, IrlPanelState, fitAt } from '../irl/state.js';
import { IrlView } from '../irl/view.js';
import type { PanelModule } from '../panel.js';

export const mount: PanelModule['mount'] = async (host, view) => {
  const state = new IrlPanelState(view.state);
  // One timer for both: the debounce of a new setting, and the next background fit of the curve.
  let timer = 0;

  /** A new setting (demonstrator, demonstrations): debounced, since a slider sends a burst of inputs. */
  function restart(): void {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      state.forgetSetting();
      draw();
    }, 150);
  }

  /** Fits the next N of the curve in the background, one per timer tick, and redraws the chart. */
  function fillCurve(): void {
    const s = state.setting();
    const next = COUNTS.find((n) => !s.fits.has(n));
    if (next === undefined) return;
    timer = window.setTimeout(() => {
      if (!state.isCurrent(s)) return;
      fitAt(s, next);
      irl.drawChart(state, s);
      fillCurve();
    }, 30);
  }

  function draw(): void {
    const { state: hashState, extra } = state.hashPatch();
    view.update(hashState, extra);
    const s = state.setting();
    irl.draw(state, s, fitAt(s, state.n));
    clearTimeout(timer);
    fillCurve();
    document.body.dataset.irlRender = String(Number(document.body.dataset.irlRender ?? 0) + 1);
  }

  mountIrlControls(host.sidebar, state, { restart, redraw: draw });
  const irl = await IrlView.create(host.main, host.charts);
  draw();
  return () => {
    clearTimeout(timer);
    state.forgetSetting();
    irl.destroy();
  };
};
