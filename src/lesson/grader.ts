/**
 * Grading, shared by the viewer and `priorlab lesson --check`: the model of an attempt (a randomized
 * exercise draws its parameters from a seeded stream, so the seed names the attempt), one verdict per
 * answer against the project's own functions, and the answers file of the CLI.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { shown } from '../core/errors.js';
import { PARAM_KEYS, QUANTITIES, quantitiesOf, type ModelParams } from './quantities.js';
import {
  LIMITS,
  parseYamlText,
  questionId,
  type ChoiceExercise,
  type ChoiceQuestion,
  type Exercise,
  type NumericExercise,
  type NumericQuestion,
} from './schema.js';

export const isRandomized = (ex: NumericExercise): boolean => PARAM_KEYS.some((k) => typeof ex.model[k] !== 'number');

/** The model of an attempt: fixed parameters as written, grid parameters drawn from `lesson/<id>/<seed>`. */
export function attemptParams(ex: NumericExercise, seed: number): ModelParams {
  const rng = new Rng(`lesson/${ex.id}/${seed}`);
  const out = {} as ModelParams;
  for (const k of PARAM_KEYS) {
    const p = ex.model[k];
    if (typeof p === 'number') out[k] = p;
    else {
      const n = Math.floor((p.max - p.min) / p.step + 1e-9) + 1;
      // Rounded to the grid's decimals, so the page shows exactly the value the answer is checked for.
      out[k] = Number((p.min + rng.integer(n) * p.step).toFixed(10));
    }
  }
  return out;
}

export interface Verdict {
  exercise: string;
  question: string;
  given: number | string;
  correct: boolean;
  /** The values the answer was checked against (`quantity` first, then `alsoEquals`), or the right option. */
  checks: Array<{ name: string; value: number | string }>;
  hint: string;
  /** The model the numeric answer was checked on (a randomized exercise's drawn parameters). */
  params?: ModelParams;
}

export function gradeNumeric(ex: NumericExercise, params: ModelParams, q: NumericQuestion, given: number): Verdict {
  const values = quantitiesOf(params);
  const tol = q.tolerance ?? ex.tolerance;
  const checks = [q.quantity, ...(q.alsoEquals ?? [])].map((name) => ({ name, value: values[name] }));
  return {
    exercise: ex.id,
    question: questionId(q),
    given,
    correct: Number.isFinite(given) && checks.every((c) => Math.abs(given - c.value) <= tol),
    checks,
    hint: q.hint,
    params,
  };
}

export function gradeChoice(ex: ChoiceExercise, q: ChoiceQuestion, given: string): Verdict {
  return {
    exercise: ex.id,
    question: q.id,
    given,
    correct: given === q.answer,
    checks: [{ name: 'answer', value: q.answer }],
    hint: q.hint,
  };
}

/** `  elbo               -2.472     correct` or `... wrong: <hint>`; at most 80 columns. */
export function verdictLine(v: Verdict): string {
  const given = typeof v.given === 'number' && String(v.given).length > 10 ? v.given.toPrecision(6) : String(v.given);
  const head = `  ${v.question.padEnd(LIMITS.id)} ${given.slice(0, 10).padEnd(10)}  `;
  return head + (v.correct ? 'correct' : `wrong: ${v.hint}`);
}

export function quantityLabel(q: NumericQuestion): string {
  return QUANTITIES[q.quantity].label;
}

const answersSchema = z.record(z.string(), z.record(z.string(), z.union([z.number(), z.string()])));

/**
 * The CLI's answers file: `<exercise id>: { <question id>: <value>, ..., seed: <n> }` (the seed only for
 * a randomized exercise). Bad input (unknown ids, a missing seed, a text for a number) throws a one-line
 * `UsageError`; each given answer gets one verdict, in the file's order.
 */
export function gradeAnswersFile(exercises: readonly Exercise[], answersText: string, source: string): Verdict[] {
  const data = parseYamlText(answersText, source);
  const r = answersSchema.safeParse(data);
  if (!r.success)
    throw new UsageError(
      `${source}: got ${shown(data)}; allowed: a map of exercise ids to maps of question ids to answers`,
    );
  const gradable = exercises.filter((e) => e.kind !== 'flashcards');
  const bad = (field: string, value: unknown, allowed: string): never => {
    throw new UsageError(`${source}: ${field}: got ${shown(value)}; allowed: ${allowed}`);
  };
  const verdicts: Verdict[] = [];
  for (const [exId, answers] of Object.entries(r.data)) {
    const ex = gradable.find((e) => e.id === exId);
    if (!ex) bad(exId, exId, `one of ${gradable.map((e) => e.id).join(', ')}`);
    if (ex!.kind === 'numeric') {
      const random = isRandomized(ex!);
      const seed = answers.seed;
      if (random && !(typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0))
        bad(`${exId}.seed`, seed, 'the integer seed ≥ 0 of the attempt (the page shows it)');
      const params = attemptParams(ex!, random ? (seed as number) : 0);
      for (const [qid, value] of Object.entries(answers)) {
        if (qid === 'seed' && random) continue;
        const q = ex!.questions.find((x) => questionId(x) === qid);
        if (!q) bad(`${exId}.${qid}`, qid, `one of ${ex!.questions.map(questionId).join(', ')}`);
        if (typeof value !== 'number') bad(`${exId}.${qid}`, value, 'a number');
        verdicts.push(gradeNumeric(ex!, params, q!, value as number));
      }
    } else if (ex!.kind === 'choice') {
      for (const [qid, value] of Object.entries(answers)) {
        const q = ex!.questions.find((x) => x.id === qid);
        if (!q) bad(`${exId}.${qid}`, qid, `one of ${ex!.questions.map((x) => x.id).join(', ')}`);
        const options = ex!.options.map((o) => o.id);
        if (typeof value !== 'string' || !options.includes(value))
          bad(`${exId}.${qid}`, value, `one of ${options.join(', ')}`);
        verdicts.push(gradeChoice(ex!, q!, value as string));
      }
    }
  }
  if (verdicts.length === 0) bad('answers', data, 'at least one answer');
  return verdicts;
}
