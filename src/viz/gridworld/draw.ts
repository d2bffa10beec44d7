/**
 * Pixi drawing of one gridworld scene: two grids side by side (or stacked), left the soft value V(s)
 * as a heat map under policy arrows whose length is π(a|s), right the visit counts over the sampled
 * rollouts (square-root scale) with an agent replaying the rollouts (an `Animation`, drawn over the static scene). Cell kinds: walls grey, hazards red,
 * goal green, start outlined blue.
 */
import { Container, Graphics, Text } from 'pixi.js';
import { COLORS, PRIOR_COLORS, css, valueRamp, visitRamp } from '../palette.js';
import { shifted, type Animation } from '../stage.js';
import type { GridWorld } from '../../envs/gridworld.js';
import type { GridEnvEntry, GridScene } from './compute.js';

export interface SceneView {
  root: Container;
  width: number;
  height: number;
  /** The agent replaying the rollouts over the visit grid, in the scene's coordinates. */
  animation: Animation;
}

const TITLE_H = 24;
const GAP = 14;
const STEP_MS = 110;

function title(text: string, color: number, x: number, y: number): Text {
  const t = new Text({ text, style: { fill: color, fontSize: 13, fontFamily: 'system-ui, DejaVu Sans, sans-serif', fontWeight: '600' } });
  t.position.set(x, y);
  return t;
}

/** Fixed cell decorations shared by both grids: walls, hazards, goal, start. */
function drawCells(g: Graphics, env: GridWorld, cell: number, fillFor: (s: number) => number | null): void {
  const kinds = env.kinds;
  for (let s = 0; s < kinds.length; s++) {
    const [r, c] = env.toRowCol(s);
    const x = c * cell;
    const y = r * cell;
    const k = kinds[s];
    const color = k === 'wall' ? COLORS.wall : k === 'hazard' ? COLORS.hazard : k === 'goal' ? COLORS.goal : (fillFor(s) ?? COLORS.panel);
    g.rect(x + 1, y + 1, cell - 2, cell - 2).fill(color);
    if (k === 'start') g.rect(x + 2.5, y + 2.5, cell - 5, cell - 5).stroke({ width: 3, color: COLORS.start });
    if (k === 'hazard') g.moveTo(x + cell * 0.3, y + cell * 0.3).lineTo(x + cell * 0.7, y + cell * 0.7).moveTo(x + cell * 0.7, y + cell * 0.3).lineTo(x + cell * 0.3, y + cell * 0.7).stroke({ width: 2, color: 0xffffff, alpha: 0.5 });
    if (k === 'goal') g.circle(x + cell / 2, y + cell / 2, cell * 0.18).stroke({ width: 2.5, color: 0xffffff, alpha: 0.85 });
  }
}

/**
 * Policy arrows: for each action with π(a|s) ≥ 2 %, one single-headed arrow from the edge of the centre
 * dot towards the neighbour the action moves to, its length ∝ π(a|s) (up to 45 % of the cell), its width
 * and opacity growing with π(a|s). A dark casing under each arrow keeps it legible on the palest cells.
 * `faint` draws the prior p(a|s) under the policy: thin, translucent, no casing and no centre dot.
 */
function drawArrows(g: Graphics, env: GridWorld, pi: Float64Array, cell: number, color: number, faint = false): void {
  const nA = env.actions.length;
  const kinds = env.kinds;
  const r0 = cell * 0.06;
  const reach = cell * 0.45;
  const casing = COLORS.bg;
  for (let s = 0; s < kinds.length; s++) {
    if (kinds[s] === 'wall' || env.model.terminalStates.has(s)) continue;
    const [r, c] = env.toRowCol(s);
    const cx = c * cell + cell / 2;
    const cy = r * cell + cell / 2;
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (p < 0.02) continue;
      const { dr, dc } = env.actions[a];
      const alpha = faint ? 0.35 + 0.4 * p : 0.45 + 0.55 * p;
      const width = faint ? Math.max(1, cell * 0.025) : Math.max(1.5, cell * (0.03 + 0.05 * p));
      const head = Math.min(cell * 0.16, cell * 0.07 + cell * 0.09 * p) * (faint ? 0.7 : 1);
      const tip = r0 + (reach - r0) * p;
      // The prior's arrows sit beside the policy's (shifted across their direction), so equal ones stay visible.
      const side = faint ? cell * 0.09 : 0;
      const ox = cx - dr * side;
      const oy = cy + dc * side;
      const bx = ox + dc * (tip - head);
      const by = oy + dr * (tip - head);
      const headPts = [ox + dc * tip, oy + dr * tip, bx - dr * head * 0.75, by + dc * head * 0.75, bx + dr * head * 0.75, by - dc * head * 0.75];
      if (tip - head > r0) {
        if (!faint) g.moveTo(ox + dc * r0, oy + dr * r0).lineTo(bx, by).stroke({ width: width + 2, color: casing, alpha: 0.35 * alpha });
        g.moveTo(ox + dc * r0, oy + dr * r0).lineTo(bx, by).stroke({ width, color, alpha });
      }
      // Head: a triangle whose tip is at distance `tip` from the centre, pointing along (dc, dr).
      if (!faint) g.poly(headPts).stroke({ width: 1.5, color: casing, alpha: 0.35 * alpha });
      g.poly(headPts).fill({ color, alpha });
    }
    if (!faint) g.rect(cx - r0 * 0.6, cy - r0 * 0.6, r0 * 1.2, r0 * 1.2).fill({ color, alpha: 0.8 });
  }
}

/** One grid: cells filled by `fillFor` (null: plain), under the arrows of the policy table `pi`. */
export function policyGraphics(env: GridWorld, pi: Float64Array, cell: number, fillFor: (s: number) => number | null, arrowColor = 0xffffff): Graphics {
  const g = new Graphics();
  drawCells(g, env, cell, fillFor);
  drawArrows(g, env, pi, cell, arrowColor);
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

/** The faint overlay of p(a|s): dark, so it reads on the bright value cells the white π arrows sit on. */
const PRIOR_ARROW = 0x05070c;

/** One labelled region (e.g. a route) outlined by its bounding box, its name on the box's bottom edge. */
function drawRegions(box: Container, env: GridWorld, regions: NonNullable<GridEnvEntry['regions']>, cell: number): void {
  const g = new Graphics();
  for (const { name, cells } of regions) {
    const rc = [...cells].map((s) => env.toRowCol(s));
    const [r0, r1] = [Math.min(...rc.map((p) => p[0])), Math.max(...rc.map((p) => p[0])) + 1];
    const [c0, c1] = [Math.min(...rc.map((p) => p[1])), Math.max(...rc.map((p) => p[1])) + 1];
    g.rect(c0 * cell + 1, r0 * cell + 1, (c1 - c0) * cell - 2, (r1 - r0) * cell - 2).stroke({ width: 2, color: 0xffffff, alpha: 0.55 });
    const t = new Text({ text: name, style: { fill: COLORS.text, fontSize: 11, fontFamily: 'system-ui, DejaVu Sans, sans-serif', fontWeight: '600' } });
    const x = ((c0 + c1) / 2) * cell - t.width / 2;
    const y = r1 * cell - t.height / 2;
    g.roundRect(x - 4, y - 1, t.width + 8, t.height + 2, 4).fill({ color: COLORS.bg, alpha: 0.85 });
    t.position.set(x, y);
    box.addChild(t);
  }
  box.addChildAt(g, box.children.length - regions.length);
}

/** A scene view whose pictures are redrawn in place (same pixi objects) when α, the prior's table or the seed change. */
export interface GridSceneView extends SceneView {
  update(scene: GridScene, vRange: [number, number]): void;
  /** The state under a point in the view's coordinates, or null. */
  stateAt(x: number, y: number): number | null;
}

/**
 * Builds a scene view. `label` heads it (the prior); `stacked` puts the visitation grid under the value
 * grid instead of beside it. `vRange` fixes the colour scale so side-by-side scenes are comparable.
 * The value grid shows p(a|s) as faint arrows under π(a|s) when α > 0 (at α = 0 the prior has no weight).
 */
export function buildScene(scene: GridScene, cell: number, stacked: boolean, vRange: [number, number], regions: GridEnvEntry['regions'] = []): GridSceneView {
  const { env } = scene;
  const gw = env.nCols * cell;
  const gh = env.nRows * cell;
  const root = new Container();
  const head = title('', PRIOR_COLORS[scene.prior], 0, 0);
  root.addChild(head);
  const valueBox = new Container();
  valueBox.position.set(0, TITLE_H + 18);
  const visitBox = new Container();
  visitBox.position.set(stacked ? 0 : gw + GAP, stacked ? TITLE_H + 18 + gh + GAP + 18 : TITLE_H + 18);
  const valueTitle = title('V(s), π(a|s) white, prior p(a|s) dark', COLORS.muted, valueBox.x, valueBox.y - 18);
  const visitTitle = title('', COLORS.muted, visitBox.x, visitBox.y - 18);
  valueTitle.style.fontSize = 12;
  visitTitle.style.fontSize = 12;
  root.addChild(valueTitle, visitTitle);

  // Cells and π change with α; the prior's arrows do not, so they are drawn once, over the cells, under π.
  const valueG = new Graphics();
  const priorG = new Graphics();
  drawArrows(priorG, env, scene.priorTable, cell, PRIOR_ARROW, true);
  const piG = new Graphics();
  valueBox.addChild(valueG, priorG, piG);
  const replay = visitGrid(env, scene.visits, scene.episodes, PRIOR_COLORS[scene.prior], cell);
  visitBox.addChild(replay.root);
  if (regions.length) {
    drawRegions(valueBox, env, regions, cell);
    drawRegions(visitBox, env, regions, cell);
  }
  root.addChild(valueBox, visitBox);

  const update = (sc: GridScene, [lo, hi]: [number, number]) => {
    head.text = `prior: ${sc.prior}, α = ${+sc.alpha.toPrecision(3)}`;
    visitTitle.text = `visits over ${sc.stats.rollouts} sampled rollouts`;
    valueG.clear();
    drawCells(valueG, env, cell, (s) => valueRamp(hi > lo ? (sc.V[s] - lo) / (hi - lo) : 0.5));
    priorG.visible = sc.alpha > 0;
    piG.clear();
    drawArrows(piG, env, sc.pi, cell, 0xffffff);
    replay.set(sc.visits, sc.episodes);
  };
  update(scene, vRange);
  const inGrid = (x: number, y: number, bx: number, by: number): number | null => {
    const c = Math.floor((x - bx) / cell);
    const r = Math.floor((y - by) / cell);
    return r >= 0 && r < env.nRows && c >= 0 && c < env.nCols ? r * env.nCols + c : null;
  };
  return {
    root,
    width: stacked ? gw : 2 * gw + GAP,
    height: stacked ? TITLE_H + 2 * (gh + 18) + GAP : TITLE_H + 18 + gh,
    animation: shifted(replay.animation, visitBox.x, visitBox.y),
    update,
    stateAt: (x, y) => inGrid(x, y, valueBox.x, valueBox.y) ?? inGrid(x, y, visitBox.x, visitBox.y),
  };
}

/**
 * A visit-count heat map (square-root scale) and an agent replaying `episodes` (state sequences) one
 * after another, its trail drawn in `color`. Also used to replay a recorded run's episodes.
 */
export function visitGrid(env: GridWorld, visits: ArrayLike<number>, episodes: readonly (readonly number[])[], color: number, cell: number): { root: Graphics; animation: Animation; set(visits: ArrayLike<number>, episodes: readonly (readonly number[])[]): void } {
  const root = new Graphics();
  const paint = (v: ArrayLike<number>) => {
    let maxVisit = 1;
    for (let s = 0; s < v.length; s++) maxVisit = Math.max(maxVisit, v[s]);
    root.clear();
    drawCells(root, env, cell, (s) => visitRamp(Math.sqrt(v[s] / maxVisit)));
  };
  paint(visits);
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
    root,
    animation,
    set(v, eps) {
      paint(v);
      episodes = eps;
    },
  };
}
