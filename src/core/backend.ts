/**
 * tfjs backend selection for code that runs in the browser (and, through `src/node/backend.ts`, in Node).
 *
 * Browser order: `wasm` (SIMD build when the browser supports it) → `webgl` → `cpu`. An explicit preference
 * is tried first and the remaining backends follow in the default order, so asking for something this
 * machine cannot run still ends on a working backend; the returned name is always the active one.
 * The wasm binaries (`tfjs-backend-wasm*.wasm`) must be served somewhere the page can fetch them: pass
 * `wasmPathPrefix` (a URL prefix ending in `/`), e.g. the folder the visualizer's vite config serves them from.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The tfjs backends tried in the browser, in order of preference. */
export const BROWSER_BACKENDS = ['wasm', 'webgl', 'cpu'] as const;

/** Options of `initBackend`: where the tfjs wasm binaries are served from. */
export interface BackendOptions {
  /** URL prefix (ending in `/`) under which the `.wasm` binaries are served. Unset: tfjs's default lookup. */
  wasmPathPrefix?: string;
}

/**
 * Validates `value` against `allowed`; the error names the field, the value and the allowed names.
 * Shared with the Node selector so both report bad names the same way.
 */
export function checkBackendName<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${field}: unknown tfjs backend '${value}' (allowed: ${allowed.join(', ')})`);
  }
  return value as T;
}

/** `preferred` first, then the rest of `order`, without duplicates. */
export function backendOrder<T extends string>(order: readonly T[], preferred?: T): T[] {
  return preferred === undefined ? [...order] : [preferred, ...order.filter((b) => b !== preferred)];
}

/**
 * Activates the first backend of `candidates` that initializes; returns its name. A backend that fails
 * to initialize (e.g. `webgl` without a GPU context) is skipped. Throws when none works.
 */
export async function activateFirst(candidates: readonly string[]): Promise<string> {
  const failures: string[] = [];
  for (const name of candidates) {
    if (!tf.findBackendFactory(name)) {
      failures.push(`${name}: not registered`);
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
      failures.push(`${name}: initialization returned false`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no tfjs backend could be initialized (${failures.join('; ')})`);
}

/** Chooses and initializes the browser tfjs backend; returns the active backend name. */
export async function initBackend(preferred?: string, opts: BackendOptions = {}): Promise<string> {
  const pref = preferred === undefined ? undefined : checkBackendName('backend', preferred, BROWSER_BACKENDS);
  if (opts.wasmPathPrefix !== undefined) setWasmPaths(opts.wasmPathPrefix);
  return activateFirst(backendOrder(BROWSER_BACKENDS, pref));
}
