/**
 * A panel's drawing surface: one pixi.js v8 Application for the static scene, rendered on demand, and
 * small 2D-canvas overlays for what moves (the replaying agent and its trail, the pendulum rod).
 *
 * Why: with software WebGL (headless chromium, no GPU) every pixi frame costs in proportion to the
 * canvas area, however little changed, so a ticker redrawing a 900×400 scene 60 times a second held the
 * page at 10–20 fps. Here pixi draws only when the scene changes (`render()`), and each animation draws
 * into its own 2D canvas covering just its region, cleared and redrawn every animation frame.
 * pixi uses WebGL (WebGPU where WebGL is missing); the renderer's name is in the canvas's `data-renderer`. (Named stage.ts, not pixi.ts: a `pixi.ts` in the vite root would shadow `pixi.js`.)
 */
import { Application } from 'pixi.js';
import { COLORS, css } from './palette.js';

/** Something that moves: it owns a rectangle of the stage and draws it anew each animation frame. */
export interface Animation {
  /** The rectangle it draws in, in stage coordinates (CSS pixels). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Advances the animation by `ms` and draws it into `ctx` (cleared; origin at the rectangle's top left). */
  frame(ctx: CanvasRenderingContext2D, ms: number): void;
}

/** The same animation, its rectangle moved by (dx, dy). */
export const shifted = (a: Animation, dx: number, dy: number): Animation => ({ ...a, x: a.x + dx, y: a.y + dy });

/** The longest step an animation is advanced by in one frame (after a stall or a hidden tab). */
const MAX_STEP_MS = 100;

/** The 2D-canvas overlays of a stage box: one canvas per running animation, redrawn every animation frame. */
class Overlays {
  private overlays: Array<{ anim: Animation; ctx: CanvasRenderingContext2D }> = [];
  private raf = 0;
  private last = 0;

  constructor(private readonly box: HTMLElement) {}

  /** Replaces the running animations (none: stops the loop); each gets a 2D canvas over its rectangle. */
  animate(anims: readonly Animation[]): void {
    cancelAnimationFrame(this.raf);
    for (const o of this.overlays) o.ctx.canvas.remove();
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    this.overlays = anims.map((anim) => {
      const c = document.createElement('canvas');
      c.className = 'overlay';
      c.width = Math.ceil(anim.width * dpr);
      c.height = Math.ceil(anim.height * dpr);
      c.style.cssText = `left:${anim.x}px;top:${anim.y}px;width:${anim.width}px;height:${anim.height}px`;
      this.box.append(c);
      const ctx = c.getContext('2d')!;
      ctx.scale(dpr, dpr);
      return { anim, ctx };
    });
    this.last = performance.now();
    this.step(this.last);
  }

  private step = (now: number): void => {
    const ms = Math.min(MAX_STEP_MS, Math.max(0, now - this.last));
    this.last = now;
    for (const { anim, ctx } of this.overlays) {
      ctx.clearRect(0, 0, anim.width, anim.height);
      anim.frame(ctx, ms);
    }
    if (this.overlays.length) this.raf = requestAnimationFrame(this.step);
  };
}

function stageBox(parent: HTMLElement, canvas: HTMLCanvasElement): HTMLElement {
  const box = document.createElement('div');
  box.className = 'stage';
  box.append(canvas);
  parent.append(box);
  return box;
}

export class Stage {
  private readonly overlays: Overlays;

  private constructor(
    readonly app: Application,
    private readonly box: HTMLElement,
  ) {
    this.overlays = new Overlays(box);
  }

  static async create(parent: HTMLElement, width: number, height: number): Promise<Stage> {
    const app = new Application();
    await app.init({
      width,
      height,
      background: COLORS.bg,
      // Rendered on demand (no ticker), so multisampling costs once per change, not once per frame.
      antialias: true,
      autoStart: false,
      sharedTicker: false,
      autoDensity: true,
      resolution: Math.min(2, window.devicePixelRatio || 1),
      preference: 'webgl',
    });
    app.canvas.dataset.renderer = app.renderer.name;
    app.canvas.dataset.testid = 'pixi';
    return new Stage(app, stageBox(parent, app.canvas));
  }

  /** Draws the pixi scene now: call after changing it. */
  render(): void {
    this.app.render();
  }

  resize(width: number, height: number): void {
    this.app.renderer.resize(width, height);
    this.render();
  }

  /** Replaces the running animations (none: stops the loop); each gets a 2D canvas over its rectangle. */
  animate(anims: readonly Animation[]): void {
    this.overlays.animate(anims);
  }

  destroy(): void {
    this.animate([]);
    this.app.destroy(true, { children: true });
    this.box.remove();
  }
}

/**
 * A stage whose static scene is a 2D canvas the caller paints (`ctx`, in CSS pixels), with the same
 * animation overlays. Why: with software GL one pixi render of the side-by-side gridworld (about
 * 1100×600) cost about 40 ms even with nothing changed, while painting its cells and arrows on a 2D
 * canvas costs about 1 ms, and a slider drag repaints on every frame.
 */
export class CanvasStage {
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  private readonly overlays: Overlays;
  private readonly box: HTMLElement;

  constructor(parent: HTMLElement, width: number, height: number) {
    this.canvas = document.createElement('canvas');
    this.canvas.dataset.renderer = 'canvas2d';
    this.ctx = this.canvas.getContext('2d')!;
    this.box = stageBox(parent, this.canvas);
    this.overlays = new Overlays(this.box);
    this.resize(width, height);
  }

  /** Sets the size (CSS pixels) and clears the canvas to the background. */
  resize(width: number, height: number): void {
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    this.canvas.width = Math.ceil(width * dpr);
    this.canvas.height = Math.ceil(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.ctx.fillStyle = css(COLORS.bg);
    this.ctx.fillRect(0, 0, width, height);
  }

  animate(anims: readonly Animation[]): void {
    this.overlays.animate(anims);
  }

  destroy(): void {
    this.animate([]);
    this.box.remove();
  }
}
