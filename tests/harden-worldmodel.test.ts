/**
 * RSSM inputs (issue 14, items 6 and 9): a non-finite or missing batch field is a clear error before any
 * weight changes; the config is strict (unknown fields, wrong types and out-of-range values rejected).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';
import { checkRssmConfig, DEFAULT_RSSM_CONFIG, Rssm } from '../src/worldmodel/rssm.js';
import type { SequenceBatch } from '../src/worldmodel/sequences.js';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

const T = 4;
const B = 2;
function batch(): SequenceBatch {
  const rng = new Rng(5);
  const mk = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return { T, B, obsDim: 2, actDim: 1, obs: mk(T * B * 2), prevActions: mk(T * B), rewards: mk(T * B) };
}
const model = () => new Rssm({ obsDim: 2, actDim: 1 }, { deterDim: 6, stochDim: 2, hiddenDim: 6 }, new Rng(1));

describe('Rssm.trainStep refuses bad batches before any weight changes', () => {
  it.each<[string, (b: SequenceBatch) => unknown, RegExp]>([
    [
      'one NaN observation',
      (b) => (b.obs[5] = NaN),
      /Rssm\.trainStep: batch\.obs\[5\] \(t=1, b=0\) is NaN; every value must be finite/,
    ],
    ['an infinite action', (b) => (b.prevActions[7] = Infinity), /batch\.prevActions\[7\] \(t=3, b=1\) is Infinity/],
    ['a NaN reward', (b) => (b.rewards[0] = NaN), /batch\.rewards\[0\] \(t=0, b=0\) is NaN/],
    [
      'obs: null',
      (b) => ((b as { obs: unknown }).obs = null),
      /Rssm\.trainStep: batch\.obs must be a Float32Array, got null/,
    ],
    [
      'obs a plain array',
      (b) => ((b as { obs: unknown }).obs = Array.from(b.obs)),
      /batch\.obs must be a Float32Array, got object/,
    ],
  ])('%s', (_name, edit, message) => {
    const m = model();
    const before = m.getState();
    const b = batch();
    edit(b);
    const tensors = tf.memory().numTensors;
    expect(() => m.trainStep(b, new Rng(2))).toThrow(message);
    expect(m.getState()).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    // The model still trains on a good batch, with finite numbers.
    const terms = m.trainStep(batch(), new Rng(2));
    expect(Number.isFinite(terms.elbo.dataSync()[0])).toBe(true);
    tf.dispose(Object.values(terms));
    expect(m.getState().weights.every(Number.isFinite)).toBe(true);
    m.dispose();
  });

  it('a null batch is a RangeError', () => {
    const m = model();
    expect(() => m.trainStep(null as unknown as SequenceBatch, new Rng(2))).toThrow(
      'Rssm.trainStep: batch must be a SequenceBatch, got null',
    );
    m.dispose();
  });
});

describe('checkRssmConfig', () => {
  it('fills defaults and accepts valid values', () => {
    expect(checkRssmConfig({})).toEqual(DEFAULT_RSSM_CONFIG);
    expect(checkRssmConfig({ klBalance: 0.8, lr: 1e-3 })).toMatchObject({ klBalance: 0.8, lr: 1e-3 });
  });

  it.each<[unknown, string]>([
    [{ klbalance: 0.8 }, 'RssmConfig.klbalance: got 0.8, allowed: a known field (deterDim, '],
    [{ lr: '5' }, 'RssmConfig.lr: got "5", allowed: a number'],
    [{ lr: true }, 'RssmConfig.lr: got true, allowed: a number'],
    [{ lr: null }, 'RssmConfig.lr: got null, allowed: a number'],
    [{ deterDim: [] }, 'RssmConfig.deterDim: got [], allowed: a number'],
    [{ lr: Infinity }, 'RssmConfig.lr: got Infinity, allowed: a finite number > 0'],
    [{ deterDim: 2.5 }, 'RssmConfig.deterDim: got 2.5, allowed: a positive integer ≤ 4096'],
    [{ klBalance: 1 }, 'RssmConfig.klBalance: got 1, allowed: null (off) or a number in (0, 1)'],
    [{ __proto__: null, constructor: 1 }, 'RssmConfig.constructor: got 1, allowed: a known field'],
    [null, 'RssmConfig: got null, allowed: an object of RssmConfig fields'],
    [[], 'RssmConfig: got [], allowed: an object of RssmConfig fields'],
  ])('%j is refused: %s', (cfg, message) => {
    expect(() => checkRssmConfig(cfg)).toThrow(message);
    expect(() => new Rssm({ obsDim: 2, actDim: 1 }, cfg as object, new Rng(1))).toThrow(message);
  });
});
