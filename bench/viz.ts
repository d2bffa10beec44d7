/**
 * Visualizer frame rate in headless chromium (software rendering, no GPU), and live training's (in a
 * Web Worker) page frame rate and Pause latency: the gridworld view with its
 * visitation map over 1,000 rollouts (one prior, and all three side by side), and the PointMass view
 * with 200 overlaid trajectories, and the Pendulum replay; the ELBO playground (SVG only) is the
 * baseline of the page itself.
 * Frames are counted with requestAnimationFrame over a fixed window, first with the view left alone
 * (its animation running), then while a slider is dragged: one `input` event per frame, as chromium
 * delivers a mouse drag, each recomputing the view (the exact policy and 1,000 rollouts per scene, or
 * the 200 trajectories). "input → frame" is the time from an input event (the first one not yet shown)
 * to the start of the frame after the one that drew the updated picture, averaged over the drag.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPanel, startViz, type VizSession } from '../tests/vizHarness.js';

const WINDOW_MS = 4000;

interface View {
  name: string;
  hash: string;
  /** The slider to drag: its test id and the range swept back and forth, one step per event. */
  drag?: { id: string; lo: number; hi: number; step: number };
}

// Passed to the page as source text: tsx's name-keeping helpers do not exist in the page.
const IDLE_FPS = `new Promise((done) => {
  let frames = 0;
  const t0 = performance.now();
  const loop = (t) => { frames++; if (t - t0 < ${WINDOW_MS}) requestAnimationFrame(loop); else done((frames * 1000) / (t - t0)); };
  requestAnimationFrame(loop);
})`;

const dragFps = (d: NonNullable<View['drag']>) => `new Promise((done) => {
  // The frame and the animation-frame callback running now, and those of the latest WebGL draw call.
  let frame = 0, lastT = -1, cb = 0, drawFrame = -1, drawCb = -1;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (f) => raf((t) => { if (t !== lastT) { frame++; lastT = t; } cb++; f(t); });
  const input = document.querySelector('[data-testid="${d.id}"]');
  let v = ${d.lo}, dir = 1, frames = 0, pending = null, updatedCb = -1, shownFrame = -1;
  const lat = [];
  // A DOM update under #main after an input is the panel's recomputation for it (its stats table is
  // rebuilt). The updated picture is the first WebGL draw in that callback (before the update: drawn on
  // demand) or in a later one (a ticker's), and it is on screen once that draw's frame is over.
  // A 2D-canvas static scene (the gridworld) counts too; the animation overlays do not.
  for (const [P, m] of [[WebGLRenderingContext.prototype, 'drawElements'], [WebGLRenderingContext.prototype, 'drawArrays'], [WebGL2RenderingContext.prototype, 'drawElements'], [WebGL2RenderingContext.prototype, 'drawArrays'], [CanvasRenderingContext2D.prototype, 'fillRect']]) {
    const orig = P[m];
    P[m] = function (...a) {
      if (!this.canvas.classList?.contains('overlay')) {
        drawFrame = frame; drawCb = cb;
        if (updatedCb >= 0 && shownFrame < 0) shownFrame = frame;
      }
      return orig.apply(this, a);
    };
  }
  let inputCb = -1;
  const obs = new MutationObserver(() => {
    if (pending === null || updatedCb >= 0) return;
    updatedCb = cb;
    if (drawCb === cb && cb > inputCb) shownFrame = drawFrame;
  });
  obs.observe(document.getElementById('main'), { childList: true, subtree: true });
  const fire = () => {
    v += dir * ${d.step};
    if (v > ${d.hi} || v < ${d.lo}) { dir = -dir; v += 2 * dir * ${d.step}; }
    input.value = String(v);
    if (pending === null) { pending = performance.now(); inputCb = cb; }
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const t0 = performance.now();
  const loop = () => {
    const now = performance.now();
    frames++;
    if (shownFrame >= 0 && shownFrame < frame) { lat.push(now - pending); pending = null; updatedCb = -1; shownFrame = -1; }
    if (now - t0 < ${WINDOW_MS}) { requestAnimationFrame(loop); setTimeout(fire, 0); }
    else { obs.disconnect(); done({ fps: (frames * 1000) / (now - t0), latency: lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length) }); }
  };
  requestAnimationFrame(loop);
})`;

/** Live training's targets (issue #17): the page's frame rate while three learners train, and Pause's latency. */
const TARGET_FPS = 30;
const TARGET_PAUSE_MS = 100;

/**
 * Live training in Web Workers: the page's frame rate while the learners train, and the Pause latency, the
 * time from the click to the last progress message (the latest snapshot whose step counts moved) as the page
 * records it in `data-train-progress-at`. Three discrete-SAC learners (one per prior) in one worker taking
 * turns and in one worker each, and one learner alone; three KL-PPO learners (an iteration is a longer slice);
 * three continuous SACs on PointMass (one worker, three) and on Pendulum.
 */
export async function benchLiveTraining(session: VizSession): Promise<void> {
  const grid = (extra: string) => `#panel=train&env=TwoRoute-v0&prior=uniform&alpha=0.15&seed=1&${extra}`;
  const runs = [
    { name: 'one learner (SAC), 1 worker', hash: grid('agent=sac&mode=single') },
    { name: 'three learners (SAC), 1 worker', hash: grid('agent=sac&workers=1') },
    { name: 'three learners (SAC), 3 workers', hash: grid('agent=sac&workers=3') },
    { name: 'three learners (KL-PPO), 1 worker', hash: grid('agent=klppo&workers=1') },
    // Continuous SAC on the engine, one learner per prior, their rollouts redrawn every 500 steps.
    { name: 'PointMass, three SACs, 1 worker', hash: '#panel=train&env=PointMass-v0&alpha=0.05&seed=1' },
    { name: 'PointMass, three SACs, 3 workers', hash: '#panel=train&env=PointMass-v0&alpha=0.05&seed=1&workers=3' },
    { name: 'Pendulum, three SACs, 1 worker', hash: '#panel=train&env=Pendulum-v1&alpha=0.2&seed=1' },
  ];
  for (const r of runs) {
    const errors: string[] = [];
    const page = await openPanel(session, r.hash, errors);
    await page.click('[data-testid="train-run"]');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-stat="steps"]')].every((c) => Number(c.getAttribute('data-value')) > 0),
      null,
      { timeout: 60_000 },
    );
    const load = loadavg()[0];
    const fps = (await page.evaluate(IDLE_FPS)) as number;
    // The page shows 'paused' once every worker's post-pause snapshot is in; any progress after the click is in one of those.
    const pause = (await page.evaluate(`new Promise((done) => {
      const t0 = performance.now();
      document.querySelector('[data-testid="train-run"]').click();
      const check = () => {
        if (document.querySelector('[data-testid="train-stats"] [data-stat="state"]')?.getAttribute('data-value') !== 'paused') return requestAnimationFrame(check);
        const shown = performance.now() - t0;
        setTimeout(() => done({ shown, last: Number(document.body.dataset.trainProgressAt) - t0 }), 500);
      };
      check();
    })`)) as { shown: number; last: number };
    const steps = (await page.$$eval('[data-stat="steps"]', (cs) =>
      cs.map((c) => c.getAttribute('data-value')).join('/'),
    )) as string;
    console.log(
      `viz live training, ${r.name.padEnd(33)} ${fps.toFixed(1).padStart(5)} fps (${(fps / TARGET_FPS).toFixed(2)}× the ${TARGET_FPS} fps target), ` +
        `Pause: last progress ${Math.max(0, pause.last).toFixed(0)} ms after the click (${(Math.max(0, pause.last) / TARGET_PAUSE_MS).toFixed(2)}× the ${TARGET_PAUSE_MS} ms limit), shown paused after ${pause.shown.toFixed(0)} ms, ` +
        `steps ${steps}, load ${load.toFixed(1)}${errors.length ? `, ${errors.length} console errors` : ''}`,
    );
    await page.close();
  }
}

export async function bench(): Promise<void> {
  const runsDir = mkdtempSync(join(tmpdir(), 'priorlab-viz-bench-'));
  const session = await startViz(runsDir);
  const alpha = { id: 'grid-alpha', lo: -1.5, hi: -0.3, step: 0.01 };
  try {
    const views: View[] = [
      { name: 'ELBO playground (no pixi canvas: page baseline)', hash: '#panel=elbo' },
      {
        name: 'gridworld, 1,000 rollouts',
        hash: '#panel=gridworld&env=TwoRoute-v0&prior=uniform&alpha=0.15&seed=1',
        drag: alpha,
      },
      {
        name: 'gridworld side by side, 3 x 1,000 rollouts',
        hash: '#panel=gridworld&env=TwoRoute-v0&alpha=0.15&seed=1&mode=compare',
        drag: alpha,
      },
      {
        name: 'PointMass, 200 trajectories',
        hash: '#panel=control&view=controller&env=PointMass-v0&seed=1&noise=0.3',
        drag: { id: 'control-noise', lo: 0.1, hi: 1, step: 0.05 },
      },
      { name: 'Pendulum swing-up replay', hash: '#panel=control&view=controller&env=Pendulum-v1&seed=1&noise=0.3' },
    ];
    for (const v of views) {
      const errors: string[] = [];
      const page = await openPanel(session, v.hash, errors);
      const renderer = (await page.evaluate(
        `document.querySelector('#main canvas')?.dataset.renderer ?? 'none'`,
      )) as string;
      const fps = (await page.evaluate(IDLE_FPS)) as number;
      let drag = '';
      if (v.drag) {
        const r = (await page.evaluate(dragFps(v.drag))) as { fps: number; latency: number };
        drag = `  dragging ${v.drag.id}: ${r.fps.toFixed(1).padStart(5)} fps, input → frame ${r.latency.toFixed(0).padStart(4)} ms`;
      }
      console.log(
        `viz ${v.name.padEnd(48)} ${fps.toFixed(1).padStart(6)} fps${drag}  (renderer ${renderer}${errors.length ? `, ${errors.length} console errors` : ''})`,
      );
      await page.close();
    }
    await benchLiveTraining(session);
  } finally {
    await session.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
