/**
 * The dev server serves the app and the run folders, nothing else (issue 26): each probe of the hostile-user
 * pass against a started vite (random 127.0.0.1 port) gets 403/404 and no file outside the app; run files
 * come with a CSP that keeps an SVG's script from running; no origin gets CORS; and the viewer still opens
 * every tab in Debian's chromium.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPanel } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const repo = resolve(import.meta.dirname, '..');
const RUN = '2026-12-06T0000-tabular-q-1';
/** A symlink inside the checkout (in the ignored runs/ folder) that leads to /etc. */
const evil = join(repo, 'runs', `priorlab-test-evil-${process.pid}`);

// Registered before the session's hooks: made before the server starts, removed after it stops.
beforeAll(() => {
  mkdirSync(join(repo, 'runs'), { recursive: true });
  symlinkSync('/etc', evil);
  symlinkSync('/etc', join(repo, 'src', 'viz', `.priorlab-test-evil-${process.pid}`));
});
afterAll(() => {
  rmSync(evil, { force: true });
  rmSync(join(repo, 'src', 'viz', `.priorlab-test-evil-${process.pid}`), { force: true });
});

const viz = useVizSession('devserver', {
  fill(runsDir) {
    mkdirSync(join(runsDir, RUN));
    writeFileSync(join(runsDir, RUN, 'config.json'), '{"experiment":"tabular-q","seed":1,"options":{}}');
    writeFileSync(
      join(runsDir, RUN, 'x.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg"><script>document.title="pwned"</script><rect width="10" height="10"/></svg>',
    );
    symlinkSync('/etc', join(runsDir, 'evil'));
  },
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, viz.session.url), { headers, redirect: 'manual' });

describe('dev server confinement', () => {
  const probes = (): Array<[string, string]> => [
    ['a symlink in the checkout to /etc, through /@fs', `/@fs${evil}/passwd?raw`],
    ['the same without ?raw', `/@fs${evil}/passwd`],
    ['a symlink in the app root to /etc', `/.priorlab-test-evil-${process.pid}/passwd?raw`],
    ['an absolute path through /@fs', '/@fs/etc/passwd?raw'],
    ['a file of the checkout outside src/', `/@fs${repo}/package.json?raw`],
    ['git metadata', `/@fs${repo}/.git/config?raw`],
    ['.. out of the app root', '/..%2f..%2f..%2fetc/passwd'],
    ['a symlink in the runs folder', '/runs/evil/passwd'],
    ['.. out of the runs folder', '/runs/..%2f..%2fetc/passwd'],
    ['the editor launcher', '/__open-in-editor?file=/etc/passwd'],
  ];

  it('every probe is refused (403/404) and no answer holds /etc/passwd', async () => {
    const seen: string[] = [];
    for (const [what, path] of probes()) {
      const r = await get(path);
      const body = await r.text();
      seen.push(`${what}: ${r.status}`);
      expect([403, 404], `${what} (${path}): ${r.status} ${body.slice(0, 80)}`).toContain(r.status);
      expect(body, what).not.toMatch(/root:x:0:0/);
    }
    console.log(seen.join('\n'));
  });

  it('the app, its sources and a run file are still served', async () => {
    expect((await get('/')).status).toBe(200);
    expect((await get('/main.ts')).status).toBe(200);
    expect((await get(`/@fs${repo}/src/core/rng.ts`)).status).toBe(200);
    const cfg = await get(`/runs/${RUN}/config.json`);
    expect(cfg.status).toBe(200);
    expect(cfg.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(cfg.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('no other origin gets Access-Control-Allow-Origin, on /runs/, /@fs/ or the app', async () => {
    for (const origin of ['http://localhost:9999', 'http://127.0.0.1:1', 'https://example.com'])
      for (const path of ['/runs/', `/runs/${RUN}/config.json`, `/@fs${repo}/src/core/rng.ts`, '/main.ts']) {
        const r = await get(path, { Origin: origin });
        await r.arrayBuffer();
        expect(r.headers.get('access-control-allow-origin'), `${origin} ${path}`).toBeNull();
      }
  });

  it("a run's SVG opened directly does not run its script", async () => {
    const r = await get(`/runs/${RUN}/x.svg`);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await viz.session.browser.newPage();
    await page.goto(new URL(`/runs/${RUN}/x.svg`, viz.session.url).href);
    await page.waitForTimeout(300);
    expect(await page.title()).not.toBe('pwned');
    await page.close();
  });

  it('the viewer still opens every tab', async () => {
    for (const panel of ['gridworld', 'train', 'elbo', 'control', 'tokens', 'runs', 'worldmodel', 'irl']) {
      const page = await openPanel(viz.session, `#panel=${panel}`, viz.errors);
      expect(await page.evaluate(() => document.body.dataset.ready)).toBe(panel);
      await page.close();
    }
    expect(viz.errors).toEqual([]);
  });
});
