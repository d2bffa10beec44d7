/**
 * Smaller visualizer defects from issue 17, each checked in Debian's chromium: the ELBO preset menu
 * follows the sliders, a tab opens on its own defaults (no seed carried from another panel), Runs says what
 * to do instead of showing a blank area and World model opens its shipped run, the gridworld fits a phone's width and
 * FrozenLake 8x8 side by side stays within a screen height. Screenshots go to `test-artifacts/`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ShippedWorldModel } from '../src/viz/worldmodel/shipped.js';
import { openPanel, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const shippedIndex = JSON.parse(readFileSync('src/viz/worldmodel/index.json', 'utf8')) as ShippedWorldModel;

// An empty runs folder: nothing to replay, nothing to open.
const viz = useVizSession('viz-defects');

describe('visualizer defects (chromium)', () => {
  it("the ELBO preset menu reads 'custom' once a slider moves off the lesson example; ELBO(μ) is plotted near its peak", async () => {
    const page = await openPanel(viz.session, '#panel=elbo', viz.errors);
    const preset = () => page.$eval('[data-testid="elbo-preset"]', (s) => (s as HTMLSelectElement).value);
    expect(await preset()).not.toBe('custom');
    // The ELBO(μ) chart spans a few nats around its peak, so the lesson example's 0.193 gap shows.
    const yTicks = await page.$$eval('#charts svg.chart:nth-of-type(2) .axes text[text-anchor="end"]', (t) =>
      t.map((e) => Number(e.textContent)),
    );
    expect(yTicks.length).toBeGreaterThan(2);
    expect(Math.max(...yTicks) - Math.min(...yTicks)).toBeLessThan(5);
    await page.screenshot({ path: join(viz.artifacts, 'elbo-near-peak.png'), fullPage: true });
    await page.fill('[data-testid="elbo-mu"]', '1.5');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="elbo-preset"]') as HTMLSelectElement).value === 'custom',
    );
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it("a tab opens on its own defaults: the Pendulum's seed does not follow into Tokens; the prior does", async () => {
    const page = await openPanel(viz.session, '#panel=control&env=Pendulum-v1&prior=reference&seed=10', viz.errors);
    await page.click('nav a[data-panel="tokens"]');
    await page.waitForFunction(() => document.body.dataset.ready === 'tokens', null, { timeout: 60_000 });
    expect(page.url()).toContain('seed=1&');
    expect(page.url()).not.toContain('seed=10');
    expect(page.url()).not.toContain('Pendulum');
    expect(page.url()).toContain('prior=reference');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('Runs says what to do when there is nothing to show; World model opens the shipped run', async () => {
    const runs = await openPanel(viz.session, '#panel=runs', viz.errors);
    expect((await runs.textContent('[data-testid="runs-empty"]'))!.length).toBeGreaterThan(20);
    await runs.close();
    // No run folder here: the run shipped in src/viz/worldmodel/ is shown, its numbers those the script recorded.
    const page = await openPanel(viz.session, '#panel=worldmodel', viz.errors);
    await page.waitForFunction(() => document.body.dataset.wmShown === '0');
    expect(await page.$eval('[data-testid="wm-run"]', (s) => (s as HTMLSelectElement).value)).toBe(
      'shipped: rssm-pendulum, seed 1',
    );
    const s = await statValues(page, 'wm-stats');
    expect(Number(s.readoutR2)).toBeCloseTo(shippedIndex.velocityR2, 3);
    expect(await page.$$eval('[data-testid="wm-chart"]', (c) => c.length)).toBe(2);
    expect(await page.$$eval('[data-testid="wm-chart"]:first-of-type path', (p) => p.length)).toBe(4);
    expect(await page.$$eval('[data-testid="wm-truth"] path', (p) => p.length)).toBe(2);
    expect(await page.$$eval('[data-testid="wm-empty"]', (e) => e.length)).toBe(0);
    await page.close();
    expect(viz.errors).toEqual([]);
  });

  it('at 390 px the gridworld comes first, in the first screen, its controls below it; both grids fit the width', async () => {
    const page = await openPanel(viz.session, '#panel=gridworld&env=TwoRoute-v0&prior=uniform&alpha=0.15', viz.errors, {
      width: 390,
      height: 844,
    });
    const box = await page.evaluate(() => {
      const r = (sel: string) => document.querySelector(sel)!.getBoundingClientRect();
      return {
        aside: r('aside').top,
        canvasTop: r('[data-testid="grid-canvas"]').top,
        canvasRight: r('[data-testid="grid-canvas"]').right,
        width: document.documentElement.clientWidth,
      };
    });
    // Issue #27: a newcomer on a phone saw ~1,150 px of controls before the grid; now the view leads.
    expect(box.canvasTop).toBeLessThan(box.aside);
    expect(box.canvasTop).toBeLessThan(844);
    expect(box.canvasRight).toBeLessThanOrEqual(box.width);
    await page.screenshot({ path: join(viz.artifacts, 'gridworld-phone.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('FrozenLake 8x8 side by side keeps its grids within a screen height', async () => {
    const page = await openPanel(viz.session, '#panel=gridworld&env=FrozenLake-v1-8x8&mode=compare', viz.errors, {
      width: 1440,
      height: 900,
    });
    const h = await page.$eval('[data-testid="grid-canvas"]', (c) => c.getBoundingClientRect().height);
    expect(h).toBeLessThanOrEqual(730);
    await page.screenshot({ path: join(viz.artifacts, 'frozenlake8x8-side-by-side.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });
});
