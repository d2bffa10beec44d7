import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { ReplayBuffer } from '../src/agents/replay.js';

/** Transition i: obs = [i, -i], action = [10 i], reward = i, nextObs = [i+1, -(i+1)], terminated every 5th. */
function fill(buf: ReplayBuffer, from: number, to: number): void {
  for (let i = from; i < to; i++) buf.add([i, -i], [10 * i], i, [i + 1, -(i + 1)], i % 5 === 4);
}

describe('ReplayBuffer', () => {
  it('wraps around: keeps the newest `capacity` transitions, each row consistent', () => {
    const buf = new ReplayBuffer(8, 2, 1);
    fill(buf, 0, 13); // 13 adds into 8 slots: transitions 5..12 remain
    expect(buf.size).toBe(8);
    const batch = buf.sample(400, new Rng(1));
    const seen = new Set<number>();
    for (let b = 0; b < 400; b++) {
      const i = batch.reward[b];
      seen.add(i);
      expect(batch.obs[2 * b]).toBe(i);
      expect(batch.obs[2 * b + 1]).toBe(-i);
      expect(batch.action[b]).toBe(10 * i);
      expect(batch.nextObs[2 * b]).toBe(i + 1);
      expect(batch.terminated[b]).toBe(i % 5 === 4 ? 1 : 0);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('samples only filled slots before it is full', () => {
    const buf = new ReplayBuffer(100, 2, 1);
    fill(buf, 0, 3);
    const batch = buf.sample(300, new Rng(2));
    const seen = new Set(batch.reward);
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect(() => new ReplayBuffer(4, 2, 1).sample(1, new Rng(1))).toThrow(/empty/);
  });

  it('stores terminated and truncated apart: a truncated step keeps its true next observation and bootstraps', () => {
    const buf = new ReplayBuffer(4, 1, 1);
    buf.add([0.5], [0], -1, [0.7], false); // truncated by a time limit: true final obs, terminated = false
    buf.add([0.7], [0], -2, [9], true); // a true terminal step
    const batch = buf.sample(64, new Rng(3));
    for (let b = 0; b < 64; b++) {
      if (batch.reward[b] === -1) {
        expect(batch.nextObs[b]).toBeCloseTo(0.7, 6);
        expect(batch.terminated[b]).toBe(0);
      } else {
        expect(batch.terminated[b]).toBe(1);
      }
    }
  });

  it('sampling is deterministic per seed, and save/load restores contents and position', () => {
    const buf = new ReplayBuffer(6, 2, 1);
    fill(buf, 0, 9);
    const a = buf.sample(20, new Rng(4));
    const copy = new ReplayBuffer(6, 2, 1);
    copy.setState(
      JSON.parse(JSON.stringify(buf.getState(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v))),
    );
    expect(Array.from(copy.sample(20, new Rng(4)).reward)).toEqual(Array.from(a.reward));
    // Position restored: the next add overwrites the same (oldest) slot in both.
    fill(buf, 9, 10);
    fill(copy, 9, 10);
    expect(Array.from(copy.sample(50, new Rng(5)).obs)).toEqual(Array.from(buf.sample(50, new Rng(5)).obs));
    expect(() => new ReplayBuffer(5, 2, 1).setState(buf.getState())).toThrow(
      /capacity is 6 in the saved state, 5 here/,
    );
  });

  it('rejects bad shapes naming the field', () => {
    const buf = new ReplayBuffer(4, 2, 1);
    expect(() => buf.add([1], [0], 0, [1, 2], false)).toThrow(/obs has length 1, expected 2/);
    expect(() => buf.add([1, 2], [0, 1], 0, [1, 2], false)).toThrow(/action has length 2, expected 1/);
    expect(() => new ReplayBuffer(0, 2, 1)).toThrow(/capacity: expected a positive integer, got 0/);
    expect(() => buf.sample(0, new Rng(1))).toThrow(/batchSize must be a positive integer, got 0/);
  });
});
