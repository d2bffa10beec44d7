/**
 * The GIF captions' 5×7 font (`src/node/train/font.ts`): a glyph lands where its rows say, scaled and clipped,
 * and every character the captions write has a glyph of its own (none falls back to '?').
 */
import { describe, expect, it } from 'vitest';
import { make } from '../src/envs/registry.js';
import { actionText } from '../src/envs/scene.js';
import { ADVANCE, drawText, glyphOf } from '../src/node/train/font.js';

/** The pixels set in a `width`-wide image, as "x,y". */
const lit = (px: Uint8Array, width: number): string[] =>
  [...px].flatMap((v, i) => (v ? [`${i % width},${Math.floor(i / width)}`] : []));

describe('font', () => {
  it("draws 'L' as its column and base row, at 2× as 2×2 blocks, clipped at the edge", () => {
    const px = new Uint8Array(8 * 8);
    drawText(px, 8, 1, 0, 'L', 1);
    // 'L': the left column on rows 0–6, the whole base row 6.
    const want = [...Array.from({ length: 6 }, (_, y) => `1,${y}`), ...[1, 2, 3, 4, 5].map((x) => `${x},6`)];
    expect(lit(px, 8).sort()).toEqual(want.sort());
    const big = new Uint8Array(20 * 20);
    drawText(big, 20, 0, 0, 'L', 1, 2);
    expect(lit(big, 20)).toHaveLength(4 * want.length);
    const clipped = new Uint8Array(3 * 3);
    drawText(clipped, 3, 0, 0, 'LL', 1);
    expect(lit(clipped, 3).sort()).toEqual(['0,0', '0,1', '0,2']);
    expect(ADVANCE).toBe(6);
  });

  it('has a glyph for every character of the captions and outcomes', () => {
    const text = [
      'episode 2/3  step 12/200  torque -1.25  return -1234.56',
      actionText(make('PointMass-v0'), [0.12, -0.4]),
      actionText(make('MountainCarContinuous-v0'), [1]),
      ...['Up', 'Right', 'Down', 'Left'],
      'reached the far goal  ended in a hazard  time limit  terminated off the goal',
    ].join('');
    const missing = [...new Set(text)].filter((ch) => glyphOf(ch) === glyphOf('?'));
    expect(missing).toEqual([]);
  });
});
