/**
 * The visualizer (src/viz): `npm start` serves it on 127.0.0.1, `npm run build` writes `dist/viewer/` (`dist/` itself holds the library build, `npm run build:lib`).
 * Recorded runs are served read-only under `/runs/` from `PRIORLAB_RUNS_DIR` (default `runs/`), and the
 * tfjs wasm binaries under `/tfjs-wasm/`.
 *
 * The dev server serves the app and the run folders, nothing else: `fs.allow` is the source tree the app
 * imports (`src/`) and the installed packages (their real path: node_modules may be a symlink), `fs.strict`
 * refuses the rest, `fs.deny` the usual secrets; `confinePlugin` refuses symlinks that lead out and vite's
 * editor launcher; CORS is off, so no other origin (not even another localhost port) may read an answer.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { confinePlugin, runsPlugin, tfjsWasmPlugin } from './src/node/vite-plugins.js';

const repo = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: resolve(repo, 'src/viz'),
  base: './',
  publicDir: false,
  cacheDir: resolve(repo, 'node_modules/.vite-viz'),
  plugins: [confinePlugin(), tfjsWasmPlugin(), runsPlugin(resolve(repo, process.env.PRIORLAB_RUNS_DIR ?? 'runs'))],
  // Pre-bundle the heavy dependencies at startup so the first page load never triggers a re-optimize reload.
  optimizeDeps: { include: ['pixi.js', 'seedrandom', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'] },
  server: {
    host: '127.0.0.1',
    strictPort: false,
    cors: false,
    fs: {
      strict: true,
      allow: [resolve(repo, 'src'), realpathSync(resolve(repo, 'node_modules'))],
      deny: ['.env', '.env.*', '*.{crt,pem,key}', '**/.git/**', '**/.lock', '**/*.tmp'],
    },
  },
  preview: { host: '127.0.0.1', cors: false },
  build: { outDir: resolve(repo, 'dist/viewer'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
});
