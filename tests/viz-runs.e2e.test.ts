/**
 * The Runs panel and the "What to notice" presets in a real browser (Debian's chromium through
 * playwright-core, against the vite dev server). Runs: a gridworld-priors run opens by itself, part by part
 * (a map per prior × learner, curves from each part's own step 0, the run's own SVG figures); a plain run
 * replays and charts. Presets: each sets the view its note describes, read back from the displayed numbers.
 * Screenshots at 1440×900 and 390 px wide go to `test-artifacts/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPanel, WM_RUN, writeSyntheticRssm, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** Status of a request sent with the path exactly as written. */
function rawStatus(path: string, method = 'GET'): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(viz.session.url + 'x', { method, path }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

const RUN = '2026-11-21T0000-sac-discrete-7';
const LEDGE = [36, 37, 38, 39, 40, 41, 42, 43, 44];
const ROOM = [36, 27, 18, 19, 20, 21, 22, 23, 24, 25, 26, 35, 44];

/** A small run folder in the CLI's layout, with a torn last metrics line as a crashed writer leaves. */
function writeSyntheticRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      experiment: 'sac-discrete',
      seed: 7,
      options: { env: 'TwoRoute-v0', prior: 'uniform', alpha: 0.15 },
    }),
  );
  const rows = Array.from({ length: 20 }, (_, i) =>
    JSON.stringify({
      step: (i + 1) * 100,
      'charts/episodic_return': i / 20,
      'charts/entropy': 1.3 - i * 0.03,
      'charts/kl_prior': 0.02 * i,
      'losses/critic': 1 / (i + 1),
    }),
  );
  writeFileSync(join(dir, 'metrics.jsonl'), rows.join('\n') + '\n{"step": 21');
  const episode = { obs: LEDGE, actions: LEDGE.slice(1).map(() => 1), rewards: [0, 0, 0, 0, 0, 0, 0, 1] };
  writeFileSync(join(dir, 'episodes.json'), JSON.stringify({ env: 'TwoRoute-v0', episodes: [episode, episode] }));
}

/** The newest run: later than RUN, so the panel opens on it. */
const PRIORS_RUN = '2026-11-21T0100-gridworld-priors-1';
const PRIORS = ['uniform', 'reference', 'none'];
const METHODS = ['exact', 'sac', 'klppo'];

/**
 * A gridworld-priors run in the CLI's layout: keys `<prior>/<method>/<metric>`, steps offset by the
 * last step of the parts before (sequentialParts): SAC 1k–6k, KL-PPO 16k–256k of its own; episodes
 * labelled `prior / method` (the reference prior's take the room, the others the ledge); a routes.svg.
 */
function writeSyntheticPriorsRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ experiment: 'gridworld-priors', seed: 1, options: { alpha: 0.15, episodes: 1000, replays: 2 } }),
  );
  const rows: string[] = [];
  let offset = 0;
  for (const [k, prior] of PRIORS.entries()) {
    for (let i = 1; i <= 6; i++)
      rows.push(
        JSON.stringify({
          step: offset + i * 1000,
          [`${prior}/sac/charts/episodic_return`]: -1 + i / (6 + k),
          [`${prior}/sac/charts/kl_prior`]: 0.1 * i * (k + 1),
          [`${prior}/sac/losses/critic`]: 1 / (i + k),
        }),
      );
    offset += 6000;
    for (let i = 1; i <= 16; i++) {
      rows.push(
        JSON.stringify({
          step: offset + i * 16_000,
          [`${prior}/klppo/charts/episodic_return`]: -1 + i / (16 + 4 * k),
          [`${prior}/klppo/charts/global_step`]: i * 16_000,
          [`${prior}/klppo/charts/learning_rate`]: 0.01,
        }),
      );
    }
    offset += 256_000;
  }
  writeFileSync(join(dir, 'metrics.jsonl'), rows.join('\n') + '\n');
  const episodes = PRIORS.flatMap((prior) =>
    METHODS.flatMap((method) => {
      const obs = prior === 'reference' ? ROOM : LEDGE;
      const ep = {
        label: `${prior} / ${method}`,
        obs,
        actions: obs.slice(1).map(() => 1),
        rewards: obs.slice(1).map((_, i) => (i === obs.length - 2 ? 1 : 0)),
      };
      return [ep, ep];
    }),
  );
  writeFileSync(join(dir, 'episodes.json'), JSON.stringify({ env: 'TwoRoute-v0', episodes }));
  writeFileSync(
    join(dir, 'routes.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120"><rect class="bar" x="10" y="10" width="40" height="100" fill="#f0a030"/><text x="60" y="60">ledge</text></svg>',
  );
}

const PENDULUM_RUN = '2026-11-20T0000-sac-pendulum-1';

/** A Pendulum run: one evaluation episode, obs (cos θ, sin θ, θ̇), swinging up from hanging. */
function writePendulumRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ experiment: 'sac-pendulum', seed: 1, options: { steps: 15000 } }),
  );
  const theta = Array.from({ length: 40 }, (_, t) => Math.PI * (1 - t / 39));
  const episode = {
    obs: theta.map((th) => [Math.cos(th), Math.sin(th), 0]),
    actions: theta.slice(1).map(() => [1]),
    rewards: theta.slice(1).map((th) => -(th ** 2)),
  };
  writeFileSync(join(dir, 'episodes.json'), JSON.stringify({ env: 'Pendulum-v1', episodes: [episode] }));
}

/** Folders under runs/ that are not runs: `priorlab compare` output and a parent folder of runs. */
function writeNonRuns(dir: string): void {
  mkdirSync(join(dir, 'compare'), { recursive: true });
  writeFileSync(join(dir, 'compare', 'compare.json'), '{}');
  mkdirSync(join(dir, 'older', 'x-sac-discrete-1'), { recursive: true });
  writeFileSync(join(dir, 'older', 'x-sac-discrete-1', 'config.json'), '{}');
}

/** Nothing sticks out of the page sideways (what a phone user would have to scroll to see). */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

const viz = useVizSession('viz-runs', {
  fill(runsDir) {
    writeSyntheticRun(join(runsDir, RUN));
    writePendulumRun(join(runsDir, PENDULUM_RUN));
    writeSyntheticPriorsRun(join(runsDir, PRIORS_RUN));
    writeSyntheticRssm(runsDir);
    writeNonRuns(runsDir);
  },
});

describe('Runs', { timeout: 120_000 }, () => {
  it('opens on the newest run and shows a gridworld-priors run part by part', async () => {
    const page = await openPanel(viz.session, '#panel=runs', viz.errors, WIDE);
    // Only folders holding a config.json are runs: not compare/, not a parent folder of runs, not the world-model folders.
    expect(await page.$$eval('[data-run]', (c) => c.map((x) => (x as HTMLElement).dataset.run))).toEqual([
      PENDULUM_RUN,
      RUN,
      PRIORS_RUN,
    ]);
    await page.waitForFunction((r) => document.body.dataset.runsShown === r, PRIORS_RUN);
    // One map per prior × learner, labelled, each replaying its own episodes (the reference's 12-step room route).
    const parts = await page.$$eval('[data-testid="run-part"]', (cs) =>
      cs.map((c) => ({
        part: (c as HTMLElement).dataset.part,
        title: c.textContent,
        canvas: c.querySelectorAll('canvas').length,
      })),
    );
    expect(parts.map((p) => p.part)).toEqual(PRIORS.flatMap((p) => METHODS.map((m) => `${p}/${m}`)));
    expect(parts[3].title).toBe('reference · exactmean return 1.00 · 2 episodes');
    expect(parts.every((p) => p.canvas >= 1)).toBe(true);
    // Config rows: every key once; the option --episodes is not the count of episodes to replay.
    const cfg = await statValues(page, 'run-config');
    expect(cfg['opt:episodes']).toBe('1000');
    expect(cfg.replayed).toBe('18');
    expect(cfg.parts).toBe('6');
    const labels = await page.$$eval('[data-testid="run-config"] th', (ths) => ths.map((t) => t.textContent));
    expect(new Set(labels).size).toBe(labels.length);
    // Curves: one chart per metric and step range, from each part's own step 0; no global_step or learning_rate.
    const charts = await page.$$eval('svg.chart', (cs) =>
      cs.map((c) => ({
        metric: (c as SVGElement).dataset.metric,
        title: c.getAttribute('aria-label'),
        paths: c.querySelectorAll('path').length,
        legend: [...c.querySelectorAll('.legend text')].map((t) => t.textContent),
        xTicks: [...c.querySelectorAll('.axes text[text-anchor="middle"]:not(.axis-label)')].map((t) => t.textContent),
      })),
    );
    expect(charts.map((c) => c.metric)).not.toContain('charts/global_step');
    expect(charts.map((c) => c.metric)).not.toContain('charts/learning_rate');
    const ret = charts.filter((c) => c.metric === 'charts/episodic_return');
    expect(ret.map((c) => c.title)).toEqual(['episodic_return · sac', 'episodic_return · klppo']);
    for (const c of ret) {
      expect(c.paths).toBe(3);
      // The chart draws its legend last to first; the order on screen is not the point here.
      expect([...c.legend].sort()).toEqual([...PRIORS].sort());
    }
    // Without the offsets SAC's axis would run to 530k; from its own 0 it ends at 6k (and KL-PPO's at 256k).
    expect(ret[0].xTicks.at(-1)).toBe('6000');
    expect(ret[1].xTicks).toEqual(['50k', '100k', '150k', '200k', '250k']);
    for (const c of charts) expect(new Set(c.xTicks).size).toBe(c.xTicks.length);
    // Legends stay inside their chart.
    expect(
      await page.$$eval('svg.chart .legend text', (ts) => ts.every((t) => (t as SVGGraphicsElement).getBBox().x >= 0)),
    ).toBe(true);
    const groups = await page.$$eval('[data-testid="runs-group"]', (gs) =>
      gs.map((g) => (g as HTMLElement).dataset.group),
    );
    expect(groups).toEqual(['Return', 'KL to prior / reference', 'Losses']);
    // The run's own figure, shown as an image that loaded.
    await page.waitForFunction(
      () => (document.querySelector('[data-figure="routes.svg"] img') as HTMLImageElement | null)?.naturalWidth === 300,
    );
    expect(page.url()).toContain(`runs=${PRIORS_RUN}`);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(viz.artifacts, 'runs-priors-wide.png') });
    await page.screenshot({ path: join(viz.artifacts, 'runs-priors-wide-full.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('a plain run replays and charts; ticking off every run says what to do', async () => {
    const page = await openPanel(viz.session, `#panel=runs&runs=${RUN}`, viz.errors, WIDE);
    await page.waitForFunction((r) => document.body.dataset.runsShown === r, RUN);
    const cfg = await statValues(page, 'run-config');
    expect(cfg.experiment).toBe('sac-discrete');
    expect(cfg.metricRows).toBe('20');
    expect(cfg.replayed).toBe('2');
    expect(await page.$eval('[data-testid="replay"]', (b) => (b as HTMLElement).dataset.env)).toBe('TwoRoute-v0');
    expect(Number(await page.$eval('[data-testid="replay"]', (b) => (b as HTMLElement).dataset.meanReturn))).toBe(1);
    expect(
      await page.$$eval('[data-testid="runs-group"]', (gs) => gs.map((g) => (g as HTMLElement).dataset.group)),
    ).toEqual(['Return', 'KL to prior / reference', 'Entropy', 'Losses']);
    await page.click(`[data-run="${RUN}"]`);
    await page.waitForFunction(() => document.body.dataset.runsShown === '');
    expect((await page.textContent('[data-testid="runs-empty"]'))!.length).toBeGreaterThan(20);
    expect(page.url()).toMatch(/[#&]runs=(&|$)/);
    // The runs folder is served read-only and never outside itself (raw paths: no client-side normalization).
    expect(await rawStatus(`/runs/${RUN}/config.json`)).toBe(200);
    expect(await rawStatus(`/runs/${RUN}/config.json`, 'POST')).toBe(405);
    expect(await rawStatus('/runs/%2e%2e/package.json')).toBe(403);
    expect(await rawStatus('/runs/..%2f..%2fetc%2fpasswd')).toBe(403);
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('a Pendulum run replays its episode on the swinging rod', async () => {
    const page = await openPanel(viz.session, `#panel=runs&runs=${PENDULUM_RUN}`, viz.errors, WIDE);
    await page.waitForFunction((r) => document.body.dataset.runsShown === r, PENDULUM_RUN);
    await page.waitForSelector('[data-testid="run-part"] canvas[data-testid="pixi"]');
    expect(await page.$eval('[data-testid="replay"]', (b) => (b as HTMLElement).dataset.env)).toBe('Pendulum-v1');
    expect(await page.$$eval('[data-testid="run-part"]', (cs) => cs.length)).toBe(1);
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('the KL preset scrolls to the KL charts; at 390 px nothing sticks out sideways', async () => {
    const page = await openPanel(viz.session, '#panel=runs', viz.errors, PHONE);
    await page.waitForFunction((r) => document.body.dataset.runsShown === r, PRIORS_RUN);
    await page.click('[data-testid="runs-preset-kl"]');
    expect(await page.textContent('[data-testid="runs-notice"]')).toMatch(/KL to the prior per part/);
    // Scrolled down to the KL charts, and still there once the run's figure (below them) has loaded: an image
    // that only takes its height when it decodes made the browser's scroll anchoring move the view 120 px down.
    await page.waitForFunction(
      () => (document.querySelector('[data-figure="routes.svg"] img') as HTMLImageElement | null)?.complete === true,
    );
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    const landed = await page.evaluate(() => ({
      scrollY: window.scrollY,
      top: document
        .querySelector('[data-testid="runs-group"][data-group="KL to prior / reference"]')!
        .getBoundingClientRect().top,
    }));
    expect(landed.scrollY).toBeGreaterThan(1000);
    expect(landed.top).toBeGreaterThanOrEqual(-5);
    expect(landed.top).toBeLessThan(5);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const widest = await page.$$eval('[data-testid="run-part"], svg.chart, [data-figure]', (es) =>
      Math.max(...es.map((e) => e.getBoundingClientRect().right)),
    );
    expect(widest).toBeLessThanOrEqual(390);
    // Two maps to a row on a phone: the second part's map sits beside the first.
    const tops = await page.$$eval('[data-testid="run-part"]', (cs) =>
      cs.slice(0, 2).map((c) => c.getBoundingClientRect().top),
    );
    expect(tops[1]).toBe(tops[0]);
    await page.screenshot({ path: join(viz.artifacts, 'runs-priors-phone-kl.png') });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(viz.artifacts, 'runs-priors-phone.png'), fullPage: true });
    expect(viz.errors).toEqual([]);
    await page.close();
  });
});

describe('What to notice presets', { timeout: 120_000 }, () => {
  it('ELBO: q = posterior closes the gap, a narrow q pays KL = 0.70, a wide prior lets the posterior follow x', async () => {
    const page = await openPanel(viz.session, '#panel=elbo', viz.errors, WIDE);
    await page.click('[data-testid="elbo-preset-fit"]');
    let s = await statValues(page, 'elbo-stats');
    expect(Number(s.gapKL)).toBeCloseTo(0, 9);
    expect(Number(s.elbo)).toBeCloseTo(Number(s.logpx), 9);
    await page.click('[data-testid="elbo-preset-narrow"]');
    s = await statValues(page, 'elbo-stats');
    // KL(N(1, 0.05) ‖ N(1, 0.5)) = ½(0.1 − 1 + ln 10).
    expect(Number(s.gapKL)).toBeCloseTo(0.5 * (0.1 - 1 + Math.log(10)), 9);
    expect(await page.textContent('[data-testid="elbo-notice"]')).toContain('0.70');
    await page.click('[data-testid="elbo-preset-wide-prior"]');
    const post = await statValues(page, 'elbo-mc');
    expect(Number(post.postMean)).toBeCloseTo(1.8, 9);
    expect(Number((await statValues(page, 'elbo-stats')).gapKL)).toBeCloseTo(0, 9);
    await page.screenshot({ path: join(viz.artifacts, 'elbo-notice.png') });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('Tokens: β → 0 reward-hacks onto "aaaa"; a large β stays with the reference', async () => {
    const page = await openPanel(viz.session, '#panel=tokens', viz.errors, WIDE);
    await page.click('[data-testid="tokens-preset-hack"]');
    let s = await statValues(page, 'tokens-stats');
    expect(Number(s.beta)).toBeCloseTo(0.001, 6);
    expect(s.topSeq).toBe('aaaa');
    expect(Number(s.topMass)).toBeGreaterThan(0.9);
    const pRef = await page.$eval('[data-testid="tokens-top"] tr[data-seq="aaaa"]', (r) =>
      Number((r as HTMLElement).dataset.pref),
    );
    expect(pRef).toBeLessThan(0.01);
    await page.screenshot({ path: join(viz.artifacts, 'tokens-notice-hack.png') });
    await page.click('[data-testid="tokens-preset-reference"]');
    s = await statValues(page, 'tokens-stats');
    expect(Number(s.beta)).toBeCloseTo(10, 6);
    expect(Number(s.kl)).toBeLessThan(0.05);
    expect(s.topSeq).toBe(s.refTopSeq);
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('Inverse RL: N = 10,000 fits the demonstrator far better than N = 10', async () => {
    const page = await openPanel(viz.session, '#panel=irl&env=TwoRoute-v0', viz.errors, WIDE);
    await page.click('[data-testid="irl-preset-few"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="irl-stats"] h4')?.textContent?.endsWith('N = 10'),
    );
    const few = Number((await statValues(page, 'irl-stats')).kl);
    await page.click('[data-testid="irl-preset-many"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="irl-stats"] h4')?.textContent?.endsWith('N = 10000'),
      null,
      { timeout: 60_000 },
    );
    const many = Number((await statValues(page, 'irl-stats')).kl);
    console.log(`[viz-runs] IRL TwoRoute KL: N=10 ${few}, N=10000 ${many}`);
    expect(many * 1000).toBeLessThan(few);
    await page.screenshot({ path: join(viz.artifacts, 'irl-notice.png') });
    expect(viz.errors).toEqual([]);
    await page.close();
  });

  it('World model: the presets pick the trajectories where imagination beats "repeat last" most and least', async () => {
    const page = await openPanel(viz.session, `#panel=worldmodel&run=${WM_RUN}`, viz.errors, WIDE);
    await page.waitForFunction(() => document.body.dataset.wmShown === '0');
    await page.click('[data-testid="wm-preset-worst"]');
    await page.waitForFunction(() => document.body.dataset.wmShown === '1');
    const s = await statValues(page, 'wm-stats');
    // The second trajectory's imagination is off by 1.2 per component (MSE 1.44), the first's by 0.2.
    expect(Number(s.imagMse)).toBeCloseTo(1.44, 9);
    await page.click('[data-testid="wm-preset-best"]');
    await page.waitForFunction(() => document.body.dataset.wmShown === '0');
    expect(Number((await statValues(page, 'wm-stats')).imagMse)).toBeCloseTo(0.04, 9);
    await page.screenshot({ path: join(viz.artifacts, 'worldmodel-notice.png') });
    expect(viz.errors).toEqual([]);
    await page.close();
  });
});
