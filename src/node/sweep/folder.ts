/**
 * A sweep folder, the same whichever backend ran it:
 *
 *   <sweep>/
 *     sweep.json            { experiment, spec, cells, trials }: written once, before any trial runs
 *     trials/<id>/          one run folder per trial (config.json, metrics.jsonl, status.json, checkpoint.json, ...)
 *     summary.md            mean ± std per cell over seeds of the spec's metrics (final values)
 *     summary.json          the same numbers, machine-readable
 *     frontier.svg          return vs KL per group across the x option (α), when both metrics were logged
 *     <metric>-vs-<x>.svg   each metric's final value vs the x option, mean ± std bands
 *
 * A trial is done when its status.json says `done`; restarting a sweep runs every other trial.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FILES, readJson, writeJson, type RunStatus } from '../run/rundir.js';
import { issueLine, pathText, UsageError } from '../../core/errors.js';
import { z } from 'zod';
import type { Cell, SweepSpec, Trial } from './spec.js';

/** `sweep.json`: the experiment, the spec, its cells and trials. */
export interface SweepFile {
  experiment: string;
  spec: SweepSpec;
  cells: Cell[];
  trials: Trial[];
}

export const SWEEP_FILE = 'sweep.json';

/** The run folder of trial `id` inside a sweep folder. */
export const trialDir = (sweepDir: string, id: string): string => join(sweepDir, 'trials', id);

/** What the sweep machinery reads of sweep.json (a trial's id becomes a folder name: nothing but c<cell>-s<seed>). */
const SWEEP_FRAME = z.object({
  experiment: z.string().min(1),
  spec: z.record(z.string(), z.unknown()),
  cells: z.array(z.object({ index: z.number().int().min(0), varying: z.record(z.string(), z.unknown()) })),
  trials: z.array(
    z.object({
      id: z.string().regex(/^c\d+-s\d+$/, 'c<cell>-s<seed>'),
      cell: z.number().int().min(0),
      seed: z.number().int().min(0),
      options: z.record(z.string(), z.unknown()),
    }),
  ),
});

/** Reads and checks a sweep folder's `sweep.json` (one-line errors naming the file). */
export function readSweep(dir: string): SweepFile {
  const path = join(resolve(dir), SWEEP_FILE);
  if (!existsSync(path)) throw new UsageError(`'${dir}' is not a sweep folder (no ${SWEEP_FILE})`);
  const value = readJson<unknown>(path);
  const res = SWEEP_FRAME.safeParse(value);
  if (!res.success)
    throw new UsageError(
      `${path}: ${issueLine(res.error, value, (p) => (p.length ? `field ${pathText(p)}` : 'the file'))}; restore it or start the sweep in a new --out folder`,
    );
  return value as SweepFile;
}

/**
 * Writes sweep.json for a new sweep, or checks that an existing one describes the same trials (a restarted
 * sweep must not silently change what its finished trials mean).
 */
export function initSweepFolder(dir: string, sweep: SweepFile): void {
  const path = join(dir, SWEEP_FILE);
  if (existsSync(path)) {
    const old = readFileSync(path, 'utf8');
    if (old !== `${JSON.stringify(sweep, null, 2)}\n`) {
      throw new UsageError(
        `${path} holds a different sweep (spec or trial list changed); allowed: the same spec to resume it, or a new --out folder`,
      );
    }
    return;
  }
  writeJson(path, sweep);
}

/** A trial's state from its run folder's `status.json` (`pending` before it starts). */
export function trialStatus(sweepDir: string, id: string): RunStatus['state'] | 'pending' {
  const path = join(trialDir(sweepDir, id), FILES.status);
  if (!existsSync(path)) return existsSync(join(trialDir(sweepDir, id), FILES.config)) ? 'stopped' : 'pending';
  return readJson<RunStatus>(path).state;
}

/**
 * Removes the temp files of atomic writes a killed process left in a trial folder (`<file>.<pid>.tmp`, see
 * `src/node/atomicfs.ts`), before the trial is run again or collected into it.
 */
export function removeStrayTemps(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (/\.\d+\.tmp$/.test(name)) rmSync(join(dir, name), { force: true });
}
