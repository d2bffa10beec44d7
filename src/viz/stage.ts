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
import { COLORS } from './palette.js';

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

export class Stage {
  private overlays: Array<{ anim: Animation; ctx: CanvasRenderingContext2D }> = [];
  private raf = 0;
  private last = 0;

  private constructor(
    readonly app: Application,
    private readonly box: HTMLElement,
  ) {}

  /**
   * `antialias: false` for scenes of axis-aligned cells and arrows: with software GL, multisampling the
   * side-by-side gridworld cost about 40 of its 150 ms per redraw.
   */
  static async create(parent: HTMLElement, width: number, height: number, opts: { antialias?: boolean } = {}): Promise<Stage> {
    const app = new Application();
    await app.init({
      width,
      height,
      background: COLORS.bg,
      // Rendered on demand (no ticker), so multisampling costs once per change, not once per frame.
      antialias: opts.antialias ?? true,
      autoStart: false,
      sharedTicker: false,
      autoDensity: true,
      resolution: Math.min(2, window.devicePixelRatio || 1),
      preference: 'webgl',
    });
    app.canvas.dataset.renderer = app.renderer.name;
    app.canvas.dataset.testid = 'pixi';
    const box = document.createElement('div');
    box.className = 'stage';
    box.append(app.canvas);
    parent.append(box);
    return new Stage(app, box);
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

  destroy(): void {
    this.animate([]);
    this.app.destroy(true, { children: true });
    this.box.remove();
  }
}
