/**
 * Run folders: where a run's files live and how they are written.
 *
 *   runs/<YYYY-MM-DDTHHMM>-<experiment>-<seed>/   (UTC date; `.2`, `.3` appended if the name is taken)
 *     config.json     everything needed to reproduce: { experiment, seed, options, version, node,
 *                     backend, requestedBackend, git, createdAt, command }
 *     metrics.jsonl   one JSON object per log step: { "step": n, "charts/return": x, ... }
 *     status.json     { state: running|stopped|done|failed, step, updatedAt, error? }
 *     checkpoint.json { step, state, rng } (written by `ctx.checkpoint`)
 *     ...             whatever the experiment writes with `ctx.writeFile` (episodes, plots, weights)
 *
 * Every file except metrics.jsonl is written atomically (temp file + rename); metrics.jsonl is
 * appended line by line and, on resume, cut back to the checkpoint's step (a torn last line from
 * a crash is dropped too). What resume reads back (config.json, status.json, checkpoint.json) is
 * checked against the schemas below before anything in the folder is changed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  appendFileSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { makeFolders, writeFileAtomic } from '../atomicfs.js';
import { parseMetrics, parseMetricsLines, type MetricsRow } from '../../core/metrics.js';
import type { RngState } from '../../core/rng.js';
import { issueLine, UsageError } from '../../core/errors.js';
import { parseJsonInput } from '../../core/safekeys.js';
import { cannotRead } from './errors.js';
import { toArgv } from './options.js';

/** `config.json`: experiment, seed, options, versions, backend, git commit, time and the equivalent command. */
export interface RunConfig {
  experiment: string;
  seed: number;
  options: Record<string, unknown>;
  version: string;
  node: string;
  backend: string;
  requestedBackend: string | null;
  git: { commit: string; dirty: boolean } | null;
  createdAt: string;
  command: string;
}

/** `status.json`: running, stopped, done or failed, with the step. */
export interface RunStatus {
  state: 'running' | 'stopped' | 'done' | 'failed';
  step: number | null;
  updatedAt: string;
  error?: string;
}

/** `checkpoint.json`: step, the experiment's state and the RNG streams' state. */
export interface CheckpointFile {
  step: number;
  state: unknown;
  rng: Record<string, RngState>;
}

/** sha256 (hex) of a text or bytes. */
export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The digest stored in checkpoint.json beside its contents: the sha256 of `JSON.stringify({ step, state, rng })`.
 * JSON text parses back to the same values and key order, so the reader recomputes it from what it parsed.
 */
export function checkpointDigest(ck: CheckpointFile): string {
  return sha256Hex(JSON.stringify({ step: ck.step, state: ck.state, rng: ck.rng }));
}

/** Any JSON object, as parsed (no keys reordered or stripped). */
const JSON_OBJECT = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'expected object',
);

/** What resume needs of config.json (the other fields are a record for people). */
export const RUN_CONFIG_SCHEMA = z.object({
  experiment: z.string().min(1),
  seed: z.number().int().min(0),
  options: z.record(z.string(), z.unknown()),
  requestedBackend: z.enum(['tensorflow', 'wasm', 'cpu']).nullable().optional(),
  command: z.string().optional(),
});

export const RUN_STATUS_SCHEMA = z.object({
  state: z.enum(['running', 'stopped', 'done', 'failed']),
  step: z.number().int().min(0).nullable(),
  updatedAt: z.string(),
  error: z.string().optional(),
});

const RNG_STATE_SCHEMA = z.object({
  alea: z.object({ c: z.number(), s0: z.number(), s1: z.number(), s2: z.number() }),
  spare: z.number().nullable(),
});

export const CHECKPOINT_SCHEMA = z.object({
  step: z.number().int().min(0),
  state: z.unknown().refine((v) => v !== undefined, 'a JSON value'),
  rng: z.record(z.string(), RNG_STATE_SCHEMA),
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'the sha256 (64 hex digits) priorlab writes with the checkpoint'),
});

/** A run file that cannot be used as it is: bad input (exit 2), with the path and what to do. */
export class RunFileError extends UsageError {}

/** What to do about a damaged file, per file. */
const REPAIR: Record<string, string> = {
  'config.json': 'fix that field or start a new run',
  'status.json': 'delete status.json and resume again (it is rewritten)',
  'checkpoint.json': 'restore it from a backup or start a new run (metrics.jsonl was not touched)',
};

/**
 * Reads `dir/name` and checks it against `schema`; throws a RunFileError naming the file, the bad
 * field and what to do. Returns null when the file does not exist.
 */
export function readRunFile<S extends z.ZodType>(dir: string, name: string, schema: S): z.infer<S> | null {
  const path = join(dir, name);
  const fix = REPAIR[name] ?? REPAIR[FILES.checkpoint];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunFileError(`${path}: ${cannotRead(err)}; ${fix}`);
  }
  if (text.trim() === '') throw new RunFileError(`${path}: the file is empty; ${fix}`);
  let value: unknown;
  try {
    value = parseJsonInput(text, path);
  } catch (err) {
    throw new RunFileError(`${(err as Error).message}; ${fix}`);
  }
  return checkRunValue(dir, name, schema, value);
}

/**
 * Checks `value`, read from `dir/name` (at `at` inside it, e.g. `['state']`), against `schema`; throws a
 * RunFileError naming the file, the field and what to do.
 */
export function checkRunValue<S extends z.ZodType>(
  dir: string,
  name: string,
  schema: S,
  value: unknown,
  at: readonly PropertyKey[] = [],
): z.infer<S> {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const field = (p: readonly PropertyKey[]): string => {
    const full = [...at, ...p];
    return full.length ? `field ${full.map(String).join('.')}` : 'the file';
  };
  throw new RunFileError(
    `${join(dir, name)}: ${issueLine(res.error, value, field)}; ${REPAIR[name] ?? REPAIR[FILES.checkpoint]}`,
  );
}

/** Removes the `*.tmp` files a killed writer left behind (call with the folder's lock held). Returns their names. */
export function removeStaleTemps(dir: string): string[] {
  const stale = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
  for (const f of stale) rmSync(join(dir, f), { force: true });
  return stale;
}

/** The file names of a run folder. */
export const FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  status: 'status.json',
  checkpoint: 'checkpoint.json',
} as const;

/** `2026-11-21T0142` (UTC) for `date`. */
export function stamp(date: Date): string {
  return date.toISOString().slice(0, 16).replace(':', '');
}

/**
 * Checks that run folders can be made under `out` (before any work): its nearest existing ancestor must be
 * a writable folder. Throws a UsageError naming the path.
 */
export function checkOutFolder(out: string): void {
  for (let p = resolve(out); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(p) !== p) continue;
      throw err;
    }
    if (!isDir) throw new UsageError(`--out: '${out}' cannot be a folder because ${p} is a file; choose another --out`);
    try {
      accessSync(p, constants.W_OK);
    } catch {
      throw new UsageError(`--out: ${p} is not writable; make it writable (chmod u+w) or choose another --out`);
    }
    // Permission bits say nothing of /proc or a read-only mount (and root passes every access check): try.
    let probe: string;
    try {
      probe = mkdtempSync(join(p, '.priorlab-probe-'));
    } catch (err) {
      throw new UsageError(
        `--out: '${out}' cannot hold run folders: no folder can be made in ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose another --out`,
      );
    }
    rmSync(probe, { recursive: true, force: true });
    return;
  }
}

/** Creates and returns a fresh run folder `<out>/<stamp>-<name>-<seed>[.k]`. */
export function createRunDir(out: string, name: string, seed: number, date = new Date()): string {
  const base = resolve(out, `${stamp(date)}-${name}-${seed}`);
  makeFolders(out);
  for (let k = 1; ; k++) {
    const dir = k === 1 ? base : `${base}.${k}`;
    try {
      mkdirSync(dir); // fails if taken: no two runs share a folder, even when started at once
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

const ROOT = resolve(import.meta.dirname, '../../..');

/** The package version from package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The config.json of a new run: what `priorlab <experiment> --seed N …` writes before it starts. */
export function newRunConfig(
  experiment: string,
  seed: number,
  options: Record<string, unknown>,
  backend: string,
  requestedBackend: string | null,
): RunConfig {
  return {
    experiment,
    seed,
    options,
    version: packageVersion(),
    node: process.version,
    backend,
    requestedBackend,
    git: gitInfo(),
    createdAt: new Date().toISOString(),
    command: `priorlab ${[experiment, `--seed=${seed}`, ...toArgv(options)].join(' ')}`,
  };
}

/** The current git commit and whether the tree has uncommitted changes; null outside a repository. */
export function gitInfo(): RunConfig['git'] {
  try {
    const opts = {
      cwd: ROOT,
      encoding: 'utf8' as const,
      stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'],
    };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return { commit, dirty };
  } catch {
    return null;
  }
}

/** A JSON file a user may hand us (a run's or a sweep's): one-line RunFileError when unreadable, not JSON or unsafe. */
export function readJson<T>(path: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RunFileError(`${path}: ${cannotRead(err)}`);
  }
  try {
    return parseJsonInput(text, path) as T;
  } catch (err) {
    throw new RunFileError((err as Error).message);
  }
}

/** Writes a JSON file atomically. */
export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The rows of `path` (a metrics.jsonl); a bad line other than a torn last one is an error naming it. */
export function readMetrics(path: string): MetricsRow[] {
  const problems: string[] = [];
  const rows = parseMetrics(readFileSync(path, 'utf8'), problems, path);
  if (problems.length) throw new RunFileError(problems[0]);
  return rows;
}

/** Serializes one metrics row; `step` comes first so files read well with `head`. */
export function metricsLine(step: number, scalars: Record<string, number>): string {
  return `${JSON.stringify({ step, ...scalars })}\n`;
}

/** Appends a metrics row to `dir/metrics.jsonl`. */
export function appendMetrics(dir: string, step: number, scalars: Record<string, number>): void {
  appendFileSync(join(dir, FILES.metrics), metricsLine(step, scalars));
}

/**
 * Cuts `dir/metrics.jsonl` back to the rows with `step <= lastStep` (all rows go when `lastStep` is
 * null: the resumed run starts from scratch). Rows are kept byte for byte; torn or malformed lines go.
 */
export function truncateMetrics(dir: string, lastStep: number | null): void {
  const path = join(dir, FILES.metrics);
  if (!existsSync(path)) return;
  // A bad line before the end is damage, not a crash's torn last line: refuse rather than silently drop it.
  const problems: string[] = [];
  const lines = parseMetricsLines(readFileSync(path, 'utf8'), problems, path);
  if (problems.length)
    throw new RunFileError(`${problems[0]}; repair or delete that line, then resume again (nothing was changed)`);
  const kept = lastStep === null ? [] : lines.filter((l) => l.row.step <= lastStep);
  writeFileAtomic(path, kept.map((l) => `${l.text}\n`).join(''));
}

/**
 * The step of the last whole row of `dir/metrics.jsonl`, or null when it has none (or does not exist). A
 * torn last line is not a row.
 */
export function lastLoggedStep(dir: string): number | null {
  let text: string;
  try {
    text = readFileSync(join(dir, FILES.metrics), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunFileError(`${join(dir, FILES.metrics)}: ${cannotRead(err)}`);
  }
  const lines = parseMetricsLines(text, [], join(dir, FILES.metrics));
  return lines.length ? lines[lines.length - 1].row.step : null;
}

/** Writes the run's status.json (state, last step, error), atomically. */
export function writeStatus(dir: string, state: RunStatus['state'], step: number | null, error?: string): void {
  const status: RunStatus = { state, step, updatedAt: new Date().toISOString(), ...(error ? { error } : {}) };
  writeJson(join(dir, FILES.status), status);
}

/** Writes `dir/checkpoint.json` with its digest, in one atomic write. */
export function writeCheckpoint(dir: string, ck: CheckpointFile): void {
  writeJson(join(dir, FILES.checkpoint), { step: ck.step, state: ck.state, rng: ck.rng, digest: checkpointDigest(ck) });
}

/**
 * The validated checkpoint.json of `dir`, or null when there is none. A digest that does not match the
 * contents (an edited number, a flipped byte that still parses) is a RunFileError naming the file; `check`
 * (the run's own checks of the step and state) runs before the digest is compared.
 */
export function readCheckpoint(dir: string, check?: (ck: CheckpointFile) => void): CheckpointFile | null {
  const raw = readRunFile(dir, FILES.checkpoint, JSON_OBJECT);
  if (raw === null) return null;
  const ck = checkRunValue(dir, FILES.checkpoint, CHECKPOINT_SCHEMA, raw);
  // The digest is recomputed from the values as parsed (zod's output reorders and strips keys).
  const parsed = raw as unknown as CheckpointFile;
  const file: CheckpointFile = { step: parsed.step, state: parsed.state, rng: parsed.rng };
  // The checks that name a field come first (their message says more than a digest mismatch does).
  check?.(file);
  if (checkpointDigest(file) !== ck.digest)
    throw new RunFileError(
      `${join(dir, FILES.checkpoint)}: field digest does not match the file's contents (it was changed or damaged after it was written); ${REPAIR[FILES.checkpoint]}`,
    );
  return file;
}
