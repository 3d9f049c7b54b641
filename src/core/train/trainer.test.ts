import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Batcher } from '../data/batcher';
import { Rng, iota } from '../data/rng';
import { train, type Batch, type BatchSource } from './trainer';
import { createOptimizer } from './optimizers';
import { DEFAULT_SETTINGS, makeRunConfig } from './run-config';

/** A BatchSource over a local Batcher, for tests (the browser uses the data worker's port). */
function localSource(b: Batcher, dim: number, batchSize: number): BatchSource {
  return {
    async next(): Promise<Batch | null> {
      const x = new Float32Array(batchSize * dim);
      const y = new Float32Array(batchSize);
      const info = b.fill(x, y);
      return info.size ? { x, y, ...info } : null;
    },
    recycle() {},
  };
}

describe('train loop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('holds tf.memory().numTensors flat over 500 steps and frees everything at the end', async () => {
    const rng = new Rng(5);
    const n = 160;
    const dim = 4;
    const x = Float32Array.from({ length: n * dim }, () => rng.normal());
    const y = Float32Array.from({ length: n }, (_, i) => (x[i * dim] + x[i * dim + 1] > 0 ? 1 : 0));
    const batchSize = 16;
    const epochs = 500 / (n / batchSize); // 50 epochs of 10 steps
    const batcher = new Batcher({ x, dim, y, rows: iota(n), batchSize, epochs, seed: 1 });
    const config = makeRunConfig({ ...DEFAULT_SETTINGS, batchSize, epochs, backend: 'cpu', model: { type: 'mlp', hidden: [8], activation: 'tanh' } }, {
      fingerprint: '', name: 'synthetic', rows: n, label: 'y', features: [], dedup: 'none', split: { train: 1, val: 0, test: 0, seed: 1 },
    });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    let steps = 0;
    const summary = await train(
      config,
      { task: 'classification', dim, outputs: 2, val: { x: x.subarray(0, 64 * dim), y: y.subarray(0, 64), rows: 64 } },
      localSource(batcher, dim, batchSize),
      () => createOptimizer({ name: 'adam', learningRate: 0.01 }),
      {
        onSteps: (s) => {
          steps += s.length;
          counts.push(tf.memory().numTensors);
        },
        onEpoch: () => undefined,
        shouldStop: () => false,
        waitWhilePaused: async () => undefined,
      },
      { flushMs: 0 },
    );
    expect(steps).toBe(500);
    expect(summary.status).toBe('done');
    // After the first steps created the optimizer's slots, the count never moves.
    expect(new Set(counts.slice(2)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops between steps when asked and reports "stopped"', async () => {
    const n = 64;
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    const batcher = new Batcher({ x, dim: 1, y, rows: iota(n), batchSize: 4, epochs: 100, seed: 1 });
    const config = makeRunConfig({ ...DEFAULT_SETTINGS, batchSize: 4, epochs: 100, backend: 'cpu' }, {
      fingerprint: '', name: 'zeros', rows: n, label: 'y', features: [], dedup: 'none', split: { train: 1, val: 0, test: 0, seed: 1 },
    });
    let seen = 0;
    const summary = await train(config, { task: 'regression', dim: 1, outputs: 1, val: null }, localSource(batcher, 1, 4), () => createOptimizer({ name: 'sgd', learningRate: 0.1 }), {
      onSteps: (s) => (seen += s.length),
      onEpoch: () => undefined,
      shouldStop: () => seen >= 30,
      waitWhilePaused: async () => undefined,
    }, { flushMs: 0, readEvery: 5 });
    expect(summary.status).toBe('stopped');
    expect(seen).toBeGreaterThanOrEqual(30);
    expect(seen).toBeLessThan(1600);
  });
});
