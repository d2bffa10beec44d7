/**
 * Shared plumbing for the built-in environments: the env-owned generator (`reset({ seed })` re-seeds
 * it, `reset()` continues its stream), the episode state machine (`step` before `reset` or after
 * `terminated` is an error) and action validation with errors that name the value and what is allowed.
 */
import { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { Action, Env, Observation, ResetOptions, ResetResult, StepResult } from './env.js';

/** Seed used when `reset()` is first called without one (there is no OS entropy here: runs stay reproducible). */
const DEFAULT_SEED = 0;

/** A base class for envs: seeding (`reset({ seed })`), reset-option checks and the reset/step order; implement `resetEpisode` and `stepEpisode`. */
export abstract class BaseEnv<O extends Observation, A extends Action> implements Env<O, A> {
  abstract readonly id: string;
  abstract readonly observationSpace: Discrete | Box;
  abstract readonly actionSpace: Discrete | Box;
  /** The names `reset({ options })` accepts; any other name is an error. */
  protected readonly resetOptionNames: readonly string[] = [];
  private generator: Rng = new Rng(DEFAULT_SEED);
  private phase: 'unset' | 'running' | 'ended' | 'closed' = 'unset';

  /** The env's own generator (Gymnasium's `np_random`); `checkEnv` compares its state across seeds. */
  get rng(): Rng {
    return this.generator;
  }

  /** Checks the options, re-seeds with `seed` (else continues the stream) and starts an episode. */
  reset(opts: ResetOptions = {}): ResetResult<O> {
    const { seed, options } = checkResetOptions(this.id, opts);
    const reader = new OptionReader(`${this.id} reset`, options, this.resetOptionNames);
    if (seed !== undefined) this.generator = new Rng(seed);
    const result = this.resetEpisode(this.generator, reader);
    if (this.phase !== 'closed') this.phase = 'running';
    return result;
  }

  /** Takes one action; refused before `reset()`, after termination and after `close()`. */
  step(action: A): StepResult<O> {
    if (this.phase !== 'running') {
      const why = {
        unset: 'before reset(); call reset() first',
        ended: 'after the episode terminated; call reset() first',
        closed: 'after close(); make a new env',
      }[this.phase];
      throw new Error(`${this.id}: step() called ${why}`);
    }
    const result = this.stepEpisode(action, this.generator);
    if (result.terminated) this.phase = 'ended';
    return result;
  }

  /** Closes the env; `step` is refused after it. */
  close(): void {
    this.phase = 'closed';
  }

  protected abstract resetEpisode(rng: Rng, options: OptionReader): ResetResult<O>;
  protected abstract stepEpisode(action: A, rng: Rng): StepResult<O>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the argument of `reset`: an object with at most `seed` (a non-negative integer, as Gymnasium
 * requires) and `options` (an object). Throws naming the field, the value and what is allowed.
 */
export function checkResetOptions(envId: string, opts: unknown): { seed?: number; options: Record<string, unknown> } {
  if (!isPlainObject(opts)) throw new TypeError(`${envId}: reset() takes { seed?, options? }, got ${String(opts)}`);
  for (const key of Object.keys(opts)) {
    if (key !== 'seed' && key !== 'options')
      throw new RangeError(`${envId}: reset() got unknown field '${key}'; allowed: seed, options`);
  }
  const { seed, options } = opts;
  if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) {
    throw new RangeError(
      `${envId}: reset() seed must be a non-negative integer, got ${typeof seed === 'object' ? JSON.stringify(seed) : String(seed)}`,
    );
  }
  if (options !== undefined && !isPlainObject(options)) {
    throw new TypeError(
      `${envId}: reset() options must be an object, got ${JSON.stringify(options) ?? String(options)}`,
    );
  }
  return { seed, options: options ?? {} };
}

/** Throws unless `a` is an integer in {0, ..., space.n − 1}. */
export function checkDiscreteAction(envId: string, space: Discrete, a: unknown): asserts a is number {
  if (!space.contains(a)) {
    throw new RangeError(`${envId}: action must be an integer in {0, ..., ${space.n - 1}}, got ${String(a)}`);
  }
}

/**
 * Throws unless `a` is an array of `space.dim` finite numbers. Values outside the bounds are allowed: the
 * continuous envs clip them, as Gymnasium's Pendulum and MountainCarContinuous do; NaN and ±Infinity are not.
 */
export function checkBoxAction(envId: string, space: Box, a: unknown): asserts a is ArrayLike<number> {
  const isArray = a instanceof Float32Array || a instanceof Float64Array || Array.isArray(a);
  if (!isArray) throw new TypeError(`${envId}: action must be an array of ${space.dim} numbers, got ${String(a)}`);
  const arr = a as ArrayLike<unknown>;
  if (arr.length !== space.dim) {
    throw new RangeError(`${envId}: action must have length ${space.dim}, got length ${arr.length}`);
  }
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(
        `${envId}: action[${i}] must be a finite number (clipped to [${space.low[i]}, ${space.high[i]}]), got ${String(v)}`,
      );
    }
  }
}

/** Reads env options: unknown keys are an error listing the allowed ones. */
export class OptionReader {
  constructor(
    private readonly envId: string,
    private readonly options: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(options)) {
      if (!allowed.includes(key)) {
        throw new RangeError(
          `${envId}: unknown option '${key}'; allowed options: ${allowed.length ? allowed.join(', ') : '(none)'}`,
        );
      }
    }
  }

  /** The boolean option `name`, or `fallback`; another type is an error naming it. */
  boolean(name: string, fallback: boolean): boolean {
    const v = this.options[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean')
      throw new TypeError(`${this.envId}: option ${name} must be true or false, got ${String(v)}`);
    return v;
  }

  /** The number option `name` in [min, max], or `fallback`; out of range is an error naming it. */
  number(name: string, fallback: number, min = -Infinity, max = Infinity): number {
    const v = this.options[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new RangeError(
        `${this.envId}: option ${name} must be a finite number in [${min}, ${max}], got ${String(v)}`,
      );
    }
    return v;
  }

  /** The option `name`, one of `values`, or `fallback`; another value is an error listing them. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const v = this.options[name];
    if (v === undefined) return fallback;
    if (!values.includes(v as T)) {
      throw new RangeError(
        `${this.envId}: option ${name} must be one of ${values.map((x) => `'${x}'`).join(', ')}, got ${String(v)}`,
      );
    }
    return v as T;
  }

  /** The string-array option `name`, or undefined when not given. */
  stringArray(name: string): string[] | undefined {
    const v = this.options[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || !v.every((row) => typeof row === 'string')) {
      throw new TypeError(
        `${this.envId}: option ${name} must be a non-empty array of strings (map rows), got ${JSON.stringify(v)}`,
      );
    }
    return v as string[];
  }
}
