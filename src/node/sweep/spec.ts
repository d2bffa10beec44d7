/**
 * Sweep specs (`priorlab sweep spec.yaml`): which experiment, which options vary, over which seeds, and
 * which metric keys the summary and plots read. A spec expands to cells (one option setting each) and
 * trials (a cell × a seed); every trial is validated against the experiment's zod schema before anything
 * runs, and a bad value names the trial, the option, the value and what is allowed.
 *
 *   experiment: tabular-q
 *   options: { steps: 4000 }                  # fixed for every trial
 *   grid:                                     # the product of these lists (first key varies slowest)
 *     prior: [uniform, none]
 *     alpha: [0.01, 0.1, 1]
 *   random:                                   # optional: `samples` draws, each crossed with the grid
 *     samples: 4
 *     seed: 0
 *     options:
 *       lr: { uniform: [0.05, 0.5] }
 *       alpha: { logUniform: [0.01, 1] }
 *       env: { choice: [CliffWalking-v1, FrozenLake-v1] }
 *   seeds: 1-3                                # or [1, 2, 3]
 *   metrics: { return: charts/episodic_return, kl: charts/kl_prior, entropy: charts/entropy }
 *   x: alpha                                  # the option on the x axis of the plots
 *
 * Random draws come from their own seeded stream (`random.seed`), so the trial list is a function of the spec.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import type { Experiment } from '../run/experiment.js';
import { allowedText, closest, kebab, parseSeedList } from '../run/options.js';
import { UsageError } from '../../core/errors.js';
import { checkSafeKeys } from '../../core/safekeys.js';

/**
 * The most trials one sweep may hold: each makes a run folder and a queue job, and sweep.json lists them all.
 * Counted from the spec (grid sizes × random samples × seeds) before anything is expanded.
 */
export const MAX_TRIALS = 10_000;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const distribution = z.union([
  z.strictObject({ uniform: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ logUniform: z.tuple([z.number().positive(), z.number().positive()]) }),
  z.strictObject({ choice: z.array(scalar).min(1) }),
]);

/** The metric keys the summary and the plots read (the lead's unified vocabulary by default). */
export const DEFAULT_METRICS = {
  return: 'charts/episodic_return',
  kl: 'charts/kl_prior',
  entropy: 'charts/entropy',
} as const;

export const SPEC_SCHEMA = z.strictObject({
  experiment: z.string().min(1),
  options: z.record(z.string(), scalar).default({}),
  grid: z.record(z.string(), z.array(scalar).min(1)).default({}),
  random: z
    .strictObject({
      samples: z.number().int().positive().max(10_000),
      seed: z.number().int().min(0).default(0),
      options: z.record(z.string(), distribution),
    })
    .optional(),
  seeds: z.union([z.string(), z.number().int().min(0), z.array(z.number().int().min(0)).min(1)]).default('1'),
  metrics: z
    .strictObject({
      return: z.string().min(1).default(DEFAULT_METRICS.return),
      kl: z.string().min(1).default(DEFAULT_METRICS.kl),
      entropy: z.string().min(1).default(DEFAULT_METRICS.entropy),
    })
    .prefault({}),
  x: z.string().default('alpha'),
});
/** A parsed sweep spec: experiment, fixed options, grid, random samples, seeds, metrics. */
export type SweepSpec = z.infer<typeof SPEC_SCHEMA>;

/** One run of the sweep: a cell (an option setting) and a seed. `id` names its folder `trials/<id>`. */
export interface Trial {
  id: string;
  cell: number;
  seed: number;
  /** The experiment's options, parsed (defaults filled in), as the run's config.json holds them. */
  options: Record<string, unknown>;
}

/** The options that vary between cells, with their values per cell (for labels). */
export interface Cell {
  index: number;
  varying: Record<string, string | number | boolean>;
}

/** Parses YAML text into a spec; errors name the field (`grid.alpha`) and what is allowed. */
export function parseSpec(text: string, source = 'spec'): SweepSpec {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  checkSafeKeys(raw, source);
  const res = SPEC_SCHEMA.safeParse(raw ?? {});
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const where = issue.path.join('.') || '(top level)';
  throw new UsageError(`${source}: ${where}: ${issue.message}`);
}

const fmt = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

/** `prior=uniform alpha=0.1`: a cell's label. */
export function cellLabel(varying: Record<string, unknown>): string {
  return Object.entries(varying)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

function draw(dist: z.infer<typeof distribution>, rng: Rng): string | number | boolean {
  if ('uniform' in dist) return rng.uniformRange(dist.uniform[0], dist.uniform[1]);
  if ('logUniform' in dist)
    return Math.exp(rng.uniformRange(Math.log(dist.logUniform[0]), Math.log(dist.logUniform[1])));
  return dist.choice[rng.integer(dist.choice.length)];
}

/**
 * Cells then trials, validated against `exp.options`. Trials are ordered cell-major then by seed, and
 * named `c<cell>-s<seed>` (the cell index zero-padded), so the list and the folder names depend on the spec only.
 */
export function expandTrials(spec: SweepSpec, exp: Experiment): { cells: Cell[]; trials: Trial[] } {
  if (exp.kind !== 'train')
    throw new UsageError(
      `sweep: experiment '${exp.name}' is print-only (writes no run folder); allowed: a train experiment`,
    );
  const shape = exp.options.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  const sources: Array<[string, string[]]> = [
    ['options', Object.keys(spec.options)],
    ['grid', Object.keys(spec.grid)],
    ['random.options', Object.keys(spec.random?.options ?? {})],
  ];
  const owner = new Map<string, string>();
  for (const [where, keys] of sources) {
    for (const key of keys) {
      if (key === 'seed')
        throw new UsageError(`spec: ${where}.seed: seeds are swept with the top-level 'seeds' (e.g. seeds: 1-5)`);
      if (!(key in shape)) {
        const hint = closest(key, known);
        throw new UsageError(
          `spec: ${where}.${key}: '${exp.name}' has no option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; allowed: ${known.join(', ')}`,
        );
      }
      if (owner.has(key))
        throw new UsageError(
          `spec: option '${key}' is set in both ${owner.get(key)} and ${where}; set it in one place`,
        );
      owner.set(key, where);
    }
  }
  if (spec.x !== 'alpha' && !(spec.x in shape)) {
    const hint = closest(spec.x, known);
    throw new UsageError(
      `spec: x: '${exp.name}' has no option '${spec.x}'${hint ? ` (did you mean '${hint}'?)` : ''}; allowed: ${known.join(', ')}`,
    );
  }
  // The size first, from the spec alone: a product of large lists must fail at once, not fill memory.
  const seedCount =
    typeof spec.seeds === 'number'
      ? 1
      : Array.isArray(spec.seeds)
        ? new Set(spec.seeds).size
        : parseSeedList(spec.seeds).length;
  const factors: Array<[string, number]> = [
    ...Object.entries(spec.grid).map(([k, v]): [string, number] => [`grid.${k}`, v.length]),
    ...(spec.random ? [['random.samples', spec.random.samples] as [string, number]] : []),
    ['seeds', seedCount],
  ];
  const total = factors.reduce((n, [, k]) => n * k, 1);
  if (total > MAX_TRIALS)
    throw new UsageError(
      `spec: ${factors.map(([k, n]) => `${k} ${n}`).join(' × ')} = ${total} trials; allowed: at most ${MAX_TRIALS} in one sweep (each is a run folder and a queue job); split it into several sweeps`,
    );
  const seeds =
    typeof spec.seeds === 'number'
      ? [spec.seeds]
      : Array.isArray(spec.seeds)
        ? [...new Set(spec.seeds)].sort((a, b) => a - b)
        : parseSeedList(spec.seeds);

  // Grid product, first key slowest.
  let points: Array<Record<string, string | number | boolean>> = [{}];
  for (const [key, values] of Object.entries(spec.grid))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  if (spec.random) {
    const rng = new Rng(`sweep-random/${spec.random.seed}`);
    const samples = Array.from({ length: spec.random.samples }, () =>
      Object.fromEntries(Object.entries(spec.random!.options).map(([k, d]) => [k, draw(d, rng)])),
    );
    points = points.flatMap((p) => samples.map((s) => ({ ...p, ...s })));
  }

  const width = String(points.length - 1).length;
  const cells: Cell[] = points.map((varying, index) => ({ index, varying }));
  const trials: Trial[] = [];
  for (const cell of cells) {
    const input = { ...spec.options, ...cell.varying };
    const id = (seed: number): string => `c${String(cell.index).padStart(width, '0')}-s${seed}`;
    const res = exp.options.safeParse(input);
    if (!res.success) {
      const issue = res.error.issues[0];
      const key = String(issue.path[0] ?? '');
      const field = shape[key];
      const value = key in input ? fmt(input[key]) : '(default)';
      throw new UsageError(
        `spec: trial ${id(seeds[0])} (${cellLabel(cell.varying) || 'fixed options'}): option '${key}' (--${kebab(key)}) got ${value}; allowed: ${field ? allowedText(field) : '?'} (${issue.message})`,
      );
    }
    for (const seed of seeds)
      trials.push({ id: id(seed), cell: cell.index, seed, options: res.data as Record<string, unknown> });
  }
  return { cells, trials };
}
