/**
 * The Lesson tab in Debian's chromium: every section opens from its hash route and shows numbers equal to
 * the project's functions (recomputed here with `src/vi`, the exact solver and the token optimum); the
 * practice accepts the lesson's answers and refuses wrong ones with the hint; a randomized attempt accepts
 * exactly the answers `src/vi` gives for the model it shows; the identification exercise and the
 * flashcards work. No horizontal scroll at 390×844 or 1280×800; screenshots of every step at both sizes
 * go to `test-artifacts/lesson/`.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { attemptParams, type ChoiceExercise, type NumericExercise } from '../src/lesson/index.js';
import { loadExercises } from '../src/node/lesson/check.js';
import { GRID_ENVS, exactSummary, gridObjective, makeGridEnv } from '../src/viz/gridworld/compute.js';
import { LinearGaussianModel, PRACTICE_EXAMPLE, WORKED_EXAMPLE, computeQuantities } from '../src/vi/index.js';
import { openPanel, statValues } from './vizHarness.js';
import { useVizSession } from './vizSession.js';

const SIZES = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
];
const SECTION_IDS = ['jensen', 'worked', 'reparam', 'sac', 'rlhf', 'forward'];
const exercises = loadExercises();
const practice = exercises.find((e) => e.id === 'practice-elbo') as NumericExercise;
const random = exercises.find((e) => e.id === 'random-elbo') as NumericExercise;
const identify = exercises.find((e) => e.id === 'identify') as ChoiceExercise;
const STEP_IDS = [...SECTION_IDS, ...exercises.map((e) => e.id)];
const stepOf = (id: string) => STEP_IDS.indexOf(id) + 1;

const viz = useVizSession('viz-lesson', { artifacts: 'test-artifacts/lesson' });

const num = (s: string) => Number(s);
const hScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
const verdict = async (page: Page, id: string) => ({
  correct: await page.getAttribute(`[data-testid="verdict-${id}"]`, 'data-correct'),
  text: (await page.textContent(`[data-testid="verdict-${id}"]`)) ?? '',
});
async function openStep(id: string, extra = '', size = SIZES[1]): Promise<Page> {
  const page = await openPanel(viz.session, `#panel=lesson&step=${stepOf(id)}${extra}`, viz.errors, size);
  expect(await page.getAttribute('[data-testid="lesson-title"]', 'data-step')).toBe(id);
  return page;
}

describe('Lesson tab (chromium)', () => {
  it('walks every step from its hash route at both sizes: no horizontal scroll, a screenshot each', async () => {
    expect(STEP_IDS).toHaveLength(10);
    for (const size of SIZES) {
      const page = await openStep('jensen', '', size);
      for (const [i, id] of STEP_IDS.entries()) {
        if (i > 0) await page.click('[data-testid="lesson-next"]');
        expect(await page.getAttribute('[data-testid="lesson-title"]', 'data-step')).toBe(id);
        expect(page.url()).toContain(`step=${i + 1}`);
        await page.waitForTimeout(50); // a slider's redraw waits for the next frame
        expect(await hScroll(page), `${id} at ${size.width}px`).toBeLessThanOrEqual(0);
        await page.screenshot({
          path: join(viz.artifacts, `${String(i + 1).padStart(2, '0')}-${id}-${size.width}x${size.height}.png`),
          fullPage: true,
        });
      }
      expect(await page.isDisabled('[data-testid="lesson-next"]')).toBe(true);
      await page.close();
    }
    expect(viz.errors).toEqual([]);
  });

  it('Jensen and the worked example: the numbers are src/vi’s, both ways, and follow the sliders', async () => {
    const page = await openStep('jensen');
    const model = new LinearGaussianModel(WORKED_EXAMPLE.priorVariance, WORKED_EXAMPLE.noiseVariance);
    const ours = computeQuantities(WORKED_EXAMPLE);
    const j = await statValues(page, 'lesson-jensen');
    expect(num(j.logpx)).toBe(ours.logMarginal);
    expect(num(j.elbo)).toBe(ours.elbo);
    expect(num(j.logMeanW)).toBeGreaterThanOrEqual(num(j.meanLogW));
    await page.click('[data-testid="lesson-next"]');
    let def = await statValues(page, 'lesson-definition');
    let post = await statValues(page, 'lesson-posterior');
    expect(num(def.elbo)).toBe(ours.elbo);
    expect(num(def.elbo).toFixed(3)).toBe(String(WORKED_EXAMPLE.stated.elbo));
    expect(num(post.posteriorKL).toFixed(3)).toBe(String(WORKED_EXAMPLE.stated.gapByPosteriorKL));
    expect(Math.abs(num(def.elbo) - num(post.elbo))).toBeLessThan(1e-12);
    // Move q: both columns change, and still agree.
    await page.fill('[data-testid="lesson-mu"]', '1.2');
    await page.fill('[data-testid="lesson-sigma"]', '0.5');
    await page.fill('[data-testid="lesson-x"]', '2');
    def = await statValues(page, 'lesson-definition');
    post = await statValues(page, 'lesson-posterior');
    const q = { mean: 1.2, variance: 0.25 };
    expect(num(def.elbo)).toBe(model.elbo(2, q).elbo);
    expect(num(post.posteriorKL)).toBe(model.gapByPosteriorKL(2, q));
    expect(Math.abs(num(def.elbo) - num(post.elbo))).toBeLessThan(1e-12);
    expect(num(def.elbo)).not.toBeCloseTo(ours.elbo, 2);
    await page.click('[data-testid="lesson-worked-reset"]');
    expect(num((await statValues(page, 'lesson-definition')).elbo)).toBe(ours.elbo);
    await page.close();
  });

  it('reparameterization: unbiased both ways, the score function the noisier; new draws change only the estimates', async () => {
    const page = await openStep('reparam');
    await page.selectOption('[data-testid="lesson-samples"]', '2000');
    const g = await statValues(page, 'lesson-grad-mu');
    expect(num(g.muExact)).toBeCloseTo((WORKED_EXAMPLE.x - 0.3) / 1 - 0.3 / 1, 12);
    expect(Math.abs(num(g.muPathwise) - num(g.muExact))).toBeLessThan(5 * Math.sqrt(num(g.muPathwiseVar) / 2000));
    expect(Math.abs(num(g.muScore) - num(g.muExact))).toBeLessThan(5 * Math.sqrt(num(g.muScoreVar) / 2000));
    expect(num(g.muScoreVar)).toBeGreaterThan(3 * num(g.muPathwiseVar));
    await page.click('[data-testid="lesson-redraw"]');
    const g2 = await statValues(page, 'lesson-grad-mu');
    expect(g2.muExact).toBe(g.muExact);
    expect(g2.muPathwise).not.toBe(g.muPathwise);
    expect(page.url()).toContain('seed=2');
    await page.close();
  });

  it('SAC and control as inference: the exact solver at the student’s α, H = log|A| − KL, posterior = π*', async () => {
    const page = await openStep('sac');
    const entry = GRID_ENVS['TwoRoute-v0'];
    const { grid } = makeGridEnv(entry);
    const at = async (alpha: number) => {
      const s = exactSummary(entry, grid, gridObjective(entry, grid, 'uniform', alpha));
      const v = await statValues(page, 'lesson-sac');
      // The slider holds log10 α, so α comes back within rounding of the one asked for.
      expect(num(v.entropy)).toBeCloseTo(s.entropy, 9);
      expect(num(v.klUniform)).toBeCloseTo(s.klPrior, 9);
      expect(num(v.logAminusKl)).toBeCloseTo(num(v.entropy), 12);
      expect(num(v.room)).toBeCloseTo(s.outcomes.room, 9);
      return s;
    };
    const s0 = await at(entry.defaultAlpha);
    await page.fill('[data-testid="lesson-alpha"]', '0');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="lesson-sac"] h4')?.textContent?.includes('α = 1.00'),
    );
    const s1 = await at(1);
    expect(s1.entropy).toBeGreaterThan(s0.entropy);
    await page.click('[data-testid="lesson-next"]');
    await page.click('[data-testid="lesson-next"]');
    expect(await page.getAttribute('[data-testid="lesson-title"]', 'data-step')).toBe('forward');
    expect(Number(await page.getAttribute('[data-testid="lesson-cai"]', 'data-maxdiff'))).toBeLessThan(1e-8);
    await page.close();
  });

  it('KL fine-tuning: π* from the closed form equals π_ref·exp(R/β)/Z row by row', async () => {
    const page = await openStep('rlhf');
    const rows = await page.$$eval('[data-testid="lesson-rlhf-top"] tr[data-pstar]', (trs) =>
      trs.map((t) => [Number((t as HTMLElement).dataset.pstar), Number((t as HTMLElement).dataset.formula)]),
    );
    expect(rows.length).toBe(6);
    for (const [a, b] of rows) expect(a).toBeCloseTo(b, 12);
    await page.close();
  });

  it("the practice accepts the lesson's answers and refuses wrong ones with the hint", async () => {
    for (const size of SIZES) {
      const page = await openStep('practice-elbo', '', size);
      const stated: Record<string, number> = { ...PRACTICE_EXAMPLE.stated };
      for (const q of practice.questions)
        await page.fill(`[data-testid="answer-${q.quantity}"]`, String(stated[q.quantity]));
      await page.click('[data-testid="check-all"]');
      for (const q of practice.questions) expect((await verdict(page, q.quantity)).correct, q.quantity).toBe('true');
      expect(await page.textContent('[data-testid="lesson-score"]')).toBe('7 of 7 correct');
      // The gap is checked against KL(q ‖ p(z|x)) too, and the page says so.
      expect((await verdict(page, 'gapByDefinition')).text).toMatch(
        /gap log p\(x\) − ELBO = 0\.348196.*KL\(q ‖ p\(z\|x\)\) = 0\.348196/,
      );
      // Wrong: the standard deviation for the variance, the ELBO to two decimals, a typed minus sign.
      const hint = (id: string) => practice.questions.find((q) => q.quantity === id)!.hint;
      await page.fill('[data-testid="answer-posteriorVariance"]', String(Math.sqrt(0.8).toFixed(3)));
      await page.click('[data-testid="check-posteriorVariance"]');
      await page.fill('[data-testid="answer-elbo"]', '−2.47');
      await page.click('[data-testid="check-elbo"]');
      for (const id of ['posteriorVariance', 'elbo']) {
        const v = await verdict(page, id);
        expect(v.correct).toBe('false');
        expect(v.text).toBe(`✗ wrong. Hint: ${hint(id)}`);
      }
      await page.fill('[data-testid="answer-elbo"]', '−2.472');
      await page.click('[data-testid="check-elbo"]');
      expect((await verdict(page, 'elbo')).correct).toBe('true');
      await page.fill('[data-testid="answer-priorKL"]', '');
      await page.click('[data-testid="check-all"]');
      expect(await page.textContent('[data-testid="lesson-score"]')).toBe('5 of 7 correct');
      expect((await verdict(page, 'priorKL')).text).toMatch(/^✗ no answer yet\. Hint: /);
      expect(await hScroll(page)).toBeLessThanOrEqual(0);
      await page.screenshot({
        path: join(viz.artifacts, `practice-graded-${size.width}x${size.height}.png`),
        fullPage: true,
      });
      await page.close();
    }
    expect(viz.errors).toEqual([]);
  });

  it('a randomized attempt accepts exactly what src/vi computes for the model shown; a new attempt needs new answers', async () => {
    const page = await openStep('random-elbo', '&attempt=5');
    const read = async () => ({
      seed: Number(await page.getAttribute('[data-testid="lesson-attempt"]', 'data-seed')),
      p: JSON.parse((await page.getAttribute('[data-testid="lesson-attempt"]', 'data-params'))!),
    });
    const first = await read();
    expect(first.seed).toBe(5);
    expect(first.p).toEqual(attemptParams(random, 5));
    const answersFor = (p: typeof first.p) => {
      const model = new LinearGaussianModel(p.priorVariance, p.noiseVariance);
      const q = { mean: p.qMean, variance: p.qVariance };
      const post = model.posterior(p.x);
      const t = model.elbo(p.x, q);
      return {
        posteriorMean: post.mean,
        posteriorVariance: post.variance,
        reconstruction: t.reconstruction,
        priorKL: t.kl,
        elbo: t.elbo,
        gapByDefinition: model.logMarginal(p.x) - t.elbo,
      } as Record<string, number>;
    };
    const ours = answersFor(first.p);
    expect(Object.keys(ours).sort()).toEqual(random.questions.map((q) => q.quantity).sort());
    for (const [k, v] of Object.entries(ours)) await page.fill(`[data-testid="answer-${k}"]`, v.toFixed(3));
    await page.click('[data-testid="check-all"]');
    expect(await page.textContent('[data-testid="lesson-score"]')).toBe(`6 of 6 correct`);
    // Off by 0.002 from src/vi's ELBO: refused.
    await page.fill('[data-testid="answer-elbo"]', (ours.elbo + 0.002).toFixed(3));
    await page.click('[data-testid="check-elbo"]');
    expect((await verdict(page, 'elbo')).correct).toBe('false');

    await page.click('[data-testid="lesson-new-attempt"]');
    const second = await read();
    expect(second.seed).toBe(6);
    expect(page.url()).toContain('attempt=6');
    expect(second.p).not.toEqual(first.p);
    expect(second.p).toEqual(attemptParams(random, 6));
    await page.fill('[data-testid="answer-elbo"]', ours.elbo.toFixed(3));
    await page.click('[data-testid="check-elbo"]');
    expect((await verdict(page, 'elbo')).correct).toBe('false');
    await page.fill('[data-testid="answer-elbo"]', answersFor(second.p).elbo.toFixed(3));
    await page.click('[data-testid="check-elbo"]');
    expect((await verdict(page, 'elbo')).correct).toBe('true');
    await page.close();

    // A visit without a seed starts an attempt of its own and records it, so the link reopens the same model.
    const fresh = await openStep('random-elbo');
    const seed = new URL(fresh.url()).hash.match(/attempt=(\d+)/)?.[1];
    expect(seed).toBeDefined();
    const shown = await fresh.getAttribute('[data-testid="lesson-attempt"]', 'data-params');
    expect(JSON.parse(shown!)).toEqual(attemptParams(random, Number(seed)));
    await fresh.close();
    const again = await openPanel(viz.session, new URL(fresh.url()).hash, viz.errors);
    expect(await again.getAttribute('[data-testid="lesson-attempt"]', 'data-params')).toBe(shown);
    await again.close();
  });

  it('identification: the choices map onto the Objective; a wrong prior is refused with the hint', async () => {
    const page = await openStep('identify');
    for (const q of identify.questions) await page.selectOption(`[data-testid="choice-${q.id}"]`, q.answer);
    await page.click('[data-testid="check-all"]');
    expect(await page.textContent('[data-testid="lesson-score"]')).toBe(
      `${identify.questions.length} of ${identify.questions.length} correct`,
    );
    expect((await verdict(page, 'sac-prior')).text).toContain("in priorlab: the Objective with prior 'uniform'");
    expect((await verdict(page, 'klppo-prior')).text).toContain("in priorlab: the Objective with prior 'reference'");
    await page.selectOption('[data-testid="choice-sac-prior"]', 'pretrained');
    await page.click('[data-testid="check-sac-prior"]');
    const v = await verdict(page, 'sac-prior');
    expect(v.correct).toBe('false');
    expect(v.text).toBe(`✗ wrong. Hint: ${identify.questions.find((q) => q.id === 'sac-prior')!.hint}`);
    await page.close();
  });

  it('the five flashcards turn over', async () => {
    const page = await openStep('flashcards');
    expect(await page.locator('.lesson-card').count()).toBe(5);
    expect(await page.locator('.lesson-card-back:visible').count()).toBe(0);
    for (let i = 0; i < 5; i++) await page.click(`[data-testid="flashcard-${i}"]`);
    expect(await page.locator('.lesson-card-back:visible').count()).toBe(5);
    await page.click('[data-testid="flashcard-2"]');
    expect(await page.locator('.lesson-card-back:visible').count()).toBe(4);
    await page.close();
    expect(viz.errors).toEqual([]);
  });
});
