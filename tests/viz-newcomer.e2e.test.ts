/**
 * A newcomer's tour of the viewer (issue #27), in Debian's chromium at a laptop's 1280×800 and a phone's
 * 390×844: every tab (and the Pendulum view of Continuous control) opens, and per view the test records
 * whether the page scrolls sideways, whether its text shows NaN or "undefined", and every console warning.
 * Screenshots go to `test-artifacts/newcomer/<view>-<size>.png`, the findings to `findings.json` there.
 *
 * The defects still open are listed in `OPEN` (a ratchet): the test fails when a new one appears, and when one
 * is fixed (then delete it from the list), so the list always says what a newcomer still meets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPanel, startViz, type VizSession } from './vizHarness.js';

const ARTIFACTS = 'test-artifacts/newcomer';
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const VIEWS: Record<string, string> = {
  gridworld: '#panel=gridworld',
  train: '#panel=train',
  elbo: '#panel=elbo',
  control: '#panel=control',
  'control-pendulum': '#panel=control&env=Pendulum-v1&t=0',
  tokens: '#panel=tokens',
  'tokens-beta-0.001': '#panel=tokens&beta=0.001',
  runs: '#panel=runs',
  worldmodel: '#panel=worldmodel',
  irl: '#panel=irl',
  lesson: '#panel=lesson',
};

/** Defects a newcomer still meets: `<view>@<size>: <kind>`. */
const OPEN: string[] = [];

let session: VizSession;
let runsDir: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  runsDir = mkdtempSync(join(tmpdir(), 'priorlab-viz-newcomer-'));
  session = await startViz(runsDir);
});

afterAll(async () => {
  await session?.close();
  rmSync(runsDir, { recursive: true, force: true });
});

describe('a newcomer visits every view at 1280×800 and 390×844 (chromium)', () => {
  it('records sideways scroll, NaN/undefined text and console warnings per view', async () => {
    const findings: string[] = [];
    const details: Record<string, unknown> = {};
    for (const [size, viewport] of Object.entries(SIZES)) {
      for (const [view, hash] of Object.entries(VIEWS)) {
        const errors: string[] = [];
        const warnings: string[] = [];
        const page = await openPanel(session, hash, errors, viewport, warnings);
        await page.waitForTimeout(1500); // let the first frames and charts draw
        const facts = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          text: document.body.innerText,
          // Marker labels (β = 0.10) drawn past the right edge of their chart.
          clipped: [...document.querySelectorAll('svg')].filter((svg) => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll<SVGGraphicsElement>('.marker-label')].some((t) => {
              const r = t.getBoundingClientRect();
              return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
            });
          }).length,
        }));
        await page.screenshot({ path: join(ARTIFACTS, `${view}-${size}.png`), fullPage: true });
        const where = `${view}@${size}`;
        if (facts.scrollWidth > facts.innerWidth + 1) findings.push(`${where}: scrolls sideways`);
        if (facts.clipped) findings.push(`${where}: a marker label is clipped`);
        if (/\bNaN\b/.test(facts.text)) findings.push(`${where}: NaN in the text`);
        if (/\bundefined\b/.test(facts.text)) findings.push(`${where}: undefined in the text`);
        // Chromium's own GPU driver notes (software GL in CI) are not the app's.
        const own = warnings.filter((w) => !/GL Driver Message/.test(w));
        if (own.length) findings.push(`${where}: console warnings`);
        if (errors.length) findings.push(`${where}: console errors`);
        details[where] = {
          scrollWidth: facts.scrollWidth,
          innerWidth: facts.innerWidth,
          warnings,
          errors,
          nan: facts.text.match(/.{0,40}\bNaN\b.{0,20}/g) ?? [],
        };
        await page.close();
      }
    }
    writeFileSync(join(ARTIFACTS, 'findings.json'), `${JSON.stringify({ findings, details }, null, 2)}\n`);
    expect(findings.sort()).toEqual([...OPEN].sort());
  }, 600_000);
});
