import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateFirst, initBackend } from '../src/core/backend.js';
import { BACKEND_ENV_VAR, initNodeBackend, resolveNodePreference } from '../src/node/backend.js';

async function tfjsNodeInstalled(): Promise<boolean> {
  const name = '@tensorflow/tfjs-node';
  try {
    await import(/* @vite-ignore */ name);
    return true;
  } catch {
    return false;
  }
}

const savedEnv = process.env[BACKEND_ENV_VAR];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = savedEnv;
});

describe('initNodeBackend', () => {
  it('by default (and when asked for tensorflow) picks tensorflow when tfjs-node loads here, else wasm; the backend computes', async () => {
    delete process.env[BACKEND_ENV_VAR];
    // tfjs-node is optional: whether it installed depends on the machine, so the expectation follows it.
    const expected = (await tfjsNodeInstalled()) ? 'tensorflow' : 'wasm';
    expect(await initNodeBackend()).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 3).dataSync());
    expect(Array.from(sum)).toEqual([4, 5]);
    // Asking for tensorflow explicitly ends on the same backend: itself, or wasm when it cannot load.
    expect(await initNodeBackend('tensorflow')).toBe(expected);
  });

  it('a preferred backend that cannot start falls back along the default order, naming every failure when none can', async () => {
    // Not registered, like tensorflow where tfjs-node is missing: skipped for the next in line.
    expect(await activateFirst(['no-such-backend', 'cpu'])).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(activateFirst(['no-such-backend', 'nor-this'])).rejects.toThrow(
      'no tfjs backend could be initialized (no-such-backend: not registered; nor-this: not registered)',
    );
  });

  it('the option overrides the default order', async () => {
    delete process.env[BACKEND_ENV_VAR];
    expect(await initNodeBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('the env var overrides the default order, and an explicit option beats the env var', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    expect(await initNodeBackend()).toBe('cpu');
    expect(await initNodeBackend('wasm')).toBe('wasm');
  });

  it('bad names are errors naming the field, the value and the allowed names', async () => {
    await expect(initNodeBackend('gpu')).rejects.toThrow(
      /backend: unknown tfjs backend 'gpu' \(allowed: tensorflow, wasm, cpu\)/,
    );
    process.env[BACKEND_ENV_VAR] = 'webgpu';
    await expect(initNodeBackend()).rejects.toThrow(/PRIORLAB_BACKEND: unknown tfjs backend 'webgpu'/);
    expect(resolveNodePreference(undefined, { [BACKEND_ENV_VAR]: '' })).toBeUndefined();
  });
});

describe('initBackend (browser-safe selector)', () => {
  it('prefers wasm, honours an explicit choice, rejects unknown names', async () => {
    expect(await initBackend()).toBe('wasm');
    expect(await initBackend('cpu')).toBe('cpu');
    await expect(initBackend('tensorflow')).rejects.toThrow(
      /backend: unknown tfjs backend 'tensorflow' \(allowed: wasm, webgl, cpu\)/,
    );
  });
});
