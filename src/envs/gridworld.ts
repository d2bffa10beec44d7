/**
 * Gridworld engine: a finite MDP built from an ASCII layout, with its exact model `P[s][a]`.
 *
 * - Every cell is a state, indexed row-major: `s = row * nCols + col` (Gymnasium's toy-text indexing;
 *   walls and hazard cells are states too, merely unreachable).
 * - `legend` maps each layout character to a cell kind: `free`, `start` (episodes start uniformly on
 *   the start cells), `wall` (blocks movement: the agent stays put, as at the grid border), `goal`
 *   (entering it pays `reward` and terminates) and `hazard` (entering it pays `reward`, then either
 *   terminates — a hole or lava — or teleports to the start without terminating — CliffWalking's cliff).
 * - Any other move pays `stepReward`.
 * - `actions` lists the moves in the env's own order; with `slipWeights = [wPrev, wIntended, wNext]`
 *   the executed move is `a − 1`, `a` or `a + 1` (mod nA) with probabilities proportional to the
 *   weights (Gymnasium's slippery FrozenLake/CliffWalking is `[1, 1, 1]`; `actions` must then be in
 *   rotational order so that `a ± 1` are the two perpendicular moves).
 * - Terminal cells (goals, terminating hazards) are absorbing: `P[s][a] = [{1, s, 0, terminated}]`.
 *   Wall cells are unreachable; they are modelled the same way (and listed in `terminalStates`) so that
 *   every exact linear system over the model is well-posed.
 *
 * The engine is rendering-agnostic: `layout`, `kinds`, `toRowCol`, `toState` and `actions` are all a
 * visualizer needs to draw it.
 */
import { Discrete } from '../core/spaces.js';
import type { Rng } from '../core/rng.js';
import { BaseEnv, checkDiscreteAction } from './base.js';
import type { Env, ResetResult, StepResult, TabularEnv, TabularModel, Transition } from './env.js';
import { TimeLimit, unwrapped } from './wrappers.js';

export type CellKind = 'free' | 'start' | 'wall' | 'goal' | 'hazard';

export type CellSpec =
  | { kind: 'free' | 'start' | 'wall' }
  | { kind: 'goal'; reward: number }
  | { kind: 'hazard'; reward: number; then: 'terminate' | 'reset' };

export interface GridAction {
  name: string;
  /** Row change (+1 is down). */
  dr: number;
  /** Column change (+1 is right). */
  dc: number;
}

export interface GridWorldSpec {
  id: string;
  /** Rows of equal length; each character must be a key of `legend`. */
  layout: readonly string[];
  legend: Readonly<Record<string, CellSpec>>;
  actions: readonly GridAction[];
  stepReward: number;
  /** `[previous, intended, next]` action weights, or undefined for deterministic moves. */
  slipWeights?: readonly [number, number, number];
}

/** FrozenLake's action order: 0=Left, 1=Down, 2=Right, 3=Up. */
export const LEFT_DOWN_RIGHT_UP: readonly GridAction[] = [
  { name: 'Left', dr: 0, dc: -1 },
  { name: 'Down', dr: 1, dc: 0 },
  { name: 'Right', dr: 0, dc: 1 },
  { name: 'Up', dr: -1, dc: 0 },
];

/** CliffWalking's action order: 0=Up, 1=Right, 2=Down, 3=Left. */
export const UP_RIGHT_DOWN_LEFT: readonly GridAction[] = [
  { name: 'Up', dr: -1, dc: 0 },
  { name: 'Right', dr: 0, dc: 1 },
  { name: 'Down', dr: 1, dc: 0 },
  { name: 'Left', dr: 0, dc: -1 },
];

/** Parses a layout, naming the row and column of any malformed cell. */
function parseLayout(id: string, layout: readonly string[], legend: Readonly<Record<string, CellSpec>>): CellSpec[] {
  if (layout.length === 0) throw new RangeError(`${id}: layout must have at least one row`);
  const nCols = layout[0].length;
  if (nCols === 0) throw new RangeError(`${id}: layout row 0 is empty`);
  const cells: CellSpec[] = [];
  layout.forEach((row, r) => {
    if (row.length !== nCols) {
      throw new RangeError(`${id}: layout row ${r} has length ${row.length}, expected ${nCols} (the length of row 0)`);
    }
    for (let c = 0; c < nCols; c++) {
      const spec = legend[row[c]];
      if (spec === undefined) {
        throw new RangeError(
          `${id}: layout row ${r}, column ${c}: unknown cell '${row[c]}'; allowed: ${Object.keys(legend)
            .map((k) => `'${k}'`)
            .join(', ')}`,
        );
      }
      cells.push(spec);
    }
  });
  if (!cells.some((s) => s.kind === 'start')) throw new RangeError(`${id}: layout has no start cell`);
  return cells;
}

export class GridWorld extends BaseEnv<number, number> implements TabularEnv {
  readonly id: string;
  readonly nRows: number;
  readonly nCols: number;
  readonly layout: readonly string[];
  readonly cells: readonly CellSpec[];
  readonly actions: readonly GridAction[];
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  readonly model: TabularModel;
  readonly startStates: readonly number[];
  private state = 0;
  // Flattened outcome tables for sampling: outcomes of (s, a) are [offset[k], offset[k + 1]).
  private readonly offset: Int32Array;
  private readonly cumProb: Float64Array;
  private readonly outcomes: Transition[];

  constructor(readonly spec: GridWorldSpec) {
    super();
    const { id, layout, legend, actions, slipWeights } = spec;
    this.id = id;
    this.layout = layout;
    this.actions = actions;
    this.nRows = layout.length;
    this.nCols = layout[0]?.length ?? 0;
    this.cells = parseLayout(id, layout, legend);
    const nS = this.cells.length;
    const nA = actions.length;
    if (
      slipWeights &&
      (slipWeights.some((w) => !(w >= 0)) || !(slipWeights[0] + slipWeights[1] + slipWeights[2] > 0))
    ) {
      throw new RangeError(
        `${id}: slipWeights must be three non-negative weights with a positive sum, got [${slipWeights.join(', ')}]`,
      );
    }
    this.observationSpace = new Discrete(nS);
    this.actionSpace = new Discrete(nA);
    this.startStates = this.cells.flatMap((c, s) => (c.kind === 'start' ? [s] : []));
    const hasResetHazard = this.cells.some((c) => c.kind === 'hazard' && c.then === 'reset');
    if (hasResetHazard && this.startStates.length !== 1) {
      throw new RangeError(
        `${id}: a hazard with then='reset' needs exactly one start cell, found ${this.startStates.length}`,
      );
    }

    const P: Transition[][][] = [];
    const terminalStates = new Set<number>();
    for (let s = 0; s < nS; s++) {
      const cell = this.cells[s];
      const terminal =
        cell.kind === 'goal' || cell.kind === 'wall' || (cell.kind === 'hazard' && cell.then === 'terminate');
      if (terminal) terminalStates.add(s);
      const row: Transition[][] = [];
      for (let a = 0; a < nA; a++) {
        row.push(terminal ? [{ prob: 1, next: s, reward: 0, terminated: true }] : this.outcomesOf(s, a));
      }
      P.push(row);
    }
    const initialDistribution = new Float64Array(nS);
    for (const s of this.startStates) initialDistribution[s] = 1 / this.startStates.length;
    this.model = { nStates: nS, nActions: nA, P, initialDistribution, terminalStates };

    this.offset = new Int32Array(nS * nA + 1);
    this.outcomes = [];
    const cum: number[] = [];
    for (let k = 0; k < nS * nA; k++) {
      let acc = 0;
      for (const t of P[Math.floor(k / nA)][k % nA]) {
        acc += t.prob;
        cum.push(acc);
        this.outcomes.push(t);
      }
      this.offset[k + 1] = this.outcomes.length;
    }
    this.cumProb = Float64Array.from(cum);
  }

  /** Cell kind of each state (row-major), for drawing. */
  get kinds(): CellKind[] {
    return this.cells.map((c) => c.kind);
  }

  /** The (row, column) of state `s`. */
  toRowCol(s: number): [number, number] {
    return [Math.floor(s / this.nCols), s % this.nCols];
  }

  /** The state of (row, column). */
  toState(row: number, col: number): number {
    if (
      !Number.isInteger(row) ||
      row < 0 ||
      row >= this.nRows ||
      !Number.isInteger(col) ||
      col < 0 ||
      col >= this.nCols
    ) {
      throw new RangeError(`${this.id}: cell (${row}, ${col}) is outside the ${this.nRows}x${this.nCols} grid`);
    }
    return row * this.nCols + col;
  }

  /** The current state (for renderers). */
  get current(): number {
    return this.state;
  }

  /** The moves action `a` executes with their probabilities: the intended one, or with slip also its two neighbours. */
  executedMoves(a: number): Array<[move: number, prob: number]> {
    const { slipWeights } = this.spec;
    const nA = this.actions.length;
    const moves: Array<[number, number]> = slipWeights
      ? [
          [(a - 1 + nA) % nA, slipWeights[0]],
          [a, slipWeights[1]],
          [(a + 1) % nA, slipWeights[2]],
        ]
      : [[a, 1]];
    const total = moves.reduce((acc, [, w]) => acc + w, 0);
    return moves.map(([b, w]) => [b, w / total]);
  }

  /**
   * The cell move `b` enters from `s`: the neighbour, or `s` itself at the border or against a wall. A
   * hazard with `then: 'reset'` is entered too, before it sends the agent back to the start.
   */
  moveTarget(s: number, b: number): number {
    const [row, col] = this.toRowCol(s);
    const r2 = Math.min(Math.max(row + this.actions[b].dr, 0), this.nRows - 1);
    const c2 = Math.min(Math.max(col + this.actions[b].dc, 0), this.nCols - 1);
    const target = r2 * this.nCols + c2;
    return this.cells[target].kind === 'wall' ? s : target;
  }

  private outcomesOf(s: number, a: number): Transition[] {
    const { stepReward } = this.spec;
    return this.executedMoves(a).map(([b, prob]) => {
      const next = this.moveTarget(s, b);
      const cell = this.cells[next];
      if (cell.kind === 'goal') return { prob, next, reward: cell.reward, terminated: true };
      if (cell.kind === 'hazard') {
        return cell.then === 'terminate'
          ? { prob, next, reward: cell.reward, terminated: true }
          : { prob, next: this.startStates[0], reward: cell.reward, terminated: false };
      }
      return { prob, next, reward: stepReward, terminated: false };
    });
  }

  protected resetEpisode(rng: Rng): ResetResult<number> {
    this.state = this.startStates[rng.integer(this.startStates.length)];
    return { obs: this.state, info: { prob: 1 / this.startStates.length } };
  }

  protected stepEpisode(action: number, rng: Rng): StepResult<number> {
    checkDiscreteAction(this.id, this.actionSpace, action);
    const k = this.state * this.actions.length + action;
    let i = this.offset[k];
    const end = this.offset[k + 1] - 1;
    if (end > i) {
      const u = rng.uniform() * this.cumProb[end];
      while (i < end && u >= this.cumProb[i]) i++;
    }
    const t = this.outcomes[i];
    this.state = t.next;
    return { obs: t.next, reward: t.reward, terminated: t.terminated, truncated: false, info: { prob: t.prob } };
  }
}

/**
 * The same gridworld with EXPLORING STARTS (Sutton & Barto 2018, §5.3; the restart distribution of Kakade &
 * Langford 2002): every free cell is also a start cell, reset picks one uniformly. Dynamics, rewards and the
 * time limit are unchanged, so the soft-optimal policy π* (optimal from every state at once) is the same;
 * only the states an on-policy learner sees change. Takes a gridworld env from `make` (a GridWorld, possibly
 * inside a TimeLimit).
 */
export function exploringStarts(env: Env): TabularEnv {
  const grid = unwrapped(env);
  if (!(grid instanceof GridWorld)) throw new RangeError(`exploringStarts: expected a GridWorld, got ${env.id}`);
  const legend = Object.fromEntries(
    Object.entries(grid.spec.legend).map(([ch, cell]) => [
      ch,
      cell.kind === 'free' ? { kind: 'start' as const } : cell,
    ]),
  );
  const inner = new GridWorld({ ...grid.spec, legend });
  return (env instanceof TimeLimit ? new TimeLimit(inner, env.maxEpisodeSteps) : inner) as TabularEnv;
}
