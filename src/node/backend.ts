/**
 * tfjs backend selection in Node: `tensorflow` (native bindings from the optional `@tensorflow/tfjs-node`,
 * loaded by dynamic import only when it is installed) → `wasm` → `cpu`.
 *
 * Precedence of the preference: the explicit argument, else the `PRIORLAB_BACKEND` environment variable,
 * else the default order. A preferred backend that cannot start here (e.g. `tensorflow` when tfjs-node is
 * not installed) falls back along the default order; the returned name is the backend actually active,
 * which every experiment prints.
 */
import '@tensorflow/tfjs-backend-wasm';
import { activateFirst, backendOrder, checkBackendName } from '../core/backend.js';
import { loadSacEngine } from '../nn/engine/core.js';
import { loadTapeKernels } from '../nn/kernels.js';

/** The tfjs backends tried in Node, in order of preference. */
export const NODE_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
/** A Node tfjs backend name. */
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** The environment variable that overrides the default backend order (an explicit option beats it). */
export const BACKEND_ENV_VAR = 'PRIORLAB_BACKEND';

// A variable specifier keeps TypeScript and bundlers from resolving the optional package statically.
const TFJS_NODE = '@tensorflow/tfjs-node';

/** Loads tfjs-node (which registers the `tensorflow` backend) if it is installed; true on success. */
async function loadTfjsNode(): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ TFJS_NODE);
    return true;
  } catch {
    return false;
  }
}

/** Which preference applies: the explicit argument, else `PRIORLAB_BACKEND`, else none. Validated. */
export function resolveNodePreference(
  preferred: string | undefined,
  env: Record<string, string | undefined> = process.env,
): NodeBackend | undefined {
  if (preferred !== undefined) return checkBackendName('backend', preferred, NODE_BACKENDS);
  const fromEnv = env[BACKEND_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') return checkBackendName(BACKEND_ENV_VAR, fromEnv, NODE_BACKENDS);
  return undefined;
}

/** Chooses and initializes the Node tfjs backend and loads the SAC engine (so the SAC agents' synchronous constructors find it); returns the active backend name. */
export async function initNodeBackend(preferred?: string): Promise<string> {
  const order = backendOrder(NODE_BACKENDS, resolveNodePreference(preferred));
  // Only try to load the native bindings when they come before the backend we would otherwise pick.
  if (order[0] === 'tensorflow') await loadTfjsNode();
  await Promise.all([loadSacEngine(), loadTapeKernels()]);
  return activateFirst(order);
}
