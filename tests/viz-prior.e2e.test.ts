/**
 * The gridworld's prior made visible, in Debian's chromium: the hover read-out of a cell (V, π, p and
 * the KL computed from the numbers it shows), the slider fixed at the Objective's α for `none`, the
 * exact outcome shares against the sampled ones, the value colour bar that stays put as α moves, the
 * α-sweep charts, and a tab switch while a panel is still mounting. Screenshots go to `test-artifacts/`.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TWO_ROUTE_GUIDE_CONFIDENCE } from '../src/envs/tworoute.js';
import { openPanel } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const viz = useVizSession('viz-prior');

const values = (page: Page, testid: string): Promise<Record<string, number>> =>
  page.$$eval(`[data-testid="${testid}"] [data-stat]`, (cells) =>
    Object.fromEntries(cells.map((c) => [(c as HTMLElement).dataset.stat!, Number((c as HTMLElement).dataset.value)])),
  );

const renders = async (page: Page): Promise<number> =>
  Number(await page.evaluate(() => document.body.dataset.gridRender));

/** Sets the α slider (log10 α) and waits for the redraw. */
async function setLogAlpha(page: Page, v: number): Promise<void> {
  const before = await renders(page);
  await page.fill('[data-testid="grid-alpha"]', String(v));
  await page.waitForFunction((b) => Number(document.body.dataset.gridRender) > b, before);
}

describe('the prior made visible (chromium)', () => {
  it('hovering a ledge cell shows V, π(·|s), the reference p(·|s) and the KL those numbers give', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=gridworld&env=TwoRoute-v0&prior=reference&alpha=0.15&seed=1',
      viz.errors,
      { width: 1440, height: 900 },
    );
    // Cell (4, 3), state 39, on the ledge, where the guide says Left: walk down the value grid's first
    // column to the start (state 36, row 4), then right along that row.
    const bb = (await page.$eval('canvas[data-testid="grid-canvas"]', (c) => c.getBoundingClientRect().toJSON())) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    const stateAt = async (x: number, y: number) => {
      await page.mouse.move(bb.x + x, bb.y + y);
      return page.$eval('[data-testid="grid-tooltip"]', (t) =>
        t.hasAttribute('hidden') ? -1 : Number((t as HTMLElement).dataset.state),
      );
    };
    let y = 0;
    while (y < bb.height && (await stateAt(10, y)) !== 36) y += 4;
    let x = 10;
    while (x < bb.width && (await stateAt(x, y + 4)) !== 39) x += 4;
    const found = (await stateAt(x + 4, y + 8)) === 39;
    expect(found).toBe(true);
    const tip = await page.$eval('[data-testid="grid-tooltip"]', (t) => ({
      prior: (t as HTMLElement).dataset.prior,
      kl: Number((t as HTMLElement).dataset.kl),
      v: Number((t as HTMLElement).dataset.v),
      pi: [...t.querySelectorAll('[data-pi]')].map((c) => Number((c as HTMLElement).dataset.pi)),
      p: [...t.querySelectorAll('[data-p]')].map((c) => Number((c as HTMLElement).dataset.p)),
    }));
    expect(tip.prior).toBe('reference');
    const other = (1 - TWO_ROUTE_GUIDE_CONFIDENCE) / 3;
    expect(tip.p).toEqual([other, other, other, TWO_ROUTE_GUIDE_CONFIDENCE].map((x) => expect.closeTo(x, 12)));
    expect(tip.pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // On the ledge the reference-regularized policy walks back Left, as the guide does.
    expect(tip.pi[3]).toBeGreaterThan(0.5);
    const kl = tip.pi.reduce((acc, q, a) => acc + (q > 0 ? q * Math.log(q / tip.p[a]) : 0), 0);
    expect(tip.kl).toBeCloseTo(kl, 9);
    expect(tip.kl).toBeGreaterThan(0);
    expect(Number.isFinite(tip.v)).toBe(true);
    await page.screenshot({ path: join(viz.artifacts, 'gridworld-hover.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it("prior none: the α slider shows the Objective's α = 0 and is disabled; uniform turns it back on", async () => {
    const page = await openPanel(
      viz.session,
      '#panel=gridworld&env=TwoRoute-v0&prior=none&alpha=0.15&seed=1',
      viz.errors,
    );
    const slider = () =>
      page.$eval('[data-testid="grid-alpha"]', (i) => ({
        disabled: (i as HTMLInputElement).disabled,
        shown: i.parentElement!.querySelector('output')!.textContent,
      }));
    expect(await slider()).toEqual({ disabled: true, shown: expect.stringMatching(/^0 /) });
    expect(await page.textContent('[data-testid="grid-stats-none"] h4')).toContain('none');
    await page.screenshot({ path: join(viz.artifacts, 'gridworld-none-alpha0.png'), fullPage: true });
    const before = await renders(page);
    await page.click('[data-testid="grid-prior"] button[data-value="uniform"]');
    await page.waitForFunction((b) => Number(document.body.dataset.gridRender) > b, before);
    expect(await slider()).toEqual({ disabled: false, shown: '0.150' });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it("live training with prior none shows the learners' α = 0 on a disabled slider and an infinite KL(π ‖ π*) as ∞", async () => {
    const page = await openPanel(
      viz.session,
      '#panel=train&env=TwoRoute-v0&prior=none&alpha=0.15&seed=1&agent=sac&mode=single',
      viz.errors,
    );
    const slider = () =>
      page.$eval('[data-testid="train-alpha"]', (i) => ({
        disabled: (i as HTMLInputElement).disabled,
        shown: i.parentElement!.querySelector('output')!.textContent,
      }));
    expect(await slider()).toEqual({ disabled: true, shown: expect.stringMatching(/^0 /) });
    // π* is greedy at α = 0: KL(learned ‖ π*) is infinite and shown as such; the reverse direction is a number.
    const stat = (k: string) =>
      page.$eval(`[data-testid="train-stats"] [data-stat="${k}"]`, (c) => ({
        text: c.textContent,
        value: (c as HTMLElement).dataset.value,
      }));
    expect((await stat('kl')).text).toContain('∞');
    expect(Number((await stat('klReverse')).value)).toBeGreaterThan(0);
    expect(Number.isFinite(Number((await stat('klReverse')).value))).toBe(true);
    await page.screenshot({ path: join(viz.artifacts, 'train-none.png'), fullPage: true });
    await page.click('[data-testid="train-prior"] button[data-value="uniform"]');
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid="train-alpha"]') as HTMLInputElement).disabled,
    );
    expect((await slider()).shown).toBe('0.150');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('exact outcome shares match the 1,000 sampled rollouts, lengths respect the time limit, and the colour bar stays put as α moves', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=gridworld&env=TwoRoute-v0&alpha=0.15&seed=1&mode=compare',
      viz.errors,
      {
        width: 1440,
        height: 900,
      },
    );
    const bar = () =>
      page.$eval('[data-testid="grid-colorbar"]', (b) => [
        Number((b as HTMLElement).dataset.lo),
        Number((b as HTMLElement).dataset.hi),
      ]);
    const scale = await bar();
    // KL-regularized values lie within the discounted returns: between the lava's −1 and the goal's +1.
    expect(scale[0]).toBeGreaterThanOrEqual(-1 - 1e-9);
    expect(scale[1]).toBeLessThanOrEqual(1 + 1e-9);
    expect(scale[1] - scale[0]).toBeGreaterThan(1);
    for (const prior of ['uniform', 'reference', 'none']) {
      const s = await values(page, `grid-stats-${prior}`);
      for (const route of ['ledge', 'room', 'both', 'lava', 'timeout'])
        expect(Math.abs(s[`exact:${route}`] - s[`outcome:${route}`])).toBeLessThan(0.05);
    }
    // At α = 1 most uniform episodes wander into the lava or hit the 100-step limit; the exact length counts only steps before it.
    await setLogAlpha(page, 0);
    const u = await values(page, 'grid-stats-uniform');
    expect(Math.abs(u.expectedLength - u.meanLength)).toBeLessThan(3);
    expect(u.expectedLength).toBeLessThanOrEqual(100);
    expect(await bar()).toEqual(scale);
    // The sweep charts: three, each with the current α marked.
    expect(await page.$$eval('[data-testid^="grid-sweep-"]', (c) => c.length)).toBe(3);
    expect(await page.$eval('[data-testid="grid-sweep-0"] .marker-label', (t) => t.textContent)).toBe('α = 1.0');
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(viz.artifacts, 'gridworld-side-by-side-alpha1.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('the "what to notice" presets show plain RL on the ledge, large α in the lava, and the reference on the guide\'s route', async () => {
    const page = await openPanel(viz.session, '#panel=gridworld&env=CliffWalking-v1&prior=none&seed=1', viz.errors);
    const preset = async (id: string, prior: string) => {
      const before = await renders(page);
      await page.click(`[data-testid="grid-preset-${id}"]`);
      await page.waitForFunction((b) => Number(document.body.dataset.gridRender) > b, before);
      return values(page, `grid-stats-${prior}`);
    };
    expect((await preset('plain', 'uniform'))['outcome:ledge']).toBeGreaterThan(0.99);
    const notice = await page.textContent('[data-testid="grid-notice"]');
    expect((await preset('lava', 'uniform'))['outcome:lava']).toBeGreaterThan(0.5);
    expect(await page.textContent('[data-testid="grid-notice"]')).not.toBe(notice);
    expect((await preset('guide', 'reference'))['outcome:room']).toBeGreaterThan(0.95);
    expect(page.url()).toContain('env=TwoRoute-v0');
    expect(page.url()).toContain('prior=reference');
    await page.screenshot({ path: join(viz.artifacts, 'gridworld-preset-guide.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('switching tabs while the gridworld is still mounting leaves none of its controls under the new panel', async () => {
    const page = await viz.session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => viz.errors.push(e.message));
    await page.goto(viz.session.url + '#panel=gridworld&env=TwoRoute-v0&mode=compare');
    await page.click('nav a[data-panel="elbo"]');
    await page.waitForFunction(() => document.body.dataset.ready === 'elbo', null, { timeout: 60_000 });
    // Let the superseded gridworld mount finish (its sweep and scenes), then look for its leftovers.
    await page.waitForTimeout(3000);
    expect(
      await page.$$eval(
        '#sidebar [data-testid^="grid-"], #main [data-testid^="grid-"], #charts [data-testid^="grid-"]',
        (e) => e.length,
      ),
    ).toBe(0);
    expect(await page.$$eval('#main canvas', (e) => e.length)).toBe(0);
    expect(page.url()).toContain('panel=elbo');
    await page.screenshot({ path: join(viz.artifacts, 'tab-switch-while-mounting.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });
});
