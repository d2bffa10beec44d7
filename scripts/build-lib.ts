/**
 * `npm run build:lib`: the library build. tsc (`tsconfig.lib.json`) emits ESM JavaScript and `.d.ts` for
 * the two entries, `priorlab` (src/index.ts) and `priorlab/node` (src/node/index.ts), into `dist/` with the
 * source tree's layout, so every `new URL('./x', import.meta.url)` and `import.meta.dirname` path keeps
 * its meaning in the installed package; then the files tsc does not copy go beside their modules: the
 * SAC engine `engine.wasm` (loaded by `loadSacEngine` relative to `dist/nn/engine/core.js`, from disk in
 * Node and as a vite asset in a browser build) and the lesson's exercise YAML files. The viewer's own
 * build (`npm run build`) goes to `dist/viewer/` and is left alone.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now();
if (existsSync(dist)) for (const e of readdirSync(dist)) if (e !== 'viewer') rmSync(join(dist, e), { recursive: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.lib.json'], {
  cwd: root,
  stdio: 'inherit',
});
cpSync(join(root, 'src/nn/engine/engine.wasm'), join(dist, 'nn/engine/engine.wasm'));
cpSync(join(root, 'src/nn/kernels.wasm'), join(dist, 'nn/kernels.wasm'));
cpSync(join(root, 'src/lesson/exercises'), join(dist, 'lesson/exercises'), { recursive: true });
console.log(`build:lib: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
