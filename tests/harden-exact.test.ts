/**
 * The exact solver refuses a bad model at compile time (issue 14, item 9) instead of returning NaN values
 * marked converged, and imports nothing from src/priors (plain float64, no tfjs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { softValueIteration } from '../src/agents/exact/softvi.js';
import type { TabularModel, Transition } from '../src/envs/env.js';

/** A 3-state chain: from 0 and 1, action 0 moves right (reward −1), action 1 stays (reward 0); 2 is terminal. */
function chain(edit?: (P: Transition[][][]) => void): TabularModel {
  const P: Transition[][][] = [0, 1, 2].map((s) => [
    [{ prob: 1, next: Math.min(s + 1, 2), reward: -1, terminated: s + 1 >= 2 }],
    [{ prob: 1, next: s, reward: 0, terminated: false }],
  ]);
  edit?.(P);
  return { nStates: 3, nActions: 2, P, initialDistribution: Float64Array.of(1, 0, 0), terminalStates: new Set([2]) };
}

describe('softValueIteration checks its model', () => {
  it('solves the valid chain', () => {
    const r = softValueIteration(chain(), { alpha: 0, gamma: 0.9 });
    expect(r.converged).toBe(true);
    expect(Array.from(r.V)).toEqual([0, 0, 0]);
  });

  it.each<[string, (P: Transition[][][]) => void, string]>([
    [
      'next out of range',
      (P) => (P[0][0][0].next = 7),
      'model.P[0][0][0].next: got 7; allowed: an integer state in [0, 3)',
    ],
    ['next not an integer', (P) => (P[1][1][0].next = 0.5), 'model.P[1][1][0].next: got 0.5'],
    [
      'negative probability',
      (P) =>
        P[0][1].splice(
          0,
          1,
          { prob: -0.5, next: 0, reward: 0, terminated: false },
          { prob: 1.5, next: 1, reward: 0, terminated: false },
        ),
      'model.P[0][1][0].prob: got -0.5; allowed: a probability in [0, 1]',
    ],
    [
      'probabilities summing to 0.5',
      (P) => (P[1][0][0].prob = 0.5),
      'model.P[1][0] probabilities: got sum 0.5; allowed: a sum of 1',
    ],
    ['NaN reward', (P) => (P[0][0][0].reward = NaN), 'model.P[0][0][0].reward: got NaN; allowed: a finite number'],
    ['Infinity reward', (P) => (P[0][0][0].reward = -Infinity), 'model.P[0][0][0].reward: got -Infinity'],
    ['a missing action row', (P) => P[1].pop(), 'model.P[1].length: got 1; allowed: nActions = 2 actions'],
    [
      'terminated not a boolean',
      (P) => ((P[0][1][0] as { terminated: unknown }).terminated = 'no'),
      'model.P[0][1][0].terminated: got no; allowed: true or false',
    ],
    ['a null transition', (P) => ((P[0][1] as unknown[])[0] = null), 'model.P[0][1][0]: got null'],
  ])('%s is a RangeError naming the field', (_name, edit, message) => {
    expect(() => softValueIteration(chain(edit), { alpha: 0.5, gamma: 0.9 })).toThrow(message);
  });

  it('rejects a bad terminal state and a bad size', () => {
    expect(() => softValueIteration({ ...chain(), terminalStates: new Set([5]) }, { alpha: 0, gamma: 0.9 })).toThrow(
      'model.terminalStates: got 5; allowed: states in [0, 3)',
    );
    expect(() => softValueIteration({ ...chain(), nStates: 4 }, { alpha: 0, gamma: 0.9 })).toThrow(
      'model.P.length: got 3; allowed: nStates = 4 rows',
    );
  });

  it('imports nothing from src/priors', () => {
    for (const f of ['softvi.ts', 'linalg.ts', 'index.ts']) {
      const src = readFileSync(join(import.meta.dirname, '../src/agents/exact', f), 'utf8');
      expect(src, f).not.toMatch(/from '.*priors|tensorflow/);
    }
  });
});
