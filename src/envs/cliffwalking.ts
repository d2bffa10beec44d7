/**
 * # CliffWalking-v1
 *
 * ## Description
 * Cross a 4x12 grid from the start [3, 0] to the goal [3, 11] without stepping off the cliff that
 * runs along [3, 1..10]. Stepping into the cliff costs −100 and returns the player to the start (the
 * episode goes on). Sutton & Barto, Example 6.6; a re-implementation of Gymnasium's `CliffWalkingEnv`.
 *
 * ## Action Space
 * `Discrete(4)`: 0 = Up, 1 = Right, 2 = Down, 3 = Left.
 *
 * ## Observation Space
 * `Discrete(48)`: `row * 12 + col`. The start is 36; the goal 47. Cliff cells (37..46) are states of the
 * model but never observed.
 *
 * ## Rewards
 * −1 per step (including the step onto the goal), −100 for stepping into the cliff.
 *
 * ## Starting State
 * State 36 ([3, 0]).
 *
 * ## Episode End
 * Termination: entering state 47. Truncation: none (Gymnasium registers no time limit for
 * CliffWalking; pass `maxEpisodeSteps` to `make` to add one).
 *
 * ## Arguments
 * `make('CliffWalking-v1', { isSlippery: false })`. With `isSlippery: true` the move actually made is
 * the intended one or either perpendicular one, each with probability 1/3.
 * `info.prob` is the probability of the sampled transition.
 *
 * ## Version History
 * - v1: `isSlippery` option (Gymnasium 1.0). The goal cell is absorbing in `model.P` (Gymnasium lists
 *   moves out of it, which can never be taken because the episode has ended).
 * - v0: initial version.
 */
import { OptionReader } from './base.js';
import { GridWorld, UP_RIGHT_DOWN_LEFT } from './gridworld.js';

export const CLIFF_WALKING_LAYOUT: readonly string[] = ['............', '............', '............', 'SCCCCCCCCCCG'];

/** CliffWalking-v1 (Gymnasium's): `make('CliffWalking-v1')` calls this. */
export function makeCliffWalking(options: Record<string, unknown> = {}): GridWorld {
  const opts = new OptionReader('CliffWalking-v1', options, ['isSlippery']);
  const isSlippery = opts.boolean('isSlippery', false);
  return new GridWorld({
    id: 'CliffWalking-v1',
    layout: CLIFF_WALKING_LAYOUT,
    legend: {
      '.': { kind: 'free' },
      S: { kind: 'start' },
      C: { kind: 'hazard', reward: -100, then: 'reset' },
      G: { kind: 'goal', reward: -1 },
    },
    actions: UP_RIGHT_DOWN_LEFT,
    stepReward: -1,
    slipWeights: isSlippery ? [1, 1, 1] : undefined,
  });
}
