/**
 * wgsl runs through the same services as the workbench (data worker -> trainer worker over
 * MessageChannels), on Dawn: fp16-mixed on the MNIST sample reaches the validation accuracy of
 * fp32 within 1 percentage point over the same seeds; each run says where it trained; a lost
 * device fails that run with a message, and the next run trains.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { installDawn } from '../gpu/node-webgpu';
import { openEngineGpu } from '../gpu/engine/device';
import type { Environment, RunConfig } from '../core/train/record';
import { runOnce } from './test-pipeline';

const mnist = readFileSync('public/datasets/mnist-2k.arrow');

beforeAll(async () => {
  await tf.setBackend('cpu');
  expect(await installDawn()).toBe(true);
});

const mlp = (precision: RunConfig['precision'], seed: number): Partial<RunConfig> => ({
  engine: 'wgsl',
  precision,
  seed,
  epochs: 6,
  batchSize: 64,
  model: { type: 'mlp', hidden: [64], activation: 'relu' },
  optimizer: { name: 'adam', learningRate: 0.003 },
});

describe('wgsl engine through the trainer service', () => {
  it('fp16-mixed reaches fp32 validation accuracy on the MNIST sample, within 1 point over two seeds', async () => {
    const acc: Record<string, number[]> = { fp32: [], 'fp16-mixed': [] };
    for (const seed of [1, 2]) {
      for (const precision of ['fp32', 'fp16-mixed'] as const) {
        const { result, epochs, events } = await runOnce('mnist-2k.arrow', mnist, mlp(precision, seed));
        expect(result.status).toBe('done');
        const env = events.find((e) => e.type === 'environment')?.environment as Environment;
        expect(env).toMatchObject({
          backend: 'webgpu',
          f16Path: precision === 'fp32' ? 'none' : 'packed',
          fallbackReason: null,
        });
        if (precision === 'fp16-mixed') {
          expect(result.lossScale).toBeGreaterThan(0);
          expect(result.skippedSteps).toBeGreaterThanOrEqual(0);
        } else expect(result.lossScale).toBeUndefined();
        acc[precision].push(epochs[epochs.length - 1].valAccuracy!);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(acc.fp32)).toBeGreaterThan(0.8);
    expect(Math.abs(mean(acc['fp16-mixed']) - mean(acc.fp32))).toBeLessThanOrEqual(0.01);
  }, 240_000);

  it('records misclassified validation rows like the tfjs engine', async () => {
    const { result } = await runOnce('mnist-2k.arrow', mnist, { ...mlp('fp32', 1), epochs: 1 });
    expect(result.misclassified!.length).toBeGreaterThan(0);
    expect(result.misclassified!.length).toBeLessThanOrEqual(50);
    for (const m of result.misclassified!) expect(m.predicted).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('a lost device fails the run with a message; the next wgsl run opens a new device and trains', async () => {
    // Destroy every device the engine opens while its run is in flight.
    const gpu = (globalThis.navigator as { gpu: GPU }).gpu;
    const probe = await openEngineGpu();
    expect('reason' in probe).toBe(false);
    const original = gpu.requestAdapter.bind(gpu);
    let sabotage = true;
    const opened: GPUDevice[] = [];
    Object.defineProperty(gpu, 'requestAdapter', {
      configurable: true,
      value: async (o?: GPURequestAdapterOptions) => {
        const a = await original(o);
        if (!a) return a;
        const requestDevice = a.requestDevice.bind(a);
        return Object.assign(a, {
          requestDevice: async (d?: GPUDeviceDescriptor) => {
            const dev = await requestDevice(d);
            opened.push(dev);
            if (sabotage) setTimeout(() => dev.destroy(), 1500);
            return dev;
          },
        });
      },
    });
    try {
      await expect(runOnce('mnist-2k.arrow', mnist, { ...mlp('fp32', 1), epochs: 50 })).rejects.toThrow(
        /the GPU device was lost/,
      );
      sabotage = false;
      const { result } = await runOnce('mnist-2k.arrow', mnist, { ...mlp('fp32', 1), epochs: 1 });
      expect(result.status).toBe('done');
      expect(opened.length).toBeGreaterThanOrEqual(2);
    } finally {
      delete (gpu as unknown as Record<string, unknown>).requestAdapter;
    }
  }, 120_000);
});
