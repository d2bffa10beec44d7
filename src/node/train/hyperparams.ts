/**
 * Hyperparameter files, one per algorithm (`hyperparams/<algo>.yml`, in the spirit of rl-baselines3-zoo's):
 * env id → the fields of that algorithm's config to change from its defaults. Parsed with `yaml`, checked by
 * zod (a schema per algorithm derived from its defaults: the field names and their types; the learner's own
 * validation checks the ranges), then merged as defaults ← file[env] ← `--set` ← `--steps`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { KLPPO_DEFAULTS } from '../../agents/klppo/ppo.js';
import { KLPPO_EXTRA, type Algo, type LoopConfig } from '../../agents/learner.js';
import { SAC_DEFAULTS } from '../../agents/sac/continuous.js';
import { DEFAULT_DISCRETE_SAC_CONFIG } from '../../agents/sac/discrete.js';
import { UsageError } from '../../core/errors.js';

export const HYPERPARAMS_DIR = resolve(import.meta.dirname, '../../../hyperparams');

/** The loop fields discrete SAC and KL-PPO take besides their own config (continuous SAC has them in SacConfig). */
const LOOP: Record<keyof LoopConfig, number> = { totalSteps: 0, evalEvery: 0, evalEpisodes: 0, checkpointEvery: 0 };

/** Every settable field of each algorithm with an example value of its type (the defaults). */
const FIELDS: Record<Algo, Record<string, unknown>> = {
  sac: { ...SAC_DEFAULTS },
  // `seed` is the run's seed, set by `train`.
  'sac-discrete': {
    ...Object.fromEntries(Object.entries(DEFAULT_DISCRETE_SAC_CONFIG).filter(([k]) => k !== 'seed')),
    ...LOOP,
  },
  klppo: { ...KLPPO_DEFAULTS, ...LOOP, ...KLPPO_EXTRA },
};

function fieldSchema(example: unknown): z.ZodType {
  if (typeof example === 'number') return z.number().finite();
  if (typeof example === 'boolean') return z.boolean();
  if (typeof example === 'string') return z.string();
  if (Array.isArray(example)) return z.array(z.number().int().positive());
  throw new Error(`hyperparams: no schema for a field like ${JSON.stringify(example)}`);
}

/** The zod schema of one env's entry for `algo`: a strict partial object over its config fields. */
export function hyperparamSchema(algo: Algo): z.ZodObject {
  return z
    .object(Object.fromEntries(Object.entries(FIELDS[algo]).map(([k, v]) => [k, fieldSchema(v).optional()])))
    .strict();
}

/** Field names `--set` accepts for `algo`. */
export function settableFields(algo: Algo): string[] {
  return Object.keys(FIELDS[algo]);
}

/** Formats the first zod issue as `<where>.<field>: got <value>; allowed: <…>`. */
function issueText(where: string, err: z.ZodError, input: Record<string, unknown>, algo: Algo): string {
  const issue = err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${settableFields(algo).join(', ')}`;
  }
  const field = String(issue.path[0]);
  return `${where}.${field}: got ${JSON.stringify(input[field])}; allowed: ${issue.message.replace(/^Invalid input: expected (\w+).*/, 'a $1')}`;
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
  const res = hyperparamSchema(algo).safeParse(entry);
  if (!res.success) throw new Error(issueText(`${path}: ${envId}`, res.error, entry as Record<string, unknown>, algo));
  return res.data;
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
  const out: Record<string, unknown> = {};
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
  const res = hyperparamSchema(algo).safeParse(out);
  if (!res.success) throw new UsageError(issueText(`--set (${algo})`, res.error, out, algo));
  return res.data;
}
