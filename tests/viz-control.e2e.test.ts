/**
 * The Continuous control tab's trained agents in Debian's chromium: with no command beforehand it shows the
 * shipped SAC agents under the three priors side by side, the stats move the way the prior predicts
 * (MountainCar: the pumping reference reaches the flag, uniform stands still), the density chart and a finite
 * KL(π‖p) appear, a run folder loads through the file input (and a corrupted one is refused with the checker's
 * message), and the controller view is still reachable. Screenshots at 1440×900 and 390 px in `test-artifacts/`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPanel, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const viz = useVizSession('viz-control');

async function stats(page: Page, testid: string): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await statValues(page, testid)).map(([k, v]) => [k, Number(v)]));
}

/** Waits until the columns are drawn for the render after `after` (the panel marks `#main[data-done]`). */
async function drawn(page: Page, after = 0): Promise<void> {
  await page.waitForFunction((a) => Number(document.getElementById('main')?.dataset.done ?? 0) > a, after, {
    timeout: 120_000,
  });
}
const done = (page: Page) => page.evaluate(() => Number(document.getElementById('main')?.dataset.done ?? 0));

describe('Continuous control: trained agents under each prior', () => {
  it('opens on three columns of shipped agents; MountainCar: the reference reaches the flag, uniform stands still; densities with a finite KL', async () => {
    const page = await openPanel(viz.session, '#panel=control', viz.errors, { width: 1440, height: 900 });
    await drawn(page);
    for (const p of ['uniform', 'reference', 'none'])
      expect(await page.$(`[data-testid="control-col-${p}"]`)).not.toBeNull();
    const ref = await stats(page, 'control-stats-reference');
    const uni = await stats(page, 'control-stats-uniform');
    expect(ref.success).toBeGreaterThan(0.8);
    expect(uni.success).toBeLessThan(0.2);
    expect(ref.success).toBeGreaterThan(uni.success);
    expect(ref.meanReturn).toBeGreaterThan(uni.meanReturn + 50);
    // One density chart and one finite KL per prior, all at the same state.
    expect(await page.$$eval('[data-testid="control-density"] svg.chart', (s) => s.length)).toBe(3);
    for (const p of ['uniform', 'reference', 'none']) {
      const kl = (await stats(page, `control-kl-${p}`)).kl;
      expect(Number.isFinite(kl)).toBe(true);
      expect(kl).toBeGreaterThan(-0.1); // a Monte Carlo estimate of a KL: ≥ 0 up to its noise
    }
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(viz.artifacts, 'control-agents-mountaincar.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('clicking a rollout and moving t changes the state the densities are taken at; PointMass draws 2-D contours', async () => {
    const page = await openPanel(viz.session, '#panel=control&env=Pendulum-v1&n=6', viz.errors, {
      width: 1440,
      height: 900,
    });
    await drawn(page);
    const before = await page.textContent('[data-testid="control-state"]');
    // Lines overlap, so a pointer click at one line's centre may land on another: dispatch on the line itself.
    await page.$eval('[data-testid="control-col-uniform"] path[data-rollout="2"]', (el) =>
      el.dispatchEvent(new MouseEvent('click', { bubbles: true })),
    );
    await page.$eval('[data-testid="control-t"]', (el) => {
      (el as HTMLInputElement).value = '120';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const after = await page.textContent('[data-testid="control-state"]');
    expect(after).toContain('uniform rollout 3, step 120');
    expect(after).not.toEqual(before);
    expect(Number.isFinite((await stats(page, 'control-kl-none')).kl)).toBe(true);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(viz.artifacts, 'control-agents-pendulum.png'), fullPage: true });
    const n = await done(page);
    await page.selectOption('[data-testid="control-env"]', 'PointMass-v0');
    await drawn(page, n);
    expect(await page.$$eval('[data-testid="control-density"] canvas', (c) => c.length)).toBe(6);
    const far = await stats(page, 'control-stats-reference');
    expect(far.success).toBeGreaterThan(0.5);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(viz.artifacts, 'control-agents-pointmass.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('loads a run folder through the file input, and refuses an edited agent.bin with the checksum message', async () => {
    const page = await openPanel(viz.session, '#panel=control&env=Pendulum-v1&n=4', viz.errors, {
      width: 1440,
      height: 900,
    });
    await drawn(page);
    const dir = 'src/viz/agents/MountainCarContinuous-v0/reference';
    const json = { name: 'agent.json', mimeType: 'application/json', buffer: readFileSync(join(dir, 'agent.json')) };
    const bin = readFileSync(join(dir, 'agent.bin'));
    const torn = Buffer.from(bin);
    torn[10] ^= 1;
    await page.setInputFiles('[data-testid="control-load"]', [
      json,
      { name: 'agent.bin', mimeType: 'application/octet-stream', buffer: torn },
    ]);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="control-load-msg"]')?.textContent?.includes('Not loaded'),
    );
    expect(await page.textContent('[data-testid="control-load-msg"]')).toMatch(
      /agent\.bin: sha256 does not match agent\.json's; the saved agent is corrupted/,
    );
    const n = await done(page);
    await page.setInputFiles('[data-testid="control-load"]', [
      json,
      { name: 'agent.bin', mimeType: 'application/octet-stream', buffer: bin },
    ]);
    await drawn(page, n);
    expect(await page.textContent('[data-testid="control-load-msg"]')).toMatch(
      /Loaded an agent of MountainCarContinuous-v0 .*replaces the reference column/,
    );
    expect(await page.inputValue('[data-testid="control-env"]')).toBe('MountainCarContinuous-v0');
    expect(await page.textContent('[data-testid="control-col-reference"]')).toContain('loaded: agent.json + agent.bin');
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('a preset sets its view; the hand-written controller view is one click away; 390 px stacks the columns', async () => {
    const page = await openPanel(viz.session, '#panel=control&env=Pendulum-v1&n=4', viz.errors, {
      width: 390,
      height: 900,
    });
    await drawn(page);
    const n = await done(page);
    await page.click('[data-testid="control-preset-trap"]');
    await drawn(page, n);
    expect(await page.inputValue('[data-testid="control-env"]')).toBe('MountainCarContinuous-v0');
    expect(await page.textContent('[data-testid="control-notice"]')).toContain('pumping reference');
    // Columns stack: each fits the 390 px viewport.
    const widths = await page.$$eval('.cc-col', (cs) => cs.map((c) => c.getBoundingClientRect().right));
    for (const r of widths) expect(r).toBeLessThanOrEqual(390);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(viz.artifacts, 'control-agents-390.png'), fullPage: true });
    await page.$eval('[data-testid="control-col-reference"]', (el) => el.scrollIntoView());
    await page.screenshot({ path: join(viz.artifacts, 'control-agents-390-column.png') });
    await page.click('[data-testid="control-view"] button[data-value="controller"]');
    await page.waitForFunction(
      () =>
        document.body.dataset.ready === 'control' && document.querySelector('[data-testid="control-noise"]') !== null,
      null,
      { timeout: 60_000 },
    );
    expect(page.url()).toContain('view=controller');
    expect(viz.errors).toEqual([]);
    await page.close();
  }, 240_000);
});
