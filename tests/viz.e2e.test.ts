/**
 * The visualizer in a real browser (Debian's chromium, headless, driven by playwright-core) against the
 * vite dev server started here on a free loopback port. Reads the numbers the panels display from the
 * DOM (`data-stat` / `data-value`), checks them against the lesson and the direction the prior predicts,
 * and saves a screenshot of each main view to `test-artifacts/`.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPanel, WM_BAD, WM_RUN, writeSyntheticRssm, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const viz = useVizSession('viz', { fill: writeSyntheticRssm });

const num = (s: Record<string, string>, k: string): number => Number(s[k] ?? 0);

/** Waits until the live-training stats show `key` = `value` (the learner runs in a worker, so read-outs arrive asynchronously). */
async function trainStat(page: Page, key: string, value: string | number): Promise<void> {
  await page.waitForFunction(
    ([k, v]) =>
      document.querySelector(`[data-testid="train-stats"] [data-stat="${k}"]`)?.getAttribute('data-value') ===
      String(v),
    [key, value] as const,
    { timeout: 60_000 },
  );
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(viz.artifacts, `${name}.png`), fullPage: true });
}

describe('visualizer in chromium', () => {
  it('opens the gridworld with no console errors and restores the view from the hash', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=gridworld&env=TwoRoute-v0&prior=reference&alpha=0.15&seed=3',
      viz.errors,
    );
    expect(
      await page.$eval('[data-testid="grid-prior"] [aria-checked="true"]', (b) => (b as HTMLElement).dataset.value),
    ).toBe('reference');
    expect(await page.$eval('[data-testid="grid-seed"]', (i) => (i as HTMLInputElement).value)).toBe('3');
    expect(
      await page.$$eval('[data-testid^="grid-stats-"]', (b) => b.map((x) => (x as HTMLElement).dataset.prior)),
    ).toEqual(['reference']);
    expect(await page.$eval('canvas', (c) => c.dataset.renderer)).toMatch(/webgl|webgpu|canvas/);
    await page.waitForTimeout(600);
    await shot(page, 'gridworld-reference');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('switching the prior changes the policy and the route statistics in the predicted direction', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=gridworld&env=TwoRoute-v0&prior=none&alpha=0.15&seed=1',
      viz.errors,
    );
    const read = async (prior: string) => {
      const before = Number(await page.evaluate(() => document.body.dataset.gridRender));
      await page.click(`[data-testid="grid-prior"] button[data-value="${prior}"]`);
      await page.waitForFunction((b) => Number(document.body.dataset.gridRender) > b, before);
      const s = await statValues(page, `grid-stats-${prior}`);
      const pi = JSON.parse(
        await page.$eval(`[data-testid="grid-stats-${prior}"]`, (b) => (b as HTMLElement).dataset.piStart!),
      ) as number[];
      return { s, pi };
    };
    const none = await read('none');
    const uniform = await read('uniform');
    const reference = await read('reference');
    // Plain RL walks the ledge every time; max-ent hedges; the reference prior follows the guide's room route.
    expect(num(none.s, 'outcome:ledge')).toBeGreaterThan(0.99);
    expect(num(uniform.s, 'outcome:ledge')).toBeLessThan(num(none.s, 'outcome:ledge'));
    expect(num(uniform.s, 'outcome:room')).toBeGreaterThan(0.4);
    expect(num(reference.s, 'outcome:room')).toBeGreaterThan(num(uniform.s, 'outcome:room'));
    expect(num(reference.s, 'outcome:ledge')).toBeLessThan(0.05);
    expect(num(reference.s, 'klReference')).toBeLessThan(num(uniform.s, 'klReference'));
    expect(num(uniform.s, 'entropy')).toBeGreaterThan(num(reference.s, 'entropy'));
    expect(num(none.s, 'entropy')).toBeCloseTo(0, 6);
    expect(num(none.s, 'meanLength')).toBeCloseTo(8, 6);
    // The policy shown at the start state: Right for plain RL, mostly Up (towards the room) with the reference.
    expect(none.pi[1]).toBeCloseTo(1, 6);
    expect(reference.pi[0]).toBeGreaterThan(0.5);
    // Raising α under the uniform prior spreads the policy: entropy up, more rollouts leave the ledge.
    await read('uniform'); // back to uniform, and wait for that render, so the next one is the slider's
    const before = Number(await page.evaluate(() => document.body.dataset.gridRender));
    await page.fill('[data-testid="grid-alpha"]', '-0.3');
    await page.waitForFunction((b) => Number(document.body.dataset.gridRender) > b, before);
    const hot = await statValues(page, 'grid-stats-uniform');
    expect(num(hot, 'entropy')).toBeGreaterThan(num(uniform.s, 'entropy'));
    expect(page.url()).toContain('alpha=0.5012');
    await shot(page, 'gridworld-uniform-alpha0.5');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('side by side shows the three priors on the same seed', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=gridworld&env=TwoRoute-v0&alpha=0.15&seed=1&mode=compare',
      viz.errors,
    );
    expect(
      await page.$$eval('[data-testid^="grid-stats-"]', (b) => b.map((x) => (x as HTMLElement).dataset.prior)),
    ).toEqual(['uniform', 'reference', 'none']);
    const u = await statValues(page, 'grid-stats-uniform');
    const r = await statValues(page, 'grid-stats-reference');
    expect(num(r, 'expectedLength')).toBeLessThan(num(u, 'expectedLength'));
    await page.waitForTimeout(600);
    await shot(page, 'gridworld-side-by-side');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it("the ELBO playground shows the lesson's worked example, and the gap closes at the posterior", async () => {
    const page = await openPanel(viz.session, '#panel=elbo', viz.errors);
    const s = await statValues(page, 'elbo-stats');
    expect(num(s, 'logpx')).toBeCloseTo(-1.516, 3);
    expect(num(s, 'elbo')).toBeCloseTo(-1.709, 3);
    expect(num(s, 'gapDefinition')).toBeCloseTo(0.193, 3);
    expect(num(s, 'gapKL')).toBeCloseTo(0.193, 3);
    expect(await page.textContent('[data-testid="elbo-identity"]')).toContain('-1.516 = -1.709 + 0.193');
    await shot(page, 'elbo-playground');
    await page.click('[data-testid="elbo-fit"]');
    const fit = await statValues(page, 'elbo-stats');
    expect(num(fit, 'gapKL')).toBeCloseTo(0, 9);
    expect(num(fit, 'elbo')).toBeCloseTo(-1.516, 3);
    expect(page.url()).toContain('mu=0.5');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it("the Continuous control tab's controller view overlays 200 trajectories of the reference controllers", async () => {
    const page = await openPanel(
      viz.session,
      '#panel=control&view=controller&env=PointMass-v0&seed=1&noise=0.3',
      viz.errors,
    );
    const s = await statValues(page, 'control-stats');
    expect(num(s, 'far') + num(s, 'near') + num(s, 'none')).toBeCloseTo(1, 9);
    // The reference controller (the experiments' prior) steers below the big obstacle to the far goal; σ = 0.3 spreads it without changing the route.
    expect(num(s, 'above')).toBeLessThan(0.05);
    expect(num(s, 'far')).toBeGreaterThan(0.95);
    await page.waitForTimeout(500);
    await shot(page, 'pointmass');
    await page.click('[data-testid="control-route"] button[data-value="top"]');
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-testid="control-stats"] [data-stat="above"]')?.getAttribute('data-value'),
        ) > 0.95,
    );
    expect(num(await statValues(page, 'control-stats'), 'far')).toBeGreaterThan(0.95);
    expect(page.url()).toContain('route=top');
    await page.waitForTimeout(500);
    await shot(page, 'pointmass-above');
    await page.selectOption('[data-testid="control-env"]', 'Pendulum-v1');
    await page.waitForSelector('svg.chart');
    // The default view is a real swing-up: the first seed from 1 whose start hangs down, reaching upright later.
    const p = await statValues(page, 'control-stats');
    expect(Math.abs(num(p, 'startTheta'))).toBeGreaterThanOrEqual(2.5);
    expect(num(p, 'upright')).toBeGreaterThan(100);
    expect(page.url()).toContain('seed=10');
    await page.waitForTimeout(1500);
    await shot(page, 'pendulum');
    expect(viz.errors).toEqual([]);
    await page.close();
  });
  it('live training: discrete SAC on TwoRoute steps, runs, pauses, and its KL to the exact π* falls', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=train&env=TwoRoute-v0&prior=uniform&alpha=0.15&seed=1&agent=sac&mode=single',
      viz.errors,
    );
    const s0 = await statValues(page, 'train-stats');
    expect(s0.backend).toBe('wasm');
    expect(num(s0, 'steps')).toBe(0);
    // The untrained (near-uniform) policy is far from π*; the KL shown at step 0 is that starting point.
    expect(num(s0, 'kl')).toBeGreaterThan(0.2);
    expect(num(s0, 'klInitial')).toBe(num(s0, 'kl'));
    // Before the first step every chart shows the same empty state (no lone-point axes).
    expect(await page.$$eval('svg.chart .chart-empty', (t) => t.map((x) => x.textContent))).toEqual(
      Array(3).fill('no data yet: press Start or Step'),
    );
    await shot(page, 'live-training-ready');
    await page.click('[data-testid="train-step"]');
    await trainStat(page, 'steps', 100);
    await page.click('[data-testid="train-run"]');
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="train-stats"] [data-stat="steps"]')?.getAttribute('data-value')) >=
        2500,
      null,
      { timeout: 90_000 },
    );
    await page.click('[data-testid="train-run"]');
    await trainStat(page, 'state', 'paused');
    const s1 = await statValues(page, 'train-stats');
    expect(num(s1, 'updates')).toBeGreaterThan(1500);
    expect(num(s1, 'klInitial')).toBe(num(s0, 'kl'));
    expect(num(s1, 'kl')).toBeLessThan(0.5 * num(s0, 'kl'));
    expect(num(s1, 'klReverse')).toBeLessThan(num(s0, 'klReverse') + 0.05);
    // Paused means paused: the step counter holds.
    await page.waitForTimeout(500);
    expect(num(await statValues(page, 'train-stats'), 'steps')).toBe(num(s1, 'steps'));
    expect(await page.$$eval('[data-testid="train-chart-kl"] path', (p) => p.length)).toBeGreaterThan(0);
    await shot(page, 'live-training-sac');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('live training: KL-PPO on TwoRoute steps one iteration, runs, pauses, and its KL to the exact π* falls', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=train&env=TwoRoute-v0&prior=uniform&alpha=0.15&seed=1&agent=klppo&mode=single',
      viz.errors,
    );
    expect(
      await page.$eval('[data-testid="train-agent"] [aria-checked="true"]', (b) => (b as HTMLElement).dataset.value),
    ).toBe('klppo');
    const s0 = await statValues(page, 'train-stats');
    expect(s0.backend).toBe('wasm');
    expect(num(s0, 'steps')).toBe(0);
    expect(num(s0, 'updates')).toBe(0);
    expect(num(s0, 'kl')).toBeGreaterThan(0.2);
    expect(num(s0, 'klInitial')).toBe(num(s0, 'kl'));
    // One press of "Step" is one PPO iteration: 16 envs × 32 steps, then the epochs of minibatch updates.
    await page.click('[data-testid="train-step"]');
    await trainStat(page, 'steps', 512);
    const s1 = await statValues(page, 'train-stats');
    expect(num(s1, 'updates')).toBeGreaterThan(0);
    await page.click('[data-testid="train-run"]');
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="train-stats"] [data-stat="steps"]')?.getAttribute('data-value')) >=
        20_000,
      null,
      { timeout: 90_000 },
    );
    await page.click('[data-testid="train-run"]');
    await trainStat(page, 'state', 'paused');
    const s2 = await statValues(page, 'train-stats');
    // Whole iterations only, and the update counter moves with them.
    expect(num(s2, 'steps') % 512).toBe(0);
    expect(num(s2, 'updates')).toBe((num(s2, 'steps') / 512) * num(s1, 'updates'));
    expect(num(s2, 'klInitial')).toBe(num(s0, 'kl'));
    expect(num(s2, 'kl')).toBeLessThan(0.5 * num(s0, 'kl'));
    expect(num(s2, 'klReverse')).toBeLessThan(num(s0, 'klReverse'));
    await page.waitForTimeout(500);
    expect(num(await statValues(page, 'train-stats'), 'steps')).toBe(num(s2, 'steps'));
    expect(await page.$$eval('[data-testid="train-chart-kl"] path', (p) => p.length)).toBeGreaterThan(0);
    await shot(page, 'live-training-klppo');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('restarting live training frees its tensors: after ten α changes, an agent switch and a reset the count is back where it started', async () => {
    const page = await openPanel(
      viz.session,
      '#panel=train&env=TwoRoute-v0&prior=reference&alpha=0.15&seed=1&agent=sac&mode=single',
      viz.errors,
    );
    const tensors = async () => num(await statValues(page, 'train-stats'), 'tensors');
    const start = await tensors();
    expect(start).toBeGreaterThan(0);
    // Each session trains a chunk first, so its agent's optimizer state and its prior's table exist when it is dropped.
    for (let i = 0; i < 10; i++) {
      await page.click('[data-testid="train-step"]');
      await page.fill('[data-testid="train-alpha"]', (-1 + 0.1 * i).toFixed(2));
    }
    await page.click('[data-testid="train-agent"] button[data-value="klppo"]');
    await page.click('[data-testid="train-step"]');
    await page.click('[data-testid="train-agent"] button[data-value="sac"]');
    await page.click('[data-testid="train-step"]');
    await trainStat(page, 'steps', 100);
    await page.click('[data-testid="train-reset"]');
    await trainStat(page, 'steps', 0);
    expect(await tensors()).toBe(start);
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('tokens: the closed-form optimum collapses onto "aaaa" as β → 0 and returns to the reference as β grows', async () => {
    const page = await openPanel(viz.session, '#panel=tokens&reward=repeat&beta=0.001', viz.errors);
    const cold = await statValues(page, 'tokens-stats');
    expect(cold.topSeq).toBe('aaaa');
    expect(num(cold, 'topMass')).toBeGreaterThan(0.99);
    expect(num(cold, 'reward')).toBeGreaterThan(0.99);
    // The reference itself prefers grammatical text and pays little reward.
    expect(cold.refTopSeq).not.toBe('aaaa');
    expect(num(cold, 'refReward')).toBeLessThan(0.4);
    const setBeta = async (log10: string) => {
      const before = Number(await page.evaluate(() => document.body.dataset.tokensRender));
      await page.fill('[data-testid="tokens-beta"]', log10);
      await page.waitForFunction((b) => Number(document.body.dataset.tokensRender) > b, before);
    };
    await setBeta('-0.5');
    const mid = await statValues(page, 'tokens-stats');
    // Every displayed row satisfies π*(y)/π_ref(y) = exp(R(y)/β)/Z: log ratio minus R/β is one constant.
    const rows = await page.$$eval('[data-testid="tokens-top"] tr[data-seq]', (tr) =>
      tr.map((r) => ({
        r: Number((r as HTMLElement).dataset.r),
        ps: Number((r as HTMLElement).dataset.pstar),
        pr: Number((r as HTMLElement).dataset.pref),
      })),
    );
    expect(rows).toHaveLength(12);
    const logZ = rows.map((x) => x.r / num(mid, 'beta') - Math.log(x.ps / x.pr));
    for (const z of logZ) expect(z).toBeCloseTo(logZ[0], 9);
    await shot(page, 'tokens-beta0.3');
    await setBeta('1');
    const hot = await statValues(page, 'tokens-stats');
    expect(num(hot, 'kl')).toBeLessThan(0.01);
    expect(Math.abs(num(hot, 'reward') - num(hot, 'refReward'))).toBeLessThan(0.02);
    expect(num(hot, 'kl')).toBeLessThan(num(mid, 'kl'));
    expect(num(mid, 'kl')).toBeLessThan(num(cold, 'kl'));
    expect(hot.topSeq).toBe(hot.refTopSeq);
    expect(page.url()).toContain('beta=10');
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('world model: observed vs reconstructed vs imagined from a run folder, with the errors it implies', async () => {
    const page = await openPanel(viz.session, `#panel=worldmodel&run=${WM_RUN}`, viz.errors);
    await page.waitForFunction(() => document.body.dataset.wmShown === '0');
    const s = await statValues(page, 'wm-stats');
    expect(num(s, 'reconMse')).toBeCloseTo(0.01, 9);
    expect(num(s, 'imagMse')).toBeCloseTo(0.04, 9);
    expect(num(s, 'repeatMse')).toBeCloseTo(7.5, 9);
    expect(num(s, 'return')).toBe(-7);
    expect(num(s, 'readoutMse')).toBeCloseTo(0.01, 9);
    expect(num(s, 'readoutR2')).toBe(0.9);
    expect(await page.$$eval('[data-testid="wm-chart"]', (c) => c.map((x) => x.getAttribute('aria-label')))).toEqual([
      'observation cos θ',
      'observation sin θ',
    ]);
    // Four series per chart (observed, reconstructed, imagined, repeat last) and the hidden θ̇ charted on its own
    // with its read-out from the latent.
    expect(await page.$$eval('[data-testid="wm-chart"]:first-of-type path', (p) => p.length)).toBe(4);
    expect(
      await page.$$eval('[data-testid="wm-chart"]:first-of-type .legend text', (t) => t.map((x) => x.textContent)),
    ).toContain('repeat last');
    expect(await page.$$eval('[data-testid="wm-truth"]', (c) => c.length)).toBe(1);
    expect(await page.$$eval('[data-testid="wm-truth"] path', (p) => p.length)).toBe(2);
    await shot(page, 'world-model');
    await page.fill('[data-testid="wm-traj"]', '1');
    await page.waitForFunction(() => document.body.dataset.wmShown === '1');
    expect(num(await statValues(page, 'wm-stats'), 'imagMse')).toBeCloseTo(1.44, 9);
    // A malformed file is refused with the field named, not drawn.
    await page.selectOption('[data-testid="wm-run"]', WM_BAD);
    await page.waitForFunction(() => document.body.dataset.wmShown === 'error');
    expect(await page.textContent('[data-testid="wm-error"]')).toContain('trajectories.0.imagined: 3 rows, expected 4');
    expect(viz.errors).toEqual([]);
    await page.close();
  });
});
