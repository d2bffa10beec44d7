/**
 * Live training, continuous, in Debian's chromium: continuous SAC on PointMass-v0 under the three priors at
 * once, every learner on the WebAssembly engine; the return curves grow (one per prior, with points), each
 * prior's rollouts are redrawn as it trains, the reference's paths reach the far goal (its controller's), and
 * Pause stops all three. Pendulum-v1 on a 390 px wide screen: θ(t) fans stacked, nothing off the page. No
 * console errors. Screenshots at 1280×800 and 390×844 go to `test-artifacts/`. (The page's frame rate while
 * training is measured by `npm run bench -- viz`, not asserted here.)
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPanel, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const PRIORS = ['uniform', 'reference', 'none'] as const;
const viz = useVizSession('viz-train-continuous');

/** Points of each curve of a chart (its `path`s with a `d`). */
const curvePoints = (page: Page, testid: string) =>
  page.$$eval(`[data-testid="${testid}"] path`, (ps) =>
    ps.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter((x) => x.trim()).length),
  );
const allStats = async (page: Page) =>
  Object.fromEntries(
    await Promise.all(PRIORS.map(async (p) => [p, await statValues(page, `train-stats-${p}`)] as const)),
  );
/** Waits until every prior's learner has taken at least `steps` env steps. */
const waitSteps = (page: Page, steps: number, timeout: number) =>
  page.waitForFunction(
    ([priors, n]) =>
      (priors as readonly string[]).every(
        (p) =>
          Number(
            document.querySelector(`[data-testid="train-stats-${p}"] [data-stat="steps"]`)?.getAttribute('data-value'),
          ) >= (n as number),
      ),
    [PRIORS, steps] as const,
    { timeout, polling: 250 },
  );
const waitState = (page: Page, state: string) =>
  page.waitForFunction(
    (s) => document.querySelector('[data-testid="train-stats"] [data-stat="state"]')?.getAttribute('data-value') === s,
    state,
    { timeout: 15_000 },
  );

describe('live training, continuous SAC under three priors', () => {
  it('PointMass: all three train on the engine, the return curves grow, the rollouts follow the policy, Pause stops them', async () => {
    const page = await openPanel(viz.session, '#panel=train&env=PointMass-v0&alpha=0.05&seed=1', viz.errors, {
      width: 1280,
      height: 800,
    });
    expect(
      await page.$eval('[data-testid="train-task"] [aria-checked="true"]', (b) => (b as HTMLElement).dataset.value),
    ).toBe('continuous');
    const shared = await statValues(page, 'train-stats');
    expect(shared.engine).toBe('true');
    expect(shared.state).toBe('ready');
    const s0 = await allStats(page);
    expect([s0.uniform.alpha, s0.reference.alpha, s0.none.alpha]).toEqual(['0.05', '0.05', '0']);
    // Step 0's rollouts are drawn for each prior.
    for (const p of PRIORS) expect(await page.$(`[data-testid="train-rollouts-${p}"]`)).not.toBeNull();

    await page.click('[data-testid="train-run"]');
    await waitSteps(page, 2500, 120_000);
    const early = await curvePoints(page, 'train-chart-return');
    await waitSteps(page, 5000, 120_000);
    // Grown: every prior's training-return curve (solid) and rollout curve (dashed) has more points than before.
    const late = await curvePoints(page, 'train-chart-return');
    expect(late.length).toBe(6);
    for (const [i, n] of late.entries()) {
      expect(n).toBeGreaterThan(2);
      expect(n).toBeGreaterThan(early[i] ?? 0);
    }
    for (const id of ['train-chart-prior', 'train-chart-entropy'])
      expect((await curvePoints(page, id)).filter((n) => n > 2).length).toBe(3);

    await page.click('[data-testid="train-run"]');
    await waitState(page, 'paused');
    const s1 = await allStats(page);
    for (const p of PRIORS) {
      expect(Number(s1[p].steps)).toBeGreaterThanOrEqual(5000);
      expect(Number(s1[p].updates)).toBeGreaterThan(0);
      expect(Number.isFinite(Number(s1[p].klPrior))).toBe(true);
      // The rollouts drawn are the paused policy's (Pause redoes them).
      expect(await page.$eval(`[data-testid="train-pane-${p}"]`, (b) => (b as HTMLElement).dataset.step)).toBe(
        s1[p].steps,
      );
    }
    // The reference (the steering controller to the far goal, +5) gets its rollouts there within 5,000 steps.
    expect(Number(s1.reference.rolloutReturn)).toBeGreaterThan(4);
    // Paused: no step counter moves.
    await page.waitForTimeout(600);
    const s2 = await allStats(page);
    for (const p of PRIORS) expect(s2[p].steps).toBe(s1[p].steps);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(viz.artifacts, 'train-continuous-1280.png') });
    await page.screenshot({ path: join(viz.artifacts, 'train-continuous-1280-full.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('Pendulum on a 390 px wide screen: three |θ(t)| fans stacked, curves after a few Steps, nothing off the page', async () => {
    const page = await openPanel(viz.session, '#panel=train&env=Pendulum-v1&alpha=0.2&seed=1', viz.errors, {
      width: 390,
      height: 844,
    });
    expect((await statValues(page, 'train-stats')).engine).toBe('true');
    for (let k = 1; k <= 7; k++) {
      await page.click('[data-testid="train-step"]');
      await waitSteps(page, 200 * k, 60_000);
    }
    // Seven Steps of 200: past the 1,000 random steps, so every learner has updated and logged seven episodes.
    const s = await allStats(page);
    for (const p of PRIORS) expect(Number(s[p].updates)).toBeGreaterThan(0);
    expect((await curvePoints(page, 'train-chart-return')).filter((n) => n >= 7).length).toBeGreaterThanOrEqual(3);
    const boxes = await page.$$eval('[data-testid^="train-rollouts-"]', (es) =>
      es.map((e) => e.getBoundingClientRect().toJSON() as DOMRect),
    );
    expect(boxes.length).toBe(3);
    for (const b of boxes) expect(b.right).toBeLessThanOrEqual(390);
    // Stacked: each fan below the one before.
    expect(boxes[1].top).toBeGreaterThanOrEqual(boxes[0].bottom);
    expect(boxes[2].top).toBeGreaterThanOrEqual(boxes[1].bottom);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(viz.artifacts, 'train-continuous-390.png') });
    await page.screenshot({ path: join(viz.artifacts, 'train-continuous-390-full.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('the task switch moves between the gridworld and the continuous view', async () => {
    const page = await openPanel(viz.session, '#panel=train&env=TwoRoute-v0&alpha=0.15&seed=1', viz.errors);
    await page.click('[data-testid="train-task"] [data-value="continuous"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-rollouts-none"]') !== null, null, {
      timeout: 60_000,
    });
    expect(await page.$eval('[data-testid="train-env"]', (s) => (s as HTMLSelectElement).value)).toBe('PointMass-v0');
    expect((await allStats(page)).uniform.alpha).toBe('0.05');
    await page.click('[data-testid="train-task"] [data-value="grid"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-chart-kl"]') !== null, null, {
      timeout: 60_000,
    });
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
