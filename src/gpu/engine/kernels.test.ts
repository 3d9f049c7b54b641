/**
 * The WGSL engine's kernels against a float64 reference (src/core/train/reference/mlp.ts), on
 * seeded random shapes that are not multiples of the tiles, the vec4 padding or the loss
 * kernel's 64 rows: one step with a zero learning rate, then the logits, the loss, the deltas
 * and every weight and bias gradient read back. f32: relative error at most 1e-4. The float16
 * paths: at most 1e-2 with cosine similarity at least 0.999.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineGpu } from './device';
import { createWgslEngine } from './engine';
import { CHECK_CASES, CHECK_FORMATS, checkOneStep } from './float64-check';
import {
  cpuWeightGradientVariant,
  DENSE_SPLIT_VARIANTS,
  kSlices,
  SPLITK,
  MATMUL_VARIANTS,
  matmulCandidates,
  type MatmulVariant,
} from './tune';
import { mlpConfig, relError, seededRows, testGpu } from './test-support';

let gpu: EngineGpu;
beforeAll(async () => {
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

/**
 * The native float16 path needs `shader-f16`, which SwiftShader lacks: native-f16.test.ts runs
 * this file again on Mesa's lavapipe with TRAINBENCH_NATIVE_F16=1. bench/gpu.ts runs the same
 * checks (float64-check.ts) on a real GPU.
 */
const NATIVE = process.env.TRAINBENCH_NATIVE_F16 === '1';
const FORMATS = [CHECK_FORMATS.f32, CHECK_FORMATS.packed, ...(NATIVE ? [CHECK_FORMATS.native] : [])];

describe.each(FORMATS)('one step against float64, $label', (format) => {
  it.each(CHECK_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await checkOneStep(gpu, c, format);
    expect(r.format).toBe(format.f16Path ?? 'f32');
    for (const m of r.measures) {
      expect(m.rel, m.what).toBeLessThan(format.tol);
      expect(m.cos, m.what).toBeGreaterThan(format.cos);
    }
    // Padding columns of the gradient layout stay exactly zero.
    expect(r.dirtyPadding).toBe(0);
  });
});

describe('tiles', () => {
  it('tunes among the GPU-only variants only on a GPU (SwiftShader here is a CPU implementation)', () => {
    expect(gpu.cpu).toBe(true);
    expect(matmulCandidates(true).some((v) => v.core === 'tiled8')).toBe(false);
    expect(matmulCandidates(false)).toEqual(MATMUL_VARIANTS);
    expect(MATMUL_VARIANTS.some((v) => v.core === 'tiled8')).toBe(true);
    // Weight gradients may also split along K, on a GPU only.
    expect(matmulCandidates(false, 'backward-dw')).toEqual([...MATMUL_VARIANTS, ...DENSE_SPLIT_VARIANTS]);
    expect(matmulCandidates(true, 'backward-dw').some((v) => v.split)).toBe(false);
  });

  it('on a CPU adapter, picks split-K for a weight gradient that would leave the tiled tiles mostly empty', () => {
    // (M taps x channels + 1, N channels): MNIST's two layers, a CIFAR-sized net's two.
    expect(cpuWeightGradientVariant(10, 8)).toEqual(SPLITK);
    expect(cpuWeightGradientVariant(73, 16)).toEqual({ core: 'tiled', tile: 32 });
    expect(cpuWeightGradientVariant(28, 32)).toEqual({ core: 'tiled', tile: 32 });
    expect(cpuWeightGradientVariant(289, 64)).toEqual({ core: 'tiled', tile: 32 });
    // A quarter of one tile is the line.
    expect(cpuWeightGradientVariant(16, 16)).toEqual({ core: 'tiled', tile: 32 });
    expect(cpuWeightGradientVariant(15, 16)).toEqual(SPLITK);
  });

  it('weight gradients split along K (the batch) give the gradients of the unsplit cores', async () => {
    // 300 rows: 4 slices of 80 (the last 60) on a layer of 71 x 33 and its bias row.
    const task = { task: 'classification' as const, dim: 70, outputs: 5 };
    const config = mlpConfig({ hidden: [33], batchSize: 300 });
    const { x, y } = seededRows(300, 70, { classes: 5 }, 5);
    const gradients = async (matmul?: MatmulVariant) => {
      const engine = await createWgslEngine(config, task, gpu, matmul && { matmul });
      await engine.step({ x, y, size: 300, epoch: 0, index: 0, lastInEpoch: true }, false);
      await engine.drain();
      const g = new Float32Array(await engine.readBytes(engine.gpuBuffers.grads, 0, 4 * engine.layout.P));
      engine.dispose();
      return g;
    };
    const want = await gradients({ core: 'tiled', tile: 32 });
    expect(want.some((v) => v !== 0)).toBe(true);
    for (const matmul of DENSE_SPLIT_VARIANTS) {
      expect(kSlices(matmul, 71, 33, 300), `${matmul.core}-${matmul.tile}`).toBe(4);
      expect(relError(await gradients(matmul), want), `${matmul.core}-${matmul.tile}`).toBeLessThan(1e-5);
    }
  });

  it('every matmul variant (tiled and vec4 cores, 32- and 64-wide tiles) gives the same gradients', async () => {
    const task = { task: 'classification' as const, dim: 70, outputs: 5 };
    const config = mlpConfig({ hidden: [100], batchSize: 90 });
    const { x, y } = seededRows(90, 70, { classes: 5 });
    const grads: Float32Array[] = [];
    for (const matmul of MATMUL_VARIANTS) {
      const engine = await createWgslEngine(config, task, gpu, { matmul });
      await engine.step({ x, y, size: 90, epoch: 0, index: 0, lastInEpoch: true }, false);
      await engine.drain();
      grads.push(new Float32Array(await engine.readBytes(engine.gpuBuffers.grads, 0, 4 * engine.layout.P)));
      engine.dispose();
    }
    for (const g of grads.slice(1)) expect(relError(g, grads[0])).toBeLessThan(1e-5);
    expect(grads[0].some((v) => v !== 0)).toBe(true);
  });
});
