/**
 * The RSSM training loop: sample a batch of sequences, take one ELBO step, and every `logEvery` steps read
 * the terms back once (the only host read) and log them as `elbo/total`, `elbo/recon`, `elbo/reward`,
 * `elbo/kl` (batch means of per-sequence sums). A non-finite term stops training with a
 * `NonFiniteLossError` naming the term and the step, before any checkpoint of that step is written, so the
 * last good checkpoint is never overwritten. Checkpoints hold the model, the optimizer and both RNG streams,
 * so resuming from one continues bit-for-bit.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng, RngState } from '../core/rng.js';
import { yieldToEventLoop } from '../core/yield.js';
import type { Rssm, RssmState } from './rssm.js';
import type { SequenceBatch } from './sequences.js';

export interface RssmCheckpoint {
  /** The last completed step. */
  step: number;
  model: RssmState;
  rng: { batch: RngState; noise: RngState };
}

/** Options of `trainRssm`: steps, batches, logging, checkpoints, abort. */
export interface TrainLoopOptions {
  /** Total number of gradient steps (the loop runs steps `startStep + 1 … steps`). */
  steps: number;
  /** The last completed step when resuming (0 for a fresh run). */
  startStep?: number;
  /** Read back and log the terms every this many steps (must divide `checkpointEvery`). */
  logEvery: number;
  /** Checkpoint every this many steps (0 = never). */
  checkpointEvery: number;
  /** Draws the batch of a step from the `batch` stream (e.g. `buffer.sample(B, T, rng)`). */
  sampleBatch: (rng: Rng) => SequenceBatch;
  /** Stream for the windows of each batch. */
  batchRng: Rng;
  /** Stream for the reparameterization noise ε. */
  noiseRng: Rng;
  /** Called at each log step with the mean ELBO terms. */
  onLog?: (step: number, scalars: Record<string, number>) => void;
  /** Called with each checkpoint. */
  onCheckpoint?: (ckpt: RssmCheckpoint) => void;
  /** Called after every step (tests use it to inject faults; experiments for progress). */
  afterStep?: (step: number) => void;
  /** Stop after the current step (a checkpoint is written first when `checkpointEvery` > 0). */
  signal?: AbortSignal;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly term: string,
    readonly value: number,
  ) {
    super(
      `RSSM training stopped at step ${step}: ELBO term '${term}' is ${value} (non-finite); the last good checkpoint was kept`,
    );
    this.name = 'NonFiniteLossError';
  }
}

export function rssmCheckpoint(model: Rssm, step: number, batchRng: Rng, noiseRng: Rng): RssmCheckpoint {
  return { step, model: model.getState(), rng: { batch: batchRng.getState(), noise: noiseRng.getState() } };
}

type Schedule = Pick<TrainLoopOptions, 'logEvery' | 'checkpointEvery'>;

/** The first field of the schedule that is wrong and what it allows, or null (an experiment's option schema reports it too). */
export function trainLoopProblem(o: Schedule): { field: keyof Schedule; allowed: string } | null {
  if (!Number.isInteger(o.logEvery) || o.logEvery < 1) return { field: 'logEvery', allowed: 'a positive integer' };
  if (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery < 0 || o.checkpointEvery % o.logEvery !== 0) {
    return { field: 'checkpointEvery', allowed: `0 or a multiple of logEvery=${o.logEvery}` };
  }
  return null;
}

/** Validates the schedule. */
export function checkTrainLoopOptions(o: Schedule): void {
  const bad = trainLoopProblem(o);
  if (bad) throw new RangeError(`TrainLoopOptions.${bad.field}: must be ${bad.allowed}, got ${o[bad.field]}`);
}

/** Runs the loop, yielding to the event loop after every log step; resolves to the last logged scalars. */
export async function trainRssm(model: Rssm, o: TrainLoopOptions): Promise<Record<string, number>> {
  checkTrainLoopOptions(o);
  let last: Record<string, number> = {};
  for (let step = (o.startStep ?? 0) + 1; step <= o.steps; step++) {
    const terms = model.trainStep(o.sampleBatch(o.batchRng), o.noiseRng);
    const aborting = o.signal?.aborted === true;
    const stopping = aborting || step === o.steps;
    const logStep = step % o.logEvery === 0 || step === o.steps;
    if (logStep || stopping) {
      const values = tf.stack([terms.elbo, terms.recon, terms.reward, terms.kl]);
      const [elbo, recon, reward, kl] = values.dataSync();
      values.dispose();
      // The components first, so an error names the term that went bad rather than their sum.
      const scalars = { 'elbo/recon': recon, 'elbo/reward': reward, 'elbo/kl': kl, 'elbo/total': elbo };
      for (const [term, value] of Object.entries(scalars))
        if (!Number.isFinite(value)) {
          tf.dispose([terms.elbo, terms.recon, terms.reward, terms.kl]);
          throw new NonFiniteLossError(step, term, value);
        }
      // An abort between log steps checkpoints without logging, so a resumed run's log equals an uninterrupted one's.
      if (logStep) {
        last = scalars;
        o.onLog?.(step, last);
      }
      if (o.onCheckpoint && o.checkpointEvery > 0 && (step % o.checkpointEvery === 0 || stopping)) {
        o.onCheckpoint(rssmCheckpoint(model, step, o.batchRng, o.noiseRng));
      }
      await yieldToEventLoop();
    }
    tf.dispose([terms.elbo, terms.recon, terms.reward, terms.kl]);
    o.afterStep?.(step);
    if (stopping) break;
  }
  return last;
}
