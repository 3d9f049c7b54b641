/**
 * Pruning on both engines, through the training loop: the same seed, batches and pruning
 * schedule give the wgsl engine the same masks, losses and weights as the tfjs engine (tfjs-cpu,
 * 1e-4 relative), for an MLP (Adam + Lookahead + clipping, so optimizer state and slow weights
 * keep running under the masks) and a grouped CNN (convolution kernels pruned). Each kernel ends
 * with exactly round(target * size) zeros and every bias untouched; fp16-mixed keeps its float16
 * copy masked (its losses follow the fp32 run's within 3e-2).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prunedCount } from '../../core/compress/prune';
import { Rng } from '../../core/data/rng';
import type { Batch } from '../../core/train/engine';
import { MODEL_CASES } from '../../core/train/models/model-cases.test-support';
import { validateOptimizerSpec, type OptimizerSpec } from '../../core/train/optimizer-spec';
import { createOptimizer } from '../../core/train/optimizers';
import type { PruningSetting, RunConfig, RunSummary } from '../../core/train/record';
import { createTfjsEngine } from '../../core/train/tfjs-engine';
import { train, type BatchSource, type EngineFactory, type TrainTask } from '../../core/train/trainer';
import type { EngineGpu } from './device';
import { createWgslEngine, type WgslEngine } from './engine';
import { mlpConfig, relError, seededRows, testGpu } from './test-support';

let gpu: EngineGpu;
beforeAll(async () => {
  await tf.setBackend('cpu');
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

const PRUNING: PruningSetting = { targetSparsity: 0.75, startStep: 2, endStep: 10, every: 3 };
const STEPS = 14;
const ROWS = 16;

function source(dim: number, classes: number): BatchSource {
  const { x, y } = seededRows(ROWS * STEPS, dim, { classes }, 9);
  let i = 0;
  return {
    async next(): Promise<Batch | null> {
      if (i === STEPS) return null;
      const b: Batch = {
        x: x.subarray(i * ROWS * dim, (i + 1) * ROWS * dim),
        y: y.subarray(i * ROWS, (i + 1) * ROWS),
        size: ROWS,
        epoch: 0,
        index: i,
        lastInEpoch: i === STEPS - 1,
      };
      i++;
      return b;
    },
    recycle() {},
  };
}

async function run(config: RunConfig, task: TrainTask, factory: EngineFactory) {
  const losses: number[] = [];
  const valLosses: (number | null)[] = [];
  let params: Float32Array[] = [];
  const summary: RunSummary = await train(config, task, source(task.dim, task.outputs), factory, {
    onSteps: (s) => losses.push(...s.map((r) => r.loss)),
    onEpoch: (e) => valLosses.push(e.valLoss),
    shouldStop: () => false,
    waitWhilePaused: async () => {},
    onParameters: (p) => (params = p),
  });
  return { losses, valLosses, params, summary };
}

const tfjs: EngineFactory = (c, t) => createTfjsEngine(c, t, createOptimizer(c.optimizer));
const wgsl =
  (options: Parameters<typeof createWgslEngine>[3] = {}): EngineFactory =>
  (c, t) =>
    createWgslEngine(c, t, gpu, options);

function expectPruned(params: Float32Array[], target: number) {
  params.forEach((p, i) => {
    const zeros = p.filter((v) => v === 0).length;
    if (i % 2 === 0) expect(zeros, `kernel ${i}`).toBe(prunedCount(p.length, target));
    else expect(zeros, `bias ${i}`).toBe(0);
  });
}

const adam: OptimizerSpec = validateOptimizerSpec({
  name: 'adam',
  learningRate: 0.02,
  lookahead: { k: 3, alpha: 0.5 },
  clipNorm: 0.5,
});

describe('pruning: wgsl and tfjs engines agree', () => {
  it('MLP, Adam + Lookahead + clip: same masks, losses and weights; each kernel at its target', async () => {
    // Validation rows: the evaluation pass runs on the CSR kernels too.
    const val = seededRows(37, 13, { classes: 3 }, 4);
    const task: TrainTask = { task: 'classification', dim: 13, outputs: 3, val: { ...val, rows: 37 } };
    const config: RunConfig = {
      ...mlpConfig({ hidden: [17, 9], activation: 'tanh', batchSize: ROWS, optimizer: adam }),
      pruning: PRUNING,
    };
    const ref = await run({ ...config, engine: 'tfjs' }, task, tfjs);
    const got = await run(config, task, wgsl());
    // The same run on the CSR kernels (every pruned layer sparse from the first mask on).
    let engine: WgslEngine | null = null;
    const csr = await run(
      config,
      task,
      async (c, t) => (engine = await createWgslEngine(c, t, gpu, { sparseKernels: 'always' })),
    );
    expect(engine!.sparseLayers().map((r) => [r.layer, r.sparse])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    csr.params.forEach((p, i) => expect(relError(p, ref.params[i]), `csr parameter ${i}`).toBeLessThan(1e-4));
    expect(relError(csr.losses, ref.losses)).toBeLessThan(1e-4);
    expect(relError(csr.valLosses as number[], ref.valLosses as number[])).toBeLessThan(1e-4);
    expect(csr.summary.misclassified).toEqual(ref.summary.misclassified);
    expectPruned(ref.params, 0.75);
    expectPruned(got.params, 0.75);
    got.params.forEach((p, i) => {
      expect(
        p.map((v) => +(v === 0)),
        `mask ${i}`,
      ).toEqual(ref.params[i].map((v) => +(v === 0)));
      expect(relError(p, ref.params[i]), `parameter ${i}`).toBeLessThan(1e-4);
    });
    expect(relError(got.losses, ref.losses)).toBeLessThan(1e-4);
    const kernels = 13 * 17 + 17 * 9 + 9 * 3;
    expect(got.summary.sparsity).toBeCloseTo(
      (prunedCount(13 * 17, 0.75) + prunedCount(17 * 9, 0.75) + prunedCount(9 * 3, 0.75)) / kernels,
      12,
    );
    expect(got.summary.nonZeroParameters).toBe(got.params.reduce((n, p) => n + p.filter((v) => v !== 0).length, 0));
    expect(ref.summary.sparsity).toBe(got.summary.sparsity);
    // Without pruning the same run keeps every weight (the masks are what zeroes them).
    const dense = await run({ ...config, pruning: null }, task, wgsl());
    expect(dense.params[0].filter((v) => v === 0).length).toBe(0);
    expect(dense.summary.sparsity).toBeUndefined();
  });

  it('grouped CNN, SGD: convolution kernels pruned the same on both engines', async () => {
    const [, model, dim, outputs] = MODEL_CASES.find(([name]) => name === 'grouped cnn')!;
    const sgd = validateOptimizerSpec({ name: 'sgd', learningRate: 0.05 });
    const task: TrainTask = { task: 'classification', dim, outputs, val: null };
    const config: RunConfig = {
      ...mlpConfig({ hidden: [], batchSize: ROWS, optimizer: sgd }),
      model,
      pruning: PRUNING,
    };
    const ref = await run({ ...config, engine: 'tfjs' }, task, tfjs);
    const got = await run(config, task, wgsl());
    expectPruned(got.params, 0.75);
    got.params.forEach((p, i) => expect(relError(p, ref.params[i]), `parameter ${i}`).toBeLessThan(1e-4));
    expect(relError(got.losses, ref.losses)).toBeLessThan(1e-4);
    // The dense head on the CSR kernels: its input rows are the last node's pixels in channel groups (rowOf).
    const csr = await run(config, task, wgsl({ sparseKernels: 'always' }));
    csr.params.forEach((p, i) => expect(relError(p, ref.params[i]), `csr parameter ${i}`).toBeLessThan(1e-4));
    expect(relError(csr.losses, ref.losses)).toBeLessThan(1e-4);
  });

  it('fp16-mixed (packed): each kernel at its target, losses near the fp32 run', async () => {
    const task: TrainTask = { task: 'classification', dim: 13, outputs: 3, val: null };
    const config: RunConfig = {
      ...mlpConfig({ hidden: [17, 9], activation: 'tanh', batchSize: ROWS, optimizer: adam }),
      pruning: PRUNING,
    };
    const f32 = await run(config, task, wgsl());
    const f16 = await run({ ...config, precision: 'fp16-mixed' }, task, wgsl({ f16Path: 'packed' }));
    expectPruned(f16.params, 0.75);
    const f16csr = await run(
      { ...config, precision: 'fp16-mixed' },
      task,
      wgsl({ f16Path: 'packed', sparseKernels: 'always' }),
    );
    expectPruned(f16csr.params, 0.75);
    expect(relError(f16csr.losses, f32.losses)).toBeLessThan(3e-2);
    // Float16 rounding can tip a weight near the magnitude threshold into the other side of a
    // mask, so the runs part a little more than unpruned ones do (1e-2 there).
    expect(relError(f16.losses, f32.losses)).toBeLessThan(3e-2);
  });
});

describe('the CSR kernels against the dense products on random masks', () => {
  it.each([0.5, 0.9, 0.99, 1])('%s pruned: one step and a validation pass agree within 1e-5', async (sparsity) => {
    const task: TrainTask = { task: 'classification', dim: 21, outputs: 5, val: null };
    const config: RunConfig = {
      ...mlpConfig({ hidden: [33, 18], activation: 'relu', batchSize: 23, optimizer: adam }),
      pruning: PRUNING,
    };
    const seedOf = Math.round(sparsity * 100) + 1;
    const { x, y } = seededRows(23, 21, { classes: 5 }, 11);
    const batch: Batch = { x, y, size: 23, epoch: 0, index: 0, lastInEpoch: true };
    const out: { params: Float32Array[]; val: { loss: number; accuracy: number | null }; loss: number }[] = [];
    for (const mode of ['never', 'always'] as const) {
      const engine = await createWgslEngine(config, task, gpu, { sparseKernels: mode });
      const shapes = await engine.parameters();
      // Random masks (the same for both engines: the generator restarts), kernels only.
      const r = new Rng(seedOf);
      await engine.setMasks(
        shapes.map((t, i) => (i % 2 ? null : Uint8Array.from(t, () => (r.next() < sparsity ? 0 : 1)))),
      );
      await engine.step(batch, false);
      const loss = (await engine.drain()).losses[0];
      out.push({ params: await engine.parameters(), val: await engine.validate({ x, y, rows: 23 }), loss });
      expect(engine.sparseLayers().every((l) => l.sparse === (mode === 'always'))).toBe(true);
      engine.dispose();
    }
    const [dense, csr] = out;
    expect(Math.abs(csr.loss - dense.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(dense.loss)));
    expect(Math.abs(csr.val.loss - dense.val.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(dense.val.loss)));
    expect(csr.val.accuracy).toBe(dense.val.accuracy);
    csr.params.forEach((p, i) => expect(relError(p, dense.params[i]), `parameter ${i}`).toBeLessThan(1e-5));
  });
});
