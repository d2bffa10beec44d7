/**
 * The live-training learners in a Web Worker, so training never blocks the page: the worker owns the
 * sessions (`session.ts`: gridworld or continuous) of one start (one learner, or several trained in turn) and trains them one
 * short slice at a time, one learner per slice, handling messages between slices, so a pause takes
 * effect after the slice in progress. Protocol: `WorkerRequest` in, `WorkerReply` out; every reply
 * carries the generation of the `start` it belongs to, so the page can drop stale ones.
 */
import * as tf from '@tensorflow/tfjs';
import { initViewerBackend } from '../backend.js';
import { GRID_ENVS, gridObjective, makeGridEnv } from '../gridworld/compute.js';
import { CONTINUOUS_ENVS, startContinuousSession, startSession, type Readout, type TrainSession } from './session.js';
import type { RunSnapshot, WorkerReply, WorkerRequest } from './remote.js';

/** Wall time per training slice (one learner); messages (pause, step, restart) wait at most this long, plus one chunk. */
const SLICE_MS = 15;
/** Minimum time between snapshots sent while running. */
const SNAPSHOT_MS = 200;

const ctx = self as unknown as {
  postMessage(msg: WorkerReply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
};
const backend = initViewerBackend();
let sessions: TrainSession[] = [];
/** Log lines of each session already sent. */
let sent: number[] = [];
/** The session the next slice trains. */
let turn = 0;
let gen = 0;
let running = false;
let lastSnapshot = 0;

/** The buffers a read-out hands over (no copy). */
const buffers = (r: Readout | null): ArrayBuffer[] =>
  r === null ? [] : r.kind === 'table' ? [r.policy.buffer as ArrayBuffer] : r.obs.map((o) => o.buffer as ArrayBuffer);

/** Sends every session's progress; `fresh`: the read-outs are redone after any progress (a Step, a Pause). */
function snapshot(fresh = false): void {
  if (sessions.length === 0) return;
  lastSnapshot = performance.now();
  const runs: RunSnapshot[] = sessions.map((s, i) => {
    const log = s.log.slice(sent[i]);
    sent[i] = s.log.length;
    return {
      steps: s.steps,
      updates: s.updates,
      chunk: s.chunk,
      log,
      readout: s.readout(fresh),
      usesEngine: s.usesEngine,
      alpha: s.alpha,
    };
  });
  ctx.postMessage(
    { type: 'snapshot', gen, runs, tensors: tf.memory().numTensors, running },
    runs.flatMap((r) => buffers(r.readout)),
  );
}

function loop(): void {
  if (!running || sessions.length === 0) return;
  sessions[turn].advance(SLICE_MS);
  turn = (turn + 1) % sessions.length;
  if (performance.now() - lastSnapshot >= SNAPSHOT_MS) snapshot();
  setTimeout(loop, 0);
}

ctx.onmessage = async (e) => {
  const msg = e.data;
  try {
    if (msg.type === 'start') {
      const name = await backend;
      running = false;
      for (const s of sessions) s.dispose();
      sessions = [];
      gen = msg.gen;
      for (const spec of msg.runs) {
        if (Object.hasOwn(CONTINUOUS_ENVS, spec.env)) {
          sessions.push(startContinuousSession(spec));
          continue;
        }
        const entry = GRID_ENVS[spec.env];
        const grid = makeGridEnv(entry).grid;
        sessions.push(
          startSession({
            entry,
            agent: spec.agent,
            objective: gridObjective(entry, grid, spec.prior, spec.alpha),
            seed: spec.seed,
          }),
        );
      }
      sent = sessions.map(() => 0);
      turn = 0;
      ctx.postMessage({ type: 'started', gen, backend: name });
      snapshot();
    } else if (sessions.length === 0 || msg.gen !== gen) {
      return;
    } else if (msg.type === 'run') {
      if (running) return;
      running = true;
      loop();
    } else if (msg.type === 'pause') {
      running = false;
      snapshot(true);
    } else if (msg.type === 'step') {
      running = false;
      for (const s of sessions) s.stepChunk();
      snapshot(true);
    }
  } catch (err) {
    ctx.postMessage({ type: 'error', gen, message: err instanceof Error ? err.message : String(err) });
  }
};
