import { describe, expect, it } from 'vitest';
import { fmtNum, renderProgress } from '../src/node/run/progress.js';

describe('progress line', () => {
  it('numbers never print in exponent notation at the magnitudes returns take', () => {
    expect([-1220.4, -152.5, 0.0416, 3, 12_345, 2_500_000].map(fmtNum)).toEqual([
      '-1220',
      '-152.5',
      '0.0416',
      '3',
      '12.3k',
      '2.50M',
    ]);
  });

  it('a narrow terminal drops the bar, then whole fields, never part of a number', () => {
    const p = {
      step: 5000,
      total: 15_000,
      fields: { 'charts/eval_return': -152.5, 'charts/kl_prior': 0.8123, 'charts/alpha': 0.0334 },
    };
    const full = renderProgress(p, 60, 20, 0, false);
    expect(full).toContain('eval_return=-152.5 kl_prior=0.812 alpha=0.0334');
    for (const width of [80, 60, 40]) {
      const line = renderProgress(p, 60, 20, 0, false, width);
      expect(line.length).toBeLessThanOrEqual(width);
      // Every field shown is whole: its value matches one of the full line's values.
      for (const field of line.split(' ').filter((w) => w.includes('='))) expect(full.split(' ')).toContain(field);
    }
    expect(renderProgress(p, 60, 20, 0, false, 60)).not.toContain('[');
  });
});
