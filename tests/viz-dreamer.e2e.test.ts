/**
 * The World model tab's shipped dreamer agent, in Debian's chromium at desktop and phone sizes: with no run
 * folder it opens, a prior menu switches between the three objectives, and what is drawn is the shipped
 * file's: the imagined and observed curves of the first observation are the same affine image of the file's
 * numbers (pixels fitted on the observed curve predict the imagined one), the return shown is the index's,
 * and switching the prior redraws from the other file. Screenshots go to `test-artifacts/`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RssmTrajectoryFile } from '../src/worldmodel/trajectories.js';
import type { ShippedDreamer } from '../src/viz/worldmodel/shipped.js';
import { openPanel, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const DIR = 'src/viz/worldmodel/dreamer';
const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as ShippedDreamer;
const fileOf = (prior: string) =>
  JSON.parse(readFileSync(join(DIR, index.runs.find((r) => r.prior === prior)!.file), 'utf8')) as RssmTrajectoryFile;

const viz = useVizSession('viz-dreamer');

/** The pixel y values of the first chart's paths (drawn in reverse series order: repeat last, imagined, reconstructed, observed). */
async function firstChartYs(page: Page): Promise<{ observed: number[]; imagined: number[] }> {
  const ds = await page.$$eval('[data-testid="wm-chart"]:first-of-type path', (p) =>
    p.map((x) => x.getAttribute('d')!),
  );
  const ys = (d: string) => [...d.matchAll(/[ML][-\d.]+,([-\d.]+)/g)].map((m) => Number(m[1]));
  return { observed: ys(ds[3]), imagined: ys(ds[1]) };
}

/** Checks the first chart draws trajectory 0 of `f`: the observed curve fixes the pixel map, which predicts the imagined one. */
async function expectDrawn(page: Page, f: RssmTrajectoryFile): Promise<void> {
  const { observed, imagined } = await firstChartYs(page);
  const tr = f.trajectories[0];
  const obs = tr.observed.map((r) => r[0]);
  expect(observed.length).toBe(obs.length);
  expect(imagined.length).toBe(f.horizon + 1);
  // y_px = a + b·v, from the two most distant observed values.
  const lo = obs.indexOf(Math.min(...obs));
  const hi = obs.indexOf(Math.max(...obs));
  const b = (observed[hi] - observed[lo]) / (obs[hi] - obs[lo]);
  const a = observed[lo] - b * obs[lo];
  const want = [tr.observed[f.context - 1][0], ...tr.imagined.map((r) => r[0])].map((v) => a + b * v);
  imagined.forEach((y, t) => expect(Math.abs(y - want[t])).toBeLessThan(0.2));
  obs.forEach((v, t) => expect(Math.abs(observed[t] - (a + b * v))).toBeLessThan(0.2));
}

const sizes = [
  { name: 'desktop', viewport: { width: 1400, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

describe('World model tab: the shipped dreamer agent under each prior (chromium)', () => {
  for (const { name, viewport } of sizes)
    it(`${name}: opens with no run folder, switches prior, draws the shipped numbers and returns`, async () => {
      const page = await openPanel(viz.session, '#panel=worldmodel', viz.errors, viewport);
      await page.waitForFunction(() => document.body.dataset.wmShown === '0');
      await page.selectOption('[data-testid="wm-run"]', 'shipped: dreamer agent, Pendulum-v1, seed 1');
      await page.waitForFunction(
        () => document.body.dataset.wmShown === '0' && !!document.querySelector('[data-testid="wm-returns"]'),
      );
      const [first, second] = index.runs;
      expect(await page.$eval('[data-testid="wm-prior"]', (s) => (s as HTMLSelectElement).value)).toBe(first.prior);
      // Every prior's return, the index's numbers.
      const returns = await statValues(page, 'wm-returns');
      for (const r of index.runs) expect(Number(returns[r.prior])).toBe(r.finalReturn.mean);
      expect(Number((await statValues(page, 'wm-stats')).finalReturn)).toBe(first.finalReturn.mean);
      await expectDrawn(page, fileOf(first.prior));
      const before = await firstChartYs(page);
      await page.screenshot({
        path: join(viz.artifacts, `worldmodel-dreamer-${name}-${first.prior}.png`),
        fullPage: true,
      });

      await page.selectOption('[data-testid="wm-prior"]', second.prior);
      await page.waitForFunction(
        (v) =>
          document.querySelector('[data-testid="wm-stats"] [data-stat="finalReturn"]')?.getAttribute('data-value') ===
          v,
        String(second.finalReturn.mean),
      );
      await expectDrawn(page, fileOf(second.prior));
      expect((await firstChartYs(page)).imagined).not.toEqual(before.imagined);
      expect(page.url()).toContain(`dprior=${second.prior}`);
      await page.screenshot({
        path: join(viz.artifacts, `worldmodel-dreamer-${name}-${second.prior}.png`),
        fullPage: true,
      });
      // The RSSM run still opens, and the prior menu goes away with it.
      await page.selectOption('[data-testid="wm-run"]', 'shipped: rssm-pendulum, seed 1');
      await page.waitForFunction(() => !document.querySelector('[data-testid="wm-returns"]'));
      expect(await page.$eval('[data-testid="wm-prior"]', (s) => s.closest('div')!.hidden)).toBe(true);
      expect(await page.$$eval('[data-testid="wm-truth"] path', (p) => p.length)).toBe(2);
      expect(viz.errors).toEqual([]);
      await page.close();
    });
});
