/**
 * Exercise files (`src/lesson/exercises/*.yaml`): a teacher adds one without code. Three kinds:
 * - `numeric`: a linear-Gaussian model (each parameter a number, or a `{ min, max, step }` grid that a
 *   seeded attempt draws from) and questions naming a quantity of `QUANTITIES`, a tolerance and a hint;
 *   `alsoEquals` names quantities the same answer must also match (the gap against KL(q ‖ p(z|x))).
 * - `choice`: questions answered by an option id, grouped by algorithm, each group naming the Objective
 *   (prior and temperature) the project uses for it; a `prior` question's answer must be that prior.
 * - `flashcards`: front and back.
 * Browser-safe (the viewer and the CLI share it); errors are one line: file, field, value, what is allowed.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { issueLine } from '../core/errors.js';
import { PRIOR_NAMES } from '../priors/objective.js';
import { PARAM_KEYS, QUANTITY_NAMES } from './quantities.js';

/** The CLI prints each answer on one 80-column line: these bound the parts of it a file controls. */
export const LIMITS = { id: 18, optionId: 10, hint: 40 } as const;

const id = (max: number) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/i, 'letters, digits and dashes, starting with a letter')
    .max(max, `at most ${max} characters`);
const text = z.string().trim().min(1, 'a non-empty text');
const hint = text.max(LIMITS.hint, `at most ${LIMITS.hint} characters (the CLI prints one 80-column line per answer)`);

const grid = z
  .object({ min: z.number(), max: z.number(), step: z.number().positive() })
  .strict()
  .refine((g) => g.max >= g.min, 'max ≥ min');
const param = z.union([z.number(), grid]);
export type Param = z.infer<typeof param>;

const model = z
  .object(Object.fromEntries(PARAM_KEYS.map((k) => [k, param])) as Record<(typeof PARAM_KEYS)[number], typeof param>)
  .strict()
  .superRefine((m, ctx) => {
    for (const k of ['priorVariance', 'noiseVariance', 'qVariance'] as const) {
      const v = m[k];
      if ((typeof v === 'number' ? v : v.min) <= 0)
        ctx.addIssue({ code: 'custom', path: typeof v === 'number' ? [k] : [k, 'min'], message: 'a variance > 0' });
    }
  });

const numericQuestion = z
  .object({
    quantity: z.enum(QUANTITY_NAMES),
    /** Defaults to the quantity's name. */
    id: id(LIMITS.id).optional(),
    prompt: text,
    tolerance: z.number().positive().optional(),
    alsoEquals: z.array(z.enum(QUANTITY_NAMES)).optional(),
    hint,
  })
  .strict();

const numeric = z
  .object({
    id: id(40),
    kind: z.literal('numeric'),
    title: text,
    prompt: text,
    model,
    /** Absolute tolerance of every question without its own. */
    tolerance: z.number().positive(),
    questions: z.array(numericQuestion).min(1),
  })
  .strict()
  .superRefine((ex, ctx) => uniqueIds(ex.questions.map(questionId), ['questions'], ctx));

export const ROLES = ['latent', 'prior', 'posterior', 'likelihood'] as const;

const choice = z
  .object({
    id: id(40),
    kind: z.literal('choice'),
    title: text,
    prompt: text,
    options: z
      .array(z.object({ id: id(LIMITS.optionId), label: text, prior: z.enum(PRIOR_NAMES).optional() }).strict())
      .min(2),
    groups: z
      .array(
        z
          .object({
            id: id(LIMITS.id),
            name: text,
            objective: z.object({ prior: z.enum(PRIOR_NAMES), temperature: text }).strict(),
          })
          .strict(),
      )
      .min(1),
    questions: z
      .array(
        z.object({ id: id(LIMITS.id), group: z.string(), role: z.enum(ROLES), prompt: text, answer: z.string(), hint }),
      )
      .min(1),
  })
  .strict()
  .superRefine((ex, ctx) => {
    uniqueIds(
      ex.options.map((o) => o.id),
      ['options'],
      ctx,
    );
    uniqueIds(
      ex.questions.map((q) => q.id),
      ['questions'],
      ctx,
    );
    const options = ex.options.map((o) => o.id);
    ex.questions.forEach((q, i) => {
      const group = ex.groups.find((g) => g.id === q.group);
      if (!group)
        return ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'group'],
          message: `one of ${ex.groups.map((g) => g.id).join(', ')}`,
        });
      const answer = ex.options.find((o) => o.id === q.answer);
      if (!answer)
        return ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'answer'],
          message: `one of ${options.join(', ')}`,
        });
      if (q.role === 'prior' && answer.prior !== group.objective.prior)
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'answer'],
          message: `an option whose prior is '${group.objective.prior}' (the Objective of ${group.name})`,
        });
    });
  });

const flashcards = z
  .object({
    id: id(40),
    kind: z.literal('flashcards'),
    title: text,
    cards: z.array(z.object({ front: text, back: text }).strict()).min(1),
  })
  .strict();

export const exerciseSchema = z.discriminatedUnion('kind', [numeric, choice, flashcards], {
  error: (issue) => (issue.code === 'invalid_union' ? "one of 'numeric', 'choice', 'flashcards'" : undefined),
});
export type Exercise = z.infer<typeof exerciseSchema>;
export type NumericExercise = Extract<Exercise, { kind: 'numeric' }>;
export type ChoiceExercise = Extract<Exercise, { kind: 'choice' }>;
export type NumericQuestion = NumericExercise['questions'][number];
export type ChoiceQuestion = ChoiceExercise['questions'][number];

export const questionId = (q: { id?: string; quantity?: string }): string => q.id ?? q.quantity!;

function uniqueIds(ids: string[], path: PropertyKey[], ctx: z.RefinementCtx): void {
  ids.forEach((v, i) => {
    if (ids.indexOf(v) !== i)
      ctx.addIssue({ code: 'custom', path: [...path, i, 'id'], message: 'an id not used earlier in this file' });
  });
}

/** YAML text as data; a syntax error becomes one line naming the file and the line. */
export function parseYamlText(textIn: string, source: string): unknown {
  try {
    return parseYaml(textIn);
  } catch (err) {
    const e = err as Error & { linePos?: Array<{ line: number }> };
    const line = e.linePos?.[0]?.line;
    throw new UsageError(
      `${source}: not valid YAML${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0].replace(/ at line \d+.*$/, '')}`,
    );
  }
}

/** One exercise file, validated; throws a one-line `UsageError` naming the file, the field and the value. */
export function parseExercise(textIn: string, source: string): Exercise {
  const data = parseYamlText(textIn, source);
  const r = exerciseSchema.safeParse(data);
  if (!r.success) throw new UsageError(`${source}: ${issueLine(r.error, data)}`);
  return r.data;
}

/** Every exercise file (sorted by name, which is the lesson's order), ids unique across files. */
export function parseExercises(files: ReadonlyArray<{ name: string; text: string }>): Exercise[] {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : 1));
  const out: Exercise[] = [];
  for (const f of sorted) {
    const ex = parseExercise(f.text, f.name);
    const clash = out.find((e) => e.id === ex.id);
    if (clash) throw new UsageError(`${f.name}: id: got "${ex.id}"; allowed: an id no other exercise file uses`);
    out.push(ex);
  }
  return out;
}
