/**
 * Drawing of gridworld scenes: the soft value V(s) as a heat map under policy arrows whose length is
 * π(a|s) (and the prior's p(a|s) as thin dark arrows beside them), the visit counts over sampled
 * rollouts (square-root scale), and an agent replaying the rollouts (an `Animation`, drawn over the
 * static scene). Cell kinds: walls grey, hazards red, goal green, start outlined blue.
 * The same drawing code paints a pixi Graphics (live training, Runs) or a 2D canvas (the gridworld
 * panel, redrawn on every slider move: see `CanvasStage`), through a `Pen`.
 */
import { Graphics } from 'pixi.js';
import { COLORS, PRIOR_COLORS, css, valueRamp, visitRamp } from '../palette.js';
import type { Animation } from '../stage.js';
import type { GridWorld } from '../../envs/gridworld.js';
import type { GridEnvEntry, GridScene } from './compute.js';

const TITLE_H = 24;
const GAP = 14;
const STEP_MS = 110;
const FONT = 'system-ui, DejaVu Sans, sans-serif';

/** The drawing calls the grids need (colours as 0xRRGGBB, alpha in [0, 1]). */
export interface Pen {
  rect(x: number, y: number, w: number, h: number, color: number, alpha?: number): void;
  strokeRect(x: number, y: number, w: number, h: number, width: number, color: number, alpha?: number): void;
  line(x0: number, y0: number, x1: number, y1: number, width: number, color: number, alpha?: number): void;
  poly(pts: readonly number[], color: number, alpha?: number): void;
  polyStroke(pts: readonly number[], width: number, color: number, alpha?: number): void;
  ring(x: number, y: number, r: number, width: number, color: number, alpha?: number): void;
}

export function pixiPen(g: Graphics): Pen {
  return {
    rect: (x, y, w, h, color, alpha = 1) => void g.rect(x, y, w, h).fill({ color, alpha }),
    strokeRect: (x, y, w, h, width, color, alpha = 1) => void g.rect(x, y, w, h).stroke({ width, color, alpha }),
    line: (x0, y0, x1, y1, width, color, alpha = 1) =>
      void g.moveTo(x0, y0).lineTo(x1, y1).stroke({ width, color, alpha }),
    poly: (pts, color, alpha = 1) => void g.poly([...pts]).fill({ color, alpha }),
    polyStroke: (pts, width, color, alpha = 1) => void g.poly([...pts]).stroke({ width, color, alpha }),
    ring: (x, y, r, width, color, alpha = 1) => void g.circle(x, y, r).stroke({ width, color, alpha }),
  };
}

export function canvasPen(ctx: CanvasRenderingContext2D): Pen {
  const path = (pts: readonly number[]) => {
    ctx.beginPath();
    ctx.moveTo(pts[0], pts[1]);
    for (let i = 2; i < pts.length; i += 2) ctx.lineTo(pts[i], pts[i + 1]);
    ctx.closePath();
  };
  const fill = (color: number, alpha: number) => ((ctx.globalAlpha = alpha), (ctx.fillStyle = css(color)));
  const stroke = (width: number, color: number, alpha: number) => (
    (ctx.globalAlpha = alpha),
    (ctx.lineWidth = width),
    (ctx.strokeStyle = css(color))
  );
  return {
    rect: (x, y, w, h, color, alpha = 1) => (fill(color, alpha), ctx.fillRect(x, y, w, h)),
    strokeRect: (x, y, w, h, width, color, alpha = 1) => (stroke(width, color, alpha), ctx.strokeRect(x, y, w, h)),
    line: (x0, y0, x1, y1, width, color, alpha = 1) => {
      stroke(width, color, alpha);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
    },
    poly: (pts, color, alpha = 1) => (fill(color, alpha), path(pts), ctx.fill()),
    polyStroke: (pts, width, color, alpha = 1) => (stroke(width, color, alpha), path(pts), ctx.stroke()),
    ring: (x, y, r, width, color, alpha = 1) => {
      stroke(width, color, alpha);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.stroke();
    },
  };
}

/** Fixed cell decorations shared by all grids: walls, hazards, goal, start. */
function drawCells(g: Pen, env: GridWorld, cell: number, fillFor: (s: number) => number | null): void {
  const kinds = env.kinds;
  for (let s = 0; s < kinds.length; s++) {
    const [r, c] = env.toRowCol(s);
    const x = c * cell;
    const y = r * cell;
    const k = kinds[s];
    const color =
      k === 'wall'
        ? COLORS.wall
        : k === 'hazard'
          ? COLORS.hazard
          : k === 'goal'
            ? COLORS.goal
            : (fillFor(s) ?? COLORS.panel);
    g.rect(x + 1, y + 1, cell - 2, cell - 2, color);
    if (k === 'start') g.strokeRect(x + 2.5, y + 2.5, cell - 5, cell - 5, 3, COLORS.start);
    if (k === 'hazard') {
      g.line(x + cell * 0.3, y + cell * 0.3, x + cell * 0.7, y + cell * 0.7, 2, 0xffffff, 0.5);
      g.line(x + cell * 0.7, y + cell * 0.3, x + cell * 0.3, y + cell * 0.7, 2, 0xffffff, 0.5);
    }
    if (k === 'goal') g.ring(x + cell / 2, y + cell / 2, cell * 0.18, 2.5, 0xffffff, 0.85);
  }
}

/**
 * Policy arrows: for each action with π(a|s) ≥ 2 %, one single-headed arrow from the edge of the centre
 * dot towards the neighbour the action moves to, its length ∝ π(a|s) (up to 45 % of the cell), its width
 * and opacity growing with π(a|s). A dark casing under each arrow keeps it legible on the palest cells.
 * `faint` draws the prior p(a|s) under the policy: thin, translucent, no casing and no centre dot.
 * `room` < 1 keeps the arrows in the top `room` of each cell's height (sized to it), leaving the rest for a label.
 */
export function drawArrows(
  g: Pen,
  env: GridWorld,
  pi: Float64Array,
  cell: number,
  color: number,
  faint = false,
  room = 1,
): void {
  const nA = env.actions.length;
  const kinds = env.kinds;
  const r0 = cell * room * 0.06;
  const reach = cell * room * 0.45;
  const casing = COLORS.bg;
  for (let s = 0; s < kinds.length; s++) {
    if (kinds[s] === 'wall' || env.model.terminalStates.has(s)) continue;
    const [r, c] = env.toRowCol(s);
    const cx = c * cell + cell / 2;
    const cy = r * cell + (cell * room) / 2;
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (p < 0.02) continue;
      const { dr, dc } = env.actions[a];
      const alpha = faint ? 0.35 + 0.4 * p : 0.45 + 0.55 * p;
      const size = cell * room;
      const width = faint ? Math.max(1, size * 0.025) : Math.max(1.5, size * (0.03 + 0.05 * p));
      const head = Math.min(size * 0.16, size * 0.07 + size * 0.09 * p) * (faint ? 0.7 : 1);
      const tip = r0 + (reach - r0) * p;
      // The prior's arrows sit beside the policy's (shifted across their direction), so equal ones stay visible.
      const side = faint ? cell * 0.09 : 0;
      const ox = cx - dr * side;
      const oy = cy + dc * side;
      const bx = ox + dc * (tip - head);
      const by = oy + dr * (tip - head);
      const headPts = [
        ox + dc * tip,
        oy + dr * tip,
        bx - dr * head * 0.75,
        by + dc * head * 0.75,
        bx + dr * head * 0.75,
        by - dc * head * 0.75,
      ];
      if (tip - head > r0) {
        if (!faint) g.line(ox + dc * r0, oy + dr * r0, bx, by, width + 2, casing, 0.35 * alpha);
        g.line(ox + dc * r0, oy + dr * r0, bx, by, width, color, alpha);
      }
      // Head: a triangle whose tip is at distance `tip` from the centre, pointing along (dc, dr).
      if (!faint) g.polyStroke(headPts, 1.5, casing, 0.35 * alpha);
      g.poly(headPts, color, alpha);
    }
    if (!faint) g.rect(cx - r0 * 0.6, cy - r0 * 0.6, r0 * 1.2, r0 * 1.2, color, 0.8);
  }
}

/** One grid at (x, y) of a 2D canvas: cells filled by `fillFor` (null: plain), under the arrows of the policy table `pi`. */
export function paintPolicyGrid(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  env: GridWorld,
  pi: Float64Array,
  cell: number,
  fillFor: (s: number) => number | null,
): void {
  const pen = canvasPen(ctx);
  ctx.save();
  ctx.fillStyle = css(COLORS.bg);
  ctx.fillRect(x, y, env.nCols * cell, env.nRows * cell);
  ctx.translate(x, y);
  drawCells(pen, env, cell, fillFor);
  drawArrows(pen, env, pi, cell, 0xffffff);
  ctx.restore();
}

/**
 * The same grid as a pixi `Graphics` (for pixi panels, e.g. inverse RL), drawn by the same code through a pixi pen;
 * `arrowRoom` as `room` of the arrows (the top share of each cell they use).
 */
export function policyGraphics(
  env: GridWorld,
  pi: Float64Array,
  cell: number,
  fillFor: (s: number) => number | null,
  arrowRoom = 1,
): Graphics {
  const g = new Graphics();
  const pen = pixiPen(g);
  drawCells(pen, env, cell, fillFor);
  drawArrows(pen, env, pi, cell, 0xffffff, false, arrowRoom);
  return g;
}

/** Min and max of V over the states the agent can act in (walls and terminal states excluded). */
export function valueRange(env: GridWorld, V: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  env.kinds.forEach((k, s) => {
    if (k === 'wall' || env.model.terminalStates.has(s)) return;
    lo = Math.min(lo, V[s]);
    hi = Math.max(hi, V[s]);
  });
  return [lo, hi];
}

/** The prior's arrows: dark, so they read on the bright value cells the white π arrows sit on. */
const PRIOR_ARROW = 0x05070c;

/**
 * One gridworld scene at (x, y) of a 2D canvas: a title (the prior and its α), the value grid with the
 * arrows of π and, when α > 0, of the prior (at α = 0 it has no weight), the visit grid with the agent
 * replaying rollouts, and the env's named regions outlined on both. `stacked` puts the visit grid under
 * the value grid. `paint` redraws it all for a new scene of the same env (about 1 ms).
 */
export class GridScenePainter {
  readonly width: number;
  readonly height: number;
  readonly animation: Animation;
  private readonly value: [number, number];
  private readonly visit: [number, number];
  private readonly replay: ReturnType<typeof replayAnimation>;

  constructor(
    readonly x: number,
    readonly y: number,
    private readonly scene: GridScene,
    private readonly cell: number,
    stacked: boolean,
    private readonly regions: GridEnvEntry['regions'] = [],
  ) {
    const { env } = scene;
    const gw = env.nCols * cell;
    const gh = env.nRows * cell;
    this.value = [x, y + TITLE_H + 18];
    this.visit = stacked ? [x, y + TITLE_H + 18 + gh + GAP + 18] : [x + gw + GAP, y + TITLE_H + 18];
    this.width = stacked ? gw : 2 * gw + GAP;
    this.height = stacked ? TITLE_H + 2 * (gh + 18) + GAP : TITLE_H + 18 + gh;
    this.replay = replayAnimation(env, scene.episodes, PRIOR_COLORS[scene.prior], cell);
    this.animation = { ...this.replay.animation, x: this.visit[0], y: this.visit[1] };
  }

  paint(ctx: CanvasRenderingContext2D, sc: GridScene, [lo, hi]: [number, number]): void {
    const { env } = sc;
    const pen = canvasPen(ctx);
    ctx.save();
    ctx.globalAlpha = 1;
    ctx.fillStyle = css(COLORS.bg);
    ctx.fillRect(this.x, this.y, this.width, this.height);
    ctx.textBaseline = 'top';
    ctx.font = `600 13px ${FONT}`;
    ctx.fillStyle = css(PRIOR_COLORS[sc.prior]);
    ctx.fillText(`prior: ${sc.prior}, α = ${+sc.alpha.toPrecision(3)}`, this.x, this.y);
    ctx.font = `600 12px ${FONT}`;
    ctx.fillStyle = css(COLORS.muted);
    // Squeezed to the grid's width when narrower (a phone), so the two titles never overlap.
    const gw = env.nCols * this.cell;
    ctx.fillText('V(s), π(a|s) white, prior p(a|s) dark', this.value[0], this.value[1] - 18, gw);
    ctx.fillText(`visits over ${sc.stats.rollouts} sampled rollouts`, this.visit[0], this.visit[1] - 18, gw);

    ctx.translate(...this.value);
    drawCells(pen, env, this.cell, (s) => valueRamp(hi > lo ? (sc.V[s] - lo) / (hi - lo) : 0.5));
    if (sc.alpha > 0) drawArrows(pen, env, sc.priorTable, this.cell, PRIOR_ARROW, true);
    drawArrows(pen, env, sc.pi, this.cell, 0xffffff);
    this.paintRegions(ctx, pen);
    ctx.translate(this.visit[0] - this.value[0], this.visit[1] - this.value[1]);
    let maxVisit = 1;
    for (let s = 0; s < sc.visits.length; s++) maxVisit = Math.max(maxVisit, sc.visits[s]);
    drawCells(pen, env, this.cell, (s) => visitRamp(Math.sqrt(sc.visits[s] / maxVisit)));
    this.paintRegions(ctx, pen);
    ctx.restore();
    this.replay.set(sc.episodes);
  }

  /** Each region outlined by its bounding box, its name on the box's bottom edge. */
  private paintRegions(ctx: CanvasRenderingContext2D, pen: Pen): void {
    const { env } = this.scene;
    const cell = this.cell;
    ctx.font = `600 11px ${FONT}`;
    ctx.textBaseline = 'middle';
    for (const { name, cells } of this.regions ?? []) {
      const rc = [...cells].map((s) => env.toRowCol(s));
      const [r0, r1] = [Math.min(...rc.map((p) => p[0])), Math.max(...rc.map((p) => p[0])) + 1];
      const [c0, c1] = [Math.min(...rc.map((p) => p[1])), Math.max(...rc.map((p) => p[1])) + 1];
      pen.strokeRect(c0 * cell + 1, r0 * cell + 1, (c1 - c0) * cell - 2, (r1 - r0) * cell - 2, 2, 0xffffff, 0.55);
      const w = ctx.measureText(name).width;
      const x = ((c0 + c1) / 2) * cell - w / 2;
      const y = r1 * cell;
      pen.rect(x - 4, y - 8, w + 8, 16, COLORS.bg, 0.85);
      ctx.globalAlpha = 1;
      ctx.fillStyle = css(COLORS.text);
      ctx.fillText(name, x, y);
    }
    ctx.textBaseline = 'top';
  }

  /** The state under a point of the canvas (either grid), or null. */
  stateAt(px: number, py: number): number | null {
    const { env } = this.scene;
    for (const [bx, by] of [this.value, this.visit]) {
      const c = Math.floor((px - bx) / this.cell);
      const r = Math.floor((py - by) / this.cell);
      if (r >= 0 && r < env.nRows && c >= 0 && c < env.nCols) return r * env.nCols + c;
    }
    return null;
  }
}

/**
 * A visit-count heat map (square-root scale) and an agent replaying `episodes` (state sequences) one
 * after another, its trail drawn in `color`. Used to replay a recorded run's episodes.
 */
export function visitGrid(
  env: GridWorld,
  visits: ArrayLike<number>,
  episodes: readonly (readonly number[])[],
  color: number,
  cell: number,
): { root: Graphics; animation: Animation } {
  const root = new Graphics();
  drawCells(pixiPen(root), env, cell, visitFill(visits));
  return { root, animation: replayAnimation(env, episodes, color, cell).animation };
}

/** The same visit map painted on a 2D canvas at its origin (many small maps side by side: no WebGL context each). */
export function paintVisitGrid(
  ctx: CanvasRenderingContext2D,
  env: GridWorld,
  visits: ArrayLike<number>,
  episodes: readonly (readonly number[])[],
  color: number,
  cell: number,
): Animation {
  drawCells(canvasPen(ctx), env, cell, visitFill(visits));
  ctx.globalAlpha = 1;
  return replayAnimation(env, episodes, color, cell).animation;
}

/** Cell colours on a square-root scale of the visit counts. */
function visitFill(visits: ArrayLike<number>): (s: number) => number {
  let maxVisit = 1;
  for (let s = 0; s < visits.length; s++) maxVisit = Math.max(maxVisit, visits[s]);
  return (s) => visitRamp(Math.sqrt(visits[s] / maxVisit));
}

/** An agent replaying `episodes` one after another over a grid at the origin; `set` swaps the episodes. */
function replayAnimation(
  env: GridWorld,
  episodes: readonly (readonly number[])[],
  color: number,
  cell: number,
): { animation: Animation; set(episodes: readonly (readonly number[])[]): void } {
  const center = (s: number): [number, number] => {
    const [r, c] = env.toRowCol(s);
    return [c * cell + cell / 2, r * cell + cell / 2];
  };
  const trailColor = css(color);
  let ep = 0;
  let t = 0;
  const animation: Animation = {
    x: 0,
    y: 0,
    width: env.nCols * cell,
    height: env.nRows * cell,
    frame(ctx, ms) {
      t += ms;
      // Hold the final state for a few steps, then move on to the next episode.
      if (ep >= episodes.length) ep = 0;
      if (t > (episodes[ep].length + 3) * STEP_MS) {
        t = 0;
        ep = (ep + 1) % episodes.length;
      }
      const states = episodes[ep];
      const i = Math.min(Math.floor(t / STEP_MS), states.length - 1);
      const f = Math.min(1, (t % STEP_MS) / STEP_MS);
      const [x0, y0] = center(states[i]);
      const [x1, y1] = center(states[Math.min(i + 1, states.length - 1)]);
      const ax = x0 + (x1 - x0) * f;
      const ay = y0 + (y1 - y0) * f;
      // The trail runs through the states visited so far up to the agent.
      ctx.beginPath();
      ctx.moveTo(...center(states[0]));
      for (let k = 1; k <= i; k++) ctx.lineTo(...center(states[k]));
      ctx.lineTo(ax, ay);
      ctx.lineJoin = 'round';
      // A dark casing under the trail keeps it visible on the palest (most visited) cells.
      ctx.lineWidth = 4.5;
      ctx.strokeStyle = css(COLORS.bg);
      ctx.globalAlpha = 0.55;
      ctx.stroke();
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = trailColor;
      ctx.globalAlpha = 0.9;
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(ax, ay, cell * 0.2, 0, 2 * Math.PI);
      ctx.fillStyle = css(COLORS.agent);
      ctx.lineWidth = 2;
      ctx.fill();
      ctx.stroke();
    },
  };
  return {
    animation,
    set(eps) {
      episodes = eps;
    },
  };
}
