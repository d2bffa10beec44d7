/**
 * Live training of three learners at once (one per prior) in Debian's chromium: each learner's KL to the
 * exact optimum of its own Objective falls on one chart, `none` trains at α = 0 with finite read-outs,
 * and Pause stops all three (no step counter moves once the page shows them paused). Screenshots at
 * 1440×900 and 390 px wide go to `test-artifacts/`.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPanel } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const PRIORS = ['uniform', 'reference', 'none'] as const;
const HASH = '#panel=train&env=TwoRoute-v0&alpha=0.15&seed=1&agent=sac';
const viz = useVizSession('viz-train3');

const values = (page: Page, testid: string): Promise<Record<string, number>> =>
  page.$$eval(`[data-testid="${testid}"] [data-stat]`, (cells) =>
    Object.fromEntries(cells.map((c) => [(c as HTMLElement).dataset.stat!, Number((c as HTMLElement).dataset.value)])),
  );
const state = (page: Page) =>
  page.$eval('[data-testid="train-stats"] [data-stat="state"]', (c) => (c as HTMLElement).dataset.value);
const allStats = async (page: Page) =>
  Object.fromEntries(await Promise.all(PRIORS.map(async (p) => [p, await values(page, `train-stats-${p}`)] as const)));
/** The KL the chart follows: KL(π ‖ π*), or KL(π* ‖ π) where π* is greedy (none, α = 0). */
const charted = (s: Record<string, number>) => (Number.isFinite(s.kl) ? s.kl : s.klReverse);

describe('live training, three priors at once', () => {
  it('trains uniform, reference and none together: every KL to its own π* falls, none stays at α = 0 with finite KL, Pause stops all three', async () => {
    const page = await openPanel(viz.session, HASH, viz.errors, { width: 1440, height: 900 });
    expect(
      await page.$eval('[data-testid="train-mode"] [aria-checked="true"]', (b) => (b as HTMLElement).dataset.value),
    ).toBe('three');
    const s0 = await allStats(page);
    for (const p of PRIORS) {
      expect(s0[p].steps).toBe(0);
      expect(Number.isFinite(s0[p].klInitial)).toBe(true);
      expect(s0[p].klInitial).toBeGreaterThan(0.05);
    }
    expect(s0.uniform.alpha).toBe(0.15);
    expect(s0.reference.alpha).toBe(0.15);
    // none is the uniform prior at α = 0: its KL to the prior is the KL to uniform, a number.
    expect(s0.none.alpha).toBe(0);
    expect(Number.isFinite(s0.none.klPrior)).toBe(true);

    await page.click('[data-testid="train-run"]');
    // Until each learner has taken 3,000 steps and its KL has fallen to 80 % of where it started.
    await page.waitForFunction(
      (priors) =>
        priors.every((p) => {
          const v = (k: string) =>
            Number(
              document.querySelector(`[data-testid="train-stats-${p}"] [data-stat="${k}"]`)?.getAttribute('data-value'),
            );
          const kl = Number.isFinite(v('kl')) ? v('kl') : v('klReverse');
          return v('steps') >= 3000 && kl < 0.8 * v('klInitial');
        }),
      PRIORS,
      { timeout: 150_000, polling: 250 },
    );
    // One chart, one curve per prior, each with points.
    const curves = await page.$$eval('[data-testid="train-chart-kl"] path', (ps) =>
      ps.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter((x) => x.trim()).length),
    );
    expect(curves.filter((n) => n > 1).length).toBeGreaterThanOrEqual(3);

    await page.click('[data-testid="train-run"]');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="train-stats"] [data-stat="state"]')?.getAttribute('data-value') ===
        'paused',
      null,
      { timeout: 10_000 },
    );
    const s1 = await allStats(page);
    for (const p of PRIORS) {
      expect(s1[p].steps).toBeGreaterThanOrEqual(3000);
      expect(charted(s1[p])).toBeLessThan(0.8 * s1[p].klInitial);
    }
    expect(Number.isFinite(s1.none.klReverse)).toBe(true);
    expect(Number.isFinite(s1.none.klPrior)).toBe(true);
    // Paused: nothing arrives after the page shows it (well past 100 ms).
    const progressAt = await page.evaluate(() => document.body.dataset.trainProgressAt);
    await page.waitForTimeout(600);
    const s2 = await allStats(page);
    for (const p of PRIORS) expect(s2[p].steps).toBe(s1[p].steps);
    expect(await page.evaluate(() => document.body.dataset.trainProgressAt)).toBe(progressAt);
    expect(await state(page)).toBe('paused');
    await page.screenshot({ path: join(viz.artifacts, 'train-three-1440.png'), fullPage: true });

    // Reset: all three back to step 0, with their initial KL.
    await page.click('[data-testid="train-reset"]');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="train-stats"] [data-stat="state"]')?.getAttribute('data-value') ===
        'ready',
      null,
      { timeout: 30_000 },
    );
    const s3 = await allStats(page);
    for (const p of PRIORS) expect(s3[p].klInitial).toBeCloseTo(s0[p].klInitial, 12);
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('fits a 390 px wide screen: the three grids stack, nothing runs off the page', async () => {
    const page = await openPanel(viz.session, HASH, viz.errors, { width: 390, height: 844 });
    await page.click('[data-testid="train-step"]');
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-testid="train-stats-none"] [data-stat="steps"]')?.getAttribute('data-value'),
        ) > 0,
      null,
      { timeout: 60_000 },
    );
    const canvas = await page.$eval('#main canvas', (c) => ({
      w: c.getBoundingClientRect().width,
      h: c.getBoundingClientRect().height,
    }));
    expect(canvas.w).toBeLessThanOrEqual(390);
    // Stacked: taller than wide.
    expect(canvas.h).toBeGreaterThan(canvas.w);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(viz.artifacts, 'train-three-390.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the "what to notice" presets set the view: three priors at α = 1 (none trains as at α = 0.15), then one learner beside π*', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=train&env=CliffWalking-v1&alpha=0.5&seed=1&agent=klppo&mode=single',
      viz.errors,
      { width: 1440, height: 900 },
    );
    const refreshes = async () => Number(await page.evaluate(() => document.body.dataset.trainRefresh));
    let before = await refreshes();
    await page.click('[data-testid="train-preset-alpha"]');
    await page.waitForFunction(
      (b) =>
        Number(document.body.dataset.trainRefresh) > b &&
        document.querySelector('[data-testid="train-stats-reference"]') !== null,
      before,
    );
    const s = await allStats(page);
    expect([s.uniform.alpha, s.reference.alpha, s.none.alpha]).toEqual([1, 1, 0]);
    expect(await page.$eval('[data-testid="train-notice"]', (t) => t.textContent)).toContain('α = 1');
    // none ignores α: after one Step (100 env steps each) its learner is where it is at α = 0.15; uniform's is not.
    const stepped = async () => {
      await page.click('[data-testid="train-step"]');
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid="train-stats-none"] [data-stat="steps"]')?.getAttribute('data-value'),
          ) === 100,
      );
      return allStats(page);
    };
    const atOne = await stepped();
    before = await refreshes();
    await page.click('[data-testid="train-preset-three"]');
    await page.waitForFunction(
      (b) =>
        Number(document.body.dataset.trainRefresh) > b &&
        document.querySelector('[data-testid="train-stats-none"] [data-stat="steps"]')?.getAttribute('data-value') ===
          '0',
      before,
    );
    const atSmall = await stepped();
    expect(atSmall.uniform.alpha).toBe(0.15);
    expect(atSmall.none.klReverse).toBe(atOne.none.klReverse);
    expect(atSmall.none.klPrior).toBe(atOne.none.klPrior);
    expect(atSmall.uniform.klPrior).not.toBe(atOne.uniform.klPrior);
    before = await refreshes();
    await page.click('[data-testid="train-preset-single"]');
    await page.waitForFunction(
      (b) =>
        Number(document.body.dataset.trainRefresh) > b &&
        document.querySelector('[data-testid="train-stats-uniform"]') === null,
      before,
    );
    expect((await values(page, 'train-stats')).alpha).toBe(0.15);
    expect(
      await page.$eval('[data-testid="train-agent"] [aria-checked="true"]', (b) => (b as HTMLElement).dataset.value),
    ).toBe('sac');
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
