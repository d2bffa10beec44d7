/**
 * One colour language (issue #27): the CLI's SVGs and the viewer take priors', routes' and outcomes' colours
 * from the one palette (`src/core/palette.ts`), so `routes.svg` draws the ledge as the viewer does.
 */
import { describe, expect, it } from 'vitest';
import { css, namedColor, PRIOR_COLORS, ROUTE_COLORS } from '../src/core/palette.js';
import * as viewerPalette from '../src/viz/palette.js';
import { legendColors, linePlot, PALETTE, stackedBars } from '../src/node/run/svgplot.js';

describe('palette', () => {
  it('the viewer re-exports the one palette', () => {
    expect(viewerPalette.PRIOR_COLORS).toBe(PRIOR_COLORS);
    expect(viewerPalette.ROUTE_COLORS).toBe(ROUTE_COLORS);
  });

  it('labels naming a prior or a route get its colour; others the Okabe–Ito order', () => {
    expect(namedColor('uniform (α=0.2)')).toBe(PRIOR_COLORS.uniform);
    expect(namedColor('prior=none')).toBe(PRIOR_COLORS.none);
    expect(namedColor('ledge')).toBe(ROUTE_COLORS.ledge);
    expect(namedColor('seed 3')).toBeNull();
    expect(legendColors(['uniform', 'reference', 'none'])).toEqual(
      [PRIOR_COLORS.uniform, PRIOR_COLORS.reference, PRIOR_COLORS.none].map(css),
    );
    // Two labels with the same name would share a colour: then every entry is coloured by its index.
    expect(legendColors(['uniform mean', 'uniform eval'])).toEqual(PALETTE.slice(0, 2));
    expect(legendColors(['a', 'b'])).toEqual(PALETTE.slice(0, 2));
  });

  it('routes.svg-style stacked bars and learning curves use the palette', () => {
    const svg = stackedBars(
      { title: 't', yLabel: 'y' },
      ['ledge', 'room', 'both', 'lava', 'timeout'],
      [{ label: 'exact\nnone', values: [1, 0, 0, 0, 0] }],
    );
    expect(svg).toContain(`fill="${css(ROUTE_COLORS.ledge)}"`);
    expect(svg).toContain(`fill="${css(ROUTE_COLORS.room)}"`);
    const curves = linePlot({ title: 't', xLabel: 'x', yLabel: 'y' }, [
      { label: 'uniform', x: [0, 1], y: [0, 1] },
      { label: 'none', x: [0, 1], y: [1, 0] },
    ]);
    expect(curves).toContain(`stroke="${css(PRIOR_COLORS.uniform)}"`);
    expect(curves).toContain(`stroke="${css(PRIOR_COLORS.none)}"`);
  });
});
