/**
 * The live-training learner in a Web Worker, so training never blocks the page: the worker owns one
 * session (`session.ts`) at a time and trains it in short slices, handling messages between slices, so
 * a pause takes effect after the slice in progress. Protocol: `WorkerRequest` in, `WorkerReply` out;
 * every reply carries the generation of the `start` it belongs to, so the page can drop stale ones.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend.js';
import { GRID_ENVS, gridObjective, makeGridEnv } from '../gridworld/compute.js';
import { startSession, type LogLine, type TrainSession } from './session.js';
import type { WorkerReply, WorkerRequest } from './remote.js';

/** Wall time per training slice; messages (pause, step, restart) wait at most this long, plus one chunk. */
const SLICE_MS = 15;
/** Minimum time between snapshots sent while running. */
const SNAPSHOT_MS = 200;

const ctx = self as unknown as { postMessage(msg: WorkerReply, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null };
const backend = initBackend(undefined, { wasmPathPrefix: `${import.meta.env.BASE_URL}tfjs-wasm/` });
let session: TrainSession | null = null;
let gen = 0;
let running = false;
let sent = 0;
let lastSnapshot = 0;

function snapshot(): void {
  if (!session) return;
  lastSnapshot = performance.now();
  const policy = session.policy();
  const log: LogLine[] = session.log.slice(sent);
  sent = session.log.length;
  ctx.postMessage({ type: 'snapshot', gen, steps: session.steps, updates: session.updates, chunk: session.chunk, log, policy, tensors: tf.memory().numTensors, running }, [policy.buffer]);
}

function loop(): void {
  if (!running || !session) return;
  session.advance(SLICE_MS);
  if (performance.now() - lastSnapshot >= SNAPSHOT_MS) snapshot();
  setTimeout(loop, 0);
}

ctx.onmessage = async (e) => {
  const msg = e.data;
  try {
    if (msg.type === 'start') {
      const name = await backend;
      running = false;
      session?.dispose();
      session = null;
      gen = msg.gen;
      sent = 0;
      const entry = GRID_ENVS[msg.env];
      const grid = makeGridEnv(entry).grid;
      session = startSession({ entry, agent: msg.agent, objective: gridObjective(entry, grid, msg.prior, msg.alpha), seed: msg.seed }, grid);
      ctx.postMessage({ type: 'started', gen, backend: name, chunk: session.chunk });
      snapshot();
    } else if (!session || msg.gen !== gen) {
      return;
    } else if (msg.type === 'run') {
      if (running) return;
      running = true;
      loop();
    } else if (msg.type === 'pause') {
      running = false;
      snapshot();
    } else if (msg.type === 'step') {
      running = false;
      session.stepChunk();
      snapshot();
    }
  } catch (err) {
    ctx.postMessage({ type: 'error', gen, message: err instanceof Error ? err.message : String(err) });
  }
};
