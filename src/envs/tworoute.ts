/**
 * # TwoRoute-v0
 *
 * ## Description
 * A 6x9 gridworld built to show what the prior does. From the start S two routes lead to the goal G:
 * the `ledge` (the short route, 8 steps) along a one-cell ledge with lava right below it and a wall right
 * above it, and the `room` (the long route, at least 12 steps) up through an open room. Reward is +1 at the goal and −1 in the lava
 * (both terminate), 0 otherwise, so the discount (γ = 0.95) is what makes shorter better.
 *
 *     .........      room (rows 0–2)
 *     .........
 *     .........
 *     .#######.      wall
 *     S.......G      ledge
 *     LLLLLLLLL      lava
 *
 * Exact soft-optimal behaviour from the start (soft value iteration, γ = 0.95, deterministic moves;
 * asserted in tests/envs-tworoute.test.ts), as P(walk the middle of the ledge) / P(cross the middle of
 * the room) / expected episode length:
 * - α → 0 (plain RL):                     1.00 / 0.00 / 8.0   — the shortcut, every time;
 * - uniform prior, α = 0.15 (max-ent):    0.36 / 0.67 / 39    — hedges, prefers the room where many
 *   actions are safe, and wanders (on the ledge one of four actions is death);
 * - reference prior `twoRouteReference`, α = 0.15 (KL-regularized, RLHF-like): 0.01 / 1.00 / 17 —
 *   follows the guide's route through the room, close to the guide's own path.
 *
 * ## Action Space
 * `Discrete(4)`: 0 = Up, 1 = Right, 2 = Down, 3 = Left (CliffWalking's order).
 *
 * ## Observation Space
 * `Discrete(54)`: `row * 9 + col`; the start is 36, the goal 44.
 *
 * ## Rewards
 * +1 on entering G, −1 on entering lava, 0 otherwise.
 *
 * ## Starting State
 * State 36 (S).
 *
 * ## Episode End
 * Termination: entering G or lava. Truncation: 100 steps.
 *
 * ## Arguments
 * `make('TwoRoute-v0', { slip: 0 })`: with `slip > 0` each move goes to either perpendicular direction
 * with probability `slip/2` (the ledge becomes risky even for a careful policy).
 *
 * ## Version History
 * - v0: initial version.
 */
import { OptionReader } from './base.js';
import type { TabularModel } from './env.js';
import { GridWorld, UP_RIGHT_DOWN_LEFT } from './gridworld.js';

export const TWO_ROUTE_LAYOUT: readonly string[] = [
  '.........',
  '.........',
  '.........',
  '.#######.',
  'S.......G',
  'LLLLLLLLL',
];

/** The discount and temperature the doc block's numbers are computed with. */
export const TWO_ROUTE_GAMMA = 0.95;
/** The temperature α the TwoRoute experiments and tests use. */
export const TWO_ROUTE_ALPHA = 0.15;

/**
 * The guide behind `twoRouteReference`: a cautious walker that takes the room route along row 2 and
 * steps off the ledge back towards the start (`^ > v <` = Up, Right, Down, Left; other cells: no opinion).
 */
export const TWO_ROUTE_GUIDE: readonly string[] = [
  'vvvvvvvvv',
  'vvvvvvvvv',
  '>>>>>>>>v',
  '^#######v',
  '^<<<<<<<G',
  'LLLLLLLLL',
];

/** Probability the guide gives its arrow; the other three actions share the rest equally. */
export const TWO_ROUTE_GUIDE_CONFIDENCE = 0.7;

const N_COLS = 9;
export const TWO_ROUTE_START = 36;
export const TWO_ROUTE_GOAL = 44;
/** Cells only the short route passes through: the middle of the ledge, columns 2–6 of row 4. */
export const TWO_ROUTE_LEDGE: ReadonlySet<number> = new Set([2, 3, 4, 5, 6].map((c) => 4 * N_COLS + c));
/** The middle of the room, columns 2–6 of rows 0–2: crossed by every long route. */
export const TWO_ROUTE_ROOM: ReadonlySet<number> = new Set(
  [0, 1, 2].flatMap((r) => [2, 3, 4, 5, 6].map((c) => r * N_COLS + c)),
);
/** The lava cells of TwoRoute-v0 (the bottom row). */
export const TWO_ROUTE_LAVA: ReadonlySet<number> = new Set(Array.from({ length: N_COLS }, (_, c) => 5 * N_COLS + c));

/** TwoRoute-v0, the two-route gridworld (a short ledge by the lava, a long room route): `make('TwoRoute-v0')`. */
export function makeTwoRoute(options: Record<string, unknown> = {}): GridWorld {
  const slip = new OptionReader('TwoRoute-v0', options, ['slip']).number('slip', 0, 0, 1);
  return new GridWorld({
    id: 'TwoRoute-v0',
    layout: TWO_ROUTE_LAYOUT,
    legend: {
      '.': { kind: 'free' },
      S: { kind: 'start' },
      '#': { kind: 'wall' },
      G: { kind: 'goal', reward: 1 },
      L: { kind: 'hazard', reward: -1, then: 'terminate' },
    },
    actions: UP_RIGHT_DOWN_LEFT,
    stepReward: 0,
    slipWeights: slip > 0 ? [slip / 2, 1 - slip, slip / 2] : undefined,
  });
}

/**
 * The reference policy table (nS×nA row-major, rows sum to 1): on each guide arrow the arrow's action
 * has probability 0.7 and the others 0.1; cells without an arrow (walls, lava, goal) are uniform.
 */
export function twoRouteReference(envOrModel: { model: TabularModel } | TabularModel): Float64Array {
  const model = 'model' in envOrModel ? envOrModel.model : envOrModel;
  const nS = TWO_ROUTE_LAYOUT.length * N_COLS;
  if (model.nStates !== nS || model.nActions !== 4) {
    throw new RangeError(
      `twoRouteReference: expects the TwoRoute-v0 model (${nS} states, 4 actions), got ${model.nStates} states, ${model.nActions} actions`,
    );
  }
  const table = new Float64Array(nS * 4).fill(0.25);
  const arrows = '^>v<';
  const other = (1 - TWO_ROUTE_GUIDE_CONFIDENCE) / 3;
  TWO_ROUTE_GUIDE.join('')
    .split('')
    .forEach((ch, s) => {
      const a = arrows.indexOf(ch);
      if (a >= 0) for (let b = 0; b < 4; b++) table[s * 4 + b] = b === a ? TWO_ROUTE_GUIDE_CONFIDENCE : other;
    });
  return table;
}

/**
 * The names of an episode's outcomes, in the order every table, bar and legend lists them: `ledge` (the
 * short route), `room` (the long one), `both` (the middle of both, or of neither), `lava`, `timeout`.
 * The env, the CLI tables, the viewer and the README all use these words.
 */
export const TWO_ROUTE_OUTCOMES = ['ledge', 'room', 'both', 'lava', 'timeout'] as const;
export type TwoRouteOutcome = (typeof TWO_ROUTE_OUTCOMES)[number];

/**
 * Classifies an episode by its states (including the final one): `lava` if it ended there, `timeout` if
 * it did not reach the goal, otherwise `ledge` (walked the middle of the ledge only), `room` (crossed the
 * middle of the room only) or `both` (both, or neither).
 */
export function classifyTwoRoute(states: readonly number[]): TwoRouteOutcome {
  const last = states[states.length - 1];
  if (TWO_ROUTE_LAVA.has(last)) return 'lava';
  if (last !== TWO_ROUTE_GOAL) return 'timeout';
  const ledge = states.some((s) => TWO_ROUTE_LEDGE.has(s));
  const room = states.some((s) => TWO_ROUTE_ROOM.has(s));
  return ledge && !room ? 'ledge' : room && !ledge ? 'room' : 'both';
}
