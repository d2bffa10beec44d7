/**
 * One pixi.js v8 Application per panel: WebGL where the browser has it, else pixi's canvas renderer
 * (headless chromium without a GPU). The active renderer's name is written to `data-renderer` on the canvas.
 * (Named stage.ts, not pixi.ts: a `pixi.ts` in the vite root would shadow the `pixi.js` package.)
 */
import { Application, type Container } from 'pixi.js';
import { COLORS } from './palette.js';

export async function createPixi(parent: HTMLElement, width: number, height: number): Promise<Application> {
  const app = new Application();
  await app.init({
    width,
    height,
    background: COLORS.bg,
    // No multisampling on the main surface: with software WebGL (no GPU) the cost of every frame grows with
    // canvas area × samples, and MSAA alone took the gridworld from 23 to 13 fps. Static layers are still
    // drawn antialiased, once, into their cached textures (`freeze`).
    antialias: false,
    autoDensity: true,
    resolution: Math.min(2, window.devicePixelRatio || 1),
    preference: 'webgl',
  });
  app.canvas.dataset.renderer = app.renderer.name;
  app.canvas.dataset.testid = 'pixi';
  parent.append(app.canvas);
  return app;
}

/** Renders a static container once into a texture, so each frame draws one quad instead of its geometry. */
export function freeze<T extends Container>(c: T): T {
  c.cacheAsTexture({ resolution: Math.min(2, window.devicePixelRatio || 1), antialias: true });
  return c;
}
