/**
 * Shared by the browser tests and `bench/viz.ts`: starts the vite dev server on a free loopback port
 * (serving `runsDir` under `/runs/`) and launches Debian's chromium headless through playwright-core.
 * Never downloads a browser: `PRIORLAB_CHROMIUM` or `/usr/bin/chromium` must exist.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createNetServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const CHROMIUM = process.env.PRIORLAB_CHROMIUM ?? '/usr/bin/chromium';

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createNetServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

export interface VizSession {
  url: string;
  browser: Browser;
  server: ViteDevServer;
  close(): Promise<void>;
}

export async function startViz(runsDir: string): Promise<VizSession> {
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set PRIORLAB_CHROMIUM)`);
  process.env.PRIORLAB_RUNS_DIR = runsDir;
  const port = await freePort();
  // A private dependency cache: never shares (or clobbers) the pre-bundled deps of a running `npm start`.
  const cacheDir = mkdtempSync(join(tmpdir(), 'priorlab-vite-'));
  const server = await createServer({
    configFile: resolve(repo, 'vite.config.ts'),
    logLevel: 'error',
    cacheDir,
    server: { port, strictPort: true, host: '127.0.0.1', hmr: false },
  });
  await server.listen();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    browser,
    server,
    async close() {
      await browser.close();
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Opens `hash` on a fresh page and waits until the panel reports ready; `errors` collects console errors. */
export async function openPanel(
  s: VizSession,
  hash: string,
  errors: string[],
  viewport = { width: 1400, height: 900 },
  warnings?: string[],
): Promise<Page> {
  const page = await s.browser.newPage({ viewport });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings?.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(s.url + hash);
  await page.waitForFunction(
    () => document.body.dataset.ready !== undefined || document.body.dataset.error !== undefined,
    null,
    { timeout: 60_000 },
  );
  const err = await page.evaluate(() => document.body.dataset.error);
  if (err) throw new Error(`panel failed to open: ${err}`);
  return page;
}

export const WM_RUN = '2026-11-22T0000-rssm-pendulum-1';
export const WM_BAD = '2026-11-22T0100-rssm-pendulum-2';

/**
 * A synthetic RSSM trajectory file (context 3, horizon 4) with known errors: observed o_t = (t, −t),
 * reconstructed = observed + 0.1 (MSE 0.01), imagined = future + 0.2 (MSE 0.04); repeating the last
 * context observation (2, −2) misses the future by 1..4 (MSE 7.5); the θ̇ read-out misses by 0.1 after its burn-in
 * (MSE 0.01). A second folder's file is malformed.
 */
/** The displayed numbers of a stats table (`ui.statTable`), keyed by `data-stat`, as the page wrote them. */
export async function statValues(page: Page, testid: string): Promise<Record<string, string>> {
  return page.$$eval(`[data-testid="${testid}"] [data-stat]`, (cells) =>
    Object.fromEntries(cells.map((c) => [(c as HTMLElement).dataset.stat!, (c as HTMLElement).dataset.value!])),
  );
}

export function writeSyntheticRssm(dir: string): void {
  const observed = Array.from({ length: 7 }, (_, t) => [t, -t]);
  const traj = {
    observed,
    reconstructed: observed.map((r) => r.map((v) => v + 0.1)),
    imagined: observed.slice(3).map((r) => r.map((v) => v + 0.2)),
    actions: observed.map(() => [0]),
    rewards: observed.map(() => -1),
    truth: observed.map(([c, s]) => [c, s, 0.5]),
    // The θ̇ read-out misses the true 0.5 by 0.1 from step 2 on (MSE 0.01), by 1 before (skipped: burn-in).
    readout: observed.map((_, t) => (t < 2 ? 1.5 : 0.6)),
  };
  const file = {
    format: 'priorlab.rssm-trajectories/1',
    env: 'PendulumNoVel-v1',
    dt: 0.05,
    obsLabels: ['cos θ', 'sin θ'],
    truthLabels: ['cos θ', 'sin θ', 'θ̇'],
    context: 3,
    horizon: 4,
    readout: { label: 'θ̇', truthIndex: 2, r2: 0.9, burnIn: 2 },
    trajectories: [traj, { ...traj, imagined: traj.imagined.map((r) => r.map((v) => v + 1)) }],
  };
  mkdirSync(join(dir, WM_RUN), { recursive: true });
  writeFileSync(join(dir, WM_RUN, 'rssm-trajectories.json'), JSON.stringify(file));
  mkdirSync(join(dir, WM_BAD), { recursive: true });
  writeFileSync(
    join(dir, WM_BAD, 'rssm-trajectories.json'),
    JSON.stringify({ ...file, trajectories: [{ ...traj, imagined: traj.imagined.slice(1) }] }),
  );
}
