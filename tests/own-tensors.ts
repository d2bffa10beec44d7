/**
 * Counts the tensors one piece of code makes and leaves alive (issue #16): only tensors created while the
 * tracker runs enter the count, so tensors of earlier tests, of caches built before, or of other agents
 * cannot hide or fake a leak the way the global `tf.memory().numTensors` can. Start it before an agent is
 * built; after its `dispose()`, `alive()` must be 0.
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs's engine registers every new tensor and variable through `trackTensor`. */
type TrackingEngine = { trackTensor(t: tf.Tensor, backend: unknown): void };

export interface TensorTracker {
  /** Tensors made since the tracker started and not disposed. */
  alive(): number;
  /** Stops recording (trackers nest; stop the last one started first). */
  stop(): void;
}

export function trackTensors(): TensorTracker {
  const engine = tf.engine() as unknown as TrackingEngine;
  const original = engine.trackTensor;
  const made = new Set<tf.Tensor>();
  engine.trackTensor = function (t, backend) {
    made.add(t);
    return original.call(this, t, backend);
  };
  return {
    alive: () => {
      let n = 0;
      for (const t of made) if (!t.isDisposed) n++;
      return n;
    },
    stop: () => {
      engine.trackTensor = original;
    },
  };
}

/** Runs `fn` under a tracker and returns what it made and left alive. */
export async function tensorsLeftBy(fn: () => unknown): Promise<number> {
  const tracker = trackTensors();
  try {
    await fn();
    return tracker.alive();
  } finally {
    tracker.stop();
  }
}
