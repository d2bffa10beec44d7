/**
 * One config schema per learner (zod), serving construction, the YAML hyperparameter files, `--set`, the fuzz
 * test and every error message. A schema is a shape (a zod type per field, each carrying the text of what is
 * allowed), the defaults and an optional cross-field check (e.g. batchSize ≤ bufferSize, the engine's limits),
 * so the same definition gives the full config (`resolveConfig`) and the checked partial one of a file or the
 * command line (`checkPartialConfig`). Every message has one form:
 *
 *   <where>.<field>: got <value>, allowed: <what is allowed>
 *
 * Browser-safe.
 */
import { z } from 'zod';
import { shown } from './errors.js';

/** The allowed text of a failed field, or null when the value is fine. */
export type CrossCheck<C> = (cfg: C) => { field: keyof C & string; allowed: string } | null;

/** A typed config schema: the zod object, its defaults and the rules between fields (one per learner). */
export interface ConfigSchema<C extends object> {
  /** What error messages call the config (`SacConfig`, `KlPpoConfig`, …). */
  readonly name: string;
  readonly shape: { readonly [K in keyof C]: z.ZodType<C[K]> };
  readonly defaults: Readonly<C>;
  readonly check?: CrossCheck<C>;
}

export function configSchema<C extends object>(
  name: string,
  shape: { readonly [K in keyof C]: z.ZodType<C[K]> },
  defaults: C,
  check?: CrossCheck<C>,
): ConfigSchema<C> {
  const full = z.object(shape as z.ZodRawShape).safeParse(defaults);
  if (!full.success) throw new Error(`${name}: the defaults do not pass the schema (${full.error.message})`);
  return { name, shape, defaults: Object.freeze({ ...defaults }), check };
}

/** Field names of a schema (what `--set` and the hyperparameter files accept). */
export function configFields<C extends object>(schema: ConfigSchema<C>): string[] {
  return Object.keys(schema.shape);
}

/** A config error: one line naming the field, the value and what is allowed. */
export class ConfigError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function fail(where: string, field: string, value: unknown, allowed: string): never {
  throw new ConfigError(field, `${where}.${field}: got ${shown(value)}, allowed: ${allowed}`);
}

/** Checks `input` field by field (unknown keys, prototype keys and bad values refused). */
function checkFields<C extends object>(schema: ConfigSchema<C>, input: unknown, where: string): Partial<C> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError('', `${where}: got ${shown(input)}, allowed: an object of ${schema.name} fields`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    const value = (input as Record<string, unknown>)[key];
    const field = Object.hasOwn(schema.shape, key) && !PROTOTYPE_KEYS.has(key) ? schema.shape[key as keyof C] : null;
    if (field === null) fail(where, key, value, `a known field (${configFields(schema).join(', ')})`);
    const res = (field as z.ZodType).safeParse(value);
    if (!res.success) fail(where, key, value, res.error.issues[0].message);
    out[key] = res.data;
  }
  return out as Partial<C>;
}

/** The full config: defaults ← `input`, every field and the cross-field check passed; throws a ConfigError. */
export function resolveConfig<C extends object>(schema: ConfigSchema<C>, input: unknown = {}, where = schema.name): C {
  const cfg = { ...structuredClone(schema.defaults), ...checkFields(schema, input, where) } as C;
  const bad = schema.check?.(cfg);
  if (bad) fail(where, bad.field, cfg[bad.field], bad.allowed);
  return cfg;
}

/** A checked partial config (a hyperparameter file's entry, `--set`): known fields with allowed values. */
export function checkPartialConfig<C extends object>(
  schema: ConfigSchema<C>,
  input: unknown,
  where = schema.name,
): Partial<C> {
  return checkFields(schema, input, where);
}

// ─────────────────────────────────────────────────────────────── field types (the message is what is allowed)
function number(allowed: string, ok: (x: number) => boolean): z.ZodType<number> {
  // z.number() refuses NaN and ±∞ as a type error: those are numbers outside the allowed range here.
  return z
    .number({ error: (iss) => (typeof iss.input === 'number' ? allowed : 'a number') })
    .refine(ok, { error: allowed });
}

export const field = {
  positiveInt: () => number('a positive integer', (x) => Number.isInteger(x) && x > 0),
  nonNegativeInt: (note = '') => number(`an integer ≥ 0${note}`, (x) => Number.isInteger(x) && x >= 0),
  positive: () => number('a finite number > 0', (x) => x > 0),
  nonNegative: (note = '') => number(`a finite number ≥ 0${note}`, (x) => x >= 0),
  finite: () => number('a finite number', () => true),
  unit: () => number('a number in [0, 1]', (x) => x >= 0 && x <= 1),
  /** (0, 1]: a Polyak coefficient. */
  fraction: () => number('a number in (0, 1]', (x) => x > 0 && x <= 1),
  range: (allowed: string, ok: (x: number) => boolean) => number(allowed, ok),
  boolean: () => z.boolean({ error: 'true or false' }),
  oneOf: <T extends string>(values: readonly [T, ...T[]]) =>
    z.enum(values as [T, ...T[]], { error: values.map((v) => `'${v}'`).join(' or ') }) as unknown as z.ZodType<T>,
  /** Layer widths: `min`…`max` positive integers, each at most `maxWidth`. */
  widths: (min: number, max: number, maxWidth: number) => {
    const allowed = `${min === 0 ? '' : 'a non-empty '}list of at most ${max} positive integers ≤ ${maxWidth}`;
    return z
      .array(z.number(), { error: allowed })
      .refine(
        (h) => h.length >= min && h.length <= max && h.every((w) => Number.isInteger(w) && w > 0 && w <= maxWidth),
        {
          error: allowed,
        },
      );
  },
};

// ─────────────────────────────────────────────────────────────── bounds shared by the learners (and why)
/** Widest layer: a 4096×4096 float32 layer is 64 MiB with its Adam moments ×3; wider ones fail late, in allocation. */
export const MAX_LAYER_WIDTH = 4096;
/** Largest replay buffer: 10⁷ transitions of a small env are ~1 GiB of float32. */
export const MAX_BUFFER_SIZE = 10_000_000;
/** Most episodes of one evaluation: each runs in lockstep in memory, and 10⁴ already gives a 1% error of the mean. */
export const MAX_EVAL_EPISODES = 10_000;

/**
 * `base` with more fields (a learner's loop settings beside its algorithm's) and without `omit` (fields the
 * learner sets itself); the base's cross-field check still applies.
 */
export function extendSchema<C extends object, E extends object, O extends keyof C = never>(
  base: ConfigSchema<C>,
  extra: { readonly [K in keyof E]: z.ZodType<E[K]> },
  extraDefaults: E,
  omit: readonly O[] = [],
): ConfigSchema<Omit<C, O> & E> {
  const drop = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !omit.includes(k as O)));
  type R = Omit<C, O> & E;
  const check = base.check;
  return configSchema<R>(
    base.name,
    { ...drop(base.shape), ...extra } as unknown as ConfigSchema<R>['shape'],
    { ...drop(base.defaults), ...extraDefaults } as unknown as R,
    check && ((c) => check({ ...base.defaults, ...c } as unknown as C) as ReturnType<CrossCheck<R>>),
  );
}
