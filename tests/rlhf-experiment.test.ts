/**
 * rlhf-estimators plumbing at a tiny budget (the numbers are tested in rlhf-estimators and rlhf-learners): bad
 * lists are refused before any work, and a run writes its table, figures, results.json and metrics.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import rlhfEstimators from '../experiments/rlhf-estimators.js';
import { UsageError } from '../src/core/errors.js';
import { validateFlags } from '../src/node/run/options.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';

describe('rlhf-estimators', () => {
  it('rejects a bad --ns or --betas before any work', () => {
    const parse = (flags: Array<[string, string]>) => validateFlags(new Map(flags), [rlhfEstimators.options] as const);
    expect(() => parse([['ns', '4,1']])).toThrow(UsageError);
    expect(() => parse([['ns', '4,1']])).toThrow(/--ns: .*an integer in \[2, 4096\]/);
    expect(() => parse([['betas', '0.1,0']])).toThrow(/--betas: .*a number > 0/);
  });

  it('writes the table, the figures, results.json and the learner curves', async () => {
    const dir = createRunDir(mkdtempSync(join(tmpdir(), 'priorlab-rlhf-')), 'rlhf-estimators', 1);
    const lines: string[] = [];
    await runSeed({
      experiment: rlhfEstimators,
      options: rlhfEstimators.options.parse({ ns: '4,8', batches: 100, steps: 10, learnerSeeds: 1 }),
      seed: 1,
      dir,
      resume: false,
      backend: 'cpu',
      signal: new AbortController().signal,
      reporter: { progress() {}, print: (l: string) => lines.push(l), finish() {} },
    });
    expect(readdirSync(dir)).toEqual(
      expect.arrayContaining(['bias-vs-n.svg', 'variance-vs-n.svg', 'tv-vs-steps-beta0.1.svg', 'results.json']),
    );
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.estimatorTable).toHaveLength(4); // 2 β × on/off-policy
    expect(results.learners).toHaveLength(14); // 7 methods × 2 β
    expect(results.gradientCheck.every((g: { maxErr: number }) => g.maxErr < 1e-6)).toBe(true);
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    const rows = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(Object.keys(rows[0])).toContain('rloo/beta0.1/seed1/charts/tv_optimum');
  }, 60_000);
});
