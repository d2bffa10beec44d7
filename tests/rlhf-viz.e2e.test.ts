/**
 * The Tokens tab's estimator lab in Debian's chromium, at 1280×800 and 390×844: an unbiased estimator's sampled
 * gradients centre on the exact ∇J and k3 without the ratio's do not; the learners trained in the page sit next
 * to π* (RLOO and DPO within TV 0.02, GRPO far); the view switch and a preset work; no console errors.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPanel, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const viz = useVizSession('rlhf-viz');

const rendered = (page: Page) => page.evaluate(() => Number(document.body.dataset.tokensLabRender ?? 0));

async function learnersTv(page: Page): Promise<Record<string, number>> {
  await page.waitForFunction(() => document.body.dataset.tokensLearners !== undefined, null, { timeout: 60_000 });
  return page.$$eval('[data-testid="tokens-learners-tv"] td[data-method]', (tds) =>
    Object.fromEntries(
      tds.map((td) => [(td as HTMLElement).dataset.method!, Number((td as HTMLElement).dataset.value)]),
    ),
  );
}

describe('Tokens tab: estimator lab', () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`${viewport.width}×${viewport.height}: estimates around ∇J, learners beside π*`, async () => {
      const page = await openPanel(
        viz.session,
        '#panel=tokens&view=estimators&estimator=k1-reward&n=16&beta=0.3',
        viz.errors,
        viewport,
      );
      const unbiased = await statValues(page, 'tokens-lab-stats');
      expect(unbiased.unbiased).toBe('yes');
      // 300 estimates: the mean along ∇J is 1 ± 0.35 of ‖∇J‖ and nearly nothing across it.
      expect(Math.abs(Number(unbiased.meanAlong) - 1)).toBeLessThan(0.35);
      expect(Math.abs(Number(unbiased.meanAcross))).toBeLessThan(0.35);
      const tv = await learnersTv(page);
      expect(tv.RLOO).toBeLessThan(0.02);
      expect(tv.DPO).toBeLessThan(0.02);
      expect(tv.GRPO).toBeGreaterThan(0.2);
      expect(tv['GRPO β=0']).toBeGreaterThan(0.5);
      await page.screenshot({ path: join(viz.artifacts, `rlhf-lab-${viewport.width}.png`), fullPage: true });

      const before = await rendered(page);
      await page.click('[data-testid="tokens-lab-preset-forward"]');
      await page.waitForFunction((b) => Number(document.body.dataset.tokensLabRender) > b, before);
      const biased = await statValues(page, 'tokens-lab-stats');
      expect(biased.unbiased).toBe('no');
      expect(Math.hypot(Number(biased.meanAlong) - 1, Number(biased.meanAcross))).toBeGreaterThan(0.5);
      await page.screenshot({ path: join(viz.artifacts, `rlhf-lab-k3-${viewport.width}.png`), fullPage: true });
      expect(viz.errors).toEqual([]);
      await page.close();
    });
  }

  it('the view switch opens the closed-form view and back', async () => {
    const page = await openPanel(viz.session, '#panel=tokens', viz.errors);
    await page.click('[data-testid="tokens-view"] button[data-value="estimators"]');
    await page.waitForFunction(() => Number(document.body.dataset.tokensLabRender ?? 0) > 0, null, { timeout: 60_000 });
    expect(page.url()).toContain('view=estimators');
    await page.click('[data-testid="tokens-view"] button[data-value="closed-form"]');
    await page.waitForSelector('[data-testid="tokens-stats"]', { timeout: 60_000 });
    expect(viz.errors).toEqual([]);
    await page.close();
  });
});
