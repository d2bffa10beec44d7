/**
 * Terminal output fits the terminal (issue #27): every command's `--help`, `list`, the usage text, the
 * `gridworld-priors` report and a `--seeds` run, at 80 and 120 columns: no line wider than the terminal, and
 * no word split (the words of the wrapped text are exactly the words of the same text laid out unwrapped).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { helpText, listText, usageText } from '../experiments/cli-text.js';
import gridworldPriors, { reportLines } from '../experiments/gridworld-priors.js';
import { EXPERIMENTS } from '../experiments/index.js';
import { initNodeBackend } from '../src/node/backend.js';
import { compareMain } from '../src/node/run/compare.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';
import { renderCombined } from '../src/node/run/parallel.js';
import { definitionList, fitTable, termColumns, wrap } from '../src/node/run/term.js';
import { sweepMain, workerMain } from '../src/node/sweep/cli.js';
import type { SweepFile } from '../src/node/sweep/folder.js';
import { summaryLines, type CellSummary } from '../src/node/sweep/summary.js';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const WIDTHS = [80, 120] as const;
const UNWRAPPED = 100_000;

/** The words of `lines`, counted (a split word would change the count of both halves). */
function words(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of lines.join('\n').split(/\s+/).filter(Boolean)) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function expectFits(lines: readonly string[], width: number, what: string): void {
  const long = lines.flatMap((l) => l.split('\n')).filter((l) => [...l].length > width);
  expect(long, `${what}: lines over ${width} columns`).toEqual([]);
}

function expectSameWords(wrapped: readonly string[], unwrapped: readonly string[], what: string): void {
  expect(sorted(words(wrapped)), `${what}: words changed by wrapping`).toEqual(sorted(words(unwrapped)));
}

/** console.log output of `fn`, as lines. */
async function captured(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n'));
}

const savedColumns = process.env.COLUMNS;
afterEach(() => {
  if (savedColumns === undefined) delete process.env.COLUMNS;
  else process.env.COLUMNS = savedColumns;
});

describe('term.ts', () => {
  it('reads the width from a TTY, else $COLUMNS, else 80; wraps by words; splits tables into blocks', () => {
    expect(termColumns({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(termColumns({ isTTY: false, columns: 132 }, { COLUMNS: '90' })).toBe(90);
    expect(termColumns({}, {})).toBe(80);
    expect(termColumns({}, { COLUMNS: '10' })).toBe(40);
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('a-very-long-path x', 5, 2)).toEqual(['  a-very-long-path', '  x']);
    expect(definitionList([['--x', 'one two three']], 40)).toEqual(['  --x  one two three']);
    const t = fitTable(
      [{ header: 'k', left: true }, { header: 'aaaa' }, { header: 'bbbb' }],
      [
        ['r1', '1', '2'],
        ['r2', '3', '4'],
      ],
      10,
    );
    expect(t).toEqual(['k   aaaa', 'r1     1', 'r2     3', '', 'k   bbbb', 'r1     2', 'r2     4']);
  });

  it('the combined --seeds line keeps its ETA and fits', () => {
    const views = new Map(
      Array.from({ length: 12 }, (_, i) => [
        i + 1,
        { state: 'running' as const, progress: { step: 5 * i, total: 100, fields: {} } },
      ]),
    );
    const line = renderCombined(views, 75, 80);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line).toMatch(/^seeds 12 running \| ETA 1:15 \| s1 0% .* …$/);
  });
});

describe.each(WIDTHS)('at %i columns', (width) => {
  it('usage, list and every experiment --help fit, no word split', async () => {
    const usage = usageText(width).split('\n');
    expectFits(usage, width, 'usage');
    expectSameWords(usage, usageText(UNWRAPPED).split('\n'), 'usage');
    expectFits(listText(width), width, 'list');
    expectSameWords(listText(width), listText(UNWRAPPED), 'list');
    for (const entry of EXPERIMENTS) {
      const exp = (await entry.load()).default;
      const help = helpText(exp, width);
      expectFits(help, width, `${entry.name} --help`);
      expectSameWords(help, helpText(exp, UNWRAPPED), `${entry.name} --help`);
    }
  });

  it('compare, sweep, sweep status and worker --help fit, no word split', async () => {
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['compare', () => compareMain(['--help'])],
      ['sweep', () => sweepMain(['--help'])],
      ['sweep status', () => sweepMain(['status', '--help'])],
      ['worker', () => workerMain(['--help'])],
    ];
    for (const [name, run] of cases) {
      process.env.COLUMNS = String(width);
      const lines = await captured(run);
      process.env.COLUMNS = String(UNWRAPPED);
      const wide = await captured(run);
      expect(lines.length, name).toBeGreaterThan(2);
      expectFits(lines, width, `${name} --help`);
      expectSameWords(lines, wide, `${name} --help`);
    }
  });
});

describe('sweep summary in the terminal', () => {
  // prior × alpha: the three `none` cells run identical trials and are folded into one row.
  const grid = ['uniform', 'none'].flatMap((prior) => [0.01, 0.1, 1].map((alpha) => ({ prior, alpha })));
  const cells: CellSummary[] = grid.map((varying, cell) => ({
    cell,
    varying,
    seeds: 3,
    metrics: {
      return: { mean: -13.25 - cell, std: 0.5, n: 3 },
      kl: { mean: 0.125, std: 0.01, n: 3 },
      entropy: { mean: 1.5, std: 0.1, n: 3 },
    },
  }));
  const sweep = {
    experiment: 'tabular-q',
    spec: {
      options: {},
      metrics: { return: 'charts/episodic_return', kl: 'charts/kl_prior', entropy: 'charts/entropy' },
      x: 'alpha',
    },
    trials: Array.from({ length: 18 }, (_, i) => ({ id: String(i), cell: Math.floor(i / 3) })),
  } as unknown as SweepFile;

  it.each(WIDTHS)('a table at %i columns, none × α folded and said so, no markdown', (width) => {
    const lines = summaryLines(cells, sweep, width, ['frontier.svg']);
    expectFits(lines, width, 'sweep summary');
    const text = lines.join('\n');
    expect(text).not.toMatch(/!\[|\| ---|^\|/m);
    expect(text).toMatch(/^3,4,5 +none +\(any\)/m);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'folded: cells 3, 4, 5 differ only in alpha, which their objective ignores (prior none: α = 0): they ran identical trials',
    );
    expect(text).toMatch(/plots: frontier\.svg/);
  });
});

describe('gridworld-priors report', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('fits 80 and 120 columns in blocks, with a legend and a takeaway', async () => {
    process.env.COLUMNS = '80';
    const dir = createRunDir(mkdtempSync(join(tmpdir(), 'priorlab-width-')), 'gridworld-priors', 1);
    const lines: string[] = [];
    const options = gridworldPriors.options.parse({ episodes: 50, sacSteps: 200, ppoIterations: 1, replays: 0 });
    await runSeed({
      experiment: gridworldPriors,
      options,
      seed: 1,
      dir,
      resume: false,
      backend: 'cpu',
      signal: new AbortController().signal,
      reporter: { progress() {}, print: (l) => lines.push(l), finish() {} },
    });
    expectFits(lines, 80, 'gridworld-priors run');
    expect(lines.some((l) => l.startsWith('legend: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('takeaway: '))).toBe(true);
    const { rows } = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      rows: Parameters<typeof reportLines>[0];
    };
    const wide = reportLines(rows, options, UNWRAPPED);
    expect(wide.filter((l) => l.startsWith('prior ')).length).toBe(1); // one block when there is room
    for (const width of WIDTHS) {
      const report = reportLines(rows, options, width);
      expectFits(report, width, `gridworld-priors at ${width}`);
      // Blocks repeat the prior and method columns; every other word appears as often as unwrapped.
      const other = (ls: readonly string[]) => new Set(ls.join(' ').split(/\s+/).filter(Boolean));
      expect([...other(report)].sort()).toEqual([...other(wide)].sort());
      expect(report.filter((l) => l.startsWith('prior ')).length).toBeGreaterThan(width === 80 ? 1 : 0);
    }
  });
});

describe('the CLI reads $COLUMNS when stdout is not a terminal', () => {
  const cli = (args: string[], columns: number) =>
    spawnSync(process.execPath, [BIN, ...args], {
      cwd: mkdtempSync(join(tmpdir(), 'priorlab-width-cli-')),
      encoding: 'utf8',
      env: { ...process.env, CI: '1', COLUMNS: String(columns) },
    });

  it('list at 80 columns', () => {
    const r = cli(['list'], 80);
    expect(r.status).toBe(0);
    expectFits(r.stdout.split('\n'), 80, 'list');
  });

  it('a --seeds run at 80 columns: the children lay out for the width minus their [seed s] prefix', () => {
    const r = cli(['tabular-q', '--seeds', '1-3', '--workers', '2', '--steps', '2000'], 80);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.some((l) => /^seeds 3 done \| ETA/.test(l))).toBe(true);
    expectFits(lines, 80, '--seeds run');
  });
});
