/**
 * gridworld-priors: the exact optimum under each prior behaves as the lesson says (plain RL takes the
 * short ledge, the reference prior follows the guide's long route, the uniform prior hedges), and
 * the run folder gets results.json, policies.json and a bar chart.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import gridworldPriors from '../experiments/gridworld-priors.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';

interface Row {
  prior: string;
  method: string;
  routes: Record<string, number>;
  entropy: number;
  klToReference: number;
  discountedReturn: number;
}

describe('gridworld-priors', () => {
  it('exact policies under uniform / reference / none differ as the lesson predicts', async () => {
    const dir = createRunDir(mkdtempSync(join(tmpdir(), 'priorlab-gw-')), 'gridworld-priors', 2);
    const lines: string[] = [];
    const options = gridworldPriors.options.parse({ episodes: 300 });
    await runSeed({
      experiment: gridworldPriors,
      options,
      seed: 2,
      dir,
      resume: false,
      backend: 'cpu',
      signal: new AbortController().signal,
      reporter: { progress() {}, print: (l) => lines.push(l), finish() {} },
    });
    const { rows } = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { rows: Row[] };
    const by = Object.fromEntries(rows.map((r) => [r.prior, r]));
    expect(rows.map((r) => `${r.prior}/${r.method}`)).toEqual(['uniform/exact', 'reference/exact', 'none/exact']);
    // Plain RL: deterministic shortcut, zero entropy, the highest discounted return.
    expect(by.none.routes.short).toBe(1);
    expect(by.none.entropy).toBe(0);
    expect(by.none.discountedReturn).toBeCloseTo(0.95 ** 7, 10); // +1 on the 8th step
    // Reference prior: the guide's room route, and the smallest KL to the reference.
    expect(by.reference.routes.long).toBeGreaterThan(0.95);
    expect(by.reference.klToReference).toBeLessThan(by.uniform.klToReference);
    expect(by.reference.klToReference).toBeLessThan(by.none.klToReference);
    // Uniform prior: both routes, the most entropy.
    expect(by.uniform.routes.short).toBeGreaterThan(0.15);
    expect(by.uniform.routes.long).toBeGreaterThan(0.4);
    expect(by.uniform.entropy).toBeGreaterThan(by.reference.entropy);
    for (const r of rows) expect(Object.values(r.routes).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);

    const svg = readFileSync(join(dir, 'routes.svg'), 'utf8');
    expect(svg.match(/<rect class="bar"/g)!.length).toBeGreaterThanOrEqual(5); // zero-height bars are drawn too
    const policies = JSON.parse(readFileSync(join(dir, 'policies.json'), 'utf8')) as { policies: Record<string, number[]>; nStates: number; nActions: number };
    expect(policies.policies['none/exact']).toHaveLength(policies.nStates * policies.nActions);
    expect(lines.some((l) => /^reference\s+exact/.test(l))).toBe(true);
  });
});
