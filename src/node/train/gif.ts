/**
 * Scenes (`src/envs/scene.ts`) to pixels and an animated GIF (npm `gifenc`). The palette is the scene
 * palette itself, so frames need no quantization and the same scene always gives the same bytes.
 */
import gifencDefault, * as gifencModule from 'gifenc';
import { SCENE_PALETTE, type Scene, type SceneColor } from '../../envs/scene.js';
import { drawText, GLYPH_HEIGHT } from './font.js';

// gifenc ships CommonJS and an ESM file without "exports": Node's loader gives the CommonJS object as the default
// export, vite's (vitest, in-process CLI tests) the ESM file's named exports. Take whichever holds the encoder.
const gifenc: typeof gifencDefault =
  (gifencModule as unknown as Partial<typeof gifencDefault>).GIFEncoder !== undefined
    ? (gifencModule as unknown as typeof gifencDefault)
    : gifencDefault;

const COLORS = Object.keys(SCENE_PALETTE) as SceneColor[];
const INDEX = new Map(COLORS.map((c, i) => [c, i]));
export const GIF_PALETTE: number[][] = COLORS.map((c) => [...SCENE_PALETTE[c]]);

/** The scene as palette indices, `width × height` row-major (row 0 at the top). */
export function rasterize(scene: Scene, width: number, height: number): Uint8Array {
  const px = new Uint8Array(width * height).fill(INDEX.get('background')!);
  const { xMin, xMax, yMin, yMax } = scene.view;
  const sx = width / (xMax - xMin);
  const sy = height / (yMax - yMin);
  // Pixel centre (i, j) in world coordinates.
  const wx = (i: number) => xMin + (i + 0.5) / sx;
  const wy = (j: number) => yMax - (j + 0.5) / sy;
  const fill = (
    x0: number,
    x1: number,
    y0: number,
    y1: number,
    color: SceneColor,
    inside: (x: number, y: number) => boolean,
  ) => {
    const c = INDEX.get(color)!;
    const i0 = Math.max(0, Math.floor((x0 - xMin) * sx));
    const i1 = Math.min(width - 1, Math.ceil((x1 - xMin) * sx));
    const j0 = Math.max(0, Math.floor((yMax - y1) * sy));
    const j1 = Math.min(height - 1, Math.ceil((yMax - y0) * sy));
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) if (inside(wx(i), wy(j))) px[j * width + i] = c;
  };
  for (const s of scene.shapes) {
    if (s.kind === 'rect')
      fill(s.x, s.x + s.w, s.y, s.y + s.h, s.color, (x, y) => x >= s.x && x <= s.x + s.w && y >= s.y && y <= s.y + s.h);
    else if (s.kind === 'circle')
      fill(s.x - s.r, s.x + s.r, s.y - s.r, s.y + s.r, s.color, (x, y) => (x - s.x) ** 2 + (y - s.y) ** 2 <= s.r * s.r);
    else {
      const h = s.width / 2;
      const [dx, dy] = [s.x2 - s.x1, s.y2 - s.y1];
      const len2 = dx * dx + dy * dy || 1;
      const near = (x: number, y: number) => {
        const t = Math.min(1, Math.max(0, ((x - s.x1) * dx + (y - s.y1) * dy) / len2));
        return (x - s.x1 - t * dx) ** 2 + (y - s.y1 - t * dy) ** 2 <= h * h;
      };
      fill(
        Math.min(s.x1, s.x2) - h,
        Math.max(s.x1, s.x2) + h,
        Math.min(s.y1, s.y2) - h,
        Math.max(s.y1, s.y2) + h,
        s.color,
        near,
      );
    }
  }
  return px;
}

/** The height in pixels that keeps `scene`'s world aspect at `width` pixels wide (square cells, a round bob). */
export function sceneHeight(scene: Scene, width: number): number {
  const { xMin, xMax, yMin, yMax } = scene.view;
  return Math.max(1, Math.round((width * (yMax - yMin)) / (xMax - xMin)));
}

/** The caption's font scale for a `width`-pixel frame: 1 up to 479 px (40 characters a line at 240), then 2, … */
export const captionScale = (width: number): number => Math.max(1, Math.floor(width / 240));

/** Rows of the caption band under a `width`-pixel frame holding `lines` lines: 3 px margins, 10 px a line (× scale). */
export const captionHeight = (width: number, lines: number): number =>
  (lines * (GLYPH_HEIGHT + 3) + 3) * captionScale(width);

/** `frame` (`width` wide) with a band under it holding `lines` in ink, one per row of text (clipped at the edge). */
export function withCaption(frame: Uint8Array, width: number, lines: readonly string[]): Uint8Array {
  const scale = captionScale(width);
  const out = new Uint8Array(frame.length + width * captionHeight(width, lines.length)).fill(INDEX.get('background')!);
  out.set(frame);
  const top = frame.length / width;
  // A grid-coloured rule between the scene and its caption.
  out.fill(INDEX.get('grid')!, top * width, (top + 1) * width);
  lines.forEach((line, k) =>
    drawText(out, width, 3 * scale, top + (3 + k * (GLYPH_HEIGHT + 3)) * scale, line, INDEX.get('ink')!, scale),
  );
  return out;
}

/** An animated GIF of `frames` (palette-index images of `width × height`), `delayMs` per frame, looping. */
export function encodeGif(frames: readonly Uint8Array[], width: number, height: number, delayMs: number): Uint8Array {
  const enc = gifenc.GIFEncoder();
  for (const f of frames) enc.writeFrame(f, width, height, { palette: GIF_PALETTE, delay: delayMs });
  enc.finish();
  return enc.bytes();
}
