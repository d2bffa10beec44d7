/**
 * Scenes for the continuous envs: a static pixi container and an `Animation` drawn over it.
 * PointMass: the arena with obstacles and goals (from the env's exported geometry) under many
 * trajectories drawn at low opacity, and one dot replaying them in turn. Pendulum: the rod from its
 * pivot, a curved arrow for the torque (length ∝ |u|), and the bob's trace.
 */
import { Container, Graphics, Sprite, Text, Texture } from 'pixi.js';
import { POINT_MASS_GEOMETRY } from '../../envs/pointmass.js';
import { COLORS, css } from '../palette.js';
import type { Animation } from '../stage.js';

export interface AnimatedView {
  /** What stays still (drawn by pixi once). */
  root: Container;
  /** What moves, in the same coordinates. */
  animation: Animation;
}

const FONT = { fontFamily: 'system-ui, DejaVu Sans, sans-serif', fontSize: 12 };
const CANVAS_FONT = `${FONT.fontSize}px ${FONT.fontFamily}`;
const STEP_MS = 40;

export const GOAL_COLORS: Record<string, number> = { far: 0x2bb3a3, near: 0xf0a030, none: 0xe05570 };

/** PointMass's arena (CSS px) → screen: `size` square pixels for the env's bounds, y up. */
function pointMassScale(size: number) {
  const { bounds } = POINT_MASS_GEOMETRY;
  return {
    sx: (x: number) => ((x - bounds.xMin) / (bounds.xMax - bounds.xMin)) * size,
    sy: (y: number) => size - ((y - bounds.yMin) / (bounds.yMax - bounds.yMin)) * size,
    sr: (r: number) => (r / (bounds.xMax - bounds.xMin)) * size,
  };
}

/**
 * PointMass's still scene on a 2D canvas (origin at its top left, `size` CSS px square): the arena with its
 * obstacles, `trajectories` (flat x,y arrays) at low opacity, `colors[i]` the colour of trajectory i, and the
 * goals and the start on top. A 2D canvas, not pixi triangles: the bundle is tens of thousands of segments,
 * and the live-training view repaints it at every read-out.
 */
export function paintPointMass(
  ctx: CanvasRenderingContext2D,
  size: number,
  trajectories: readonly Float32Array[],
  colors: readonly number[],
): void {
  const { obstacles, goals, start } = POINT_MASS_GEOMETRY;
  const { sx, sy, sr } = pointMassScale(size);
  const circle = (x: number, y: number, r: number) => (ctx.beginPath(), ctx.arc(x, y, r, 0, 2 * Math.PI));
  ctx.save();
  ctx.fillStyle = css(COLORS.panel);
  ctx.fillRect(0, 0, size, size);
  ctx.lineWidth = 1;
  ctx.strokeStyle = css(COLORS.grid);
  ctx.strokeRect(0.5, 0.5, size - 1, size - 1);
  ctx.globalAlpha = 0.6;
  ctx.beginPath();
  for (let v = -0.5; v <= 0.5; v += 0.5) {
    ctx.moveTo(sx(v), 0);
    ctx.lineTo(sx(v), size);
    ctx.moveTo(0, sy(v));
    ctx.lineTo(size, sy(v));
  }
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.fillStyle = css(COLORS.wall);
  for (const o of obstacles) (circle(sx(o.x), sy(o.y), sr(o.r)), ctx.fill());
  ctx.lineWidth = 1.4;
  ctx.globalAlpha = 0.22;
  trajectories.forEach((xy, i) => {
    ctx.beginPath();
    ctx.moveTo(sx(xy[0]), sy(xy[1]));
    for (let k = 2; k < xy.length; k += 2) ctx.lineTo(sx(xy[k]), sy(xy[k + 1]));
    ctx.strokeStyle = css(colors[i]);
    ctx.stroke();
  });
  ctx.lineWidth = 2;
  ctx.strokeStyle = css(COLORS.goal);
  ctx.font = CANVAS_FONT;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  for (const g of goals) {
    circle(sx(g.x), sy(g.y), sr(g.r));
    ctx.globalAlpha = 0.35;
    ctx.fillStyle = css(COLORS.goal);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.stroke();
    ctx.fillStyle = css(COLORS.text);
    ctx.fillText(`${g.name} goal +${g.reward}`, Math.min(size - 50, sx(g.x)), sy(g.y) + sr(g.r) + 4);
  }
  disc(ctx, sx(start.x), sy(start.y), 5, css(COLORS.start));
  ctx.textAlign = 'left';
  ctx.fillStyle = css(COLORS.muted);
  ctx.fillText('start', sx(start.x) - 14, sy(start.y) + 8);
  ctx.restore();
}

/** PointMass with trajectories overlaid (`paintPointMass`), and one dot replaying them in turn. */
export function pointMassView(
  size: number,
  trajectories: readonly Float32Array[],
  colors: readonly number[],
): AnimatedView {
  const { sx, sy } = pointMassScale(size);
  const root = new Container();
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const scene = document.createElement('canvas');
  scene.width = scene.height = Math.ceil(size * dpr);
  const ctx = scene.getContext('2d')!;
  ctx.scale(dpr, dpr);
  paintPointMass(ctx, size, trajectories, colors);
  const sprite = new Sprite(Texture.from(scene, true));
  sprite.setSize(size, size);
  sprite.on('destroyed', () => sprite.texture.destroy(true));
  root.addChild(sprite);
  let ep = 0;
  let t = 0;
  const animation: Animation = {
    x: 0,
    y: 0,
    width: size,
    height: size,
    frame(ctx, ms) {
      if (trajectories.length === 0) return;
      t += ms;
      if (t > (trajectories[ep].length / 2 + 10) * STEP_MS) {
        t = 0;
        ep = (ep + 1) % trajectories.length;
      }
      const xy = trajectories[ep];
      const n = xy.length / 2;
      const i = Math.min(n - 1, Math.floor(t / STEP_MS));
      ctx.beginPath();
      ctx.moveTo(sx(xy[0]), sy(xy[1]));
      for (let k = 1; k <= i; k++) ctx.lineTo(sx(xy[2 * k]), sy(xy[2 * k + 1]));
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = css(colors[ep]);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(sx(xy[2 * i]), sy(xy[2 * i + 1]), 6, 0, 2 * Math.PI);
      ctx.fillStyle = css(COLORS.agent);
      ctx.fill();
    },
  };
  return { root, animation };
}

/** Replays θ(t) with torque u(t) (applied at step t); loops. */
export function pendulumView(size: number, theta: ArrayLike<number>, torque: ArrayLike<number>): AnimatedView {
  const root = new Container();
  const cx = size / 2;
  const cy = size / 2;
  const L = size * 0.34;
  root.addChild(
    new Graphics()
      .rect(0, 0, size, size)
      .fill(COLORS.panel)
      .stroke({ width: 1, color: COLORS.grid })
      .circle(cx, cy, L)
      .stroke({ width: 1, color: COLORS.grid }),
  );
  const upright = new Text({ text: 'upright (θ = 0)', style: { ...FONT, fill: COLORS.muted } });
  upright.anchor.set(0.5, 1);
  // Above the bob (radius 12) when it stands upright.
  upright.position.set(cx, cy - L - 16);
  root.addChild(upright);
  const bob = (th: number): [number, number] => [cx + L * Math.sin(th), cy - L * Math.cos(th)];
  let t = 0;
  const n = theta.length;
  const animation: Animation = {
    x: 0,
    y: 0,
    width: size,
    height: size,
    frame(ctx, ms) {
      t = (t + ms) % ((n + 15) * STEP_MS);
      const i = Math.min(n - 1, Math.floor(t / STEP_MS));
      const [bx, by] = bob(theta[i]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = css(0x2bb3a3);
      for (let k = Math.max(1, i - 40); k <= i; k++) {
        ctx.globalAlpha = 1 - (i - k) / 41;
        ctx.beginPath();
        ctx.moveTo(...bob(theta[k - 1]));
        ctx.lineTo(...bob(theta[k]));
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.moveTo(cx, cy);
      ctx.lineTo(bx, by);
      ctx.lineWidth = 7;
      ctx.lineCap = 'round';
      ctx.strokeStyle = css(COLORS.text);
      ctx.stroke();
      ctx.lineCap = 'butt';
      disc(ctx, bx, by, 12, css(0xf0a030));
      disc(ctx, cx, cy, 5, css(COLORS.muted));
      // θ has one more entry than u (the final state): after the last action there is no torque to show.
      const u = i < torque.length ? torque[i] : NaN;
      // Torque: an arc around the pivot; positive u increases θ, which is clockwise on screen (y down).
      const span = (Math.abs(u) / 2) * Math.PI * 0.9;
      if (span > 0.02) {
        const r = L * 0.45;
        const a0 = theta[i] - Math.PI / 2;
        const dir = Math.sign(u);
        const a1 = a0 + dir * span;
        ctx.beginPath();
        ctx.arc(cx, cy, r, Math.min(a0, a1), Math.max(a0, a1));
        ctx.lineWidth = 4;
        ctx.strokeStyle = css(0xe05570);
        ctx.stroke();
        const hx = cx + r * Math.cos(a1);
        const hy = cy + r * Math.sin(a1);
        const tx = -Math.sin(a1) * dir;
        const ty = Math.cos(a1) * dir;
        ctx.beginPath();
        ctx.moveTo(hx + tx * 10, hy + ty * 10);
        ctx.lineTo(hx - ty * 6, hy + tx * 6);
        ctx.lineTo(hx + ty * 6, hy - tx * 6);
        ctx.fillStyle = css(0xe05570);
        ctx.fill();
      }
      ctx.font = CANVAS_FONT;
      // At the bottom: the "upright" label holds the top.
      ctx.textBaseline = 'bottom';
      ctx.fillStyle = css(COLORS.text);
      ctx.fillText(
        `t = ${i}   θ = ${theta[i].toFixed(2)}   torque u = ${Number.isNaN(u) ? '— (episode over)' : u.toFixed(2)}`,
        10,
        size - 8,
      );
    },
  };
  return { root, animation };
}

function disc(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, color: string): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = color;
  ctx.fill();
}

/** MountainCar's hill height at position x (Gymnasium's rendering, as `envs/scene.ts` draws it). */
const hill = (x: number): number => 0.45 * Math.sin(3 * x) + 0.55;

/**
 * The valley with the flag at x = 0.45; replays every rollout's car at once (`xs[i]`: positions per step, the
 * start included), rollout `picked` solid with its force arrow (`force`: the action at each step), the others
 * faint. Loops.
 */
export function mountainCarView(
  width: number,
  height: number,
  xs: ReadonlyArray<ArrayLike<number>>,
  picked: number,
  force: ArrayLike<number>,
): AnimatedView {
  // Room above the right crest for the flag and the read-out.
  const [x0, x1, y0, y1] = [-1.2, 0.6, 0, 1.5];
  const sx = (x: number) => ((x - x0) / (x1 - x0)) * width;
  const sy = (y: number) => height - ((y - y0) / (y1 - y0)) * height;
  const ground = new Graphics().rect(0, 0, width, height).fill(COLORS.panel).stroke({ width: 1, color: COLORS.grid });
  ground.moveTo(sx(x0), sy(hill(x0)));
  for (let k = 1; k <= 90; k++) ground.lineTo(sx(x0 + ((x1 - x0) * k) / 90), sy(hill(x0 + ((x1 - x0) * k) / 90)));
  ground.stroke({ width: 3, color: 0x8d6e63 });
  const fx = sx(0.45);
  const fy = sy(hill(0.45));
  ground
    .moveTo(fx, fy)
    .lineTo(fx, fy - 40)
    .stroke({ width: 2, color: COLORS.text });
  ground.rect(fx, fy - 40, 18, 12).fill(COLORS.goal);
  const root = new Container();
  root.addChild(ground);
  const flag = new Text({ text: 'flag x = 0.45', style: { ...FONT, fill: COLORS.muted } });
  // Left of the pole, below the read-out line at the top.
  flag.anchor.set(1, 0.5);
  flag.position.set(fx - 6, fy - 28);
  root.addChild(flag);
  const n = Math.max(...xs.map((x) => x.length));
  let t = 0;
  const car = (ctx: CanvasRenderingContext2D, x: number, color: string, r: number) =>
    disc(ctx, sx(x), sy(hill(x)) - r, r, color);
  const animation: Animation = {
    x: 0,
    y: 0,
    width,
    height,
    frame(ctx, ms) {
      // Ten steps per frame interval: an episode lasts up to 999 steps.
      t = (t + ms) % ((n + 40) * (STEP_MS / 4));
      const i = Math.floor(t / (STEP_MS / 4));
      ctx.globalAlpha = 0.35;
      xs.forEach((x, k) => k !== picked && car(ctx, x[Math.min(i, x.length - 1)], css(COLORS.start), 5));
      ctx.globalAlpha = 1;
      const mine = xs[picked];
      const j = Math.min(i, mine.length - 1);
      car(ctx, mine[j], css(0xf0a030), 8);
      const u = j < force.length ? force[j] : NaN;
      if (Math.abs(u) > 0.02) {
        // The force pushes along x: an arrow from the car, length ∝ |u|.
        const cx = sx(mine[j]);
        const cy = sy(hill(mine[j])) - 8;
        const len = 30 * Math.min(1, Math.abs(u)) * Math.sign(u);
        ctx.beginPath();
        ctx.moveTo(cx, cy - 14);
        ctx.lineTo(cx + len, cy - 14);
        ctx.lineWidth = 3;
        ctx.strokeStyle = css(0xe05570);
        ctx.stroke();
      }
      ctx.font = CANVAS_FONT;
      ctx.textBaseline = 'top';
      ctx.fillStyle = css(COLORS.text);
      ctx.fillText(
        `t = ${j}   x = ${mine[j].toFixed(2)}   force = ${Number.isNaN(u) ? '— (episode over)' : u.toFixed(2)}`,
        10,
        10,
      );
    },
  };
  return { root, animation };
}
