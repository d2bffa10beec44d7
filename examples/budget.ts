/** Each example's budget: `EXAMPLE_SCALE=0.2` (the pack test) shrinks every step count by that factor. */
export const scale = (steps: number): number =>
  Math.max(50, Math.round(steps * Number(process.env.EXAMPLE_SCALE ?? 1)));
