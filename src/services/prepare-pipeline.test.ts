/**
 * prepareOn: gpu through the same services as the workbench, on Dawn: the data worker sends raw
 * rows (the MNIST sample's pixels as bytes) and the wgsl engine prepares them, so a run gives
 * the same losses as with batches prepared on the worker while uploading a quarter of the
 * bytes; augmentation is reproducible from the seed and changes the batches; what cannot be
 * honoured is refused naming the field.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { installDawn } from '../gpu/node-webgpu';
import type { RunConfig } from '../core/train/record';
import { validateSettings, DEFAULT_SETTINGS } from '../core/train/run-config';
import { relError } from '../gpu/engine/test-support';
import { runOnce } from './test-pipeline';

const mnist = readFileSync('public/datasets/mnist-2k.arrow');
const penguins = readFileSync('public/datasets/penguins.arrow');

beforeAll(async () => {
  await tf.setBackend('cpu');
  expect(await installDawn()).toBe(true);
});

const base: Partial<RunConfig> = {
  engine: 'wgsl',
  seed: 3,
  epochs: 1,
  batchSize: 64,
  model: { type: 'mlp', hidden: [32], activation: 'relu' },
  optimizer: { name: 'adam', learningRate: 0.003 },
};

describe('batches prepared on the GPU', () => {
  it('the MNIST sample: the same losses as on the worker, a quarter of the bytes per batch', async () => {
    const worker = await runOnce('mnist-2k.arrow', mnist, base);
    const gpu = await runOnce('mnist-2k.arrow', mnist, { ...base, prepareOn: 'gpu' });
    expect(gpu.prepared.task.prepare).toMatchObject({ kind: 'bytes', stride: 196 });
    expect(worker.prepared.task.prepare).toBeNull();
    expect(gpu.result.status).toBe('done');
    expect(gpu.steps.length).toBe(worker.steps.length);
    expect(
      relError(
        gpu.steps.map((s) => s.loss),
        worker.steps.map((s) => s.loss),
      ),
    ).toBeLessThan(1e-4);
    expect(gpu.epochs.at(-1)!.valAccuracy).toBe(worker.epochs.at(-1)!.valAccuracy);
    // 784 float32 features + the label, against 784 bytes (196 words) + the label.
    expect(worker.result.batchBytes).toBe(64 * 4 * 785);
    expect(gpu.result.batchBytes).toBe(64 * 4 * 197);
  }, 120_000);

  it('augmentation (crop with padding, flip): reproducible from the seed, and not the plain batches', async () => {
    const cnn: Partial<RunConfig> = {
      ...base,
      model: { type: 'cnn', filters: [4], hidden: [], activation: 'relu' },
      prepareOn: 'gpu',
      maxSteps: 8,
    };
    const augmented = { ...cnn, augment: { pad: 2, flip: true } };
    const a = await runOnce('mnist-2k.arrow', mnist, augmented);
    const b = await runOnce('mnist-2k.arrow', mnist, augmented);
    const plain = await runOnce('mnist-2k.arrow', mnist, cnn);
    const losses = (r: typeof a) => r.steps.map((s) => s.loss);
    expect(a.result.status).toBe('done');
    // The same crops and flips give the same losses. Not always to the last bit: each run opens its
    // own device and times the kernels' variants there (tune.ts), and a machine under load may pick
    // another split of a sum, which rounds differently (seen: 3e-7). Other crops differ by far more.
    expect(relError(losses(a), losses(b))).toBeLessThan(1e-5);
    expect(losses(a)[0]).toBeCloseTo(losses(plain)[0], 0);
    expect(relError(losses(a), losses(plain))).toBeGreaterThan(1e-4);
  }, 180_000);

  it('refuses what it cannot honour, naming the field', async () => {
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, prepareOn: 'gpu' })).toThrow(
      /^prepareOn: batches are prepared on the GPU by the wgsl engine only/,
    );
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, engine: 'wgsl', augment: { pad: 2, flip: true } })).toThrow(
      /^augment: augmentation runs in the GPU batch preparation: set prepareOn to gpu/,
    );
    expect(() =>
      validateSettings({ ...DEFAULT_SETTINGS, engine: 'wgsl', prepareOn: 'gpu', augment: { pad: 40, flip: true } }),
    ).toThrow(/^augment\.pad: must be a whole number from 0 to 16/);
    // A key the augmentation would not read is refused, not dropped; so is an array.
    const gpu = { ...DEFAULT_SETTINGS, engine: 'wgsl', prepareOn: 'gpu' } as const;
    expect(() => validateSettings({ ...gpu, augment: { pad: 2, flip: true, rotate: 10 } as never })).toThrow(
      /^augment\.rotate: is not an augmentation setting \(it takes pad, flip\)/,
    );
    expect(() => validateSettings({ ...gpu, augment: [] as never })).toThrow(/^augment: must be an object/);
    expect(() => validateSettings({ ...gpu, augment: { pad: 2, flip: false } })).not.toThrow();
    // Augmentation on rows that are not images: penguins' measurements and categories.
    await expect(
      runOnce('penguins.arrow', penguins, { ...base, prepareOn: 'gpu', augment: { pad: 1, flip: false } }),
    ).rejects.toThrow(/^augment: crops and flips need image rows and an image model/);
  }, 60_000);
});
