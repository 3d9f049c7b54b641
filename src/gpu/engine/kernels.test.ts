/**
 * The WGSL engine's kernels against a float64 reference (src/core/train/reference/mlp.ts), on
 * seeded random shapes that are not multiples of the tiles, the vec4 padding or the loss
 * kernel's 64 rows: one step with a zero learning rate, then the logits, the loss, the deltas
 * and every weight and bias gradient read back. f32: relative error at most 1e-4. The float16
 * paths: at most 1e-2 with cosine similarity at least 0.999.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossFor, lossOutputs } from '../../core/train/loss';
import type { Activation } from '../../core/train/model';
import { mlpReference } from '../../core/train/reference/mlp';
import type { EngineGpu } from './device';
import { createWgslEngine } from './engine';
import { layerValues } from './layout';
import { MATMUL_VARIANTS } from './tune';
import { cosine, mlpConfig, relError, seededRows, testGpu } from './test-support';

interface Case {
  name: string;
  dim: number;
  hidden: number[];
  target: { classes: number } | 'binary' | 'regression';
  activation: Activation;
  rows: number;
  batch: number;
}

const CASES: Case[] = [
  { name: '5-7-3 relu softmax, 13 rows', dim: 5, hidden: [7], target: { classes: 3 }, activation: 'relu', rows: 13, batch: 16 },
  { name: '33-70-65-1 tanh binary, 130 rows', dim: 33, hidden: [70, 65], target: 'binary', activation: 'tanh', rows: 130, batch: 130 },
  { name: '6-9-1 sigmoid mse, 1 row', dim: 6, hidden: [9], target: 'regression', activation: 'sigmoid', rows: 1, batch: 4 },
  { name: '784-40-10 relu softmax, short batch of 70', dim: 784, hidden: [40], target: { classes: 10 }, activation: 'relu', rows: 70, batch: 96 },
  { name: '17-129 linear softmax, 200 rows', dim: 17, hidden: [], target: { classes: 129 }, activation: 'relu', rows: 200, batch: 200 },
];

let gpu: EngineGpu;
beforeAll(async () => {
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

/**
 * The native float16 path needs `shader-f16`, which SwiftShader lacks: native-f16.test.ts runs
 * this file again on Mesa's lavapipe with TRAINBENCH_NATIVE_F16=1.
 */
const NATIVE = process.env.TRAINBENCH_NATIVE_F16 === '1';
const FORMATS = [
  { label: 'fp32', precision: 'fp32' as const, f16Path: undefined, tol: 1e-4, cos: 1 - 1e-7 },
  { label: 'fp16 packed', precision: 'fp16-mixed' as const, f16Path: 'packed' as const, tol: 1e-2, cos: 0.999 },
  ...(NATIVE ? [{ label: 'fp16 native', precision: 'fp16-mixed' as const, f16Path: 'native' as const, tol: 1e-2, cos: 0.999 }] : []),
];

describe.each(FORMATS)('one step against float64, $label', ({ precision, f16Path, tol, cos }) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const task = { task: c.target === 'regression' ? ('regression' as const) : ('classification' as const), dim: c.dim, outputs: c.target === 'binary' ? 2 : c.target === 'regression' ? 1 : c.target.classes };
    const config = mlpConfig({ hidden: c.hidden, activation: c.activation, batchSize: c.batch, precision });
    const engine = await createWgslEngine(config, task, gpu, { f16Path });
    try {
      expect(engine.format).toBe(f16Path ?? 'f32');
      const { x, y } = seededRows(c.rows, c.dim, c.target);
      const flat = await engine.readParameters();
      const L = engine.layout.layers.length;
      const weights = engine.layout.layers.map((_, l) => layerValues(engine.layout, flat, l));
      const loss = lossFor(task.task, task.outputs);
      const ref = mlpReference(engine.layout.widths, weights, c.activation, loss, x, y, c.rows);
      expect(engine.layout.widths[L]).toBe(lossOutputs(loss, task.outputs));

      await engine.step({ x, y, size: c.rows, epoch: 0, index: 0, lastInEpoch: true }, false);
      const { losses } = await engine.drain();
      expect(Math.abs(losses[0] - ref.loss) / Math.max(1e-6, Math.abs(ref.loss))).toBeLessThan(tol);

      const logits = await engine.readActivations('acts', L, c.rows);
      expect(relError(logits, ref.outputs[L - 1])).toBeLessThan(tol);
      expect(cosine(logits, ref.outputs[L - 1])).toBeGreaterThan(cos);
      for (let l = 1; l < L; l++) expect(relError(await engine.readActivations('acts', l, c.rows), ref.outputs[l - 1])).toBeLessThan(tol);

      const grads = new Float32Array(await engine.readBytes(engine.gpuBuffers.grads, 0, 4 * engine.layout.P));
      const scale = (await engine.mixedPrecision())?.lossScale ?? 1;
      for (let l = 0; l < L; l++) {
        const g = layerValues(engine.layout, grads, l);
        const gw = g.w.map((v) => v / scale);
        const gb = g.b.map((v) => v / scale);
        expect(relError(gw, ref.gradW[l]), `layer ${l} weights`).toBeLessThan(tol);
        expect(cosine(gw, ref.gradW[l]), `layer ${l} weights`).toBeGreaterThan(cos);
        expect(relError(gb, ref.gradB[l]), `layer ${l} bias`).toBeLessThan(tol);
        expect(cosine(gb, ref.gradB[l]), `layer ${l} bias`).toBeGreaterThan(cos);
      }
      // Padding columns of the gradient layout stay exactly zero.
      for (const ly of engine.layout.layers) {
        for (let k = 0; k <= ly.K; k++) for (let n = ly.N; n < ly.stride; n++) expect(grads[ly.wOff + k * ly.stride + n]).toBe(0);
      }
    } finally {
      engine.dispose();
    }
  });
});

describe('tiles', () => {
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
