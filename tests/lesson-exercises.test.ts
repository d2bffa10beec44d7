/**
 * Lesson mode's shared core: the exercise files validate, the practice's stated answers are accepted at
 * the stated precision (and the gap also against KL(q ‖ p(z|x))), randomized attempts are seeded, the
 * ELBO gradient estimators are unbiased with the pathwise one the lower-variance, and a malformed file
 * fails with one line naming the field, the value and what is allowed.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import {
  LIMITS,
  attemptParams,
  gradeAnswersFile,
  gradeChoice,
  gradeNumeric,
  isRandomized,
  parseExercise,
  parseExercises,
  quantitiesOf,
  verdictLine,
  type Exercise,
  type NumericExercise,
} from '../src/lesson/index.js';
import { loadExercises } from '../src/node/lesson/check.js';
import { LinearGaussianModel, PRACTICE_EXAMPLE, computeQuantities, elboGradientEstimates } from '../src/vi/index.js';

const exercises = loadExercises();
const numeric = (id: string) => exercises.find((e) => e.id === id) as NumericExercise;

const GOOD = `id: t
kind: numeric
title: T
prompt: P
model: { priorVariance: 4, noiseVariance: 1, x: 2, qMean: 1, qVariance: 1.5 }
tolerance: 0.0005
questions:
  - { quantity: elbo, prompt: ELBO, hint: 'recon − KL' }
`;

describe('exercise files', () => {
  it('the four lesson files load in order: practice, randomized, identification, flashcards', () => {
    expect(exercises.map((e) => `${e.id}:${e.kind}`)).toEqual([
      'practice-elbo:numeric',
      'random-elbo:numeric',
      'identify:choice',
      'flashcards:flashcards',
    ]);
    expect(isRandomized(numeric('practice-elbo'))).toBe(false);
    expect(isRandomized(numeric('random-elbo'))).toBe(true);
    expect((exercises[3] as Extract<Exercise, { kind: 'flashcards' }>).cards).toHaveLength(5);
  });

  it("the practice's model is the lesson's, with every N(m, v) read as a variance", () => {
    const p = attemptParams(numeric('practice-elbo'), 0);
    const ours = quantitiesOf(p);
    expect(ours).toEqual(computeQuantities(PRACTICE_EXAMPLE));
    // The lesson's stated numbers (posterior N(1.6, 0.8), marginal N(0, 5), −2.169, 0.303, −2.472, 0.348).
    for (const [k, v] of Object.entries(PRACTICE_EXAMPLE.stated))
      expect(Math.abs(ours[k as keyof typeof ours] - v)).toBeLessThan(5e-4);
  });

  it('accepts the stated answers to three decimals and refuses others with the hint', () => {
    const ex = numeric('practice-elbo');
    const p = attemptParams(ex, 0);
    const q = (name: string) => ex.questions.find((x) => x.quantity === name)!;
    expect(gradeNumeric(ex, p, q('elbo'), -2.472).correct).toBe(true);
    expect(gradeNumeric(ex, p, q('elbo'), -2.47).correct).toBe(false);
    const gap = gradeNumeric(ex, p, q('gapByDefinition'), 0.348);
    expect(gap.correct).toBe(true);
    expect(gap.checks.map((c) => c.name)).toEqual(['gapByDefinition', 'gapByPosteriorKL']);
    expect(gap.checks[0].value).toBeCloseTo(gap.checks[1].value as number, 12);
    // √0.8, the standard deviation, is refused for the variance.
    const v = gradeNumeric(ex, p, q('posteriorVariance'), 0.894);
    expect(v.correct).toBe(false);
    expect(verdictLine(v)).toContain(`wrong: ${q('posteriorVariance').hint}`);
    expect(gradeNumeric(ex, p, q('elbo'), NaN).correct).toBe(false);
  });

  it('a randomized attempt is a function of its seed, on the grids, and seeds differ', () => {
    const ex = numeric('random-elbo');
    expect(attemptParams(ex, 7)).toEqual(attemptParams(ex, 7));
    const seen = new Set(Array.from({ length: 20 }, (_, s) => JSON.stringify(attemptParams(ex, s))));
    expect(seen.size).toBeGreaterThan(15);
    for (let s = 0; s < 50; s++) {
      const p = attemptParams(ex, s);
      expect(p.priorVariance).toBeGreaterThanOrEqual(1);
      expect(p.priorVariance).toBeLessThanOrEqual(6);
      expect(Number.isInteger(p.priorVariance * 2)).toBe(true);
      expect(p.qVariance).toBeGreaterThan(0);
      expect(String(p.qMean).length).toBeLessThanOrEqual(4); // −1.7, not −1.7000000000000002
    }
  });

  it('choices are checked against the answer; the prior must be the Objective’s', () => {
    const ex = exercises.find((e) => e.id === 'identify')! as Extract<Exercise, { kind: 'choice' }>;
    const q = ex.questions.find((x) => x.id === 'sac-prior')!;
    expect(gradeChoice(ex, q, 'uniform').correct).toBe(true);
    expect(gradeChoice(ex, q, 'pretrained').correct).toBe(false);
    const klPrior = ex.questions.find((x) => x.id === 'klppo-prior')!;
    const answer = ex.options.find((o) => o.id === klPrior.answer)!;
    expect(answer.prior).toBe(ex.groups.find((g) => g.id === 'klppo')!.objective.prior);
  });
});

describe('malformed exercise files: one line naming the field, the value and what is allowed', () => {
  const fail = (text: string): string => {
    try {
      parseExercise(text, 'bad.yaml');
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('parsed');
  };
  const cases: Array<[string, string, RegExp]> = [
    [
      'unknown quantity',
      GOOD.replace('quantity: elbo', 'quantity: elbow'),
      /^bad\.yaml: questions\[0\]\.quantity: got "elbow"; allowed: .*"elbo"/,
    ],
    [
      'variance ≤ 0',
      GOOD.replace('qVariance: 1.5', 'qVariance: -1'),
      /^bad\.yaml: model\.qVariance: got -1; allowed: a variance > 0$/,
    ],
    [
      'a grid with max < min',
      GOOD.replace('x: 2', 'x: { min: 2, max: 1, step: 0.5 }'),
      /^bad\.yaml: model\.x: got \{"min":2,"max":1,"step":0\.5\}; allowed: /,
    ],
    [
      'negative tolerance',
      GOOD.replace('tolerance: 0.0005', 'tolerance: -1'),
      /^bad\.yaml: tolerance: got -1; allowed: expected number to be >0$/,
    ],
    [
      'unknown kind',
      GOOD.replace('kind: numeric', 'kind: essay'),
      /^bad\.yaml: kind: got "essay"; allowed: one of 'numeric', 'choice', 'flashcards'$/,
    ],
    [
      'a hint too long for the CLI line',
      GOOD.replace("'recon − KL'", `'${'x'.repeat(41)}'`),
      /^bad\.yaml: questions\[0\]\.hint: got "x+\.\.\.; allowed: at most 40 characters/,
    ],
    ['an unknown field', GOOD + 'extra: 1\n', /^bad\.yaml: unknown field 'extra'$/],
    ['not YAML', 'id: [', /^bad\.yaml: not valid YAML \(line \d+\)/],
  ];
  it.each(cases)('%s', (_name, text, pattern) => {
    const msg = fail(text);
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain('\n');
  });

  it('a choice answer that is no option, and a prior answer that is not the group’s Objective prior', () => {
    const ex = `id: c
kind: choice
title: T
prompt: P
options: [{ id: a, label: A, prior: uniform }, { id: b, label: B, prior: reference }]
groups: [{ id: g, name: SAC, objective: { prior: uniform, temperature: α } }]
questions: [{ id: q1, group: g, role: prior, prompt: p, answer: ANSWER, hint: h }]
`;
    expect(fail(ex.replace('ANSWER', 'zz'))).toBe('bad.yaml: questions[0].answer: got "zz"; allowed: one of a, b');
    expect(fail(ex.replace('ANSWER', 'b'))).toBe(
      'bad.yaml: questions[0].answer: got "b"; allowed: an option whose prior is \'uniform\' (the Objective of SAC)',
    );
    expect(() => parseExercise(ex.replace('ANSWER', 'a'), 'ok.yaml')).not.toThrow();
  });

  it('two files with one id', () => {
    expect(() =>
      parseExercises([
        { name: 'a.yaml', text: GOOD },
        { name: 'b.yaml', text: GOOD },
      ]),
    ).toThrow('b.yaml: id: got "t"; allowed: an id no other exercise file uses');
  });

  it('every lesson hint and id fits the CLI line', () => {
    for (const ex of exercises)
      if (ex.kind !== 'flashcards')
        for (const q of ex.questions) expect(q.hint.length, q.hint).toBeLessThanOrEqual(LIMITS.hint);
  });
});

describe('answers files', () => {
  it('bad input is one line: unknown exercise, unknown question, missing seed, text for a number', () => {
    const grade = (t: string) => () => gradeAnswersFile(exercises, t, 'a.yaml');
    expect(grade('nope: { x: 1 }')).toThrow(
      'a.yaml: nope: got "nope"; allowed: one of practice-elbo, random-elbo, identify',
    );
    expect(grade('practice-elbo: { elbw: 1 }')).toThrow(
      'a.yaml: practice-elbo.elbw: got "elbw"; allowed: one of posteriorMean',
    );
    expect(grade('random-elbo: { elbo: 1 }')).toThrow(
      'a.yaml: random-elbo.seed: got nothing; allowed: the integer seed',
    );
    expect(grade('practice-elbo: { elbo: abc }')).toThrow('a.yaml: practice-elbo.elbo: got "abc"; allowed: a number');
    expect(grade('identify: { sac-prior: flat }')).toThrow(
      'a.yaml: identify.sac-prior: got "flat"; allowed: one of action,',
    );
    expect(grade('- 1')).toThrow('a.yaml: got [1]; allowed: a map of exercise ids');
  });
});

describe('the ELBO gradient, score function vs pathwise (src/vi/gradients.ts)', () => {
  it('both are unbiased for the exact gradient; the pathwise one has far less variance', () => {
    const model = new LinearGaussianModel(4, 1);
    const q = { mean: 1, variance: 1.5 };
    const g = elboGradientEstimates(model, 2, q, new Rng('grad-test'), 20_000);
    for (const est of [g.pathwise, g.score])
      for (const k of ['mu', 's'] as const) expect(Math.abs(est[k].mean - g.exact[k])).toBeLessThan(5 * est[k].stdErr);
    expect(g.score.mu.variance).toBeGreaterThan(5 * g.pathwise.mu.variance);
    // The exact gradient is the derivative of the analytic ELBO (central difference).
    const h = 1e-5;
    const elbo = (m: number, s: number) => model.elbo(2, { mean: m, variance: s * s }).elbo;
    const s = Math.sqrt(q.variance);
    expect(g.exact.mu).toBeCloseTo((elbo(1 + h, s) - elbo(1 - h, s)) / (2 * h), 6);
    expect(g.exact.s).toBeCloseTo((elbo(1, s + h) - elbo(1, s - h)) / (2 * h), 6);
    // The draws are pushed through z = μ + s·ε.
    for (let i = 0; i < 5; i++) expect(g.z[i]).toBeCloseTo(1 + s * g.eps[i], 12);
  });
});
