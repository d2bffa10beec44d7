/**
 * The env registry: `make(id, options)` builds a registered env and, when a time limit is registered
 * (or `options.maxEpisodeSteps` is given), wraps it in `TimeLimit`. Other modules add their envs with
 * one line at the bottom of this file: `register('Name-v0', (opts) => new Name(opts), { maxEpisodeSteps: N })`.
 */
import type { Env } from './env.js';
import { makeCliffWalking } from './cliffwalking.js';
import { frozenLakeTimeLimit, makeFrozenLake } from './frozenlake.js';
import { LINEAR_GAUSSIAN_TASK, LinearGaussian } from './lineargaussian.js';
import { MountainCarContinuous } from './mountaincar.js';
import { Pendulum } from './pendulum.js';
import { PointMass } from './pointmass.js';
import { makeTwoRoute } from './tworoute.js';
import { ObservationSubset, TimeLimit } from './wrappers.js';
import { TokenSeq } from './tokens.js';

/** An env's options as given to `make(id, options)`. */
export type EnvOptions = Record<string, unknown>;
/** Makes an env from its options (what `register` and `registerEnv` take). */
export type EnvFactory = (options: EnvOptions) => Env;

/** A registered env: its id, factory and time limit. */
export interface EnvSpec {
  id: string;
  factory: EnvFactory;
  /** Fixed limit, a limit depending on the options, or undefined for no limit. */
  maxEpisodeSteps?: number | ((options: EnvOptions) => number | undefined);
}

const specs = new Map<string, EnvSpec>();

/** Registers env `id` (`Name-v0`) with its factory and time limit (`registerEnv` adds named references). */
export function register(id: string, factory: EnvFactory, opts: Omit<EnvSpec, 'id' | 'factory'> = {}): void {
  if (!/^[A-Za-z][\w-]*-v\d+$/.test(id)) throw new RangeError(`register: id must look like 'Name-v0', got '${id}'`);
  if (specs.has(id)) throw new RangeError(`register: '${id}' is already registered`);
  specs.set(id, { id, factory, ...opts });
}

/** Removes a registered env (a failed `registerEnv` undoes its `register`); unknown ids are ignored. */
export function unregister(id: string): void {
  specs.delete(id);
}

/** Every registered env id, sorted. */
export function registeredIds(): string[] {
  return [...specs.keys()].sort();
}

/** The registered spec of `id`; an unknown id lists the registered ones. */
export function envSpec(id: string): EnvSpec {
  const spec = specs.get(id);
  if (!spec) throw new RangeError(`unknown env id '${id}'; available: ${registeredIds().join(', ')}`);
  return spec;
}

/** The time limit `make(id, options)` applies, or undefined. */
export function maxEpisodeStepsOf(id: string, options: EnvOptions = {}): number | undefined {
  if (options.maxEpisodeSteps !== undefined) return options.maxEpisodeSteps as number;
  const limit = envSpec(id).maxEpisodeSteps;
  return typeof limit === 'function' ? limit(options) : limit;
}

/**
 * Builds env `id`. `options.maxEpisodeSteps` (a positive integer) overrides the registered time limit;
 * every other option goes to the env, which rejects unknown ones.
 */
export function make(id: string, options: EnvOptions = {}): Env {
  const spec = envSpec(id);
  const { maxEpisodeSteps, ...envOptions } = options;
  if (maxEpisodeSteps !== undefined && (!Number.isInteger(maxEpisodeSteps) || (maxEpisodeSteps as number) <= 0)) {
    throw new RangeError(`${id}: option maxEpisodeSteps must be a positive integer, got ${String(maxEpisodeSteps)}`);
  }
  const env = spec.factory(envOptions);
  const limit = maxEpisodeStepsOf(id, options);
  return limit === undefined ? env : new TimeLimit(env, limit);
}

register('CliffWalking-v1', makeCliffWalking);
register('FrozenLake-v1', makeFrozenLake, { maxEpisodeSteps: frozenLakeTimeLimit });
register('TwoRoute-v0', makeTwoRoute, { maxEpisodeSteps: 100 });
register('Pendulum-v1', (o) => new Pendulum(o), { maxEpisodeSteps: 200 });
register('MountainCarContinuous-v0', (o) => new MountainCarContinuous(o), { maxEpisodeSteps: 999 });
register('PointMass-v0', (o) => new PointMass(o), { maxEpisodeSteps: 200 });
register('PendulumNoVel-v1', (o) => new ObservationSubset(new Pendulum(o), [0, 1], 'PendulumNoVel-v1'), {
  maxEpisodeSteps: 200,
});
register('TokenSeq-v0', (o) => new TokenSeq(o));
register('LinearGaussian-v0', (o) => new LinearGaussian(o), { maxEpisodeSteps: LINEAR_GAUSSIAN_TASK.horizon });
