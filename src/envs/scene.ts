/**
 * A scene description of an env's state: plain shapes in world coordinates (y up) with colours from one
 * fixed palette, for any renderer (the GIF writer of `priorlab enjoy` rasterizes it; the browser visualizer
 * can draw the same shapes). Browser-safe, no drawing code.
 */
import type { Env, Observation } from './env.js';
import { GridWorld, type CellKind } from './gridworld.js';
import { POINT_MASS_GEOMETRY } from './pointmass.js';
import { unwrapped } from './wrappers.js';

/** The palette every scene draws from (index = colour id; RGB). */
export const SCENE_PALETTE = {
  background: [255, 255, 255],
  ink: [34, 34, 34],
  grid: [200, 200, 200],
  wall: [90, 90, 90],
  goal: [76, 175, 80],
  hazard: [229, 57, 53],
  start: [187, 222, 251],
  agent: [25, 118, 210],
  ground: [141, 110, 99],
  flag: [255, 179, 0],
  obstacle: [158, 158, 158],
} as const satisfies Record<string, readonly [number, number, number]>;
export type SceneColor = keyof typeof SCENE_PALETTE;

export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; color: SceneColor }
  | { kind: 'circle'; x: number; y: number; r: number; color: SceneColor }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color: SceneColor };

export interface Scene {
  /** The world rectangle shown, y up. */
  view: { xMin: number; xMax: number; yMin: number; yMax: number };
  /** Drawn in order over the background. */
  shapes: Shape[];
}

/** MountainCar's hill height at position x (Gymnasium's rendering: 0.45·sin(3x) + 0.55). */
const hill = (x: number): number => 0.45 * Math.sin(3 * x) + 0.55;

const CELL_COLOR: Record<CellKind, SceneColor | null> = {
  free: null,
  start: 'start',
  wall: 'wall',
  goal: 'goal',
  hazard: 'hazard',
};

/** True when `sceneOf` can draw `env`. */
export function hasScene(env: Env): boolean {
  const base = unwrapped(env);
  return (
    base instanceof GridWorld ||
    ['Pendulum-v1', 'PendulumNoVel-v1', 'MountainCarContinuous-v0', 'PointMass-v0'].includes(env.id)
  );
}

/** The scene of `env` at observation `obs` (its state as the agent sees it). */
export function sceneOf(env: Env, obs: Observation): Scene {
  const base = unwrapped(env);
  if (base instanceof GridWorld) {
    const shapes: Shape[] = [];
    base.kinds.forEach((kind, s) => {
      const [row, col] = base.toRowCol(s);
      const color = CELL_COLOR[kind];
      shapes.push({ kind: 'rect', x: col, y: base.nRows - 1 - row, w: 1, h: 1, color: 'grid' });
      shapes.push({
        kind: 'rect',
        x: col + 0.04,
        y: base.nRows - 1 - row + 0.04,
        w: 0.92,
        h: 0.92,
        color: color ?? 'background',
      });
    });
    const [row, col] = base.toRowCol(obs as number);
    shapes.push({ kind: 'circle', x: col + 0.5, y: base.nRows - 0.5 - row, r: 0.3, color: 'agent' });
    return { view: { xMin: 0, xMax: base.nCols, yMin: 0, yMax: base.nRows }, shapes };
  }
  const o = obs as ArrayLike<number>;
  switch (env.id) {
    case 'Pendulum-v1':
    case 'PendulumNoVel-v1': {
      // obs = [cos θ, sin θ, …], θ = 0 upright.
      const [cos, sin] = [o[0], o[1]];
      return {
        view: { xMin: -1.25, xMax: 1.25, yMin: -1.25, yMax: 1.25 },
        shapes: [
          { kind: 'line', x1: 0, y1: 0, x2: sin, y2: cos, width: 0.12, color: 'hazard' },
          { kind: 'circle', x: sin, y: cos, r: 0.09, color: 'hazard' },
          { kind: 'circle', x: 0, y: 0, r: 0.05, color: 'ink' },
        ],
      };
    }
    case 'MountainCarContinuous-v0': {
      const shapes: Shape[] = [];
      const n = 60;
      for (let i = 0; i < n; i++) {
        const x1 = -1.2 + (1.8 * i) / n;
        const x2 = -1.2 + (1.8 * (i + 1)) / n;
        shapes.push({ kind: 'line', x1, y1: hill(x1), x2, y2: hill(x2), width: 0.02, color: 'ground' });
      }
      shapes.push({
        kind: 'line',
        x1: 0.45,
        y1: hill(0.45),
        x2: 0.45,
        y2: hill(0.45) + 0.2,
        width: 0.015,
        color: 'ink',
      });
      shapes.push({ kind: 'rect', x: 0.45, y: hill(0.45) + 0.14, w: 0.08, h: 0.06, color: 'flag' });
      shapes.push({ kind: 'circle', x: o[0], y: hill(o[0]) + 0.05, r: 0.05, color: 'agent' });
      return { view: { xMin: -1.2, xMax: 0.6, yMin: 0, yMax: 1.2 }, shapes };
    }
    case 'PointMass-v0': {
      const g = POINT_MASS_GEOMETRY;
      const shapes: Shape[] = [
        ...g.obstacles.map((c): Shape => ({ kind: 'circle', x: c.x, y: c.y, r: c.r, color: 'obstacle' })),
        ...g.goals.map((c): Shape => ({ kind: 'circle', x: c.x, y: c.y, r: c.r, color: 'goal' })),
        { kind: 'circle', x: o[0], y: o[1], r: 0.04, color: 'agent' },
      ];
      return { view: { xMin: g.bounds.xMin, xMax: g.bounds.xMax, yMin: g.bounds.yMin, yMax: g.bounds.yMax }, shapes };
    }
    default:
      throw new RangeError(
        `sceneOf: no drawing for ${env.id}; drawn: gridworlds, Pendulum-v1, PendulumNoVel-v1, MountainCarContinuous-v0, PointMass-v0`,
      );
  }
}

/** The glyph of each gridworld cell kind in `gridText`, and the agent's. */
const GLYPH: Record<CellKind, string> = { free: '.', start: 'S', wall: '#', goal: 'G', hazard: 'X' };
const AGENT_GLYPH = 'A';

/** What `gridText`'s glyphs mean, in one line. */
export const GRID_LEGEND = `${AGENT_GLYPH} agent  ${GLYPH.start} start  ${GLYPH.goal} goal  ${GLYPH.hazard} hazard  ${GLYPH.wall} wall  ${GLYPH.free} free`;

/** A gridworld frame as text (walls #, goal G, hazard X, start S, agent A): `enjoy`'s terminal animation. */
export function gridText(env: Env, obs: Observation): string | null {
  const base = unwrapped(env);
  if (!(base instanceof GridWorld)) return null;
  const rows = Array.from({ length: base.nRows }, () => new Array<string>(base.nCols).fill(' '));
  base.kinds.forEach((kind, s) => {
    const [r, c] = base.toRowCol(s);
    rows[r][c] = GLYPH[kind];
  });
  const [r, c] = base.toRowCol(obs as number);
  rows[r][c] = AGENT_GLYPH;
  return rows.map((row) => row.join('')).join('\n');
}

/** The kind of the gridworld cell `obs` is in (null for other envs): where an episode ended. */
export function cellKindAt(env: Env, obs: Observation): CellKind | null {
  const base = unwrapped(env);
  return base instanceof GridWorld ? base.kinds[obs as number] : null;
}

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

/** An action as a caption says it: a gridworld's move by name, Pendulum's torque, MountainCar's force, else a = (…). */
export function actionText(env: Env, action: ArrayLike<number>): string {
  const base = unwrapped(env);
  if (base instanceof GridWorld) return base.actions[action[0]]?.name ?? `action ${action[0]}`;
  switch (env.id) {
    case 'Pendulum-v1':
    case 'PendulumNoVel-v1':
      return `torque ${signed(action[0])}`;
    case 'MountainCarContinuous-v0':
      return `force ${signed(action[0])}`;
    default:
      return `a = (${Array.from(action, signed).join(', ')})`;
  }
}
