/**
 * # FrozenLake-v1
 *
 * ## Description
 * Walk across a frozen lake from the start (S) to the goal (G) over frozen tiles (F) without falling
 * into a hole (H). The ice is slippery by default, so the player may move perpendicular to the
 * intended direction. A re-implementation of Gymnasium's `FrozenLakeEnv`.
 *
 * ## Action Space
 * `Discrete(4)`: 0 = Left, 1 = Down, 2 = Right, 3 = Up.
 *
 * ## Observation Space
 * `Discrete(nrow * ncol)`: `row * ncol + col` (16 states for 4x4, 64 for 8x8). The goal of 4x4 is 15.
 *
 * ## Rewards
 * +1 for entering the goal, 0 otherwise (holes included).
 *
 * ## Starting State
 * The S cell (uniform over S cells if a custom map has several).
 *
 * ## Episode End
 * Termination: entering a hole or the goal. Truncation: 100 steps (4x4 and custom maps), 200 steps for
 * `mapName: '8x8'` (Gymnasium's `FrozenLake8x8-v1` limit; `make` applies it automatically).
 *
 * ## Arguments
 * `make('FrozenLake-v1', { mapName: '4x4' | '8x8', isSlippery: true, desc?: string[] })`.
 * With `isSlippery` the move made is the intended one or either perpendicular one, each with
 * probability 1/3 (outcome order in `P[s][a]`: a − 1, a, a + 1 mod 4, as Gymnasium lists them).
 * `desc` (rows over S, F, H, G) overrides `mapName`. `info.prob` is the sampled transition's probability.
 *
 * ## Version History
 * - v1: Gymnasium's current version (bug fixes to the reward and map of v0).
 * - v0: initial version.
 */
import { OptionReader } from './base.js';
import { GridWorld, LEFT_DOWN_RIGHT_UP } from './gridworld.js';

export const FROZEN_LAKE_MAPS = {
  '4x4': ['SFFF', 'FHFH', 'FFFH', 'HFFG'],
  '8x8': ['SFFFFFFF', 'FFFFFFFF', 'FFFHFFFF', 'FFFFFHFF', 'FFFHFFFF', 'FHHFFFHF', 'FHFFHFHF', 'FFFHFFFG'],
} as const satisfies Record<string, readonly string[]>;

export type FrozenLakeMapName = keyof typeof FROZEN_LAKE_MAPS;
const MAP_NAMES = Object.keys(FROZEN_LAKE_MAPS) as FrozenLakeMapName[];
const OPTIONS = ['mapName', 'isSlippery', 'desc'] as const;

/** FrozenLake-v1 (Gymnasium's): `make('FrozenLake-v1', { isSlippery, mapName })` calls this. */
export function makeFrozenLake(options: Record<string, unknown> = {}): GridWorld {
  const opts = new OptionReader('FrozenLake-v1', options, OPTIONS);
  const mapName = opts.oneOf('mapName', MAP_NAMES, '4x4');
  const isSlippery = opts.boolean('isSlippery', true);
  const desc = opts.stringArray('desc') ?? FROZEN_LAKE_MAPS[mapName];
  return new GridWorld({
    id: 'FrozenLake-v1',
    layout: desc,
    legend: {
      S: { kind: 'start' },
      F: { kind: 'free' },
      H: { kind: 'hazard', reward: 0, then: 'terminate' },
      G: { kind: 'goal', reward: 1 },
    },
    actions: LEFT_DOWN_RIGHT_UP,
    stepReward: 0,
    slipWeights: isSlippery ? [1, 1, 1] : undefined,
  });
}

/** Gymnasium's time limit: 200 for the 8x8 map (`FrozenLake8x8-v1`), 100 otherwise. */
export function frozenLakeTimeLimit(options: Record<string, unknown>): number {
  return options.mapName === '8x8' && options.desc === undefined ? 200 : 100;
}
