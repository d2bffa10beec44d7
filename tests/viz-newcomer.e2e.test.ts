/**
 * A newcomer's tour of the viewer (issue #27), in Debian's chromium at a laptop's 1280×800 and a phone's
 * 390×844: every tab (and the Pendulum, PointMass and MountainCar-controller views of Continuous control)
 * opens, every "What to notice" preset of it is clicked, and per view and preset the test records whether the
 * page scrolls sideways, whether its text shows NaN or "undefined", and every console warning; on the laptop
 * each tab's main control is above the fold. Screenshots go to `test-artifacts/newcomer/<view>-<size>.png`
 * (and `<view>-<size>-<preset>.png`), the findings to `findings.json` there.
 *
 * The defects still open are listed in `OPEN` (a ratchet): the test fails when a new one appears, and when one
 * is fixed (then delete it from the list), so the list always says what a newcomer still meets.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountainCarRollouts } from '../src/viz/control/sim.js';
import { openPanel, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const VIEWS: Record<string, string> = {
  gridworld: '#panel=gridworld',
  train: '#panel=train',
  elbo: '#panel=elbo',
  control: '#panel=control',
  'control-pendulum': '#panel=control&env=Pendulum-v1&t=0',
  'control-pointmass': '#panel=control&env=PointMass-v0&t=20',
  'controller-mountaincar': '#panel=control&view=controller&env=MountainCarContinuous-v0',
  tokens: '#panel=tokens',
  'tokens-beta-0.001': '#panel=tokens&beta=0.001',
  runs: '#panel=runs',
  worldmodel: '#panel=worldmodel',
  irl: '#panel=irl',
  lesson: '#panel=lesson',
};

/** Each tab's main control, which a laptop's first screen must show (the views not listed have none to press). */
const MAIN_CONTROL: Record<string, string> = {
  gridworld: 'grid-alpha',
  train: 'train-run',
  elbo: 'elbo-mu',
  control: 'control-n',
  tokens: 'tokens-beta',
  worldmodel: 'wm-traj',
  irl: 'irl-n',
};

/** Defects a newcomer still meets: `<view>@<size>: <kind>`. */
const OPEN: string[] = [];

const viz = useVizSession('viz-newcomer', { artifacts: 'test-artifacts/newcomer' });

describe('a newcomer visits every view at 1280×800 and 390×844 (chromium)', () => {
  it('records sideways scroll, NaN/undefined text and console warnings per view', async () => {
    const findings: string[] = [];
    const details: Record<string, unknown> = {};
    for (const [size, viewport] of Object.entries(SIZES)) {
      for (const [view, hash] of Object.entries(VIEWS)) {
        const errors: string[] = [];
        const warnings: string[] = [];
        const page = await openPanel(viz.session, hash, errors, viewport, warnings);
        await page.waitForTimeout(1500); // let the first frames and charts draw
        const main = MAIN_CONTROL[view];
        if (main && size === 'desktop') {
          const bottom = await page.$eval(`[data-testid="${main}"]`, (e) => e.getBoundingClientRect().bottom);
          if (bottom > viewport.height) findings.push(`${view}@${size}: its main control is below the fold`);
        }
        const presets = await page.$$eval('button[data-testid*="-preset-"]', (bs) =>
          bs.map((b) => (b as HTMLElement).dataset.testid!),
        );
        for (const preset of ['', ...presets]) {
          if (preset) {
            await page.click(`[data-testid="${preset}"]`);
            await page.waitForTimeout(1200);
          }
          const where = `${view}@${size}${preset ? ` ${preset}` : ''}`;
          const facts = await page.evaluate(() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            text: document.body.innerText,
            // Marker labels (β = 0.10) drawn past the right edge of their chart.
            clipped: [...document.querySelectorAll('svg')].filter((svg) => {
              const box = svg.getBoundingClientRect();
              return [...svg.querySelectorAll<SVGGraphicsElement>('.marker-label')].some((t) => {
                const r = t.getBoundingClientRect();
                return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
              });
            }).length,
          }));
          const name = `${view}-${size}${preset ? `-${preset.replace(/^.*-preset-/, '')}` : ''}`;
          await page.screenshot({ path: join(viz.artifacts, `${name}.png`), fullPage: true });
          if (facts.scrollWidth > facts.innerWidth + 1) findings.push(`${where}: scrolls sideways`);
          if (facts.clipped) findings.push(`${where}: a marker label is clipped`);
          if (/\bNaN\b/.test(facts.text)) findings.push(`${where}: NaN in the text`);
          if (/\bundefined\b/.test(facts.text)) findings.push(`${where}: undefined in the text`);
          details[where] = {
            scrollWidth: facts.scrollWidth,
            innerWidth: facts.innerWidth,
            nan: facts.text.match(/.{0,40}\bNaN\b.{0,20}/g) ?? [],
          };
        }
        // Chromium's own GPU driver notes (software GL in CI) are not the app's.
        const own = warnings.filter((w) => !/GL Driver Message/.test(w));
        if (own.length) findings.push(`${view}@${size}: console warnings`);
        if (errors.length) findings.push(`${view}@${size}: console errors`);
        details[`${view}@${size}`] = { ...(details[`${view}@${size}`] as object), presets, warnings, errors };
        await page.close();
      }
    }
    writeFileSync(join(viz.artifacts, 'findings.json'), `${JSON.stringify({ findings, details }, null, 2)}\n`);
    expect(findings.sort()).toEqual([...OPEN].sort());
  }, 1_800_000);

  it('the 2-D densities carry a colour scale (the uniform prior: 1/4 on [−1, 1]²); the controller view drives MountainCar', async () => {
    const page = await openPanel(viz.session, VIEWS['control-pointmass'], viz.errors, SIZES.desktop);
    await page.waitForSelector('[data-testid="control-density-uniform"] [data-testid="density-scale"]');
    const tops = await page.$$eval('[data-testid="control-density"] [data-testid="density-max"]', (es) =>
      es.map((e) => Number((e as HTMLElement).dataset.value)),
    );
    // Two contours per prior (π, then p): the uniform column's and the none column's p is uniform on the square.
    expect(tops).toHaveLength(6);
    expect(tops[1]).toBeCloseTo(0.25, 5);
    expect(tops[5]).toBeCloseTo(0.25, 5);
    expect(tops.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    await page.close();
    // MountainCar under its `pumping` reference: the page's numbers are the Node simulation's (same seed, noise).
    const car = await openPanel(viz.session, VIEWS['controller-mountaincar'], viz.errors, SIZES.desktop);
    const stats = await statValues(car, 'control-stats');
    const runs = mountainCarRollouts(20, 1, 0.3);
    const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
    expect(Number(stats.meanReturn)).toBeCloseTo(
      mean((r) => r.return),
      1,
    );
    expect(Number(stats.flag)).toBeCloseTo(
      mean((r) => (r.flag ? 1 : 0)),
      3,
    );
    expect(Number(stats.flag)).toBeGreaterThan(0.9); // pumping reaches the flag
    expect(await car.$$eval('svg.chart', (c) => c.length)).toBe(2);
    await car.close();
    expect(viz.errors).toEqual([]);
  }, 120_000);
});
