import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/core/backend.js';
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
  it('falls back from tensorflow (tfjs-node absent here) to wasm by default', async () => {
    delete process.env[BACKEND_ENV_VAR];
    expect(await tfjsNodeInstalled()).toBe(false);
    expect(await initNodeBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // The backend actually computes.
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 3).dataSync());
    expect(Array.from(sum)).toEqual([4, 5]);
  });

  it('an explicit tensorflow preference falls back cleanly when tfjs-node is absent', async () => {
    expect(await initNodeBackend('tensorflow')).toBe('wasm');
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
    await expect(initNodeBackend('gpu')).rejects.toThrow(/backend: unknown tfjs backend 'gpu' \(allowed: tensorflow, wasm, cpu\)/);
    process.env[BACKEND_ENV_VAR] = 'webgpu';
    await expect(initNodeBackend()).rejects.toThrow(/PRIORLAB_BACKEND: unknown tfjs backend 'webgpu'/);
    expect(resolveNodePreference(undefined, { [BACKEND_ENV_VAR]: '' })).toBeUndefined();
  });
});

describe('initBackend (browser-safe selector)', () => {
  it('prefers wasm, honours an explicit choice, rejects unknown names', async () => {
    expect(await initBackend()).toBe('wasm');
    expect(await initBackend('cpu')).toBe('cpu');
    await expect(initBackend('tensorflow')).rejects.toThrow(/backend: unknown tfjs backend 'tensorflow' \(allowed: wasm, webgl, cpu\)/);
  });
});
