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
 * a crash is dropped too).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomicfs.js';
import { parseMetrics, parseMetricsLines, type MetricsRow } from '../../core/metrics.js';
import type { RngState } from '../../core/rng.js';

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

export interface RunStatus {
  state: 'running' | 'stopped' | 'done' | 'failed';
  step: number | null;
  updatedAt: string;
  error?: string;
}

export interface CheckpointFile {
  step: number;
  state: unknown;
  rng: Record<string, RngState>;
}

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

/** Creates and returns a fresh run folder `<out>/<stamp>-<name>-<seed>[.k]`. */
export function createRunDir(out: string, name: string, seed: number, date = new Date()): string {
  const base = resolve(out, `${stamp(date)}-${name}-${seed}`);
  mkdirSync(resolve(out), { recursive: true });
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

/** The current git commit and whether the tree has uncommitted changes; null outside a repository. */
export function gitInfo(): RunConfig['git'] {
  try {
    const opts = { cwd: ROOT, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return { commit, dirty };
  } catch {
    return null;
  }
}

export function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The rows of `path` (a metrics.jsonl); a bad line other than a torn last one is an error naming it. */
export function readMetrics(path: string): MetricsRow[] {
  const problems: string[] = [];
  const rows = parseMetrics(readFileSync(path, 'utf8'), problems, path);
  if (problems.length) throw new Error(problems[0]);
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
  const kept = lastStep === null ? [] : parseMetricsLines(readFileSync(path, 'utf8')).filter((l) => l.row.step <= lastStep);
  writeFileAtomic(path, kept.map((l) => `${l.text}\n`).join(''));
}

export function writeStatus(dir: string, state: RunStatus['state'], step: number | null, error?: string): void {
  const status: RunStatus = { state, step, updatedAt: new Date().toISOString(), ...(error ? { error } : {}) };
  writeJson(join(dir, FILES.status), status);
}

export function readCheckpoint(dir: string): CheckpointFile | null {
  const path = join(dir, FILES.checkpoint);
  return existsSync(path) ? readJson<CheckpointFile>(path) : null;
}
