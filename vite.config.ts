/**
 * The visualizer (src/viz): `npm start` serves it on 127.0.0.1, `npm run build` writes `dist/viewer/` (`dist/` itself holds the library build, `npm run build:lib`).
 * Recorded runs are served read-only under `/runs/` from `PRIORLAB_RUNS_DIR` (default `runs/`), and the
 * tfjs wasm binaries under `/tfjs-wasm/`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { runsPlugin, tfjsWasmPlugin } from './src/node/vite-plugins.js';

const repo = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: resolve(repo, 'src/viz'),
  base: './',
  publicDir: false,
  cacheDir: resolve(repo, 'node_modules/.vite-viz'),
  plugins: [tfjsWasmPlugin(), runsPlugin(resolve(repo, process.env.PRIORLAB_RUNS_DIR ?? 'runs'))],
  // Pre-bundle the heavy dependencies at startup so the first page load never triggers a re-optimize reload.
  optimizeDeps: { include: ['pixi.js', 'seedrandom', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'] },
  server: { host: '127.0.0.1', strictPort: false, fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
  build: { outDir: resolve(repo, 'dist/viewer'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
});
