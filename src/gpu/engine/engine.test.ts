/**
 * The WGSL engine as a run sees it: GradScaler's rules decided on the GPU (a forced overflow
 * skips the step and halves the scale; clean steps double it after the interval), no GPU buffer
 * leaks over 1000 steps, and a lost device turns into a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../core/train/engine';
import type { EngineGpu } from './device';
import { createWgslEngine, LOSS_RING } from './engine';
import { mlpConfig, relError, seededRows, testGpu } from './test-support';

const task = { task: 'classification' as const, dim: 10, outputs: 3 };
const rows = seededRows(64, 10, { classes: 3 });
const batch = (size = 32, index = 0): Batch => ({
  x: rows.x.subarray(index * 32 * 10),
  y: rows.y.subarray(index * 32),
  size,
  epoch: 0,
  index,
  lastInEpoch: false,
});

let gpu: EngineGpu;
beforeAll(async () => {
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

describe('dynamic loss scaling (fp16-mixed)', () => {
  const config = mlpConfig({
    hidden: [8],
    batchSize: 32,
    precision: 'fp16-mixed',
    optimizer: { name: 'adam', learningRate: 0.01 },
  });

  it('starts at 2^16 like GradScaler', async () => {
    const e = await createWgslEngine(config, task, gpu);
    expect(await e.mixedPrecision()).toEqual({ lossScale: 65536, skippedSteps: 0 });
    e.dispose();
  });

  it('skips a step whose gradients overflow float16, leaves the weights alone and halves the scale', async () => {
    // 2^40 times the loss gradient cannot be held in float16: the loss kernel flags it.
    const e = await createWgslEngine(config, task, gpu, { initialScale: 2 ** 40 });
    const before = await e.readParameters();
    await e.step(batch(), false);
    await e.drain();
    expect(await e.mixedPrecision()).toEqual({ lossScale: 2 ** 39, skippedSteps: 1 });
    expect(e.appliedSteps).toBe(0);
    expect(Array.from(await e.readParameters())).toEqual(Array.from(before));
    // It keeps halving until the gradients fit, then updates (Adam's step count only counts those).
    for (let i = 0; i < 40; i++) await e.step(batch(32, i % 2), false);
    await e.drain();
    const state = (await e.mixedPrecision())!;
    expect(state.skippedSteps).toBeGreaterThan(10);
    expect(state.skippedSteps).toBeLessThan(40);
    expect(state.lossScale).toBe(2 ** (40 - state.skippedSteps));
    expect(e.appliedSteps).toBe(41 - state.skippedSteps);
    expect(relError(await e.readParameters(), before)).toBeGreaterThan(1e-3);
    e.dispose();
  });

  it('doubles the scale after the interval of clean steps', async () => {
    const e = await createWgslEngine(config, task, gpu, { initialScale: 4, growthInterval: 3 });
    for (let i = 0; i < 7; i++) await e.step(batch(32, i % 2), false);
    await e.drain();
    expect(await e.mixedPrecision()).toEqual({ lossScale: 16, skippedSteps: 0 });
    expect(e.appliedSteps).toBe(7);
    e.dispose();
  });

  it('fp32 runs have no scaler', async () => {
    const e = await createWgslEngine(mlpConfig({ hidden: [8], batchSize: 32 }), task, gpu);
    expect(await e.mixedPrecision()).toBeNull();
    e.dispose();
  });
});

describe('resources', () => {
  it('creates no GPU buffer per step: 1000 steps, then every buffer destroyed', async () => {
    const created0 = gpu.counters.created;
    const destroyed0 = gpu.counters.destroyed;
    const config = mlpConfig({
      hidden: [16, 8],
      batchSize: 32,
      precision: 'fp16-mixed',
      optimizer: { name: 'adamw', learningRate: 0.001, clipNorm: 1, lookahead: { k: 5, alpha: 0.5 } },
    });
    const e = await createWgslEngine(config, task, gpu);
    await e.step(batch(), true);
    await e.drain();
    const live = gpu.counters.created - gpu.counters.destroyed;
    const bytes = gpu.counters.bytes;
    for (let i = 1; i < 1000; i++) {
      await e.step(batch(i % 7 === 0 ? 19 : 32, i % 2), i % 10 === 0);
      if (i % 10 === 9) {
        const { losses } = await e.drain();
        expect(losses.every(Number.isFinite)).toBe(true);
        expect(gpu.counters.created - gpu.counters.destroyed).toBe(live);
      }
    }
    await e.drain();
    await e.validate({ x: rows.x, y: rows.y, rows: 64 });
    expect(gpu.counters.created - gpu.counters.destroyed).toBe(live);
    expect(gpu.counters.bytes).toBe(bytes);
    expect(e.memory().gpuBytes).toBe(bytes);
    e.dispose();
    expect(gpu.counters.created - created0).toBe(gpu.counters.destroyed - destroyed0);
  }, 120_000);

  it(`refuses to queue more than ${LOSS_RING} steps without a drain`, async () => {
    const e = await createWgslEngine(mlpConfig({ hidden: [4], batchSize: 32 }), task, gpu);
    for (let i = 0; i < LOSS_RING; i++) await e.step(batch(), false);
    await expect(e.step(batch(), false)).rejects.toThrow(/call drain/);
    expect((await e.drain()).losses).toHaveLength(LOSS_RING);
    e.dispose();
  });

  it('a device lost between steps fails the steps that follow with the loss, not a failed staging map', async () => {
    const own = await testGpu();
    const e = await createWgslEngine(mlpConfig({ hidden: [4], batchSize: 32 }), task, own);
    await e.step(batch(), false);
    await e.drain();
    // Not waiting for device.lost: the staging buffers' mappings fail before the loss is reported.
    own.device.destroy();
    let failure: unknown = null;
    for (let i = 0; i < 8 && failure === null; i++) {
      try {
        await e.step(batch(), false);
      } catch (err) {
        failure = err;
      }
    }
    expect(String(failure)).toMatch(/the GPU device was lost/);
    e.dispose();
  });

  it('a lost device fails the next step or read with a message saying so', async () => {
    const own = await testGpu();
    const e = await createWgslEngine(mlpConfig({ hidden: [4], batchSize: 32 }), task, own);
    await e.step(batch(), false);
    await e.drain();
    await e.step(batch(), false);
    own.device.destroy();
    await own.device.lost;
    await expect(e.drain()).rejects.toThrow(/the GPU device was lost \(destroyed/);
    await expect(e.step(batch(), false)).rejects.toThrow(/the GPU device was lost/);
    e.dispose();
    // A new device trains again.
    const fresh = await testGpu();
    const f = await createWgslEngine(mlpConfig({ hidden: [4], batchSize: 32 }), task, fresh);
    await f.step(batch(), false);
    expect((await f.drain()).losses[0]).toBeGreaterThan(0);
    f.dispose();
    fresh.device.destroy();
  });
});

describe('what a device cannot hold', () => {
  it('refuses, naming the field, a batch whose activations do not fit one GPU buffer', async () => {
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    const rows = Math.ceil(limit / 4 / (784 + 16)) + 1024;
    await expect(
      createWgslEngine(
        mlpConfig({ hidden: [8], batchSize: rows }),
        { task: 'classification', dim: 784, outputs: 10 },
        gpu,
      ),
    ).rejects.toThrow(/^batchSize: \d+ rows of activations need \d+ MB in one GPU buffer; this device allows \d+ MB/);
    expect(gpu.counters.created - gpu.counters.destroyed).toBe(0);
  });
});
