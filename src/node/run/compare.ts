/**
 * `priorlab compare <paths...> [--metric charts/return] [--group prior] [--at 1000,5000] [--out dir]`
 *
 * Reads run folders (a path is a run folder when it holds config.json; otherwise its sub-folders
 * are searched), groups the runs, prints mean ± std over the runs of each group at the chosen
 * steps and at the end, and writes one learning-curve SVG per metric (mean line, ±std band).
 *
 * Definitions:
 * - grouping: `--group prior` keys on the config field `prior` (looked up in `options`, then at the
 *   top level of config.json, e.g. `experiment`); several fields: `--group prior,alpha`. Default:
 *   the experiment and every option (runs differing only in seed are one group).
 * - value of a run at step t: its last logged value of the metric at a step ≤ t (none before its
 *   first log); "final": its last logged value.
 * - std: the sample standard deviation (n − 1 in the denominator); 0 for a single run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../atomicfs.js';
import { booleanKeys, helpLines, splitArgs, UsageError, validateFlags } from './options.js';
import type { MetricsRow } from '../../core/metrics.js';
import { FILES, readJson, readMetrics, type RunConfig } from './rundir.js';
import { linePlot } from './svgplot.js';

export const COMPARE_OPTIONS = z.object({
  metric: z.string().default('charts/return').describe('metric key(s) in metrics.jsonl, comma-separated'),
  group: z.string().optional().describe('config field(s) to group by, comma-separated, e.g. prior or prior,alpha (default: experiment + all options but seed)'),
  at: z.string().optional().describe('steps at which to tabulate, comma-separated, e.g. 1000,5000'),
  out: z.string().optional().describe('folder for the SVG plots (default: <folder of the runs>/compare)'),
  help: z.boolean().default(false).describe('show this help'),
});

export interface Run {
  dir: string;
  config: RunConfig;
  metrics: MetricsRow[];
}

export interface GroupStats {
  label: string;
  runs: Run[];
}

/** Run folders under `paths` (each path: a run folder, or a folder of run folders). */
export function findRuns(paths: readonly string[]): Run[] {
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new UsageError(`compare: '${p}' is not a folder; allowed: run folders or folders containing them`);
    if (existsSync(join(abs, FILES.config))) dirs.push(abs);
    else {
      const found = readdirSync(abs).sort().map((d) => join(abs, d)).filter((d) => existsSync(join(d, FILES.config)));
      if (!found.length) throw new UsageError(`compare: '${p}' holds no run folders (folders with ${FILES.config})`);
      dirs.push(...found);
    }
  }
  return [...new Set(dirs)].map((dir) => {
    const mPath = join(dir, FILES.metrics);
    return {
      dir,
      config: readJson<RunConfig>(join(dir, FILES.config)),
      metrics: existsSync(mPath) ? readMetrics(mPath) : [],
    };
  });
}

function fieldOf(cfg: RunConfig, field: string): unknown {
  if (field in cfg.options) return cfg.options[field];
  if (field in cfg) return (cfg as unknown as Record<string, unknown>)[field];
  return undefined;
}

/** Groups runs by `fields` (or by experiment + all options). Labels list only what differs between groups. */
export function groupRuns(runs: readonly Run[], fields?: readonly string[]): GroupStats[] {
  if (fields) {
    for (const f of fields) {
      if (runs.every((r) => fieldOf(r.config, f) === undefined)) {
        const known = Object.keys(runs[0]?.config.options ?? {}).join(', ');
        throw new UsageError(`--group: no run has a config field '${f}' (options here: ${known}; or experiment, backend, version)`);
      }
    }
  }
  const keyOf = (r: Run): Record<string, unknown> =>
    fields ? Object.fromEntries(fields.map((f) => [f, fieldOf(r.config, f)])) : { experiment: r.config.experiment, ...r.config.options };
  const groups = new Map<string, { key: Record<string, unknown>; runs: Run[] }>();
  for (const r of runs) {
    const key = keyOf(r);
    const id = JSON.stringify(key);
    if (!groups.has(id)) groups.set(id, { key, runs: [] });
    groups.get(id)!.runs.push(r);
  }
  const all = [...groups.values()];
  const varying = Object.keys(all[0]?.key ?? {}).filter((k) => fields || new Set(all.map((g) => JSON.stringify(g.key[k]))).size > 1);
  return all.map((g) => ({
    label: (fields || varying.length ? varying : ['experiment']).map((k) => `${k}=${String(g.key[k])}`).join(' '),
    runs: g.runs,
  }));
}

/** Last logged value of `metric` at a step ≤ `step` (or the very last one when `step` is omitted). */
export function valueAt(metrics: readonly MetricsRow[], metric: string, step?: number): number | undefined {
  let v: number | undefined;
  for (const row of metrics) {
    if (step !== undefined && row.step > step) break;
    if (typeof row[metric] === 'number') v = row[metric];
  }
  return v;
}

export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

const fmt = (x: number): string => (Number.isFinite(x) ? String(+x.toPrecision(4)) : '–');
export const fmtMeanStd = ({ mean, std, n }: { mean: number; std: number; n: number }): string => (n === 0 ? '–' : `${fmt(mean)} ± ${fmt(std)}`);

/** The table text: one row per group, columns n, @step..., final. */
export function compareTable(groups: readonly GroupStats[], metric: string, at: readonly number[]): string[] {
  const header = ['group', 'n', ...at.map((s) => `@${s}`), 'final'];
  const rows = groups.map((g) => {
    const cell = (step?: number): string =>
      fmtMeanStd(meanStd(g.runs.map((r) => valueAt(r.metrics, metric, step)).filter((v): v is number => v !== undefined)));
    return [g.label, String(g.runs.length), ...at.map((s) => cell(s)), cell()];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [`${metric} (mean ± std over runs)`, line(header), ...rows.map(line)];
}

/** Mean ± std curve of a group on the union of its runs' logged steps. */
export function groupCurve(g: GroupStats, metric: string): { x: number[]; mean: number[]; std: number[] } {
  const steps = [...new Set(g.runs.flatMap((r) => r.metrics.filter((m) => typeof m[metric] === 'number').map((m) => m.step)))].sort((a, b) => a - b);
  const stats = steps.map((s) => meanStd(g.runs.map((r) => valueAt(r.metrics, metric, s)).filter((v): v is number => v !== undefined)));
  return { x: steps, mean: stats.map((s) => s.mean), std: stats.map((s) => s.std) };
}

export function curvesSvg(groups: readonly GroupStats[], metric: string, title: string): string {
  return linePlot(
    { title, xLabel: 'step', yLabel: metric },
    groups.map((g) => {
      const c = groupCurve(g, metric);
      return { label: `${g.label} (n=${g.runs.length})`, x: c.x, y: c.mean, lower: c.mean.map((m, i) => m - c.std[i]), upper: c.mean.map((m, i) => m + c.std[i]) };
    }),
  );
}

function parseSteps(spec: string): number[] {
  return spec.split(',').map((w) => {
    const v = Number(w);
    if (w.trim() === '' || !Number.isInteger(v) || v < 0) throw new UsageError(`--at: '${w}' is not a step; allowed: comma-separated non-negative integers, e.g. 1000,5000`);
    return v;
  });
}

export async function compareMain(argv: string[]): Promise<number> {
  const raw = splitArgs(argv, booleanKeys([COMPARE_OPTIONS]));
  const [opts] = validateFlags(raw.flags, [COMPARE_OPTIONS] as const);
  if (opts.help) {
    console.log(`priorlab compare <run folders or folders of runs...> [options]\n\noptions:\n${helpLines(COMPARE_OPTIONS).join('\n')}`);
    return 0;
  }
  if (!raw.positional.length) throw new UsageError('compare: give at least one run folder (or a folder of run folders, e.g. runs/)');
  const runs = findRuns(raw.positional);
  const groups = groupRuns(runs, opts.group?.split(',').map((s) => s.trim()));
  const at = opts.at ? parseSteps(opts.at) : [];
  const outDir = resolve(opts.out ?? join(dirname(runs[0].dir), 'compare'));
  for (const metric of opts.metric.split(',').map((s) => s.trim())) {
    if (!runs.some((r) => r.metrics.some((m) => typeof m[metric] === 'number'))) {
      const keys = [...new Set(runs.flatMap((r) => r.metrics.flatMap((m) => Object.keys(m))))].filter((k) => k !== 'step');
      throw new UsageError(`--metric: no run logged '${metric}' (logged: ${keys.join(', ') || 'nothing'})`);
    }
    console.log(compareTable(groups, metric, at).join('\n'));
    const experiments = [...new Set(runs.map((r) => r.config.experiment))].join(', ');
    const file = join(outDir, `${metric.replace(/[^A-Za-z0-9_.-]+/g, '_')}.svg`);
    writeFileAtomic(file, curvesSvg(groups, metric, `${experiments}: ${metric}`));
    console.log(`plot: ${file}\n`);
  }
  return 0;
}
