/**
 * The browser half of `scripts/pack-test.sh`: in the temporary project where the tarball is installed, a tiny
 * page imports `priorlab` (the installed package, nothing of this checkout), vite builds it, `vite preview`
 * serves the build on loopback, and Debian's chromium (playwright-core, never a downloaded browser) opens it:
 * the page loads the SAC engine (engine.wasm, an asset vite emits from the package), trains discrete SAC on
 * TwoRoute-v0 with `step()` slices and compares it with the exact solver. Only vite and playwright-core come
 * from this checkout (tools, as tsc does in the Node half).
 *
 *   npx tsx scripts/pack-test-browser.ts <project dir>
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const app = resolve(process.argv[2] ?? '.');
const CHROMIUM = process.env.PRIORLAB_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(join(app, 'node_modules/priorlab')))
  throw new Error(`pack-test-browser: ${app} has no node_modules/priorlab; allowed: the project pack-test.sh made`);
if (!existsSync(CHROMIUM)) throw new Error(`pack-test-browser: chromium not found at ${CHROMIUM}`);

const web = join(app, 'web');
mkdirSync(web, { recursive: true });
writeFileSync(
  join(web, 'index.html'),
  '<!doctype html><html><body><pre id="out">loading</pre><script type="module" src="./main.ts"></script></body></html>\n',
);
writeFileSync(
  join(web, 'main.ts'),
  `import {
  createLearner, exploringStarts, initBackend, klAt, loadSacEngine, make, makeObjective, RngStreams,
  softValueIteration, stateVisitation, TABULAR_DISCRETE_SAC, TWO_ROUTE_ALPHA, TWO_ROUTE_GAMMA, weightedMean,
  type TabularEnv,
} from 'priorlab';
const out = document.getElementById('out')!;
try {
  const [backend] = await Promise.all([initBackend('cpu'), loadSacEngine()]);
  const env = make('TwoRoute-v0') as unknown as TabularEnv;
  const objective = makeObjective({ prior: 'uniform', alpha: TWO_ROUTE_ALPHA }, env);
  const learner = createLearner('sac-discrete', {
    makeEnv: () => exploringStarts(make('TwoRoute-v0') as unknown as TabularEnv),
    objective,
    config: { ...TABULAR_DISCRETE_SAC, totalSteps: 3000, gamma: TWO_ROUTE_GAMMA },
    streams: new RngStreams(1),
  });
  const t0 = performance.now();
  while (learner.step());
  const star = softValueIteration(env.model, { ...objective.tabular(), gamma: TWO_ROUTE_GAMMA });
  const kl = weightedMean(stateVisitation(env.model, star.pi), (s) => klAt(learner.policyTable(), star.pi, s, 4));
  out.textContent = \`done backend=\${backend} \${learner.loop.stepCount} steps in \${((performance.now() - t0) / 1000).toFixed(1)} s, KL(learned || exact)=\${kl.toFixed(4)}\`;
} catch (e) {
  out.textContent = 'error ' + (e as Error).message;
}
`,
);

const t0 = Date.now();
const outDir = join(app, 'web-dist');
await build({
  root: web,
  logLevel: 'warn',
  configFile: false,
  build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
});
const server = await preview({
  root: web,
  configFile: false,
  logLevel: 'warn',
  build: { outDir },
  preview: { port: 0, host: '127.0.0.1', strictPort: false },
});
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('pack-test-browser: vite preview gave no URL');
console.log(`pack-test-browser: vite build in ${((Date.now() - t0) / 1000).toFixed(1)} s, serving ${url}`);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => /^(done|error)/.test(document.getElementById('out')?.textContent ?? ''), null, {
    timeout: 180_000,
  });
  const text = (await page.textContent('#out')) ?? '';
  console.log(`pack-test-browser: ${text}`);
  if (!text.startsWith('done')) throw new Error(`pack-test-browser: the page failed: ${text} ${errors.join('; ')}`);
} finally {
  await browser.close();
  await new Promise<void>((ok) => server.httpServer.close(() => ok()));
}
