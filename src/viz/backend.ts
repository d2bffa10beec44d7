/**
 * The viewer's start-up for tfjs work (the Continuous control tab, the live-training worker): the browser
 * backend, with tfjs's wasm binaries served under the app's base (`src/node/vite-plugins.ts`), and the SAC
 * engine (`engine.wasm`, the same file as in Node), so the SAC agents' synchronous constructors find it.
 */
import { initBackend } from '../core/backend.js';
import { loadSacEngine } from '../nn/engine/core.js';
import { loadTapeKernels } from '../nn/kernels.js';

/** Returns the active tfjs backend name once both are ready. */
export async function initViewerBackend(): Promise<string> {
  const wasmPathPrefix = `${import.meta.env.BASE_URL}tfjs-wasm/`;
  const [name] = await Promise.all([initBackend(undefined, { wasmPathPrefix }), loadSacEngine(), loadTapeKernels()]);
  return name;
}
