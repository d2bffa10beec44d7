/**
 * Hyperparameter files, one per algorithm (`hyperparams/<algo>.yml`, in the spirit of rl-baselines3-zoo's):
 * env id → the fields of that algorithm's config to change from its defaults. Parsed with `yaml` and checked by
 * the learner's own zod schema (`learnerSchema(algo)`: field names, types and ranges, one message format), then
 * merged as defaults ← file[env] ← `--set` ← `--steps`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { learnerSchema, type Algo } from '../../agents/learner.js';
import { checkPartialConfig, configFields } from '../../core/config.js';
import { UsageError } from '../../core/errors.js';
import { didYouMean } from '../run/options.js';

export const HYPERPARAMS_DIR = resolve(import.meta.dirname, '../../../hyperparams');

/** Field names `--set` accepts for `algo`. */
export function settableFields(algo: Algo): string[] {
  return configFields(learnerSchema(algo));
}

/** The tuned values for (algo, env) from `hyperparams/<algo>.yml` ({} when the file has no entry for the env). */
export function tunedHyperparams(algo: Algo, envId: string, dir = HYPERPARAMS_DIR): Record<string, unknown> {
  const path = join(dir, `${algo}.yml`);
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  const entry = (doc as Record<string, unknown> | null)?.[envId];
  if (entry === undefined || entry === null) return {};
  return checkPartialConfig(learnerSchema(algo), entry, `${path}: ${envId}`);
}

/**
 * `key=value,key=value` (values in YAML syntax, so `hidden=[64,64]` is a list; commas inside brackets do not
 * split) → a checked partial config for `algo`. Errors are `UsageError`s naming the pair and what is allowed.
 */
export function parseSet(algo: Algo, text: string): Record<string, unknown> {
  const pairs: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ',' && depth === 0) {
      pairs.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') pairs.push(cur);
  const out: Record<string, unknown> = Object.create(null); // so a `__proto__` key is a key (and refused), not a prototype
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set: '${pair}' is not key=value (e.g. --set batchSize=64,hidden=[32,32])`);
    const key = pair.slice(0, eq).trim();
    let value: unknown;
    try {
      value = parse(pair.slice(eq + 1));
    } catch {
      throw new UsageError(
        `--set ${key}: '${pair.slice(eq + 1)}' is not a value (a number, a word, or a list like [64,64])`,
      );
    }
    out[key] = value;
  }
  const fields = Object.keys(learnerSchema(algo).shape);
  for (const key of Object.keys(out))
    if (!fields.includes(key))
      throw new UsageError(
        `--set: ${algo} has no hyperparameter '${key}'${didYouMean(key, fields)}; allowed: ${fields.join(', ')}`,
      );
  try {
    return checkPartialConfig(learnerSchema(algo), out, `--set (${algo})`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const OBJECTIVE_DEFAULTS = z.record(z.string(), z.object({ referenceTargetKl: z.number().positive() }).strict());

/**
 * The default target KL of a learned α under the reference prior for `envId` (`hyperparams/objective.yml`), or
 * undefined when the file has none for it.
 */
export function referenceTargetKl(envId: string, dir = HYPERPARAMS_DIR): number | undefined {
  const path = join(dir, 'objective.yml');
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  const res = OBJECTIVE_DEFAULTS.safeParse(doc);
  if (!res.success) throw new Error(`${path}: ${res.error.issues[0].path.join('.')}: ${res.error.issues[0].message}`);
  return res.data[envId]?.referenceTargetKl;
}
