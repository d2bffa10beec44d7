// TwoRoute-v0's design claim, verified with the exact solver: plain RL (α → 0), a uniform prior
// (max-ent) and the guide's reference prior give three distinct behaviours.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import {
  hittingProbability,
  klAt,
  softValueIteration,
  stateVisitation,
  weightedMean,
} from '../src/agents/exact/index.js';
import {
  classifyTwoRoute,
  makeTwoRoute,
  TWO_ROUTE_ALPHA,
  TWO_ROUTE_GAMMA,
  TWO_ROUTE_GOAL,
  TWO_ROUTE_LAVA,
  TWO_ROUTE_LEDGE,
  TWO_ROUTE_ROOM,
  TWO_ROUTE_START,
  twoRouteReference,
} from '../src/envs/tworoute.js';

const env = makeTwoRoute();
const { model } = env;

function behaviour(alpha: number, prior?: Float64Array) {
  const { pi } = softValueIteration(model, { alpha, gamma: TWO_ROUTE_GAMMA, prior });
  const visits = stateVisitation(model, pi);
  return {
    pi,
    ledge: hittingProbability(model, pi, TWO_ROUTE_LEDGE)[TWO_ROUTE_START],
    room: hittingProbability(model, pi, TWO_ROUTE_ROOM)[TWO_ROUTE_START],
    lava: hittingProbability(model, pi, TWO_ROUTE_LAVA)[TWO_ROUTE_START],
    length: visits.reduce((x, y) => x + y, 0),
    visits,
  };
}

describe('TwoRoute-v0', () => {
  const plain = behaviour(0);
  const maxEnt = behaviour(TWO_ROUTE_ALPHA);
  const reference = twoRouteReference(env);
  const rlhf = behaviour(TWO_ROUTE_ALPHA, reference);

  it('is small and has the documented start and goal', () => {
    expect(model.nStates).toBeLessThanOrEqual(60);
    expect(env.reset({ seed: 0 }).obs).toBe(TWO_ROUTE_START);
    expect(env.kinds[TWO_ROUTE_GOAL]).toBe('goal');
  });

  it('α → 0: the ledge (the short route), 8 steps, every time', () => {
    expect(plain.ledge).toBeCloseTo(1, 9);
    expect(plain.room).toBeCloseTo(0, 9);
    expect(plain.length).toBeCloseTo(8, 9);
  });

  it('uniform prior: hedges towards the open room and wanders (doc: 0.36 / 0.67 / 39)', () => {
    expect(maxEnt.ledge).toBeGreaterThan(0.25);
    expect(maxEnt.ledge).toBeLessThan(0.45);
    expect(maxEnt.room).toBeGreaterThan(0.6);
    expect(maxEnt.length).toBeGreaterThan(30);
    expect(maxEnt.lava).toBeLessThan(0.01);
  });

  it('reference prior: follows the guide through the room (doc: 0.01 / 1.00 / 17)', () => {
    expect(rlhf.ledge).toBeLessThan(0.02);
    expect(rlhf.room).toBeGreaterThan(0.99);
    expect(rlhf.length).toBeGreaterThan(12);
    expect(rlhf.length).toBeLessThan(20);
    // Ordering with margin: P(ledge) plain > max-ent > reference; length plain < reference < max-ent.
    expect(plain.ledge - maxEnt.ledge).toBeGreaterThan(0.5);
    expect(maxEnt.ledge - rlhf.ledge).toBeGreaterThan(0.25);
    expect(maxEnt.length - rlhf.length).toBeGreaterThan(10);
    expect(rlhf.length - plain.length).toBeGreaterThan(4);
    // The KL-regularized policy stays close to the guide where it goes: mean KL over visited states.
    const klToGuide = weightedMean(rlhf.visits, (s) => klAt(rlhf.pi, reference, s, 4));
    const klMaxEntToGuide = weightedMean(maxEnt.visits, (s) => klAt(maxEnt.pi, reference, s, 4));
    expect(klToGuide).toBeLessThan(klMaxEntToGuide);
  });

  it('the reference table is a distribution per state with the guide arrow at 0.7', () => {
    for (let s = 0; s < model.nStates; s++) {
      const row = Array.from(reference.subarray(s * 4, s * 4 + 4));
      expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    }
    expect(
      Array.from(reference.subarray(TWO_ROUTE_START * 4, TWO_ROUTE_START * 4 + 4)).map((x) => +x.toFixed(3)),
    ).toEqual([0.7, 0.1, 0.1, 0.1]);
    expect(() => twoRouteReference({ ...model, nStates: 10 })).toThrow(
      /expects the TwoRoute-v0 model \(54 states, 4 actions\), got 10 states/,
    );
  });

  it('classifies sampled episodes consistently with the exact route probabilities', () => {
    expect(classifyTwoRoute([36, 37, 38, 39, 40, 41, 42, 43, 44])).toBe('ledge');
    expect(classifyTwoRoute([36, 27, 18, 19, 20, 21, 22, 23, 24, 25, 26, 35, 44])).toBe('room');
    expect(classifyTwoRoute([36, 37, 46])).toBe('lava');
    expect(classifyTwoRoute([36, 27])).toBe('timeout');
    // Roll out the plain and the RLHF policies: all plain episodes take the ledge, RLHF ones the room.
    const rng = new Rng(1);
    for (const [b, want] of [
      [plain, 'ledge'],
      [rlhf, 'room'],
    ] as const) {
      let agree = 0;
      for (let ep = 0; ep < 50; ep++) {
        const states = [env.reset({ seed: ep }).obs];
        for (let t = 0; t < 100; t++) {
          const s = states[states.length - 1];
          const r = env.step(rng.categorical(b.pi.subarray(s * 4, s * 4 + 4)));
          states.push(r.obs);
          if (r.terminated) break;
        }
        if (classifyTwoRoute(states) === want) agree++;
      }
      expect(agree).toBeGreaterThanOrEqual(want === 'ledge' ? 50 : 47);
    }
  });

  it('rejects a bad slip option', () => {
    expect(() => makeTwoRoute({ slip: 2 })).toThrow(/option slip must be a finite number in \[0, 1\], got 2/);
  });
});
