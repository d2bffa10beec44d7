/**
 * The gridworld's policy arrows (`drawArrows`, src/viz/gridworld/draw.ts) drawn through a recording pen: with
 * `room` < 1 (Inverse RL, whose cells print their reward at the bottom) every arrow stays in the top `room` of
 * its cell, so no number sits under an arrow; with the full cell they reach into its lower part.
 */
import { describe, expect, it } from 'vitest';
import { make } from '../src/envs/registry.js';
import { GridWorld } from '../src/envs/gridworld.js';
import { unwrapped } from '../src/envs/wrappers.js';
import type { Pen } from '../src/viz/gridworld/draw.js';

// draw.ts imports pixi.js, which reads `navigator` when it loads; the arrows themselves draw through the pen only.
Object.assign(globalThis, { navigator: globalThis.navigator ?? { userAgent: 'node' } });
const { drawArrows } = await import('../src/viz/gridworld/draw.js');

/** The lowest point (largest y) each arrow reaches within its cell, as a share of the cell's height. */
function lowestShare(env: GridWorld, cell: number, room: number): number {
  let low = 0;
  const at = (y: number) => (low = Math.max(low, (y % cell) / cell));
  const pen: Pen = {
    rect: () => undefined,
    strokeRect: () => undefined,
    ring: () => undefined,
    line: (_x0, y0, _x1, y1) => (at(y0), at(y1)),
    poly: (pts) => pts.forEach((v, i) => i % 2 === 1 && at(v)),
    polyStroke: (pts) => pts.forEach((v, i) => i % 2 === 1 && at(v)),
  };
  // Every action at probability 1/|A|, and one state all-in on Down: the longest arrow down there is.
  const nA = env.actions.length;
  const pi = new Float64Array(env.kinds.length * nA).fill(1 / nA);
  const down = env.actions.findIndex((a) => a.dr === 1);
  pi.fill(0, 0, nA);
  pi[down] = 1;
  drawArrows(pen, env, pi, cell, 0xffffff, false, room);
  return low;
}

describe('policy arrows', () => {
  const env = unwrapped(make('TwoRoute-v0')) as GridWorld;
  it('keep to the top `room` of the cell, above the label strip; the full cell without it', () => {
    const cell = 32;
    const room = 1 - (9 + 3) / cell; // Inverse RL's: a 9 px label and 3 px of margin
    expect(lowestShare(env, cell, room)).toBeLessThanOrEqual(room);
    expect(lowestShare(env, cell, 1)).toBeGreaterThan(room);
  });
});
