import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { checkBackendSupports, initBackend, runtimeLabel } from './backend';

describe('initBackend', () => {
  it('falls back along webgpu -> webgl -> wasm and says why', async () => {
    // Node without a GPU: navigator.gpu is missing and WebGL has no context; wasm loads its binary from the package.
    const env = await initBackend('webgpu');
    expect(env.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(env.fallbackReason).toContain('navigator.gpu is missing');
    expect(env.fallbackReason).toContain('webgl');
    expect(env.adapter).toBeNull();
    expect(env.runtime).toBe(runtimeLabel());
    expect(env.runtime).toMatch(/^node \d+/);
  });

  it('computes on wasm what cpu computes (an MLP layer and its gradients), and refuses a CNN there', async () => {
    const run = async (backend: 'wasm' | 'cpu') => {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
      const x = tf.tensor2d(
        Array.from({ length: 6 * 5 }, (_, i) => Math.sin(i)),
        [6, 5],
      );
      const w = tf.tensor2d(
        Array.from({ length: 5 * 3 }, (_, i) => Math.cos(i)),
        [5, 3],
      );
      const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.matMul(x, ww as tf.Tensor2D)))))(w);
      const out = Array.from(await g.data());
      tf.dispose([x, w, g]);
      return out;
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(cpu.some((v) => v !== 0)).toBe(true);
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 4));

    await initBackend('wasm');
    expect(() => checkBackendSupports({ type: 'mlp', hidden: [4], activation: 'relu' })).not.toThrow();
    expect(() => checkBackendSupports({ type: 'cnn', filters: [4], hidden: [], activation: 'relu' })).toThrow(
      /^backend: the wasm backend cannot train a cnn \(no Conv2DBackpropFilter/,
    );
    await initBackend('cpu');
    expect(() =>
      checkBackendSupports({
        type: 'dscnn',
        stem: 4,
        blocks: [{ filters: 4, stride: 2 }],
        hidden: [],
        activation: 'relu',
      }),
    ).not.toThrow();
  });

  it('uses the preferred backend without a reason when it works', async () => {
    const env = await initBackend('cpu');
    expect(env).toMatchObject({ backend: 'cpu', fallbackReason: null, f16Path: 'none' });
  });
});
