/**
 * Visualizer frame rate in headless chromium (software rendering, no GPU): the gridworld view with its
 * visitation map over 1,000 rollouts (one prior, and all three side by side), and the PointMass view
 * with 200 overlaid trajectories; the ELBO playground (SVG only) is the baseline of the page itself. Frames are counted with requestAnimationFrame over a fixed window.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPanel, startViz } from '../tests/vizHarness.js';

const WINDOW_MS = 4000;

export async function bench(): Promise<void> {
  const runsDir = mkdtempSync(join(tmpdir(), 'priorlab-viz-bench-'));
  const session = await startViz(runsDir);
  try {
    const views: Array<[string, string]> = [
      ['ELBO playground (no pixi canvas: page baseline)', '#panel=elbo'],
      ['gridworld, 1,000 rollouts', '#panel=gridworld&env=TwoRoute-v0&prior=uniform&alpha=0.15&seed=1'],
      ['gridworld side by side, 3 x 1,000 rollouts', '#panel=gridworld&env=TwoRoute-v0&alpha=0.15&seed=1&mode=compare'],
      ['PointMass, 200 trajectories', '#panel=control&env=PointMass-v0&seed=1&noise=0.3'],
    ];
    for (const [name, hash] of views) {
      const errors: string[] = [];
      const page = await openPanel(session, hash, errors);
      const renderer = (await page.evaluate(`document.querySelector('canvas')?.dataset.renderer ?? 'none'`)) as string;
      // Passed as source text: tsx's name-keeping helpers do not exist in the page.
      const fps = (await page.evaluate(`new Promise((done) => {
        let frames = 0;
        const t0 = performance.now();
        const loop = (t) => { frames++; if (t - t0 < ${WINDOW_MS}) requestAnimationFrame(loop); else done((frames * 1000) / (t - t0)); };
        requestAnimationFrame(loop);
      })`)) as number;
      console.log(`viz ${name.padEnd(48)} ${fps.toFixed(1).padStart(6)} fps  (renderer ${renderer}${errors.length ? `, ${errors.length} console errors` : ''})`);
      await page.close();
    }
  } finally {
    await session.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
