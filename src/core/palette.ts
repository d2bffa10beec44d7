/**
 * One palette for the whole app and the CLI's SVG reports: priors, routes and episode outcomes have one fixed
 * colour everywhere (the viewer's arrows, curves and bars; `routes.svg`, learning curves, comparisons).
 * Browser-safe and dependency-free (`src/viz/palette.ts` re-exports it for the viewer).
 */

export const COLORS = {
  bg: 0x0f1420,
  panel: 0x171e2e,
  grid: 0x2a3346,
  text: 0xdfe6f3,
  muted: 0x8b97ad,
  wall: 0x39424f,
  hazard: 0xb23a48,
  goal: 0x3fbf7f,
  start: 0x5b8def,
  agent: 0xffffff,
  posterior: 0x3fbf7f,
  q: 0xf0a030,
  prior: 0x8b97ad,
} as const;

/** The three priors (`PriorName` of `src/priors`). */
export const PRIOR_COLORS: Record<'uniform' | 'reference' | 'none', number> = {
  uniform: 0x2bb3a3,
  reference: 0xf0a030,
  none: 0xe05570,
};

/** TwoRoute-v0's routes and ends (`TwoRouteOutcome` of `src/envs/tworoute.ts`). */
export const ROUTE_COLORS: Record<'ledge' | 'room' | 'both' | 'lava' | 'timeout', number> = {
  ledge: 0xf0a030,
  room: 0x5b8def,
  both: 0x9b7fd4,
  lava: 0xb23a48,
  timeout: 0x5d6778,
};

/** Episode ends of an env without a route classifier. */
export const END_COLORS: Record<'goal' | 'hazard' | 'timeout', number> = {
  goal: 0x3fbf7f,
  hazard: 0xb23a48,
  timeout: 0x5d6778,
};

const NAMED: Record<string, number> = { ...END_COLORS, ...ROUTE_COLORS, ...PRIOR_COLORS };

/**
 * The fixed colour of a label naming a prior, a route or an outcome: the label itself or its first word that is
 * one (`uniform (α=0.2)`, `prior=none`, `sac / reference`, `room 65%`), else null.
 */
export function namedColor(label: string): number | null {
  const whole = NAMED[label.trim().toLowerCase()];
  if (whole !== undefined) return whole;
  for (const word of label.toLowerCase().split(/[\s()/:,=|]+/)) if (NAMED[word] !== undefined) return NAMED[word];
  return null;
}

export const css = (c: number): string => '#' + c.toString(16).padStart(6, '0');

/** Piecewise-linear colour map through `stops` (t clamped to [0, 1]). */
function ramp(stops: readonly number[]): (t: number) => number {
  return (t) => {
    const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const f = x - i;
    const a = stops[i];
    const b = stops[i + 1];
    const ch = (sh: number) => Math.round(((a >> sh) & 255) * (1 - f) + ((b >> sh) & 255) * f);
    return (ch(16) << 16) | (ch(8) << 8) | ch(0);
  };
}

/** Value heat map (viridis-like): low = deep blue, high = yellow. */
export const valueRamp = ramp([0x2c1a4a, 0x2f4b8a, 0x21808c, 0x2fb47c, 0xbfdc3b, 0xfde725]);
/** Visitation heat map (inferno-like): unvisited = near black, most visited = pale yellow. */
export const visitRamp = ramp([0x141826, 0x3b1260, 0x8a226a, 0xd9483b, 0xf9a224, 0xfcf4b0]);

/** A colour map as a left-to-right CSS gradient (five samples), for legends and colour bars. */
export const rampGradient = (f: (t: number) => number): string =>
  `linear-gradient(90deg, ${[0, 0.25, 0.5, 0.75, 1].map((t) => css(f(t))).join(', ')})`;
