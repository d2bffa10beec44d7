/**
 * Pixi scenes for the continuous envs. PointMass: the arena with obstacles and goals (from the env's
 * exported geometry) under many trajectories drawn at low opacity, and one dot replaying them in turn.
 * Pendulum: the rod from its pivot, a curved arrow for the torque (length ∝ |u|), and the bob's trace.
 */
import { Container, Graphics, Text } from 'pixi.js';
import { POINT_MASS_GEOMETRY } from '../../envs/pointmass.js';
import { COLORS } from '../palette.js';
import { freeze } from '../stage.js';

export interface AnimatedView {
  root: Container;
  tick(ms: number): void;
}

const FONT = { fontFamily: 'system-ui, DejaVu Sans, sans-serif', fontSize: 12 };
const STEP_MS = 40;

export const GOAL_COLORS: Record<string, number> = { far: 0x2bb3a3, near: 0xf0a030, none: 0xe05570 };

/** `trajectories`: flat x,y arrays; `goals`: the goal each reached (null: none). */
export function pointMassView(size: number, trajectories: readonly Float32Array[], goals: readonly (string | null)[]): AnimatedView {
  const { bounds, obstacles, goals: goalSpecs, start } = POINT_MASS_GEOMETRY;
  const sx = (x: number) => ((x - bounds.xMin) / (bounds.xMax - bounds.xMin)) * size;
  const sy = (y: number) => size - ((y - bounds.yMin) / (bounds.yMax - bounds.yMin)) * size;
  const sr = (r: number) => (r / (bounds.xMax - bounds.xMin)) * size;
  const root = new Container();
  const still = new Container();
  const bg = new Graphics().rect(0, 0, size, size).fill(COLORS.panel).stroke({ width: 1, color: COLORS.grid });
  for (let v = -0.5; v <= 0.5; v += 0.5) bg.moveTo(sx(v), 0).lineTo(sx(v), size).moveTo(0, sy(v)).lineTo(size, sy(v));
  bg.stroke({ width: 1, color: COLORS.grid, alpha: 0.6 });
  for (const o of obstacles) bg.circle(sx(o.x), sy(o.y), sr(o.r)).fill(COLORS.wall);
  still.addChild(bg);
  const lines = new Graphics();
  trajectories.forEach((xy, i) => {
    lines.moveTo(sx(xy[0]), sy(xy[1]));
    for (let k = 2; k < xy.length; k += 2) lines.lineTo(sx(xy[k]), sy(xy[k + 1]));
    lines.stroke({ width: 1.4, color: GOAL_COLORS[goals[i] ?? 'none'], alpha: 0.22 });
  });
  still.addChild(lines);
  const marks = new Graphics();
  for (const g of goalSpecs) marks.circle(sx(g.x), sy(g.y), sr(g.r)).fill({ color: COLORS.goal, alpha: 0.35 }).stroke({ width: 2, color: COLORS.goal });
  marks.circle(sx(start.x), sy(start.y), 5).fill(COLORS.start);
  still.addChild(marks);
  for (const g of goalSpecs) {
    const t = new Text({ text: `${g.name} goal +${g.reward}`, style: { ...FONT, fill: COLORS.text } });
    t.anchor.set(0.5, 0);
    t.position.set(Math.min(size - 50, sx(g.x)), sy(g.y) + sr(g.r) + 4);
    still.addChild(t);
  }
  const startLabel = new Text({ text: 'start', style: { ...FONT, fill: COLORS.muted } });
  startLabel.position.set(sx(start.x) - 14, sy(start.y) + 8);
  still.addChild(startLabel);
  root.addChild(freeze(still));
  const trail = new Graphics();
  const dot = new Graphics().circle(0, 0, 6).fill(COLORS.agent);
  root.addChild(trail, dot);
  let ep = 0;
  let t = 0;
  return {
    root,
    tick(ms) {
      if (trajectories.length === 0) return;
      t += ms;
      const xy = trajectories[ep];
      const n = xy.length / 2;
      if (t > (n + 10) * STEP_MS) {
        t = 0;
        ep = (ep + 1) % trajectories.length;
        return;
      }
      const i = Math.min(n - 1, Math.floor(t / STEP_MS));
      dot.position.set(sx(xy[2 * i]), sy(xy[2 * i + 1]));
      trail.clear().moveTo(sx(xy[0]), sy(xy[1]));
      for (let k = 1; k <= i; k++) trail.lineTo(sx(xy[2 * k]), sy(xy[2 * k + 1]));
      trail.stroke({ width: 2.5, color: GOAL_COLORS[goals[ep] ?? 'none'] });
    },
  };
}

/** Replays θ(t) with torque u(t) (applied at step t); loops. */
export function pendulumView(size: number, theta: ArrayLike<number>, torque: ArrayLike<number>): AnimatedView {
  const root = new Container();
  const cx = size / 2;
  const cy = size / 2;
  const L = size * 0.34;
  root.addChild(new Graphics().rect(0, 0, size, size).fill(COLORS.panel).stroke({ width: 1, color: COLORS.grid }).circle(cx, cy, L).stroke({ width: 1, color: COLORS.grid }));
  const upright = new Text({ text: 'upright (θ = 0)', style: { ...FONT, fill: COLORS.muted } });
  upright.anchor.set(0.5, 1);
  upright.position.set(cx, cy - L - 6);
  root.addChild(upright);
  const trace = new Graphics();
  const rod = new Graphics();
  const arrow = new Graphics();
  const label = new Text({ text: '', style: { ...FONT, fill: COLORS.text } });
  label.position.set(10, 10);
  root.addChild(trace, rod, arrow, label);
  const bob = (th: number): [number, number] => [cx + L * Math.sin(th), cy - L * Math.cos(th)];
  let t = 0;
  const n = theta.length;
  return {
    root,
    tick(ms) {
      t = (t + ms) % ((n + 15) * STEP_MS);
      const i = Math.min(n - 1, Math.floor(t / STEP_MS));
      const [bx, by] = bob(theta[i]);
      trace.clear();
      for (let k = Math.max(1, i - 40); k <= i; k++) {
        const a = bob(theta[k - 1]);
        const b = bob(theta[k]);
        trace.moveTo(...a).lineTo(...b).stroke({ width: 2, color: 0x2bb3a3, alpha: 1 - (i - k) / 41 });
      }
      rod.clear().moveTo(cx, cy).lineTo(bx, by).stroke({ width: 7, color: 0xdfe6f3, cap: 'round' }).circle(bx, by, 12).fill(0xf0a030).circle(cx, cy, 5).fill(COLORS.muted);
      // θ has one more entry than u (the final state): after the last action there is no torque to show.
      const u = i < torque.length ? torque[i] : NaN;
      // Torque: an arc around the pivot; positive u increases θ, which is clockwise on screen (y down).
      arrow.clear();
      const span = (Math.abs(u) / 2) * Math.PI * 0.9;
      if (span > 0.02) {
        const r = L * 0.45;
        const a0 = theta[i] - Math.PI / 2;
        const dir = Math.sign(u);
        const a1 = a0 + dir * span;
        arrow.arc(cx, cy, r, Math.min(a0, a1), Math.max(a0, a1)).stroke({ width: 4, color: 0xe05570 });
        const hx = cx + r * Math.cos(a1);
        const hy = cy + r * Math.sin(a1);
        const tx = -Math.sin(a1) * dir;
        const ty = Math.cos(a1) * dir;
        arrow.poly([hx + tx * 10, hy + ty * 10, hx - ty * 6, hy + tx * 6, hx + ty * 6, hy - tx * 6]).fill(0xe05570);
      }
      label.text = `t = ${i}   θ = ${theta[i].toFixed(2)}   torque u = ${Number.isNaN(u) ? '— (episode over)' : u.toFixed(2)}`;
    },
  };
}
