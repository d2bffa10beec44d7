/**
 * `registerEnv(id, factory, { maxEpisodeSteps, references })`: a user's environment as a first-class one.
 * It goes into the env registry (`make(id)`, the learners' `makeEnv`, `priorlab/node`'s train machinery),
 * and its named references (`--reference <name>`, the first is the default) beside the built-in ones. A
 * reference is a {@link PriorInput}: a table, a builder from `custom.ts` (`masked`, `mixture`, …) or a
 * function of the env returning a source. Browser-safe.
 */
import type { Env } from '../envs/env.js';
import { register, unregister, type EnvFactory, type EnvOptions } from '../envs/registry.js';
import type { PriorInput } from './custom.js';
import { addNamedReferences } from './named.js';
import type { ReferenceSource } from './reference.js';

/** What `registerEnv` takes besides the id and the factory. */
export interface RegisterEnvOptions {
  /** The time limit `make` wraps the env in (`TimeLimit`), fixed or from the options; none by default. */
  maxEpisodeSteps?: number | ((options: EnvOptions) => number | undefined);
  /** Named reference priors: a source or builder, or `{ summary, make(env) }`. */
  references?: Readonly<
    Record<
      string,
      | PriorInput
      | {
          readonly summary: string;
          /** The reference for `env`. */
          make(env: Env): ReferenceSource | PriorInput;
        }
    >
  >;
}

function isNamed(x: unknown): x is { summary: string; make(env: Env): ReferenceSource | PriorInput } {
  return typeof x === 'object' && x !== null && 'make' in x && 'summary' in x;
}

/** Registers env `id` (`'Name-v0'`) with its factory and named references; errors name the field. */
export function registerEnv(id: string, factory: EnvFactory, opts: RegisterEnvOptions = {}): void {
  const limit = opts.maxEpisodeSteps;
  if (typeof limit === 'number' && (!Number.isInteger(limit) || limit <= 0))
    throw new RangeError(`registerEnv.maxEpisodeSteps: got ${limit}; allowed: a positive integer or a function`);
  if (typeof factory !== 'function')
    throw new RangeError(`registerEnv.factory: got ${typeof factory}; allowed: a function (options) => Env`);
  register(id, factory, limit === undefined ? {} : { maxEpisodeSteps: limit });
  try {
    const refs = Object.entries(opts.references ?? {}).map(([name, r]) => {
      const toSource = (x: ReferenceSource | PriorInput, env: Env): ReferenceSource =>
        x === 'uniform'
          ? { table: new Float64Array(0) } // never reached: 'uniform' is refused below
          : typeof x === 'function'
            ? x({ observationSpace: env.observationSpace, actionSpace: env.actionSpace })
            : x;
      if (r === 'uniform')
        throw new RangeError(
          `registerEnv.references.${name}: got 'uniform'; allowed: a reference (the uniform prior is --prior uniform)`,
        );
      return [
        name,
        isNamed(r)
          ? { summary: r.summary, make: (env: Env) => toSource(r.make(env), env) }
          : { summary: `user reference '${name}'`, make: (env: Env) => toSource(r as PriorInput, env) },
      ] as const;
    });
    addNamedReferences(id, Object.fromEntries(refs));
  } catch (e) {
    unregister(id);
    throw e;
  }
}
