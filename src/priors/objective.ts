/**
 * The Objective: the prior and its temperature as ONE value, the design knob of
 *
 *     J(π) = E_π[ Σ_t γ^t ( r_t − α · KL(π(·|s_t) ‖ p(·|s_t)) ) ]
 *
 * Every learner, the exact solver, the CLI and the visualizer take an `Objective`; none of them looks at
 * the prior's name. What each prior makes of J:
 *
 * | spec.prior  | α                         | J becomes                                           |
 * |-------------|---------------------------|-----------------------------------------------------|
 * | `uniform`   | fixed, or learned         | maximum-entropy RL: α·KL(π‖U) = α(−H(π) − log u)    |
 * | `reference` | fixed, or learned         | KL-regularized RL toward a fixed policy (RLHF)      |
 * | `none`      | 0 by construction         | plain expected return                               |
 *
 * α is either fixed or learned toward a target KL per state, `KL̄ = E_s KL(π(·|s) ‖ p(·|s))` (SAC's
 * log-α descent, KL-PPO's adaptive β controller). A target entropy H̄ is the uniform prior's way of saying
 * the same thing: KL(π‖U) = −H(π) − log u, so KL̄ = −H̄ − log u, with u = 1/|A| (Discrete) or
 * Π_d 1/(high_d − low_d) (Box).
 *
 * The spec speaks the field's dialects (Stable-Baselines3's `ent_coef`, TRL's adaptive KL controller):
 * `alpha: 0.2 | 'auto' | 'auto_0.1'` ('auto' starts at 1, 'auto_x' at x), `targetKl`, `targetEntropy`
 * (a number, or 'auto' = −dim(A) for a Box, SAC's heuristic).
 *
 * `none` is the uniform prior with α ≡ 0: the KL term is multiplied by zero, so J is the plain return,
 * while every KL a learner or the viewer reports stays a finite, comparable number (KL to uniform, i.e.
 * log|A| − H(π) for discrete actions). Nothing downstream needs to know which prior it was given.
 */
import { uniformLogDensity } from '../core/spaces.js';
import { z } from 'zod';
import { checkPriorMatches, type DiscretePrior, type Prior, type PriorSpaces } from './prior.js';
import { referencePrior, type ReferenceSource } from './reference.js';
import { uniformPrior } from './uniform.js';

/** The one list of prior names. */
export const PRIOR_NAMES = ['uniform', 'reference', 'none'] as const;
/** A prior name of the spec: `uniform`, `reference` or `none`. */
export type PriorName = (typeof PRIOR_NAMES)[number];

const AUTO = /^auto(?:_(\d+(?:\.\d*)?(?:e[-+]?\d+)?))?$/;

/** α: a finite number ≥ 0, `'auto'` (learned from 1) or `'auto_<x>'` (learned from x > 0). */
export const alphaSpecSchema = z.union([
  z.number().finite().min(0),
  z.string().regex(AUTO, "'auto' or 'auto_<initial value>', e.g. auto_0.1"),
]);
/** α as the spec gives it: a number ≥ 0, `'auto'` or `'auto_<initial>'`. */
export type AlphaSpec = z.infer<typeof alphaSpecSchema>;

/** A number-or-word option as typed on a command line: numeric words are read as numbers. */
const numberOrWord = <T extends z.ZodType>(schema: T, allowed: string) =>
  z
    .preprocess((v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), schema)
    .meta({ allowed });
/** `--alpha` as the CLI reads it: a number, `auto` or `auto_<x>`. */
export const alphaCliSchema = numberOrWord(alphaSpecSchema, 'number >= 0|auto|auto_<x>');

/** The serializable Objective (config.json, the CLI, YAML files): one schema. */
export const objectiveSpecSchema = z
  .object({
    prior: z.enum(PRIOR_NAMES),
    alpha: alphaSpecSchema.default(0),
    targetKl: z.number().finite().min(0).optional(),
    targetEntropy: z.union([z.number().finite(), z.literal('auto')]).optional(),
    /** Which reference (a name such as `guide`, or a run folder); resolved by the caller into a `ReferenceSource`. */
    reference: z.string().min(1).optional(),
  })
  .strict();
/** The serializable Objective: prior name, α, target KL or entropy, reference name. */
export type ObjectiveSpec = z.input<typeof objectiveSpecSchema>;

/** The exact solver's view of an Objective on a tabular env: plain float64, no tensors. */
export interface TabularObjective {
  /** Fixed temperature α ≥ 0. */
  readonly alpha: number;
  /** p(a|s), nS·nA row-major (`prior[s * nA + a]`); KL of a policy table to it: `klAt` in `agents/exact`. */
  readonly prior: Float64Array;
}

/** The prior and its temperature as one value, what every learner and the exact solver take. */
export interface Objective {
  /** The normalized spec (α as given, defaults filled): what config.json stores. */
  readonly spec: Readonly<z.output<typeof objectiveSpecSchema>>;
  /** p(a|s) as tensors, for learners. The Objective owns it: `dispose()` frees it. */
  readonly prior: Prior;
  /** The fixed α, or the initial value of a learned one (0 for `none`). */
  readonly alpha: number;
  /** The target KL̄ (nats per state) a learned α is driven toward, or null when α is fixed. */
  readonly targetKl: number | null;
  /** Short label for tables, legends and logs: `uniform α=0.2`, `reference α=auto→KL 0.5`, `none α=0`. */
  readonly label: string;
  /** The solver's view (tabular envs only, fixed α only). */
  tabular(): TabularObjective;
  /** Frees the prior's tensors. */
  dispose(): void;
}

/** Options of `makeObjective`: the reference source (or a builder of it) for the `reference` prior. */
export interface MakeObjectiveOptions {
  /**
   * The fixed policy behind a `reference` prior: a table, a logits function or a Gaussian controller, or
   * a function of the env's spaces that makes one (called only when the spec's prior is `reference`, so a
   * source that holds tensors is made only when used). The combinators of `custom.ts` (`mixture`,
   * `tempered`, `masked`, `fromDensity`) return such functions.
   */
  reference?: ReferenceSource | ((spaces: PriorSpaces) => ReferenceSource);
}

/** Thrown for a spec that does not fit (the message names the field, the value and what is allowed). */
export class ObjectiveError extends RangeError {
  override readonly name = 'ObjectiveError';
}

function fail(field: string, value: unknown, allowed: string): never {
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new ObjectiveError(`objective.${field}: got ${shown}; allowed: ${allowed}`);
}

/** Validates a spec alone (no env): the zod schema plus the rules between fields. Returns the normalized spec. */
export function parseObjectiveSpec(spec: unknown): z.output<typeof objectiveSpecSchema> {
  const res = objectiveSpecSchema.safeParse(spec);
  if (!res.success) {
    const issue = res.error.issues[0];
    const field = issue.path.join('.') || '(spec)';
    const value = field in ((spec ?? {}) as object) ? (spec as Record<string, unknown>)[field] : undefined;
    fail(field, value, allowedFor(field, issue.message));
  }
  const s = res.data;
  const learned = typeof s.alpha === 'string';
  if (s.prior === 'none') {
    if (s.alpha !== 0)
      fail('alpha', s.alpha, "0 with prior 'none' (no prior means no KL term; use uniform or reference for α > 0)");
    if (s.targetKl !== undefined) fail('targetKl', s.targetKl, "unset with prior 'none'");
    if (s.targetEntropy !== undefined) fail('targetEntropy', s.targetEntropy, "unset with prior 'none'");
    if (s.reference !== undefined) fail('reference', s.reference, "unset with prior 'none'");
  }
  if (s.prior === 'uniform' && s.reference !== undefined) fail('reference', s.reference, "unset with prior 'uniform'");
  if (s.prior === 'reference' && s.targetEntropy !== undefined)
    fail('targetEntropy', s.targetEntropy, "unset with prior 'reference' (give targetKl)");
  if (s.targetKl !== undefined && s.targetEntropy !== undefined)
    fail('targetEntropy', s.targetEntropy, 'unset when targetKl is given (one target)');
  if (learned) {
    if (initialAlpha(s.alpha) <= 0) fail('alpha', s.alpha, "'auto' or 'auto_<x>' with x > 0");
    if (s.targetKl === undefined && s.targetEntropy === undefined) {
      fail(
        'targetKl',
        undefined,
        `a number ≥ 0 when alpha is '${s.alpha}' (a learned α needs a target: targetKl, or targetEntropy with the uniform prior)`,
      );
    }
  } else if (s.targetKl !== undefined || s.targetEntropy !== undefined) {
    fail(
      s.targetKl !== undefined ? 'targetKl' : 'targetEntropy',
      s.targetKl ?? s.targetEntropy,
      `unset when alpha is fixed (${s.alpha}); use alpha 'auto' to learn α toward a target`,
    );
  }
  return s;
}

function allowedFor(field: string, message: string): string {
  switch (field) {
    case 'prior':
      return PRIOR_NAMES.join(', ');
    case 'alpha':
      return "a finite number ≥ 0, 'auto' or 'auto_<initial value>'";
    case 'targetKl':
      return 'a finite number ≥ 0 (nats per state)';
    case 'targetEntropy':
      return "a finite number (nats) or 'auto' (−dim A)";
    case 'reference':
      return 'a non-empty name';
    default:
      return `the fields prior, alpha, targetKl, targetEntropy, reference (${message})`;
  }
}

function initialAlpha(alpha: number | string): number {
  if (typeof alpha === 'number') return alpha;
  const m = AUTO.exec(alpha);
  return m?.[1] === undefined ? 1 : Number(m[1]);
}

/**
 * Builds the Objective for an env's spaces. Errors (an `ObjectiveError` naming the field, the value and
 * what is allowed) come at construction: a reference over other spaces, `none` with α > 0, a learned α
 * without a target, a reference prior without its source.
 */
export function makeObjective(spec: unknown, spaces: PriorSpaces, opts: MakeObjectiveOptions = {}): Objective {
  const s = parseObjectiveSpec(spec);
  if (s.prior === 'reference' && opts.reference === undefined) {
    fail(
      'reference',
      s.reference,
      'a reference source (the caller resolves the name into a table, logits function or controller)',
    );
  }
  if (s.targetEntropy === 'auto' && spaces.actionSpace.kind !== 'box') {
    fail(
      'targetEntropy',
      'auto',
      `a number with the action space ${spaces.actionSpace.toString()} ('auto' = −dim A is for a Box)`,
    );
  }
  let prior: Prior;
  try {
    const source = opts.reference;
    prior =
      s.prior === 'reference'
        ? referencePrior(spaces, typeof source === 'function' ? source(spaces) : source!)
        : uniformPrior(spaces);
    checkPriorMatches(prior, spaces, 'objective.reference');
  } catch (e) {
    if (e instanceof ObjectiveError) throw e;
    throw new ObjectiveError(`objective (prior '${s.prior}'): ${(e as Error).message}`);
  }
  const learned = typeof s.alpha === 'string';
  const alpha = initialAlpha(s.alpha);
  let targetKl: number | null = null;
  if (learned) {
    if (s.targetKl !== undefined) targetKl = s.targetKl;
    else {
      // Uniform prior: KL(π‖U) = −H(π) − log u, so the entropy target H̄ is the KL target −H̄ − log u.
      const hBar =
        s.targetEntropy === 'auto' ? -(spaces.actionSpace as { dim: number }).dim : (s.targetEntropy as number);
      targetKl = -hBar - uniformLogDensity(spaces.actionSpace);
    }
  }
  const label = `${s.prior} α=${learned ? `auto→KL ${formatNumber(targetKl!)}` : formatNumber(alpha)}`;
  return {
    spec: s,
    prior,
    alpha,
    targetKl,
    label,
    tabular() {
      if (learned) fail('alpha', s.alpha, 'a fixed number for the exact solver (it has no α to learn)');
      const a = spaces.actionSpace;
      if (a.kind !== 'discrete')
        fail('prior', s.prior, `a tabular env for the exact solver (the action space is ${a.toString()})`);
      return { alpha, prior: (prior as DiscretePrior).table() };
    },
    dispose: () => prior.dispose(),
  };
}

function formatNumber(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/**
 * The CLI's objective options, declared once: spread them into an experiment's options schema
 * (`z.object({ ...objectiveOptions({ prior: 'uniform', alpha: 0.2 }), steps: … })`) and build with
 * `makeObjective(objectiveSpecOf(opts), env, …)`.
 */
export function objectiveOptions(defaults: {
  prior: PriorName;
  alpha: AlphaSpec;
  targetKl?: number;
  targetEntropy?: number | 'auto';
}) {
  const targetKl = z.number().finite().min(0);
  const targetEntropy = numberOrWord(z.union([z.number().finite(), z.literal('auto')]), 'number|auto');
  return {
    prior: z
      .enum(PRIOR_NAMES)
      .default(defaults.prior)
      .describe('prior p in KL(π‖p): uniform (max-entropy), reference (KL-regularized), none (plain RL, α = 0)'),
    alpha: alphaCliSchema
      .default(defaults.alpha)
      .describe('temperature α on KL(π‖p): a number, auto or auto_<initial> (learned toward the target); none: α = 0'),
    targetKl: (defaults.targetKl === undefined ? targetKl.optional() : targetKl.default(defaults.targetKl)).describe(
      'learned α: target KL(π‖p) per state (nats)',
    ),
    targetEntropy: (defaults.targetEntropy === undefined
      ? targetEntropy.optional()
      : targetEntropy.default(defaults.targetEntropy)
    ).describe('uniform prior, learned α: target entropy (nats) or auto (−dim A); replaces --target-kl'),
  };
}

/** α for experiments that need a fixed temperature (the exact solver, side-by-side comparisons). */
export const fixedAlphaOption = (def: number) =>
  z.number().finite().min(0).default(def).describe('temperature α on KL(π‖p), fixed (none: α = 0)');

/**
 * The Objective spec from parsed experiment options (`objectiveOptions`). With `none` the α and targets
 * the other priors use are not part of the objective (a sweep or a CLI default may still carry them).
 */
export function objectiveSpecOf(opts: {
  prior: PriorName;
  alpha: AlphaSpec;
  targetKl?: number;
  targetEntropy?: number | 'auto';
  reference?: string;
}): ObjectiveSpec {
  if (opts.prior === 'none') return { prior: 'none' };
  const learned = typeof opts.alpha === 'string';
  return {
    prior: opts.prior,
    alpha: opts.alpha,
    ...(learned && opts.targetKl !== undefined && (opts.prior === 'reference' || opts.targetEntropy === undefined)
      ? { targetKl: opts.targetKl }
      : {}),
    ...(learned && opts.prior === 'uniform' && opts.targetEntropy !== undefined
      ? { targetEntropy: opts.targetEntropy }
      : {}),
    ...(opts.reference !== undefined && opts.prior === 'reference' ? { reference: opts.reference } : {}),
  };
}

/** The options of an objective besides the prior (`objectiveOptions`). */
export const OBJECTIVE_OPTION_KEYS = ['alpha', 'targetKl', 'targetEntropy', 'reference'] as const;

/**
 * The objective options `opts` gives that its Objective does not use (`objectiveSpecOf` drops them: every one
 * under `none`, a target with a fixed α, a reference with another prior): said to the user, and what makes two
 * sweep cells run identical trials.
 */
export function unusedObjectiveOptions(opts: Parameters<typeof objectiveSpecOf>[0]): string[] {
  const spec = objectiveSpecOf(opts) as Record<string, unknown>;
  return OBJECTIVE_OPTION_KEYS.filter((k) => opts[k] !== undefined && spec[k] === undefined);
}
