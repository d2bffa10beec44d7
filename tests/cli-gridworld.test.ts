/**
 * gridworld-priors: the exact optimum under each prior behaves as the lesson says (plain RL takes the
 * ledge, the reference prior follows the guide's room route, the uniform prior hedges), the
 * discrete SAC and KL-PPO columns are trained per prior (tiny `--sacSteps` / `--ppoIterations` budgets here:
 * plumbing, not quality; the learned behaviour is tested in sac-discrete.test.ts and klppo.test.ts), and the run folder gets results.json,
 * policies.json, episodes.json, metrics.jsonl and a bar chart.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import gridworldPriors from '../experiments/gridworld-priors.js';
import { initNodeBackend } from '../src/node/backend.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';
import { PRIOR_NAMES } from '../src/priors/index.js';

interface Row {
  prior: string;
  method: string;
  routes: Record<string, number>;
  entropy: number;
  klToReference: number;
  discountedReturn: number;
  klToExact: number | null;
  piOfBest: number;
}

interface EpisodesFile {
  env: string;
  episodes: { label: string; obs: number[]; actions: number[]; rewards: number[] }[];
}

beforeAll(async () => {
  await initNodeBackend(); // as the CLI does: picks the tfjs backend and loads the SAC engine
});

describe('gridworld-priors', () => {
  it('exact policies under uniform / reference / none differ as the lesson predicts', async () => {
    const dir = createRunDir(mkdtempSync(join(tmpdir(), 'priorlab-gw-')), 'gridworld-priors', 2);
    const lines: string[] = [];
    const options = gridworldPriors.options.parse({ episodes: 300, sacSteps: 600, ppoIterations: 2, replays: 2 });
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
    const by = Object.fromEntries(rows.filter((r) => r.method === 'exact').map((r) => [r.prior, r]));
    expect(rows.map((r) => `${r.prior}/${r.method}`)).toEqual(
      PRIOR_NAMES.flatMap((p) => ['exact', 'sac', 'klppo'].map((m) => `${p}/${m}`)),
    );
    // Against the exact optimum of its own prior: the exact column is at distance 0 and puts mass 1 on π*'s
    // best action where π* is deterministic (none); soft learned policies are at a finite distance.
    for (const r of rows.filter((r) => r.method === 'exact')) expect(r.klToExact).toBe(0);
    expect(by.none.piOfBest).toBe(1);
    for (const r of rows.filter((r) => r.method !== 'exact' && r.prior !== 'none'))
      expect(r.klToExact).toBeGreaterThan(0);
    // Plain RL: deterministic shortcut, zero entropy, the highest discounted return.
    expect(by.none.routes.ledge).toBe(1);
    expect(by.none.entropy).toBe(0);
    expect(by.none.discountedReturn).toBeCloseTo(0.95 ** 7, 10); // +1 on the 8th step
    // Reference prior: the guide's room route, and the smallest KL to the reference.
    expect(by.reference.routes.room).toBeGreaterThan(0.95);
    expect(by.reference.klToReference).toBeLessThan(by.uniform.klToReference);
    expect(by.reference.klToReference).toBeLessThan(by.none.klToReference);
    // Uniform prior: both routes, the most entropy.
    expect(by.uniform.routes.ledge).toBeGreaterThan(0.15);
    expect(by.uniform.routes.room).toBeGreaterThan(0.4);
    expect(by.uniform.entropy).toBeGreaterThan(by.reference.entropy);
    for (const r of rows) expect(Object.values(r.routes).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);

    const svg = readFileSync(join(dir, 'routes.svg'), 'utf8');
    expect(svg.match(/<rect class="bar"/g)!.length).toBeGreaterThanOrEqual(5); // zero-height bars are drawn too
    const policies = JSON.parse(readFileSync(join(dir, 'policies.json'), 'utf8')) as {
      policies: Record<string, number[]>;
      nStates: number;
      nActions: number;
    };
    expect(policies.policies['none/exact']).toHaveLength(policies.nStates * policies.nActions);
    expect(lines.some((l) => /^reference\s+exact/.test(l))).toBe(true);
    expect(lines.some((l) => /^none\s+sac/.test(l))).toBe(true);

    // Episodes for the viewer: `replays` per prior and method, labelled; obs includes the final state.
    const eps = JSON.parse(readFileSync(join(dir, 'episodes.json'), 'utf8')) as EpisodesFile;
    expect(eps.env).toBe('TwoRoute-v0');
    expect(eps.episodes.map((e) => e.label)).toEqual(
      rows.flatMap((r) => [`${r.prior} / ${r.method}`, `${r.prior} / ${r.method}`]),
    );
    for (const e of eps.episodes) {
      expect(e.obs).toHaveLength(e.actions.length + 1);
      expect(e.rewards).toHaveLength(e.actions.length);
      expect(e.obs[0]).toBe(36);
    }
    // Plain RL's exact policy walks the ledge: 8 steps right to the goal, +1 on the last.
    const shortcut = eps.episodes.find((e) => e.label === 'none / exact')!;
    expect(shortcut.obs).toEqual([36, 37, 38, 39, 40, 41, 42, 43, 44]);
    expect(shortcut.rewards).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    // Training metrics, keys prefixed by prior and method: SAC logs once (600 steps, logEvery 1000 → the last
    // step), KL-PPO once per iteration (16 envs × 64 steps each); steps are cumulative over the columns.
    const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    const perPrior = [600, 600 + 1024, 600 + 2048];
    expect(metrics.map((m) => m.step)).toEqual([0, 1, 2].flatMap((k) => perPrior.map((s) => k * (600 + 2048) + s)));
    expect(metrics[6]['none/sac/charts/alpha']).toBe(0);
    expect(metrics[0]['uniform/sac/losses/critic']).toBeGreaterThan(0);
    expect(Object.keys(metrics[1]).some((k) => k.startsWith('uniform/klppo/'))).toBe(true);
  });
});
