/**
 * `priorlab compare <paths...> [--metric charts/episodic_return] [--group prior] [--at 1000,5000] [--out dir]`
 *
 * Reads run folders (a path is a run folder when it holds config.json; otherwise its sub-folders are
 * searched, down to three levels, so a sweep folder works), groups the runs, prints mean ± std over the runs of each group at the chosen
 * steps and at the end, and writes one learning-curve SVG per metric (mean line, ±std band).
 *
 * Definitions:
 * - grouping: `--group prior` keys on the config field `prior` (looked up in `options`, then at the
 *   top level of config.json, e.g. `experiment`); several fields: `--group prior,alpha`. Default:
 *   the experiment and every option (runs differing only in seed are one group), labelled by the
 *   experiment (when there are several) and the options that differ between groups of that experiment.
 * - runs whose status.json says `failed` are skipped (and counted in the output).
 * - value of a run at step t: its last logged value of the metric at a step ≤ t (none before its
 *   first log); "final": its last logged value.
 * - std: the sample standard deviation (n − 1 in the denominator); 0 for a single run (the curve's
 *   band), printed as `—` in the table since one run has no spread.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../atomicfs.js';
import { booleanKeys, closest, helpLines, kebab, splitArgs, validateFlags } from './options.js';
import { UsageError } from '../../core/errors.js';
import { vocabularyEntry } from '../../core/vocabulary.js';
import type { MetricsRow } from '../../core/metrics.js';
import {
  checkRunValue,
  FILES,
  readJson,
  readMetrics,
  RUN_CONFIG_SCHEMA,
  type RunConfig,
  type RunStatus,
} from './rundir.js';
import { linePlot } from './svgplot.js';

export const COMPARE_OPTIONS = z.object({
  metric: z.string().default('charts/episodic_return').describe('metric key(s) in metrics.jsonl, comma-separated'),
  group: z
    .string()
    .optional()
    .describe(
      'config field(s) to group by, comma-separated, e.g. prior or prior,alpha (default: experiment + all options but seed)',
    ),
  at: z.string().optional().describe('steps at which to tabulate, comma-separated, e.g. 1000,5000'),
  out: z
    .string()
    .optional()
    .describe('folder for the SVG plots (default: compare/ beside the runs, one sub-folder per set of runs)'),
  reference: z
    .string()
    .optional()
    .describe(
      "a published result drawn as a horizontal line with its ±std band: '<label>=<mean>±<std>', e.g. 'zoo SAC, 50k=94.68±1.13'",
    ),
  help: z.boolean().default(false).describe('show this help'),
});

/** A run folder as `compare` reads it: its path, config and metrics. */
export interface Run {
  dir: string;
  config: RunConfig;
  metrics: MetricsRow[];
  /** The state in status.json, or null when the folder has none. */
  status: RunStatus['state'] | null;
}

/** A group of runs that share the grouping fields' values, with its label. */
export interface GroupStats {
  label: string;
  runs: Run[];
}

/** Run folders under `paths` (each path: a run folder, or a folder of run folders). */
export function findRuns(paths: readonly string[]): Run[] {
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs) || !statSync(abs).isDirectory())
      throw new UsageError(`compare: '${p}' is not a folder; allowed: run folders or folders containing them`);
    const found = runFoldersUnder(abs, 3);
    if (!found.length)
      throw new UsageError(`compare: '${p}' holds no run folders (folders with ${FILES.config}) within three levels`);
    dirs.push(...found);
  }
  return [...new Set(dirs)].map((dir) => {
    const mPath = join(dir, FILES.metrics);
    const sPath = join(dir, FILES.status);
    return {
      dir,
      config: checkedConfig(dir),
      metrics: existsSync(mPath) ? readMetrics(mPath) : [],
      status: existsSync(sPath) ? (readJson<RunStatus>(sPath).state ?? null) : null,
    };
  });
}

/** A run's config.json, checked against the frame resume uses (a damaged one is a one-line error naming it). */
function checkedConfig(dir: string): RunConfig {
  const value = readJson<unknown>(join(dir, FILES.config));
  checkRunValue(dir, FILES.config, RUN_CONFIG_SCHEMA, value);
  return value as RunConfig;
}

/** `dir` if it is a run folder, else the run folders below it (sorted), `depth` levels down at most. */
function runFoldersUnder(dir: string, depth: number): string[] {
  if (existsSync(join(dir, FILES.config))) return [dir];
  if (depth === 0) return [];
  return readdirSync(dir)
    .sort()
    .map((d) => join(dir, d))
    .filter((d) => statSync(d).isDirectory())
    .flatMap((d) => runFoldersUnder(d, depth - 1));
}

function fieldOf(cfg: RunConfig, field: string): unknown {
  if (field in cfg.options) return cfg.options[field];
  if (field in cfg) return (cfg as unknown as Record<string, unknown>)[field];
  return undefined;
}

/** `value` as a label shows it: strings and numbers as is, `(unset)` when missing, anything else as JSON. */
function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * Groups runs by `fields`, or by experiment + all options. With `fields`, labels are `field=value` for each
 * field. By default, labels name the experiment (only when the runs hold several) and the options that
 * differ between the groups of that experiment; an option a group's runs lack shows as `(unset)`.
 */
export function groupRuns(runs: readonly Run[], fields?: readonly string[]): GroupStats[] {
  if (fields) {
    for (const f of fields) {
      if (runs.every((r) => fieldOf(r.config, f) === undefined)) {
        const known = [...new Set(runs.flatMap((r) => Object.keys(r.config.options)))].map(kebab).join(', ');
        throw new UsageError(
          `--group: no run has a config field '${f}' (options here: ${known}; or experiment, backend, version)`,
        );
      }
    }
  }
  const keyOf = (r: Run): Record<string, unknown> =>
    fields ? Object.fromEntries(fields.map((f) => [f, fieldOf(r.config, f)])) : r.config.options;
  const groups = new Map<string, { experiment: string; key: Record<string, unknown>; runs: Run[] }>();
  for (const r of runs) {
    const key = keyOf(r);
    const experiment = fields ? '' : r.config.experiment;
    const id = JSON.stringify([experiment, Object.entries(key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
    if (!groups.has(id)) groups.set(id, { experiment, key, runs: [] });
    groups.get(id)!.runs.push(r);
  }
  const all = [...groups.values()];
  if (fields) return all.map((g) => ({ label: fields.map((f) => `${f}=${show(g.key[f])}`).join(' '), runs: g.runs }));

  const experiments = [...new Set(all.map((g) => g.experiment))];
  return all.map((g) => {
    const siblings = all.filter((h) => h.experiment === g.experiment);
    const keys = [...new Set(siblings.flatMap((h) => Object.keys(h.key)))];
    const varying = keys.filter((k) => new Set(siblings.map((h) => JSON.stringify(h.key[k]))).size > 1);
    const parts = varying.map((k) => `${k}=${show(g.key[k])}`);
    if (experiments.length > 1 || !parts.length) parts.unshift(g.experiment);
    return { label: parts.join(' '), runs: g.runs };
  });
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

/** Decimals that show `x` to 4 significant digits (0 for |x| ≥ 1000). */
export function decimalsFor(x: number): number {
  const a = Math.abs(x);
  return a === 0 || !Number.isFinite(a) ? 0 : Math.max(0, 3 - Math.floor(Math.log10(a)));
}
const fmt = (x: number, decimals: number): string => (Number.isFinite(x) ? x.toFixed(decimals) : '–');
/**
 * `mean ± std` with the same number of decimals for both (4 significant digits of the column's largest
 * mean, `decimals`); `mean ± —` for a single value (no spread to report); `–` for none.
 */
export const fmtMeanStd = (
  { mean, std, n }: { mean: number; std: number; n: number },
  decimals = decimalsFor(mean),
): string =>
  n === 0 ? '–' : n === 1 ? `${fmt(mean, decimals)} ± —` : `${fmt(mean, decimals)} ± ${fmt(std, decimals)}`;

/** The table text: one row per group, columns n (runs with a value), @step..., final; one precision per column. */
export function compareTable(groups: readonly GroupStats[], metric: string, at: readonly number[]): string[] {
  const header = ['group', 'n', ...at.map((s) => `@${s}`), 'final'];
  const steps: (number | undefined)[] = [...at, undefined];
  const stats = groups.map((g) =>
    steps.map((step) =>
      meanStd(
        g.runs
          .map((r) => valueAt(r.metrics, metric, step))
          .filter((v): v is number => v !== undefined && Number.isFinite(v)),
      ),
    ),
  );
  const decimals = steps.map((_, c) =>
    Math.min(...stats.map((row) => (row[c].n ? decimalsFor(row[c].mean) : Infinity))),
  );
  const rows = groups.map((g, i) => [
    g.label,
    String(stats[i][steps.length - 1].n),
    ...stats[i].map((st, c) => fmtMeanStd(st, Number.isFinite(decimals[c]) ? decimals[c] : 0)),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [`${metric} (mean ± std over runs)`, line(header), ...rows.map(line)];
}

/** Mean ± std curve of a group on the union of its runs' logged steps. */
export function groupCurve(g: GroupStats, metric: string): { x: number[]; mean: number[]; std: number[] } {
  const steps = [
    ...new Set(g.runs.flatMap((r) => r.metrics.filter((m) => typeof m[metric] === 'number').map((m) => m.step))),
  ].sort((a, b) => a - b);
  const stats = steps.map((s) =>
    meanStd(g.runs.map((r) => valueAt(r.metrics, metric, s)).filter((v): v is number => v !== undefined)),
  );
  return { x: steps, mean: stats.map((s) => s.mean), std: stats.map((s) => s.std) };
}

/** A published result to draw beside the curves: `label=mean±std` (or `+-`; the std may be left out). */
export interface ReferenceLine {
  label: string;
  mean: number;
  std: number;
}

export function parseReference(spec: string): ReferenceLine {
  const m = /^(.+)=\s*(-?[\d.]+(?:e[-+]?\d+)?)\s*(?:(?:±|\+-)\s*([\d.]+(?:e[-+]?\d+)?))?\s*$/.exec(spec);
  const [mean, std] = m ? [Number(m[2]), Number(m[3] ?? 0)] : [NaN, NaN];
  if (!m || !Number.isFinite(mean) || !Number.isFinite(std))
    throw new UsageError(
      `--reference: '${spec}' is not '<label>=<mean>±<std>'; allowed e.g. 'zoo SAC, 50k=94.68±1.13' or 'target=0.5'`,
    );
  return { label: m[1].trim(), mean, std };
}

export function curvesSvg(
  groups: readonly GroupStats[],
  metric: string,
  title: string,
  reference?: ReferenceLine,
): string {
  const entry = vocabularyEntry(metric);
  const yLabel = entry ? `${metric.split('/').at(-1)!.replace(/_/g, ' ')} (${entry.unit})` : metric;
  const curves = groups.map((g) => {
    const c = groupCurve(g, metric);
    return {
      label: `${g.label} (n=${g.runs.length}, mean ± std)`,
      x: c.x,
      y: c.mean,
      lower: c.mean.map((m, i) => m - c.std[i]),
      upper: c.mean.map((m, i) => m + c.std[i]),
    };
  });
  if (reference) {
    const x = [Math.min(...curves.map((c) => c.x[0] ?? 0)), Math.max(...curves.map((c) => c.x.at(-1) ?? 0))];
    const { label, mean, std } = reference;
    curves.push({
      label: `${label}: ${mean} ± ${std}`,
      x,
      y: x.map(() => mean),
      lower: x.map(() => mean - std),
      upper: x.map(() => mean + std),
    });
  }
  return linePlot({ title, xLabel: 'environment step', yLabel }, curves);
}

/** The plot `compare` writes for one metric: the groups' curves, titled by the experiments they ran. */
export function comparePlot(groups: readonly GroupStats[], metric: string, reference?: ReferenceLine): string {
  const experiments = [...new Set(groups.flatMap((g) => g.runs.map((r) => r.config.experiment)))].join(', ');
  return curvesSvg(groups, metric, `${experiments}: ${metric}`, reference);
}

function parseSteps(spec: string): number[] {
  return spec.split(',').map((w) => {
    const v = Number(w);
    if (w.trim() === '' || !Number.isInteger(v) || v < 0)
      throw new UsageError(
        `--at: '${w}' is not a step; allowed: comma-separated non-negative integers, e.g. 1000,5000`,
      );
    return v;
  });
}

/**
 * The error for a metric no run logged: the closest logged names, then every logged name, one line
 * per namespace (`charts/  return, episodic_return`), wrapped.
 */
export function unknownMetricMessage(metric: string, runs: readonly Run[]): string {
  const keys = [...new Set(runs.flatMap((r) => r.metrics.flatMap((m) => Object.keys(m))))]
    .filter((k) => k !== 'step')
    .sort();
  if (!keys.length) return `--metric: no run logged '${metric}' (the runs logged no metrics yet)`;
  const near: string[] = []; // closest first, then names with the same last segment
  for (let pool = keys; near.length < 3;) {
    const c = closest(metric, pool);
    if (c === null) break;
    near.push(c);
    pool = pool.filter((k) => k !== c);
  }
  const last = metric.split('/').at(-1)!;
  const sameEnd = keys
    .filter((k) => !near.includes(k) && k.split('/').at(-1)!.includes(last))
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  near.push(...sameEnd.slice(0, Math.max(0, 3 - near.length)));
  const byNs = new Map<string, string[]>();
  for (const k of keys) {
    const cut = k.lastIndexOf('/');
    const ns = cut < 0 ? '' : k.slice(0, cut + 1);
    if (!byNs.has(ns)) byNs.set(ns, []);
    byNs.get(ns)!.push(k.slice(ns.length));
  }
  // Namespaces that differ only in their first segment and hold the same names merge: {none,uniform}/sac/losses/.
  const merged = new Map<string, { firsts: string[]; rest: string; names: string[] }>();
  for (const [ns, names] of byNs) {
    const cut = ns.indexOf('/');
    const deep = ns.split('/').length > 2;
    const id = deep ? `${ns.slice(cut)}|${names.join(',')}` : `=${ns}`;
    if (!merged.has(id)) merged.set(id, { firsts: [], rest: deep ? ns.slice(cut) : ns, names });
    if (deep) merged.get(id)!.firsts.push(ns.slice(0, cut));
  }
  byNs.clear();
  for (const m of merged.values())
    byNs.set(
      m.firsts.length > 1 ? `{${m.firsts.join(',')}}${m.rest}` : m.firsts.length ? `${m.firsts[0]}${m.rest}` : m.rest,
      m.names,
    );
  const shown = (ns: string): string => ns || '(no namespace)';
  const nsWidth = Math.max(...[...byNs.keys()].map((ns) => shown(ns).length));
  const lines: string[] = [];
  for (const [ns, names] of byNs) {
    const head = `  ${shown(ns).padEnd(nsWidth)}  `;
    let line = head;
    for (const [i, name] of names.entries()) {
      const word = i < names.length - 1 ? `${name}, ` : name;
      if (line !== head && line.length + word.length > 100) {
        lines.push(line.trimEnd());
        line = ' '.repeat(head.length);
      }
      line += word;
    }
    lines.push(line);
  }
  return [
    `--metric: no run logged '${metric}'${near.length ? ` (did you mean ${near.map((k) => `'${k}'`).join(' or ')}?)` : ''}`,
    `logged metrics (${keys.length}):`,
    ...lines,
  ].join('\n');
}

/** `priorlab compare <folders>`: the CLI command; returns the exit code. */
export async function compareMain(argv: string[]): Promise<number> {
  const raw = splitArgs(argv, booleanKeys([COMPARE_OPTIONS]));
  const [opts] = validateFlags(raw.flags, [COMPARE_OPTIONS] as const);
  if (opts.help) {
    console.log(
      `priorlab compare <run folders or folders of runs...> [options]\n\noptions:\n${helpLines(COMPARE_OPTIONS).join('\n')}`,
    );
    return 0;
  }
  if (!raw.positional.length)
    throw new UsageError('compare: give at least one run folder (or a folder of run folders, e.g. runs/)');
  const found = findRuns(raw.positional);
  const failed = found.filter((r) => r.status === 'failed');
  const runs = found.filter((r) => r.status !== 'failed');
  if (!runs.length)
    throw new UsageError(`compare: all ${found.length} run(s) failed (status.json); nothing to compare`);
  if (failed.length)
    console.log(
      `skipped ${failed.length} failed run${failed.length > 1 ? 's' : ''} (status.json says failed): ${failed.map((r) => basename(r.dir)).join(', ')}\n`,
    );
  const groups = groupRuns(
    runs,
    opts.group?.split(',').map((s) => s.trim()),
  );
  const at = opts.at ? parseSteps(opts.at) : [];
  const reference = opts.reference === undefined ? undefined : parseReference(opts.reference);
  // Default: compare/<the runs' folder names> beside them, so another comparison's plots are never overwritten.
  const parent = dirname(runs[0].dir);
  const setName = raw.positional
    .map((p) => basename(resolve(p)))
    .join('+')
    .replace(/[^A-Za-z0-9_.+-]+/g, '_')
    .slice(0, 80);
  const outDir = resolve(opts.out ?? join(parent, 'compare', setName));
  for (const metric of opts.metric.split(',').map((s) => s.trim())) {
    if (!runs.some((r) => r.metrics.some((m) => typeof m[metric] === 'number')))
      throw new UsageError(unknownMetricMessage(metric, runs));
    const logging = groups.filter((g) => g.runs.some((r) => r.metrics.some((m) => typeof m[metric] === 'number')));
    console.log(compareTable(logging, metric, at).join('\n'));
    if (logging.length < groups.length)
      console.log(
        `(${groups.length - logging.length} group(s) never logged ${metric}: ${groups
          .filter((g) => !logging.includes(g))
          .map((g) => g.label)
          .join('; ')})`,
      );
    const file = join(outDir, `${metric.replace(/[^A-Za-z0-9_.-]+/g, '_')}.svg`);
    writeFileAtomic(file, comparePlot(logging, metric, reference));
    console.log(`plot: ${file}\n`);
  }
  return 0;
}

/** Units of bookkeeping metrics (counters, step counts, schedules): not results, left out of a seeds summary. */
const BOOKKEEPING_UNITS: ReadonlySet<string> = new Set(['count', 'steps', 'lr']);

/**
 * The table that ends a `--seeds` run: per metric, the mean ± std over seeds of each seed's final value,
 * with the lowest and highest seed. Metrics: the `charts/` keys (part-prefixed ones too) every run
 * logged, bookkeeping units left out.
 */
export function seedsTable(runs: readonly Run[]): string[] {
  const logged = runs.map((r) => new Set(r.metrics.flatMap((m) => Object.keys(m))));
  const keys = [...(logged[0] ?? [])]
    .filter((k) => /(^|\/)charts\//.test(k) && logged.every((s) => s.has(k)))
    .filter((k) => !BOOKKEEPING_UNITS.has(vocabularyEntry(k)?.unit ?? ''))
    .sort();
  if (!keys.length) return [];
  const rows = keys.map((k) => {
    const finals = runs
      .map((r) => valueAt(r.metrics, k))
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    const stats = meanStd(finals);
    const decimals = stats.n ? decimalsFor(stats.mean) : 0;
    const range = stats.n ? `${fmt(Math.min(...finals), decimals)} … ${fmt(Math.max(...finals), decimals)}` : '–';
    return [k, String(stats.n), fmtMeanStd(stats, decimals), range];
  });
  const header = ['final value of', 'n', 'mean ± std', 'seeds min … max'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `combined over seeds ${runs.map((r) => r.config.seed).join(', ')} (std over seeds, n − 1):`,
    line(header),
    ...rows.map(line),
  ];
}
