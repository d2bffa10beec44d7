/**
 * `priorlab compare` on hand-made run folders: grouping, the mean ± std table against values
 * computed by hand, and the SVG plot (well-formed, one line and one band per group).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareTable,
  curvesSvg,
  findRuns,
  parseReference,
  seedsTable,
  groupCurve,
  groupRuns,
  unknownMetricMessage,
  valueAt,
} from '../src/node/run/compare.js';
import { barChart, linePlot, niceTicks, scatterPlot, wrap } from '../src/node/run/svgplot.js';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');

/** Writes a run folder with `returns[i]` logged at step 100·(i+1) (and status.json when `state` is given). */
function fakeRun(
  root: string,
  name: string,
  prior: string,
  seed: number,
  returns: number[],
  experiment = 'fake',
  options: Record<string, unknown> = { prior, alpha: 0.1 },
  state?: string,
): void {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const config = {
    experiment,
    seed,
    options,
    version: '0',
    node: 'v20',
    backend: 'cpu',
    requestedBackend: null,
    git: null,
    createdAt: '',
    command: '',
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(
    join(dir, 'metrics.jsonl'),
    returns.map((r, i) => `${JSON.stringify({ step: 100 * (i + 1), 'charts/episodic_return': r })}\n`).join(''),
  );
  if (state)
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state, step: 100 * returns.length, updatedAt: '' }));
}

/** A folder of runs of two experiments with different options, one failed run, and single-run groups. */
function mixedFixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'priorlab-compare-mixed-'));
  fakeRun(root, 's1', '', 1, [-900, -300], 'sac-pendulum', { prior: 'uniform', alpha: 1, steps: 200 }, 'done');
  fakeRun(root, 's2', '', 2, [-800, -200], 'sac-pendulum', { prior: 'uniform', alpha: 1, steps: 200 }, 'done');
  fakeRun(root, 's3', '', 1, [-700, -150], 'sac-pendulum', { prior: 'none', alpha: 1, steps: 200 }, 'done');
  fakeRun(root, 's4', '', 3, [-999], 'sac-pendulum', { prior: 'none', alpha: 1, steps: 200 }, 'failed');
  fakeRun(root, 'g1', '', 1, [1, 2], 'gridworld-priors', { alpha: 0.5, gamma: 0.95, episodes: 100, slip: 0 }, 'done');
  fakeRun(root, 'g2', '', 1, [1, 3], 'gridworld-priors', { alpha: 0.5, gamma: 0.95, episodes: 100, slip: 0.1 }, 'done');
  fakeRun(root, 'g3', '', 2, [2, 4], 'gridworld-priors', { alpha: 0.5, gamma: 0.95, episodes: 100, slip: 0.1 }); // no status.json: kept
  return root;
}

function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'priorlab-compare-'));
  fakeRun(root, 'a1', 'uniform', 1, [1, 2, 3]);
  fakeRun(root, 'a2', 'uniform', 2, [3, 4, 7]);
  fakeRun(root, 'b1', 'none', 1, [0, 0, 10]);
  fakeRun(root, 'b2', 'none', 2, [2, 4, 20]);
  fakeRun(root, 'b3', 'none', 3, [4, 8]); // shorter run: its final value is the one at step 200
  return root;
}

/** Well-formedness check good enough for our generator: every tag closes, in order. */
function balancedTags(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, self] = m;
    if (self) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}

describe('compare', () => {
  it('groups by a config field and tabulates mean ± std (sample std) by hand-computed values', () => {
    const runs = findRuns([fixture()]);
    expect(runs).toHaveLength(5);
    const groups = groupRuns(runs, ['prior']);
    expect(groups.map((g) => [g.label, g.runs.length])).toEqual([
      ['prior=uniform', 2],
      ['prior=none', 3],
    ]);
    const table = compareTable(groups, 'charts/episodic_return', [100, 200]);
    // uniform @100: {1,3} → 2 ± √2 = 1.414; @200: {2,4} → 3 ± 1.414; final {3,7} → 5 ± 2.828
    expect(table[2]).toMatch(/^prior=uniform\s+2\s+2\.000 ± 1\.414\s+3\.000 ± 1\.414\s+5\.00 ± 2\.83$/);
    // none @100: {0,2,4} → 2 ± 2; @200: {0,4,8} → 4 ± 4; final {10,20,8} → 12.67 ± 6.429
    expect(table[3]).toMatch(/^prior=none\s+3\s+2\.000 ± 2\.000\s+4\.000 ± 4\.000\s+12\.67 ± 6\.43$/);
    expect(valueAt(runs[0].metrics, 'charts/episodic_return', 150)).toBe(1);
    expect(valueAt(runs[0].metrics, 'charts/episodic_return', 50)).toBeUndefined();
  });

  it('default grouping: experiment + all options but seed, labels show what differs', () => {
    const groups = groupRuns(findRuns([fixture()]));
    expect(groups.map((g) => g.label)).toEqual(['prior=uniform', 'prior=none']);
  });

  it('the learning curve is the per-step mean and std over the group', () => {
    const [uniform] = groupRuns(findRuns([fixture()]), ['prior']);
    const c = groupCurve(uniform, 'charts/episodic_return');
    expect(c.x).toEqual([100, 200, 300]);
    expect(c.mean).toEqual([2, 3, 5]);
    expect(c.std[2]).toBeCloseTo(Math.sqrt(8), 12);
  });

  it('the CLI prints the table and writes a well-formed SVG with one line and one band per group', () => {
    const root = fixture();
    const out = join(root, 'plots');
    const r = spawnSync(process.execPath, [BIN, 'compare', root, '--group', 'prior', '--at', '200', '--out', out], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/prior=none\s+3\s+4\.000 ± 4\.000\s+12\.67 ± 6\.43/);
    const svg = readFileSync(join(out, 'charts_episodic_return.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(balancedTags(svg)).toBe(true);
    expect(svg.match(/<path class="line"/g)).toHaveLength(2);
    expect(svg.match(/<path class="band"/g)).toHaveLength(2);
    expect(svg).toContain('prior=uniform (n=2, mean ± std)');
    const bad = spawnSync(process.execPath, [BIN, 'compare', root, '--metric', 'charts/episodic_retrun'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /--metric: no run logged 'charts\/episodic_retrun' \(did you mean 'charts\/episodic_return'\?\)\nlogged metrics \(1\):\n {2}charts\/ {2}episodic_return\n/,
    );
    const badGroup = spawnSync(process.execPath, [BIN, 'compare', root, '--group', 'priro'], { encoding: 'utf8' });
    expect(badGroup.stderr).toMatch(/--group: no run has a config field 'priro'/);
  });
});

describe('compare: a folder of several experiments', () => {
  it('groups by experiment, labels only the options that differ within it, never undefined', () => {
    const runs = findRuns([mixedFixture()]).filter((r) => r.status !== 'failed');
    const labels = groupRuns(runs).map((g) => [g.label, g.runs.length]);
    expect(labels).toEqual([
      ['gridworld-priors slip=0', 1],
      ['gridworld-priors slip=0.1', 2],
      ['sac-pendulum prior=uniform', 2],
      ['sac-pendulum prior=none', 1],
    ]);
    expect(new Set(labels.map(([l]) => l)).size).toBe(labels.length);
    expect(labels.join(' ')).not.toContain('undefined');
  });

  it('a group whose runs lack an option (older config) shows it as (unset), not undefined', () => {
    const root = mkdtempSync(join(tmpdir(), 'priorlab-compare-old-'));
    fakeRun(root, 'a', '', 1, [1], 'x', { alpha: 1 });
    fakeRun(root, 'b', '', 1, [2], 'x', { alpha: 1, beta: 2 });
    expect(groupRuns(findRuns([root])).map((g) => g.label)).toEqual(['beta=(unset)', 'beta=2']);
    expect(groupRuns(findRuns([root]), ['beta']).map((g) => g.label)).toEqual(['beta=(unset)', 'beta=2']);
  });

  it("a --seeds run ends with each metric's final value as mean ± std over seeds, with min … max", () => {
    const root = mkdtempSync(join(tmpdir(), 'priorlab-compare-seeds-'));
    fakeRun(root, 'a', 'uniform', 1, [1, 3]);
    fakeRun(root, 'b', 'uniform', 2, [0, 7]);
    const table = seedsTable(findRuns([root]));
    expect(table[0]).toBe('combined over seeds 1, 2 (std over seeds, n − 1):');
    // finals {3, 7}: 5 ± 2.828
    expect(table[2]).toMatch(/^charts\/episodic_return\s+2\s+5\.000 ± 2\.828\s+3\.000 … 7\.000$/);
    expect(table).toHaveLength(3);
  });

  it('--reference draws a published result as a line with its ±std band; a bad one is refused', () => {
    expect(parseReference('zoo SAC, 50k=94.68±1.13')).toEqual({ label: 'zoo SAC, 50k', mean: 94.68, std: 1.13 });
    expect(parseReference('target = -0.5 +- 0.25')).toEqual({ label: 'target', mean: -0.5, std: 0.25 });
    expect(parseReference('SB3=-157')).toEqual({ label: 'SB3', mean: -157, std: 0 });
    expect(() => parseReference('94.68±1.13')).toThrow(/--reference: '94.68±1.13' is not '<label>=<mean>±<std>'/);
    expect(() => parseReference('zoo=high')).toThrow(/--reference/);
    const groups = groupRuns(findRuns([fixture()]), ['prior']);
    const svg = curvesSvg(groups, 'charts/episodic_return', 't', parseReference('zoo=4±1'));
    // two groups and the reference: three bands, three lines; the reference spans the runs' steps at y = 4
    expect(svg.match(/class="band"/g)).toHaveLength(3);
    expect(svg).toContain('zoo: 4 ± 1');
  });

  it('legend labels wrap at spaces to the legend width', () => {
    expect(wrap('algo=sac prior=reference (n=5, mean ± std)', 20)).toEqual([
      'algo=sac',
      'prior=reference',
      '(n=5, mean ± std)',
    ]);
    expect(wrap('short', 20)).toEqual(['short']);
    const svg = linePlot({ title: 't' }, [
      { label: 'a label long enough to need two or three lines in the legend column', x: [0, 1], y: [0, 1] },
    ]);
    const texts = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" fill="#222">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts.length).toBeGreaterThan(1);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(30);
  });

  it('a single run prints its value without a fake ± 0', () => {
    const runs = findRuns([mixedFixture()]).filter((r) => r.status !== 'failed');
    const table = compareTable(groupRuns(runs), 'charts/episodic_return', [100]);
    expect(table[2]).toMatch(/^gridworld-priors slip=0\s+1\s+1\.0 ± —\s+2\.0 ± —$/);
    expect(table[5]).toMatch(/^sac-pendulum prior=none\s+1\s+-700\.0 ± —\s+-150\.0 ± —$/);
    expect(table.join('\n')).not.toMatch(/± 0(?![.\d])/);
  });

  it('the CLI skips failed runs and says how many', () => {
    const root = mixedFixture();
    const r = spawnSync(process.execPath, [BIN, 'compare', root, '--out', join(root, 'plots')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^skipped 1 failed run \(status.json says failed\): s4$/m);
    expect(r.stdout).toMatch(/^sac-pendulum prior=none\s+1\s+-150\.0 ± —$/m); // s4's -999 is not in it
    expect(r.stdout).toMatch(/^sac-pendulum prior=uniform\s+2\s+-250\.0 ± 70\.7$/m);
  });

  it('an unknown --metric lists the logged names one namespace per line and suggests the closest', () => {
    const runs = findRuns([fixture()]);
    const names = [
      'return',
      'episodic_return',
      'episodic_length',
      'entropy',
      'sps',
      ...Array.from({ length: 40 }, (_, i) => `extra_metric_${i}`),
    ];
    runs[0].metrics = [
      {
        step: 1,
        ...Object.fromEntries([
          ...names.map((n) => [`charts/${n}`, 1]),
          ['losses/actor', 1],
          ['losses/critic', 1],
          ['kl/exact', 1],
          ['beta', 1],
        ]),
      },
    ];
    const msg = unknownMetricMessage('charts/episodic_retrn', runs).split('\n');
    expect(msg[0]).toMatch(
      /^--metric: no run logged 'charts\/episodic_retrn' \(did you mean 'charts\/episodic_return'( or '[^']+')*\?\)$/,
    );
    expect(msg[1]).toBe('logged metrics (49):');
    expect(msg.slice(1).every((l) => l.length <= 100)).toBe(true);
    expect(msg.find((l) => l.includes('losses/'))).toMatch(/^ {2}losses\/\s+actor, critic$/);
    expect(msg.find((l) => l.includes('kl/'))).toMatch(/^ {2}kl\/\s+exact$/);
    expect(msg.find((l) => l.includes('(no namespace)'))).toMatch(/beta$/);
    expect(msg.filter((l) => l.includes('extra_metric_')).length).toBeGreaterThan(1); // long namespaces wrap
    expect(unknownMetricMessage('zzz', runs).split('\n')[0]).toBe("--metric: no run logged 'zzz'");
    // Per-part namespaces with the same names merge into one line; names containing the asked one are suggested.
    runs[0].metrics = [
      {
        step: 1,
        'uniform/sac/losses/actor': 1,
        'none/sac/losses/actor': 1,
        'none/sac/charts/q': 1,
        'charts/eval_return': 1,
      },
    ];
    const parts = unknownMetricMessage('charts/return', [runs[0]]).split('\n');
    expect(parts[0]).toBe("--metric: no run logged 'charts/return' (did you mean 'charts/eval_return'?)");
    expect(parts.slice(1)).toEqual([
      'logged metrics (4):',
      '  charts/                     eval_return',
      '  none/sac/charts/            q',
      '  {none,uniform}/sac/losses/  actor',
    ]);
  });
});

describe('svgplot', () => {
  it('nice ticks are round numbers inside the range, without float noise', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-0.13, 0.92)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(niceTicks(0.1, 0.7)).toEqual([0.2, 0.4, 0.6]);
  });

  it('escapes labels and draws one shape per datum', () => {
    const lines = linePlot({ title: 'a < b & c' }, [{ label: '"x"', x: [0, 1], y: [1, 2] }]);
    expect(lines).toContain('a &lt; b &amp; c');
    expect(lines).toContain('&quot;x&quot;');
    expect(balancedTags(lines)).toBe(true);
    const bars = barChart(
      { title: 'routes' },
      ['short', 'long'],
      [
        { label: 'uniform', values: [0.4, 0.6], errors: [0.1, 0.1] },
        { label: 'none', values: [1, 0] },
      ],
    );
    expect(bars.match(/<rect class="bar"/g)).toHaveLength(4);
    expect(bars.match(/<path class="error"/g)).toHaveLength(2);
    const pts = scatterPlot({ title: 'frontier' }, [
      {
        label: 'α',
        points: [
          { x: 0, y: 1 },
          { x: 1, y: 2, text: 'α=1' },
        ],
        connect: true,
      },
    ]);
    expect(pts.match(/<circle class="point"/g)).toHaveLength(2);
    expect(balancedTags(bars) && balancedTags(pts)).toBe(true);
    // Points that land on one another share one label instead of printing over each other.
    const stacked = scatterPlot({ title: 'frontier' }, [
      {
        label: 'none',
        points: [
          { x: 0, y: 0, text: 'α=0.01' },
          { x: 0, y: 0, text: 'α=0.1' },
          { x: 10, y: 10, text: 'α=1' },
        ],
      },
    ]);
    expect(stacked.match(/>α=[^<]*<\/text>/g)).toEqual(['>α=0.01, 0.1</text>', '>α=1</text>']);
  });
});

describe('compare: where it looks and where it writes', () => {
  it('finds run folders a few levels down (a sweep folder), counts only runs with a finite value, and writes beside the runs without overwriting another comparison', () => {
    const root = mkdtempSync(join(tmpdir(), 'priorlab-compare-deep-'));
    fakeRun(join(root, 'sweep', 'trials', 'a'), 'r1', 'uniform', 1, [1, 2]);
    fakeRun(join(root, 'sweep', 'trials', 'a'), 'r2', 'uniform', 2, [3, Number.NaN]);
    const runs = findRuns([join(root, 'sweep')]);
    expect(runs).toHaveLength(2);
    // r2's last logged value is not finite (dropped by the parser): n counts the runs that have one.
    const table = compareTable(groupRuns(runs, ['prior']), 'charts/episodic_return', []);
    expect(table[2]).toMatch(/^prior=uniform\s+2\s+/);
    const one = spawnSync(process.execPath, [BIN, 'compare', join(root, 'sweep', 'trials', 'a', 'r1')], {
      encoding: 'utf8',
    });
    const two = spawnSync(process.execPath, [BIN, 'compare', join(root, 'sweep', 'trials', 'a', 'r2')], {
      encoding: 'utf8',
    });
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const plotOf = (out: string) => /^plot: (.*)$/m.exec(out)![1];
    expect(plotOf(one.stdout)).not.toBe(plotOf(two.stdout));
    expect(readFileSync(plotOf(one.stdout), 'utf8')).toContain('episodic return (return)');
  });
});
