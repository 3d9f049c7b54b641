/**
 * The tfjs engine refuses a model past what it can hold, before drawing a weight: parameter
 * counts against the tfjs model's own variables, the widest layer against the layer outputs of
 * the model run on a batch, and the refusals (field, numbers) end to end through createTfjsEngine.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors';
import { createModel, type ModelSpec } from '../model';
import { createOptimizer } from '../optimizers';
import { DEFAULT_SETTINGS, makeRunConfig } from '../run-config';
import { createTfjsEngine } from '../tfjs-engine';
import { checkModelFits, largestLayer, MAX_PARAMETERS } from './limits';

const refusal = (f: () => void): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('what the tfjs engine may build', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('the widest layer is the largest output of any layer, as the model computes it on a batch', () => {
    const specs: [ModelSpec, number, number][] = [
      [{ type: 'mlp', hidden: [7, 40, 3], activation: 'relu' }, 12, 5],
      [{ type: 'cnn', inputShape: [9, 11, 2], filters: [6, 10], hidden: [8], activation: 'relu' }, 198, 4],
      [
        {
          type: 'dscnn',
          inputShape: [10, 10, 3],
          stem: 4,
          blocks: [
            { filters: 12, stride: 2 },
            { filters: 30, stride: 1 },
          ],
          hidden: [],
          activation: 'relu',
        },
        300,
        3,
      ],
    ];
    for (const [spec, inputs, outputs] of specs) {
      const model = createModel(spec, inputs, outputs, 1);
      // Each weight layer's input and the output, per row, as the model makes them on a batch of 2:
      // the widest layer is at least as wide (a convolution's output is wider than its pooled next input).
      let seen = inputs;
      tf.tidy(() => {
        const y = model.apply(tf.randomNormal([2, inputs]), (t) => {
          seen = Math.max(seen, t.size / 2);
          return t;
        });
        seen = Math.max(seen, y.size / 2);
      });
      model.dispose();
      expect(largestLayer(spec, inputs, outputs)).toBeGreaterThanOrEqual(seen);
    }
    // The exact figures, worked by hand: MLP max(12, 7, 40, 3, 5); CNN conv1 9x11x6; DS-CNN 5x5x30.
    expect(largestLayer(specs[0][0], 12, 5)).toBe(40);
    expect(largestLayer(specs[1][0], 198, 4)).toBe(9 * 11 * 6);
    expect(largestLayer(specs[2][0], 300, 3)).toBe(Math.max(10 * 10 * 4, 5 * 5 * 12, 5 * 5 * 30));
  });

  it('refuses 4.3 billion parameters in milliseconds, naming model.hidden and the count tfjs would have made', () => {
    const spec: ModelSpec = { type: 'mlp', hidden: [65536, 65536], activation: 'relu' };
    // (inputs + 1) x width per dense layer, as tfjs counts a kernel and its bias.
    const count = (4 + 1) * 65536 + (65536 + 1) * 65536 + (65536 + 1) * 3;
    const config = makeRunConfig(
      { ...DEFAULT_SETTINGS, backend: 'cpu', model: spec },
      {
        fingerprint: '',
        name: 'p',
        rows: 10,
        label: 'y',
        features: [],
        dedup: 'none',
        split: { train: 1, val: 0, test: 0, seed: 1 },
      },
    );
    const tensors = tf.memory().numTensors;
    const t0 = performance.now();
    const e = refusal(() =>
      createTfjsEngine(
        config,
        { task: 'classification', dim: 4, outputs: 3 },
        createOptimizer({ name: 'sgd', learningRate: 0.1 }),
      ),
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(e.field).toBe('model.hidden');
    expect(e.message).toContain(`${count.toLocaleString('en-US')} parameters (16.0 GiB of float32 weights)`);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(count).toBeGreaterThan(MAX_PARAMETERS);
  });

  it('refuses one tensor past the buffer limit, and a batch whose widest layer is; takes what fits', () => {
    const wide: ModelSpec = { type: 'mlp', hidden: [8192, 8192], activation: 'relu' };
    // 8192 x 8192 float32 = 256 MiB: past a 128 MiB WebGPU binding, within 2 GiB.
    const small = refusal(() => checkModelFits(wide, 10, 2, 32, 128 * 2 ** 20));
    expect(small.message).toBe(
      'model.hidden: the weight tensor dense1/kernel needs 0.25 GiB, more than the 0.13 GiB this backend holds in one buffer; use narrower layers',
    );
    expect(() => checkModelFits(wide, 10, 2, 32, 2 ** 31)).not.toThrow();
    // 65,536 rows x 16,384 values x 4 bytes = 4 GiB of one layer's output.
    const batch = refusal(() =>
      checkModelFits({ type: 'mlp', hidden: [16384], activation: 'relu' }, 10, 2, 65536, 2 ** 31),
    );
    expect(batch.field).toBe('batchSize');
    expect(batch.message).toContain('65536 rows of the widest layer (16,384 values a row) need 4.0 GiB');
  });
});
