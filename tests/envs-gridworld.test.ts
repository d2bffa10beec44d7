// The gridworld engine and the toy-text envs, checked against Gymnasium's documented semantics.
import { describe, expect, it } from 'vitest';
import { makeCliffWalking } from '../src/envs/cliffwalking.js';
import { makeFrozenLake } from '../src/envs/frozenlake.js';
import { GridWorld, UP_RIGHT_DOWN_LEFT } from '../src/envs/gridworld.js';
import { make } from '../src/envs/registry.js';
import { TimeLimit, unwrapped } from '../src/envs/wrappers.js';

describe('FrozenLake-v1', () => {
  it('indexes states row-major and moves 0=Left 1=Down 2=Right 3=Up (not slippery)', () => {
    const env = makeFrozenLake({ isSlippery: false });
    expect(env.observationSpace.n).toBe(16);
    expect(env.reset({ seed: 0 }).obs).toBe(0);
    expect(env.step(2).obs).toBe(1); // Right
    expect(env.step(1)).toMatchObject({ obs: 5, terminated: true }); // Down from 1 → 5 is a hole
  });

  it('pays 1 only at the goal and terminates in holes with 0', () => {
    const env = makeFrozenLake({ isSlippery: false });
    env.reset({ seed: 0 });
    const path = [1, 1, 2, 2, 1, 2]; // 0 → 4 → 8 → 9 → 10 → 14 → 15
    const rewards = path.map((a) => env.step(a));
    expect(rewards.map((r) => r.obs)).toEqual([4, 8, 9, 10, 14, 15]);
    expect(rewards.map((r) => r.reward)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(rewards.map((r) => r.terminated)).toEqual([false, false, false, false, false, true]);
    env.reset();
    env.step(2); // 0 → 1
    expect(env.step(1)).toMatchObject({ obs: 5, reward: 0, terminated: true }); // 1 → 5 (H)
  });

  it('slips to the intended or either perpendicular direction, 1/3 each, in Gymnasium order', () => {
    const env = makeFrozenLake();
    // State 9 (row 2, col 1), action Down (1): outcomes Left (→8), Down (→13), Right (→10).
    expect(env.model.P[9][1]).toEqual([
      { prob: 1 / 3, next: 8, reward: 0, terminated: false },
      { prob: 1 / 3, next: 13, reward: 0, terminated: false },
      { prob: 1 / 3, next: 10, reward: 0, terminated: false },
    ]);
    // State 14, action Right: Down stays at 14 (border), Right → 15 (goal), Up → 10.
    expect(env.model.P[14][2]).toEqual([
      { prob: 1 / 3, next: 14, reward: 0, terminated: false },
      { prob: 1 / 3, next: 15, reward: 1, terminated: true },
      { prob: 1 / 3, next: 10, reward: 0, terminated: false },
    ]);
    // Terminal states are absorbing.
    expect(env.model.P[5][0]).toEqual([{ prob: 1, next: 5, reward: 0, terminated: true }]);
    expect([...env.model.terminalStates].sort((a, b) => a - b)).toEqual([5, 7, 11, 12, 15]);
    // Empirical slip frequencies from state 9 with action Down.
    const counts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const e = makeFrozenLake({ desc: ['FFFF', 'FFFF', 'FSFF', 'FFFG'] });
      e.reset({ seed: i });
      const { obs } = e.step(1);
      counts.set(obs, (counts.get(obs) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([8, 10, 13]);
    for (const c of counts.values()) expect(Math.abs(c / 3000 - 1 / 3)).toBeLessThan(0.04);
  });

  it('has the 8x8 map, time limits 100 (4x4) and 200 (8x8), and rejects bad options', () => {
    const env8 = make('FrozenLake-v1', { mapName: '8x8' }) as TimeLimit;
    expect(env8.maxEpisodeSteps).toBe(200);
    expect(env8.observationSpace).toMatchObject({ n: 64 });
    expect((unwrapped(env8) as GridWorld).cells[63].kind).toBe('goal');
    expect((make('FrozenLake-v1') as TimeLimit).maxEpisodeSteps).toBe(100);
    expect(() => make('FrozenLake-v1', { mapName: '5x5' })).toThrow(
      /option mapName must be one of '4x4', '8x8', got 5x5/,
    );
    expect(() => make('FrozenLake-v1', { isSlippery: 'yes' })).toThrow(/option isSlippery must be true or false/);
    expect(() => make('FrozenLake-v1', { slippery: true })).toThrow(
      /unknown option 'slippery'; allowed options: mapName, isSlippery, desc/,
    );
  });
});

describe('CliffWalking-v1', () => {
  it('starts at 36, costs −1 per step, −100 and back to start on the cliff, ends at 47', () => {
    const env = makeCliffWalking();
    expect(env.observationSpace.n).toBe(48);
    expect(env.reset({ seed: 0 }).obs).toBe(36);
    expect(env.step(1)).toMatchObject({ obs: 36, reward: -100, terminated: false }); // Right → cliff → start
    expect(env.step(0)).toMatchObject({ obs: 24, reward: -1, terminated: false }); // Up
    for (let i = 0; i < 11; i++) env.step(1); // along row 2 to col 11
    expect(env.step(2)).toMatchObject({ obs: 47, reward: -1, terminated: true }); // Down onto the goal
    expect(() => env.step(0)).toThrow(/after the episode terminated/);
    expect(make('CliffWalking-v1')).not.toBeInstanceOf(TimeLimit); // Gymnasium registers no limit
  });

  it('slippery variant: intended and perpendicular moves, 1/3 each', () => {
    const env = makeCliffWalking({ isSlippery: true });
    // From 25 (row 2, col 1) Down (2): Right → 26, Down → cliff (start, −100), Left → 24.
    expect(env.model.P[25][2]).toEqual([
      { prob: 1 / 3, next: 26, reward: -1, terminated: false },
      { prob: 1 / 3, next: 36, reward: -100, terminated: false },
      { prob: 1 / 3, next: 24, reward: -1, terminated: false },
    ]);
  });
});

describe('gridworld engine', () => {
  const legend = {
    '.': { kind: 'free' },
    S: { kind: 'start' },
    '#': { kind: 'wall' },
    G: { kind: 'goal', reward: 1 },
  } as const;

  it('names row and column of a malformed layout', () => {
    const spec = { id: 'Bad-v0', legend, actions: UP_RIGHT_DOWN_LEFT, stepReward: 0 };
    expect(() => new GridWorld({ ...spec, layout: ['S..', '.X.'] })).toThrow(
      /row 1, column 1: unknown cell 'X'; allowed: '\.', 'S', '#', 'G'/,
    );
    expect(() => new GridWorld({ ...spec, layout: ['S..', '..'] })).toThrow(/row 1 has length 2, expected 3/);
    expect(() => new GridWorld({ ...spec, layout: ['...', '..G'] })).toThrow(/no start cell/);
  });

  it('walls block moves; state ↔ (row, col) round-trips; kinds are exposed for drawing', () => {
    const env = new GridWorld({
      id: 'W-v0',
      layout: ['S#G', '...'],
      legend,
      actions: UP_RIGHT_DOWN_LEFT,
      stepReward: -1,
    });
    env.reset({ seed: 0 });
    expect(env.step(1)).toMatchObject({ obs: 0, reward: -1 }); // Right into the wall: stay
    expect(env.kinds).toEqual(['start', 'wall', 'goal', 'free', 'free', 'free']);
    for (let s = 0; s < 6; s++) expect(env.toState(...env.toRowCol(s))).toBe(s);
    expect(() => env.toState(2, 0)).toThrow(/outside the 2x3 grid/);
    expect(() => env.step(4)).toThrow(/action must be an integer in \{0, \.\.\., 3\}, got 4/);
  });
});
