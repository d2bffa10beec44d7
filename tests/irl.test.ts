// Maximum-entropy IRL with the exact solver: the exact gradient against finite differences, recovery from
// 1,000 demonstrations on TwoRoute and CliffWalking, what cannot be identified, and bad input.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import experiment, { hazardEntries } from '../experiments/irl-gridworld.js';
import { gradientChecks, gradientError } from '../experiments/irl-gradient.js';
import { validateFlags } from '../src/node/run/options.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';
import { Rng, RngStreams } from '../src/core/rng.js';
import { makeCliffWalking } from '../src/envs/cliffwalking.js';
import { makeTwoRoute, TWO_ROUTE_LAVA, TWO_ROUTE_START, twoRouteReference } from '../src/envs/tworoute.js';
import type { GridWorld } from '../src/envs/gridworld.js';
import { hittingProbability, modelReward, softOptimalPrecise } from '../src/agents/exact/index.js';
import {
  alignShaping,
  correlation,
  demonstrationsJson,
  featureReward,
  fitMaxEntIrl,
  gridCellFeatures,
  gridCellReward,
  MaxEntIrl,
  parseDemonstrations,
  sampleDemonstrations,
  shapingDirection,
  stateFeatures,
  visitedKl,
  withReward,
  type Demonstration,
} from '../src/agents/irl/index.js';

const uniform = (grid: GridWorld) =>
  new Float64Array(grid.model.nStates * grid.model.nActions).fill(1 / grid.model.nActions);

/** Demonstrations from the soft-optimal policy of the env's own reward (the demonstrator). */
function demonstrate(
  grid: GridWorld,
  prior: Float64Array,
  alpha: number,
  gamma: number,
  count: number,
  seed: number,
  maxSteps = 200,
) {
  const star = softOptimalPrecise(grid.model, { alpha, gamma, prior });
  return { star, demos: sampleDemonstrations(grid.model, star.pi, { count, rng: new Rng(seed), maxSteps }) };
}

describe('the exact gradient: demo feature counts − expected feature counts from μ̃ (the irl-gradient experiment)', () => {
  for (const seed of [1, 2, 3])
    it(`seed ${seed}: relative error vs central differences ≤ 1e-6 on truncated TwoRoute demonstrations (uniform and guide) and slippery CliffWalking, where the textbook demo counts are off by > 0.05`, () => {
      const rows = gradientChecks(new RngStreams(seed));
      expect(rows.map((r) => r.setting)).toEqual(['tworoute-uniform', 'tworoute-guide', 'cliff-slippery']);
      for (const r of rows) expect(r.relError, r.setting).toBeLessThan(1e-6);
      expect(rows[2].textbookGap).toBeGreaterThan(0.05);
    });
  it('the finite differences see a wrong gradient: a gradient off by 1e-4 in one coordinate fails the bound', () => {
    const grid = makeTwoRoute();
    const { demos } = demonstrate(grid, uniform(grid), 0.15, 0.95, 40, 3, 12);
    const irl = new MaxEntIrl({
      model: grid.model,
      objective: { alpha: 0.15, prior: uniform(grid) },
      gamma: 0.95,
      demonstrations: demos,
    });
    const evaluate = irl.evaluate.bind(irl);
    irl.evaluate = (theta) => {
      const r = evaluate(theta);
      const gradient = Float64Array.from(r.gradient);
      gradient[0] += 1e-4;
      return { ...r, gradient };
    };
    expect(gradientError(irl, new Float64Array(irl.features.dim), 1e-5)).toBeGreaterThan(1e-6);
  });
});

describe('the hazard cells, sampled against exact (irl.json)', () => {
  it('TwoRoute, uniform prior: lava moves in 100,000 demonstrations within 4σ of the exact expectation, which equals the hitting probability', () => {
    const grid = makeTwoRoute();
    const { star, demos } = demonstrate(grid, uniform(grid), 0.15, 0.95, 100_000, 7);
    const h = hazardEntries(grid, star.pi, demos, gridCellFeatures(grid));
    expect(h.cells).toEqual([...TWO_ROUTE_LAVA]);
    expect(h.expectedPerEpisode).toBeCloseTo(
      hittingProbability(grid.model, star.pi, TWO_ROUTE_LAVA)[TWO_ROUTE_START],
      12,
    );
    const mean = h.expectedPerEpisode * h.demonstrations;
    expect(mean).toBeGreaterThan(20);
    expect(Math.abs(h.entries - mean)).toBeLessThan(4 * Math.sqrt(mean));
  });
});

interface Recovery {
  kl: number;
  featureGap: number;
  correlation: number;
  rms: number;
}

function recover(grid: GridWorld, prior: Float64Array, alpha: number, gamma: number, count: number): Recovery {
  const { star, demos } = demonstrate(grid, prior, alpha, gamma, count, 1);
  const model = grid.model;
  const irl = new MaxEntIrl({
    model,
    objective: { alpha, prior },
    gamma,
    demonstrations: demos,
    features: gridCellFeatures(grid),
  });
  const fit = fitMaxEntIrl(irl);
  const truth = gridCellReward(grid);
  const entered = irl.touchedFeatures();
  const { aligned } = alignShaping(fit.theta, truth, shapingDirection(model, gamma), entered);
  const rms = Math.sqrt(entered.reduce((acc, j) => acc + (aligned[j] - truth[j]) ** 2, 0) / entered.length);
  return {
    kl: visitedKl(model, star.logPi, fit.logPi),
    featureGap: fit.featureGap,
    correlation: correlation(truth, aligned, entered),
    rms,
  };
}

describe('1,000 demonstrations of the soft-optimal policy of the env reward', () => {
  it('TwoRoute (α = 0.15, γ = 0.95), uniform prior: KL ≤ 0.01 on visited states, features match to 1e-3, reward correlates after shaping', () => {
    const r = recover(makeTwoRoute(), uniform(makeTwoRoute()), 0.15, 0.95, 1000);
    console.log('TwoRoute uniform', r);
    expect(r.kl).toBeLessThan(0.01);
    expect(r.featureGap).toBeLessThan(1e-3);
    expect(r.correlation).toBeGreaterThan(0.9);
  });

  it('TwoRoute, guide prior (KL-regularized IRL): the same', () => {
    const grid = makeTwoRoute();
    const r = recover(grid, twoRouteReference(grid.model), 0.15, 0.95, 1000);
    console.log('TwoRoute guide', r);
    expect(r.kl).toBeLessThan(0.01);
    expect(r.featureGap).toBeLessThan(1e-3);
    expect(r.correlation).toBeGreaterThan(0.9);
  });

  it('CliffWalking (α = 1, γ = 0.95), uniform prior: KL ≤ 0.01, features to 1e-3; every cell entered pays −1, recovered to ≈ 0.1 after shaping', () => {
    const r = recover(makeCliffWalking(), uniform(makeCliffWalking()), 1, 0.95, 1000);
    console.log('CliffWalking uniform', r);
    expect(r.kl).toBeLessThan(0.01);
    expect(r.featureGap).toBeLessThan(1e-3);
    // The truth is constant on the cells the demonstrations enter (the cliff is never entered), so a
    // correlation is undefined there; the recovered reward is flat up to noise instead.
    expect(r.correlation).toBeNaN();
    expect(r.rms).toBeLessThan(0.3);
  });
});

describe('what demonstrations cannot identify', () => {
  it('shaping by a constant potential on the non-terminal states leaves π* unchanged (cell and state features)', () => {
    for (const grid of [makeTwoRoute({ slip: 0.1 }), makeCliffWalking()]) {
      const model = grid.model;
      const u = shapingDirection(model, 0.9);
      const theta = gridCellReward(grid);
      for (const features of [gridCellFeatures(grid), stateFeatures(model)]) {
        const shifted = theta.map((v, j) => v + 7 * u[j]);
        const a = softOptimalPrecise(withReward(model, featureReward(features, theta)), { alpha: 0.5, gamma: 0.9 });
        const b = softOptimalPrecise(withReward(model, featureReward(features, shifted)), { alpha: 0.5, gamma: 0.9 });
        expect(Math.max(...a.pi.map((v, k) => Math.abs(v - b.pi[k])))).toBeLessThan(1e-9);
        // …while a plain constant is not a shaping: it changes π* (termination becomes more or less attractive).
        const c = softOptimalPrecise(
          withReward(
            model,
            featureReward(
              features,
              theta.map((v) => v + 0.5),
            ),
          ),
          { alpha: 0.5, gamma: 0.9 },
        );
        expect(Math.max(...a.pi.map((v, k) => Math.abs(v - c.pi[k])))).toBeGreaterThan(1e-3);
      }
    }
  });

  it('gridCellFeatures express the env reward exactly (CliffWalking: the cliff is a cell entered, not the start)', () => {
    for (const grid of [
      makeTwoRoute(),
      makeTwoRoute({ slip: 0.3 }),
      makeCliffWalking(),
      makeCliffWalking({ isSlippery: true }),
    ]) {
      const R = modelReward(grid.model);
      const fromFeatures = featureReward(gridCellFeatures(grid), gridCellReward(grid));
      for (let k = 0; k < R.length; k++)
        if (!grid.model.terminalStates.has(Math.floor(k / 4))) expect(fromFeatures[k]).toBeCloseTo(R[k], 12);
    }
    // With states (not cells), the cliff's −100 lands on the start state: not expressible.
    const cliff = makeCliffWalking();
    const R = modelReward(cliff.model);
    const viaStates = featureReward(stateFeatures(cliff.model), gridCellReward(cliff));
    expect(
      Math.max(
        ...R.map((v, k) => (cliff.model.terminalStates.has(Math.floor(k / 4)) ? 0 : Math.abs(v - viaStates[k]))),
      ),
    ).toBeGreaterThan(50);
  });
});

describe('demonstrations: sampling, files, determinism', () => {
  const grid = makeTwoRoute();
  const pi = softOptimalPrecise(grid.model, { alpha: 0.15, gamma: 0.95 }).pi;

  it('the same seed gives the same trajectories, another seed others; a file round-trips', () => {
    const a = sampleDemonstrations(grid.model, pi, { count: 20, rng: new Rng(9), maxSteps: 100 });
    const b = sampleDemonstrations(grid.model, pi, { count: 20, rng: new Rng(9), maxSteps: 100 });
    const c = sampleDemonstrations(grid.model, pi, { count: 20, rng: new Rng(10), maxSteps: 100 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(parseDemonstrations(demonstrationsJson(a, grid.id), grid.model)).toEqual(a);
    const cut = sampleDemonstrations(grid.model, pi, { count: 20, rng: new Rng(9), maxSteps: 3 });
    expect(Math.max(...cut.map((d) => d.actions.length))).toBe(3);
  });
});

describe('bad input: clear errors naming what is wrong', () => {
  const grid = makeTwoRoute();
  const model = grid.model;
  const prior = uniform(grid);
  const ok: Demonstration = { states: [36, 27, 18], actions: [0, 0] };
  const problem = (demonstrations: Demonstration[], extra: Record<string, unknown> = {}) =>
    new MaxEntIrl({ model, objective: { alpha: 0.15, prior }, gamma: 0.95, demonstrations, ...extra });

  it('states and actions outside the spaces, impossible steps, shapes', () => {
    expect(() => problem([])).toThrow('demonstrations: the set is empty; need at least one trajectory');
    expect(() => problem([ok, { states: [36, 99], actions: [0] }])).toThrow(
      'demonstrations[1].states[1] = 99 is outside the state space; allowed: integers 0 … 53',
    );
    expect(() => problem([{ states: [36, 27], actions: [4] }])).toThrow(
      'demonstrations[0].actions[0] = 4 is outside the action space; allowed: integers 0 … 3',
    );
    expect(() => problem([{ states: [36, 27], actions: [-1] }])).toThrow(
      /actions\[0\] = -1 is outside the action space/,
    );
    expect(() => problem([{ states: [36.5, 27], actions: [0] }])).toThrow(
      /states\[0\] = 36.5 is outside the state space/,
    );
    expect(() => problem([{ states: [36], actions: [] }])).toThrow('demonstrations[0]: has no actions');
    expect(() => problem([{ states: [36, 27], actions: [0, 0] }])).toThrow(
      'demonstrations[0]: has 2 states and 2 actions; states must be one longer',
    );
    expect(() => problem([{ states: [36, 44], actions: [1] }])).toThrow(
      'demonstrations[0]: step 0 goes 36 → 44 with action 1, which the model gives probability 0',
    );
    expect(() => problem([{ states: [43, 44, 44], actions: [1, 1] }])).toThrow(
      'demonstrations[0]: the episode terminated at step 0 (entering 44) but the trajectory goes on',
    );
    expect(() => problem([{ states: [44, 44], actions: [1] }])).toThrow(
      'demonstrations[0].actions[0]: state 44 is terminal; no action can be taken in it',
    );
  });

  it('features of the wrong size, α = 0, γ = 1, a prior that excludes a demonstrated action', () => {
    expect(() => problem([ok], { features: { dim: 3, phi: new Float64Array(10) } })).toThrow(
      'features.phi must have nS·nA·dim = 54·4·3 = 648 entries, got 10',
    );
    expect(() => problem([ok], { features: { dim: 0, phi: new Float64Array(0) } })).toThrow(
      'features.dim must be an integer ≥ 1, got 0',
    );
    expect(() => problem([ok], { features: { dim: 1, phi: new Float64Array(216).fill(NaN) } })).toThrow(
      'features.phi[0] must be finite, got NaN',
    );
    expect(() => new MaxEntIrl({ model, objective: { alpha: 0, prior }, gamma: 0.95, demonstrations: [ok] })).toThrow(
      /alpha must be a finite number > 0 for IRL: at α = 0 the soft-optimal policy is greedy .* got 0/,
    );
    expect(() => new MaxEntIrl({ model, objective: { alpha: 0.1, prior }, gamma: 1, demonstrations: [ok] })).toThrow(
      /gamma must be in \[0, 1\) for IRL.*got 1/,
    );
    expect(
      () =>
        new MaxEntIrl({ model, objective: { alpha: 0.1, prior: prior.subarray(4) }, gamma: 0.9, demonstrations: [ok] }),
    ).toThrow('prior must have nS·nA = 54·4 = 216 entries, got 212');
    const noUp = Float64Array.from(prior);
    noUp.set([0, 1 / 3, 1 / 3, 1 / 3], 36 * 4);
    expect(
      () => new MaxEntIrl({ model, objective: { alpha: 0.1, prior: noUp }, gamma: 0.9, demonstrations: [ok] }),
    ).toThrow('demonstrations[0].actions[0] = 0 in state 36 has prior probability 0');
    const irl = problem([ok]);
    expect(() => irl.evaluate(new Float64Array(3))).toThrow('theta must have the feature dimension 54 entries, got 3');
  });

  it('demonstration files: JSON, shape and model checks', () => {
    expect(() => parseDemonstrations('{"demonstrations": [', model)).toThrow(/demonstration file: not valid JSON/);
    expect(() => parseDemonstrations('{"trajectories": []}', model)).toThrow(
      /demonstration file: demonstrations: .*expected \{ "demonstrations"/,
    );
    expect(() => parseDemonstrations('{"demonstrations": [{"states": [36, "x"], "actions": [0]}]}', model)).toThrow(
      /demonstration file: demonstrations\[0\]\.states\[1\]:/,
    );
    expect(() => parseDemonstrations('{"demonstrations": []}', model)).toThrow('demonstrations: the set is empty');
    expect(() => parseDemonstrations('{"demonstrations": [{"states": [36, 27], "actions": [7]}]}', model)).toThrow(
      'demonstrations[0].actions[0] = 7 is outside the action space',
    );
  });
});

describe('irl-gridworld experiment', () => {
  it('writes the curve, heat maps, the viewer file and a demonstration file it can read back; refuses α = 0 and prior none up front', async () => {
    const root = mkdtempSync(join(tmpdir(), 'priorlab-irl-'));
    const go = async (flags: Record<string, string>) => {
      const dir = createRunDir(root, 'irl-gridworld', 1);
      const [options] = validateFlags(new Map(Object.entries(flags)), [experiment.options]);
      const lines: string[] = [];
      await runSeed({
        experiment,
        options,
        seed: 1,
        dir,
        resume: false,
        backend: 'cpu',
        signal: new AbortController().signal,
        reporter: { progress() {}, print: (l) => lines.push(l), finish() {} },
      });
      return { dir, lines };
    };
    const { dir } = await go({ counts: '10,300', prior: 'reference' });
    const out = JSON.parse(readFileSync(join(dir, 'irl.json'), 'utf8')) as {
      points: { n: number; kl: number; reward: number[] }[];
      trueReward: number[];
    };
    expect(out.points.map((p) => p.n)).toEqual([10, 300]);
    expect(out.points[1].kl).toBeLessThan(out.points[0].kl);
    expect(out.points[1].reward).toHaveLength(out.trueReward.length);
    expect(readFileSync(join(dir, 'reward.svg'), 'utf8').match(/<rect class="cell"/g)).toHaveLength(2 * 54);
    expect(readFileSync(join(dir, 'kl-vs-demos.svg'), 'utf8')).toContain('<path class="line"');
    // The demonstration file written by one run is input to the next: same demonstrations, same numbers.
    const again = await go({ counts: '10,300', prior: 'reference', demoFile: join(dir, 'demonstrations.json') });
    const out2 = JSON.parse(readFileSync(join(again.dir, 'irl.json'), 'utf8')) as typeof out;
    expect(out2.points.map((p) => p.kl)).toEqual(out.points.map((p) => p.kl));

    const flagError = (flags: Record<string, string>) => () =>
      validateFlags(new Map(Object.entries(flags)), [experiment.options]);
    expect(flagError({ prior: 'none' })).toThrow(/--prior: got 'none'.*IRL needs α > 0 \(prior none has α = 0\)/);
    expect(flagError({ alpha: '0' })).toThrow(/--alpha: got '0'.*IRL needs α > 0/);
    expect(flagError({ env: 'CliffWalking-v1', prior: 'reference' })).toThrow(
      /--prior: got 'reference'.*CliffWalking-v1 has no reference policy/,
    );
    expect(flagError({ counts: '100,10' })).toThrow(/--counts: got '100,10'.*increasing integers/);
  });
});
