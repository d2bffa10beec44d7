/**
 * Sweep specs and their expansion into trials (validated against the experiment's schema before anything
 * runs), the queue URL (credentials never shown), and the summary of a finished sweep folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import tabularQ from '../experiments/tabular-q.js';
import lesson from '../experiments/lesson.js';
import { metricsLine, writeJson } from '../src/node/run/rundir.js';
import { writeFileAtomic } from '../src/node/atomicfs.js';
import { trialDir, type SweepFile } from '../src/node/sweep/folder.js';
import { parseQueueUrl, redact } from '../src/node/sweep/queueurl.js';
import { DEFAULT_METRICS, expandTrials, parseSpec } from '../src/node/sweep/spec.js';
import { writeSummary } from '../src/node/sweep/summary.js';

const expand = (yaml: string) => expandTrials(parseSpec(yaml), tabularQ);

describe('sweep spec', () => {
  it('a grid expands first key slowest, crossed with the seeds, with defaults filled in', () => {
    const { cells, trials } = expand(
      'experiment: tabular-q\noptions: { steps: 500 }\ngrid: { prior: [uniform, none], alpha: [0.1, 1] }\nseeds: 1-2\n',
    );
    expect(cells.map((c) => c.varying)).toEqual([
      { prior: 'uniform', alpha: 0.1 },
      { prior: 'uniform', alpha: 1 },
      { prior: 'none', alpha: 0.1 },
      { prior: 'none', alpha: 1 },
    ]);
    expect(trials.map((t) => t.id)).toEqual(['c0-s1', 'c0-s2', 'c1-s1', 'c1-s2', 'c2-s1', 'c2-s2', 'c3-s1', 'c3-s2']);
    expect(trials[5].options).toMatchObject({ prior: 'none', alpha: 0.1, steps: 500, lr: 0.1, gamma: 0.99 });
    expect(trials[5].seed).toBe(2);
  });

  it('random samples come from their own seeded stream: same spec, same trials; inside the given ranges', () => {
    const yaml = (seed: number) =>
      `experiment: tabular-q\ngrid: { prior: [uniform, none] }\nrandom: { samples: 6, seed: ${seed}, options: { alpha: { logUniform: [0.01, 1] }, lr: { uniform: [0.05, 0.5] }, env: { choice: [CliffWalking-v1, FrozenLake-v1] } } }\n`;
    const a = expand(yaml(0));
    expect(a.trials).toHaveLength(12);
    expect(expand(yaml(0))).toEqual(a);
    expect(expand(yaml(1)).trials.map((t) => t.options.alpha)).not.toEqual(a.trials.map((t) => t.options.alpha));
    for (const t of a.trials) {
      expect(t.options.alpha).toBeGreaterThanOrEqual(0.01);
      expect(t.options.alpha).toBeLessThan(1);
      expect(t.options.lr).toBeGreaterThanOrEqual(0.05);
      expect(t.options.lr).toBeLessThan(0.5);
    }
    expect(new Set(a.trials.map((t) => t.options.env)).size).toBe(2);
    expect(a.cells.map((c) => c.varying.prior)).toEqual([...Array(6).fill('uniform'), ...Array(6).fill('none')]);
  });

  it('a bad value names the trial, the option, the value and what is allowed, before anything runs', () => {
    expect(() => expand('experiment: tabular-q\ngrid: { alpha: [0.1, -2] }\nseeds: [3]\n')).toThrow(
      /trial c1-s3 \(alpha=-2\): option 'alpha' \(--alpha\) got -2; allowed: number >= 0/,
    );
    expect(() => expand('experiment: tabular-q\ngrid: { prior: [uniform, bogus] }\n')).toThrow(
      /trial c1-s1 \(prior=bogus\): option 'prior' \(--prior\) got 'bogus'; allowed: (uniform\|)?/,
    );
    expect(() => expand('experiment: tabular-q\noptions: { steps: 2.5 }\n')).toThrow(
      /option 'steps' \(--steps\) got 2.5; allowed: integer > 0/,
    );
  });

  it('rejects unknown options (with a suggestion), seeds in the grid, one option set twice, print-only experiments', () => {
    expect(() => expand('experiment: tabular-q\ngrid: { alpah: [1] }\n')).toThrow(
      /grid\.alpah: 'tabular-q' has no option 'alpah' \(did you mean 'alpha'\?\)/,
    );
    expect(() => expand('experiment: tabular-q\ngrid: { seed: [1, 2] }\n')).toThrow(
      /grid\.seed: seeds are swept with the top-level 'seeds'/,
    );
    expect(() => expand('experiment: tabular-q\noptions: { alpha: 1 }\ngrid: { alpha: [1] }\n')).toThrow(
      /option 'alpha' is set in both options and grid/,
    );
    expect(() => expandTrials(parseSpec('experiment: lesson\n'), lesson)).toThrow(/'lesson' is print-only/);
  });

  it('spec errors name the field; metric keys default to the unified vocabulary', () => {
    expect(() => parseSpec('experiment: tabular-q\ngird: { alpha: [1] }\n', 's.yaml')).toThrow(/s\.yaml: .*gird/);
    expect(() => parseSpec('experiment: tabular-q\ngrid: { alpha: 1 }\n', 's.yaml')).toThrow(/s\.yaml: grid\.alpha:/);
    expect(() => parseSpec('experiment: [unclosed\n', 's.yaml')).toThrow(/s\.yaml: not valid YAML/);
    expect(parseSpec('experiment: tabular-q\n').metrics).toEqual(DEFAULT_METRICS);
    expect(parseSpec('experiment: tabular-q\nmetrics: { kl: charts/kl }\n').metrics).toEqual({
      ...DEFAULT_METRICS,
      kl: 'charts/kl',
    });
  });
});

describe('queue URL', () => {
  it('credentials come from the URL and never appear in a message', () => {
    expect(parseQueueUrl('redis://alice:s3cret@10.0.0.5:6380/2')).toEqual({
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      username: 'alice',
      password: 's3cret',
    });
    expect(parseQueueUrl('rediss://h')).toMatchObject({ host: 'h', port: 6379, db: 0, tls: { servername: 'h' } });
    expect(redact('redis://alice:s3cret@host:1/0')).toBe('redis://***:***@host:1/0');
    for (const bad of ['http://u:s3cret@host', 'redis://u:s3cret@host/x']) {
      let message = '';
      try {
        parseQueueUrl(bad);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/--queue: .*; allowed: /);
      expect(message).not.toContain('s3cret');
    }
  });
});

describe('sweep summary', () => {
  it('mean ± std over seeds of the final values, per cell, and the plots of each logged metric vs α', () => {
    const dir = mkdtempSync(join(tmpdir(), 'priorlab-sweep-sum-'));
    const spec = parseSpec(
      'experiment: tabular-q\ngrid: { prior: [uniform, none], alpha: [0.01, 1] }\nseeds: 1-2\nmetrics: { return: charts/return, kl: charts/kl }\n',
    );
    const { cells, trials } = expandTrials(spec, tabularQ);
    const sweep: SweepFile = { experiment: 'tabular-q', spec, cells, trials };
    // Final return of trial (cell c, seed s) = 10c + s; KL = c + 1; the earlier rows must not count.
    for (const t of trials) {
      const text =
        metricsLine(1, { 'charts/return': -999 }) +
        metricsLine(2, { 'charts/return': 10 * t.cell + t.seed, 'charts/kl': t.cell + 1 });
      writeFileAtomic(join(trialDir(dir, t.id), 'metrics.jsonl'), text);
    }
    writeJson(join(dir, 'sweep.json'), sweep);
    const md = writeSummary(dir, sweep);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary[3].metrics.return.mean).toBeCloseTo(31.5, 12);
    expect(summary[3].metrics.return.std).toBeCloseTo(Math.SQRT1_2, 12);
    expect(summary[3].metrics.kl).toEqual({ mean: 4, std: 0, n: 2 });
    expect(summary[0].metrics.entropy).toBeUndefined();
    expect(md).toMatch(/\| 3 \| none \| 1 \| 2 \| 31\.50 ± 0\.71 \| 4\.000 ± 0\.000 \| – \|/);
    expect(md).toMatch(/entropy: no trial logged `charts\/entropy`/);
    const frontier = readFileSync(join(dir, 'frontier.svg'), 'utf8');
    expect(frontier.match(/class="point"/g)).toHaveLength(4);
    expect(frontier).toMatch(/prior=uniform/);
    expect(readFileSync(join(dir, 'charts_return-vs-alpha.svg'), 'utf8')).toMatch(/log10 alpha/);
    rmSync(dir, { recursive: true, force: true });
  });
});
