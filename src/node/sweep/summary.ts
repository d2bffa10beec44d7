/**
 * The end of a sweep: per cell, the mean ± std over seeds of each spec metric's final value (a trial's last
 * logged value of the key), as summary.md and summary.json, and the plots: the return–KL frontier (one
 * series per group of cells that differ only in the x option, points joined in x order) and each metric vs
 * x with ±std bands. x spanning a decade or more of positive values is drawn on a log10 axis. Pure
 * function of the trials' metrics.jsonl files, so both backends write the same bytes. `finishSweep` ends a
 * run of either backend: the summary when every trial is done, else what is left.
 */
import { vocabularyEntry } from '../../core/vocabulary.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicfs.js';
import type { MetricsRow } from '../../core/metrics.js';
import { fmtMeanStd, meanStd, valueAt } from '../run/compare.js';
import { FILES, readMetrics, writeJson } from '../run/rundir.js';
import { linePlot, scatterPlot } from '../run/svgplot.js';
import { trialDir, trialStatus, type SweepFile } from './folder.js';
import { cellLabel } from './spec.js';
import { OBJECTIVE_OPTION_KEYS, objectiveSpecOf, unusedObjectiveOptions } from '../../priors/objective.js';
import { fitTable, termColumns, wrap, type TableColumn } from '../run/term.js';

type Stat = { mean: number; std: number; n: number };

/** One cell of a sweep summary: its varying options and mean ± std of the final metrics over seeds. */
export interface CellSummary {
  cell: number;
  varying: Record<string, string | number | boolean>;
  seeds: number;
  /** Per metric role (return, kl, entropy): mean ± std of the final values; absent when no trial logged it. */
  metrics: Record<string, Stat>;
}

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** The summary of a sweep folder, cell by cell. */
export function summarize(sweepDir: string, sweep: SweepFile): CellSummary[] {
  const rows = new Map<string, MetricsRow[]>();
  for (const t of sweep.trials) {
    const path = join(trialDir(sweepDir, t.id), FILES.metrics);
    rows.set(t.id, existsSync(path) ? readMetrics(path) : []);
  }
  return sweep.cells.map((cell) => {
    const trials = sweep.trials.filter((t) => t.cell === cell.index);
    const metrics: Record<string, Stat> = {};
    for (const [role, key] of Object.entries(sweep.spec.metrics)) {
      const finals = trials.map((t) => valueAt(rows.get(t.id)!, key)).filter((v): v is number => v !== undefined);
      if (finals.length) metrics[role] = meanStd(finals);
    }
    return { cell: cell.index, varying: cell.varying, seeds: trials.length, metrics };
  });
}

/** Writes summary.md, summary.json and the SVG plots; returns the summary.md text. */
export function writeSummary(sweepDir: string, sweep: SweepFile): string {
  const cells = summarize(sweepDir, sweep);
  const roles = Object.entries(sweep.spec.metrics);
  const varyingKeys = [...new Set(cells.flatMap((c) => Object.keys(c.varying)))];
  const header = ['cell', ...varyingKeys, 'n', ...roles.map(([role, key]) => `${role} (${key})`)];
  const table = cells.map((c) => [
    String(c.cell),
    ...varyingKeys.map((k) => String(c.varying[k] ?? '')),
    String(c.seeds),
    ...roles.map(([role]) => (c.metrics[role] ? fmtMeanStd(c.metrics[role]) : '–')),
  ]);
  const md = [
    `# sweep of ${sweep.experiment}: ${cells.length} cells × ${sweep.trials.length / Math.max(1, cells.length)} seeds`,
    '',
    'Final value of each metric (its last logged value), mean ± std over seeds (sample std).',
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...table.map((r) => `| ${r.join(' | ')} |`),
  ];
  const missing = roles.filter(([role]) => cells.every((c) => !c.metrics[role]));
  if (missing.length)
    md.push(
      '',
      ...missing.map(
        ([role, key]) =>
          `- ${role}: no trial logged \`${key}\` (set metrics.${role} in the spec to a key the experiment logs)`,
      ),
    );

  const plots = writePlots(sweepDir, sweep, cells);
  if (plots.length) md.push('', ...plots.map((p) => `![${p}](${p})`));
  const text = `${md.join('\n')}\n`;
  writeFileAtomic(join(sweepDir, 'summary.md'), text);
  writeJson(join(sweepDir, 'summary.json'), cells);
  return text;
}

function writePlots(sweepDir: string, sweep: SweepFile, cells: readonly CellSummary[]): string[] {
  const x = sweep.spec.x;
  const xs = cells.map((c) => c.varying[x]);
  if (!xs.every((v) => typeof v === 'number') || new Set(xs).size < 2) return [];
  const nums = xs as number[];
  const logX = nums.every((v) => v > 0) && Math.max(...nums) / Math.min(...nums) >= 10;
  const xOf = (c: CellSummary): number => (logX ? Math.log10(c.varying[x] as number) : (c.varying[x] as number));
  const xLabel = logX ? `log10 ${x}` : x;
  // Series: cells that agree on every varying option but x.
  const series = new Map<string, CellSummary[]>();
  for (const c of cells) {
    const label = cellLabel(Object.fromEntries(Object.entries(c.varying).filter(([k]) => k !== x))) || sweep.experiment;
    if (!series.has(label)) series.set(label, []);
    series.get(label)!.push(c);
  }
  for (const s of series.values()) s.sort((a, b) => (a.varying[x] as number) - (b.varying[x] as number));
  const written: string[] = [];
  const { return: ret, kl } = sweep.spec.metrics;
  // Axis titles from the metric vocabulary: the name and its unit.
  const axis = (key: string): string => {
    const entry = vocabularyEntry(key);
    return entry ? `${key.split('/').at(-1)!.replace(/_/g, ' ')} (${entry.unit})` : key;
  };
  const hasBoth = (c: CellSummary): boolean => Boolean(c.metrics.return && c.metrics.kl);
  if (cells.some(hasBoth)) {
    const svg = scatterPlot(
      { title: `${sweep.experiment}: return vs KL across ${x} (mean over seeds)`, xLabel: axis(kl), yLabel: axis(ret) },
      [...series].map(([label, cs]) => ({
        label,
        connect: true,
        points: cs
          .filter(hasBoth)
          .map((c) => ({ x: c.metrics.kl.mean, y: c.metrics.return.mean, text: `${x}=${c.varying[x]}` })),
      })),
    );
    writeFileAtomic(join(sweepDir, 'frontier.svg'), svg);
    written.push('frontier.svg');
  }
  const plotted = new Set<string>();
  for (const [role, key] of Object.entries(sweep.spec.metrics)) {
    if (plotted.has(key) || !cells.some((c) => c.metrics[role])) continue;
    plotted.add(key);
    const svg = linePlot(
      { title: `${sweep.experiment}: final value vs ${x} (mean ± std over seeds)`, xLabel, yLabel: axis(key) },
      [...series].map(([label, cs]) => {
        const withRole = cs.filter((c) => c.metrics[role]);
        const m = withRole.map((c) => c.metrics[role]);
        return {
          label,
          x: withRole.map(xOf),
          y: m.map((s) => s.mean),
          lower: m.map((s) => s.mean - s.std),
          upper: m.map((s) => s.mean + s.std),
        };
      }),
    );
    const name = `${fileSafe(key)}-vs-${fileSafe(x)}.svg`;
    writeFileAtomic(join(sweepDir, name), svg);
    written.push(name);
  }
  return written;
}

/** The end of a run of the sweep (either backend): summary when complete, else what is left and how to resume. */
export function finishSweep(
  dir: string,
  sweep: SweepFile,
  failed: ReadonlyArray<{ id: string; error: string }>,
  stopped: boolean,
): number {
  for (const f of failed) console.error(`trial ${f.id} FAILED:\n${f.error.replace(/^/gm, '  ')}`);
  const left = sweep.trials.filter((t) => trialStatus(dir, t.id) !== 'done');
  if (left.length) {
    console.log(
      `${left.length} of ${sweep.trials.length} trials not done; run the same command again (or: priorlab sweep ${dir}) to continue`,
    );
    return stopped && !failed.length ? 130 : 1;
  }
  const text = writeSummary(dir, sweep);
  const plots = [...text.matchAll(/^!\[([^\]]*)\]/gm)].map((m) => m[1]);
  for (const line of summaryLines(summarize(dir, sweep), sweep, termColumns(), plots)) console.log(line);
  console.log(`\nsummary: ${join(dir, 'summary.md')}`);
  return 0;
}

/**
 * The summary for the terminal: a table in blocks that fit `columns`, cells under `prior: none` that differ
 * only in an option `none` ignores (α, a target, the reference) folded into one row and said so, then the
 * missing metrics and the plots' file names.
 */
export function summaryLines(
  cells: readonly CellSummary[],
  sweep: SweepFile,
  columns: number,
  plots: readonly string[] = [],
): string[] {
  const roles = Object.entries(sweep.spec.metrics);
  const varyingKeys = [...new Set(cells.flatMap((c) => Object.keys(c.varying)))];
  const folded = new Map<string, number[]>();
  const shown: CellSummary[] = [];
  for (const c of cells) {
    // Cells whose Objective drops the option that varies (α under prior none, …) run identical trials.
    const opts = { ...sweep.spec.options, ...c.varying } as Parameters<typeof objectiveSpecOf>[0];
    if (opts.prior === undefined || unusedObjectiveOptions(opts).length === 0) {
      shown.push(c);
      continue;
    }
    const others = varyingKeys.filter((k) => !(OBJECTIVE_OPTION_KEYS as readonly string[]).includes(k));
    const key = JSON.stringify([objectiveSpecOf(opts), others.map((k) => c.varying[k])]);
    if (!folded.has(key)) {
      folded.set(key, []);
      shown.push(c);
    }
    folded.get(key)!.push(c.cell);
  }
  const out = wrap(
    `sweep of ${sweep.experiment}: ${cells.length} cells × ${sweep.trials.length / Math.max(1, cells.length)} seeds; final value of each metric, mean ± std over seeds`,
    columns,
    2,
    '',
  );
  const table: TableColumn[] = [
    { header: 'cell', left: true },
    ...varyingKeys.map((k) => ({ header: k, left: true })),
    { header: 'n' },
    ...roles.map(([role]) => ({ header: role })),
  ];
  const rows = shown.map((c) => {
    const same = [...folded.values()].find((cs) => cs[0] === c.cell && cs.length > 1);
    return [
      same ? same.join(',') : String(c.cell),
      ...varyingKeys.map((k) =>
        same && (OBJECTIVE_OPTION_KEYS as readonly string[]).includes(k) ? '(any)' : String(c.varying[k] ?? ''),
      ),
      String(c.seeds),
      ...roles.map(([role]) => (c.metrics[role] ? fmtMeanStd(c.metrics[role]) : '–')),
    ];
  });
  out.push('', ...fitTable(table, rows, columns, 1), '');
  out.push(...wrap(`metrics: ${roles.map(([role, key]) => `${role} = ${key}`).join(', ')}`, columns, 2, ''));
  for (const cs of folded.values())
    if (cs.length > 1)
      out.push(
        ...wrap(
          `folded: cells ${cs.join(', ')} differ only in ${varyingKeys.filter((k) => (OBJECTIVE_OPTION_KEYS as readonly string[]).includes(k)).join(', ')}, which their objective ignores (prior none: α = 0): they ran identical trials`,
          columns,
          2,
          '',
        ),
      );
  const missing = roles.filter(([role]) => cells.every((c) => !c.metrics[role]));
  for (const [role, key] of missing)
    out.push(
      ...wrap(`${role}: no trial logged '${key}' (set metrics.${role} in the spec to a key it logs)`, columns, 2, ''),
    );
  if (plots.length) out.push(...wrap(`plots: ${plots.join(', ')}`, columns, 2, ''));
  return out;
}
