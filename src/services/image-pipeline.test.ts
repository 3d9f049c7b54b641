/**
 * The image models through the same services as the workbench (data worker -> trainer worker),
 * on both engines: the cnn (dense and grouped) and dscnn models reach the same validation
 * accuracy on the MNIST sample with the tfjs engine (tfjs-cpu) and the wgsl engine (Dawn), within
 * 1 point, mean over three seeds.
 * The results record the model's parameters and FLOPs per sample.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { installDawn } from '../gpu/node-webgpu';
import type { ModelSpec } from '../core/train/model';
import type { RunConfig } from '../core/train/record';
import { runOnce } from './test-pipeline';

const mnist = readFileSync('public/datasets/mnist-2k.arrow');

beforeAll(async () => {
  await tf.setBackend('cpu');
  expect(await installDawn()).toBe(true);
});

/**
 * One epoch of 1,600 digits each, and what it must reach (guessing is 10 %). The
 * depthwise-separable network (no batch normalisation, a global average) starts slowly: with
 * ReLU it stays at 10 % for the first epochs; with tanh and a hidden layer it leaves it in one.
 */
const MODELS: Record<string, { model: ModelSpec; learned: number }> = {
  cnn: { model: { type: 'cnn', filters: [4, 8], hidden: [], activation: 'relu' }, learned: 0.5 },
  'grouped cnn': {
    model: { type: 'cnn', filters: [4, 8], groups: [1, 2], hidden: [], activation: 'relu' },
    learned: 0.5,
  },
  dscnn: {
    model: { type: 'dscnn', stem: 8, blocks: [{ filters: 16, stride: 2 }], hidden: [32], activation: 'tanh' },
    learned: 0.15,
  },
};

const run = (model: ModelSpec, engine: 'tfjs' | 'wgsl', seed: number): Partial<RunConfig> => ({
  engine,
  backend: 'cpu',
  seed,
  epochs: 1,
  batchSize: 32,
  model,
  optimizer: { name: 'adam', learningRate: 0.01 },
});

describe('image models on both engines through the trainer service', () => {
  it.each(Object.entries(MODELS))(
    '%s: the same validation accuracy on the MNIST sample, within 1 point over three seeds',
    async (_name, { model, learned }) => {
      const acc = { tfjs: [] as number[], wgsl: [] as number[] };
      for (const seed of [1, 2, 3]) {
        for (const engine of ['tfjs', 'wgsl'] as const) {
          const { result, epochs } = await runOnce('mnist-2k.arrow', mnist, run(model, engine, seed));
          expect(result.status).toBe('done');
          expect(result.model!.parameters).toBeGreaterThan(0);
          expect(result.model!.flopsPerSample).toBeGreaterThan(result.model!.parameters);
          acc[engine].push(epochs[epochs.length - 1].valAccuracy!);
        }
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(acc.tfjs)).toBeGreaterThan(learned);
      expect(Math.abs(mean(acc.wgsl) - mean(acc.tfjs))).toBeLessThanOrEqual(0.01);
    },
    600_000,
  );
});
