import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, runtimeLabel } from './backend';

describe('initBackend', () => {
  it('falls back along webgpu -> webgl -> cpu and says why', async () => {
    // Node without a GPU: navigator.gpu is missing and WebGL has no context.
    const env = await initBackend('webgpu');
    expect(env.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(env.fallbackReason).toContain('navigator.gpu is missing');
    expect(env.fallbackReason).toContain('webgl');
    expect(env.adapter).toBeNull();
    expect(env.runtime).toBe(runtimeLabel());
    expect(env.runtime).toMatch(/^node \d+/);
  });

  it('uses the preferred backend without a reason when it works', async () => {
    const env = await initBackend('cpu');
    expect(env).toMatchObject({ backend: 'cpu', fallbackReason: null, f16Path: 'none' });
  });
});
