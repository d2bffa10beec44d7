/**
 * What `train`, `eval` and `enjoy` share: the options of `priorlab train` (checked before any run folder is
 * made: the algorithm fits the env, the reference exists, `--set` names real fields) and their resolution
 * into an Objective spec, a learner config and a reference source.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  ALGOS,
  algoFits,
  defaultAlpha,
  learnerSchema,
  objectiveFits,
  policyReference,
  type Algo,
} from '../../agents/learner.js';
import { resolveConfig } from '../../core/config.js';
import type { Env } from '../../envs/env.js';
import { make, registeredIds } from '../../envs/registry.js';
import {
  makeObjective,
  alphaCliSchema,
  objectiveOptions,
  objectiveSpecOf,
  parseObjectiveSpec,
  type Objective,
  type ObjectiveSpec,
  type ReferenceSource,
} from '../../priors/index.js';
import { NAMED_REFERENCES, referenceNames } from '../../priors/named.js';
import { UsageError } from '../../core/errors.js';
import { checkSafeKeys } from '../../core/safekeys.js';
import { didYouMean } from '../run/options.js';
import { AGENT_FILES, checkAgentFits, loadAgent } from './agent-io.js';
import { parseSet, referenceTargetKl, tunedHyperparams } from './hyperparams.js';

const baseOptions = z.object({
  algo: z
    .enum(ALGOS)
    .default('sac')
    .describe(
      'learner: sac (continuous SAC), sac-discrete, klppo (KL-PPO), rloo, grpo, dpo (token RLHF), dreamer (world model)',
    ),
  env: z
    .string()
    .default('Pendulum-v1')
    .describe(`registered env id: ${registeredIds().join(', ')}`),
  ...objectiveOptions({ prior: 'uniform', alpha: 'auto_1' }),
  alpha: alphaCliSchema
    .optional()
    .describe(
      `temperature α on KL(π‖p): a number, auto or auto_<initial> (learned toward the target); default: ${ALGOS.map((a) => `${a} ${defaultAlpha(a)}`).join(', ')}`,
    ),
  reference: z
    .string()
    .optional()
    .describe("reference prior: a name (the env's first by default) or a run folder of a trained agent"),
  envOptions: z
    .string()
    .optional()
    .describe('options of the env as a YAML map, e.g. "{goalVelocity: 0.03}" (a changed task)'),
  steps: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('environment steps (default: the hyperparameter file, else the algorithm default)'),
  set: z
    .string()
    .optional()
    .describe('hyperparameters over the file: key=value,key=value (e.g. batchSize=64,hidden=[32,32])'),
});
/** The options of `priorlab train`, parsed. */
export type TrainOptions = z.infer<typeof baseOptions>;

/** A `train` run resolved: algorithm, env id and options, objective spec and the learner's config. */
export interface ResolvedTrain {
  algo: Algo;
  envId: string;
  /** Options passed to `make(envId, …)`. */
  envOptions: Record<string, unknown>;
  spec: ObjectiveSpec;
  /** The learner's config: tuned file entry ← --set ← --steps (without the run seed). */
  config: Record<string, unknown>;
}

/** The objective spec of the options: a learned α without a target gets the uniform prior's SAC heuristics. */
function specOf(opts: TrainOptions, env: Env): ObjectiveSpec {
  const alpha = opts.alpha ?? defaultAlpha(opts.algo);
  const learned = typeof alpha === 'string';
  const fill =
    opts.prior === 'uniform' && learned && opts.targetKl === undefined && opts.targetEntropy === undefined
      ? // −dim A for a Box (SAC), 0.98·log|A| for a Discrete space (Christodoulou's discrete SAC)
        {
          targetEntropy:
            env.actionSpace.kind === 'box'
              ? ('auto' as const)
              : 0.98 * Math.log(env.actionSpace.kind === 'discrete' ? env.actionSpace.n : 1),
        }
      : opts.prior === 'reference' && learned && opts.targetKl === undefined
        ? { targetKl: referenceTargetKl(env.id) } // the env's default (hyperparams/objective.yml)
        : {};
  const reference = opts.prior === 'reference' ? referenceOf(opts, env) : undefined;
  return objectiveSpecOf({ ...opts, alpha, ...fill, reference });
}

/** The reference the options name: a run folder (absolute path) or one of the env's names (the first by default). */
function referenceOf(opts: TrainOptions, env: Env): string {
  const names = referenceNames(env.id);
  const ref = opts.reference ?? names[0];
  const allowed = `${names.length ? `${names.join(', ')} or ` : ''}a run folder of ${env.id} containing ${AGENT_FILES.manifest}`;
  if (ref === undefined) throw new UsageError(`--reference: ${env.id} has no named reference; allowed: ${allowed}`);
  if (names.includes(ref)) return ref;
  if (!existsSync(resolve(ref)))
    throw new UsageError(`--reference: '${ref}' is not a reference of ${env.id}; allowed: ${allowed}`);
  const dir = resolve(ref);
  checkAgentFits(loadAgent(dir).manifest, env, '--reference', dir);
  return dir;
}

/** `--env-options` (a YAML map) as an object. */
export function parseEnvOptions(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    value = undefined;
  }
  checkSafeKeys(value, '--env-options');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(
      `--env-options: '${text}' is not a map; allowed: a YAML or JSON map such as "{goalVelocity: 0.03}"`,
    );
  }
  return value as Record<string, unknown>;
}

/** Resolves (and so validates) the options; every problem is a `UsageError` naming the option. */
export function resolveTrain(opts: TrainOptions): ResolvedTrain {
  if (!registeredIds().includes(opts.env))
    throw new UsageError(
      `--env: '${opts.env}' is not registered${didYouMean(opts.env, registeredIds())}; allowed: ${registeredIds().join(', ')}`,
    );
  const envOptions = parseEnvOptions(opts.envOptions);
  let env: Env;
  try {
    env = make(opts.env, envOptions);
  } catch (err) {
    throw new UsageError(`--env-options: ${(err as Error).message}`);
  }
  try {
    if (!algoFits(opts.algo, env)) {
      const fit = ALGOS.filter((a) => algoFits(a, env));
      throw new UsageError(
        `--algo: ${opts.algo} does not fit ${opts.env} (observations ${env.observationSpace.toString()}, actions ${env.actionSpace.toString()}); allowed: ${fit.join(', ')}`,
      );
    }
    if (opts.prior !== 'reference' && opts.reference !== undefined)
      throw new UsageError(`--reference: given with --prior ${opts.prior}; allowed: only with --prior reference`);
    const spec = specOf(opts, env);
    const unfit = objectiveFits(opts.algo, spec);
    if (unfit !== null) throw new UsageError(unfit);
    try {
      parseObjectiveSpec(spec);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const config = {
      ...tunedHyperparams(opts.algo, opts.env),
      ...(opts.set === undefined ? {} : parseSet(opts.algo, opts.set)),
      ...(opts.steps === undefined ? {} : { totalSteps: opts.steps }),
    };
    try {
      resolveConfig(learnerSchema(opts.algo), config, `config (${opts.algo})`); // cross-field checks, before any folder
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return { algo: opts.algo, envId: opts.env, envOptions, spec, config };
  } finally {
    env.close();
  }
}

/**
 * The options of `priorlab train`, validated as a whole before any run folder is made. A problem becomes one
 * issue with no path whose message is the `UsageError`'s, which the CLI prints as written.
 */
export const trainOptions = baseOptions.superRefine((opts, ctx) => {
  try {
    resolveTrain(opts);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    ctx.addIssue({ code: 'custom', path: [], message: err.message });
  }
});

/** The reference source a spec names (called only for the reference prior). */
export function referenceSource(spec: ObjectiveSpec, env: Env): () => ReferenceSource {
  return () => {
    const ref = spec.reference;
    if (ref === undefined)
      throw new UsageError('objective.reference: missing; allowed: a reference name or a run folder');
    const table = Object.hasOwn(NAMED_REFERENCES, env.id) ? NAMED_REFERENCES[env.id] : {};
    const named = Object.hasOwn(table, ref) ? table[ref] : undefined;
    if (named) return named.make(env);
    const { manifest, weights } = loadAgent(ref);
    checkAgentFits(manifest, env, '--reference', ref);
    return policyReference(manifest.algo, manifest.networks, weights, manifest.config, env);
  };
}

/** The Objective of a resolved spec on `env`. */
export function buildObjective(spec: ObjectiveSpec, env: Env): Objective {
  return makeObjective(spec, env, { reference: referenceSource(spec, env) });
}
