/**
 * Distillation on both engines, through the training loop: batches carrying teacher logits
 * (Batch.soft) give the wgsl engine's loss kernel (kinds 3 and 4) the same losses and weights as
 * the tfjs engine (distillLoss, itself held to float64 and finite differences), for a softmax
 * and a binary head, with and without fp16-mixed; the first step's loss equals the float64 loss
 * of the initial model's logits; a = 1 is the plain run; a batch without its teacher logits is
 * refused.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distillLossF64 } from '../../core/compress/distill';
import { Rng } from '../../core/data/rng';
import type { Batch } from '../../core/train/engine';
import { lossFor } from '../../core/train/loss';
import { createModel } from '../../core/train/model';
import { validateOptimizerSpec } from '../../core/train/optimizer-spec';
import { createOptimizer } from '../../core/train/optimizers';
import type { DistillSetting, RunConfig } from '../../core/train/record';
import { createTfjsEngine } from '../../core/train/tfjs-engine';
import { train, type BatchSource, type EngineFactory, type TrainTask } from '../../core/train/trainer';
import type { EngineGpu } from './device';
import { createWgslEngine } from './engine';
import { mlpConfig, relError, seededRows, testGpu } from './test-support';

let gpu: EngineGpu;
beforeAll(async () => {
  await tf.setBackend('cpu');
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

const STEPS = 12;
const ROWS = 16;
const DISTILL: DistillSetting = { teacher: 'teacher-run', temperature: 3, alpha: 0.3 };

/** Seeded rows with seeded "teacher" logits (width = the output width), the last batch short. */
function data(dim: number, classes: number, width: number) {
  const rows = ROWS * STEPS - 5;
  const { x, y } = seededRows(rows, dim, { classes }, 9);
  const rng = new Rng(21);
  const soft = Float32Array.from({ length: rows * width }, () => 2.5 * rng.normal());
  return { x, y, soft, rows };
}

function source(d: ReturnType<typeof data>, dim: number, width: number, withSoft = true): BatchSource {
  let i = 0;
  return {
    async next(): Promise<Batch | null> {
      const at = i * ROWS;
      if (at >= d.rows) return null;
      const size = Math.min(ROWS, d.rows - at);
      i++;
      return {
        x: d.x.subarray(at * dim, (at + size) * dim),
        y: d.y.subarray(at, at + size),
        ...(withSoft ? { soft: d.soft.subarray(at * width, (at + size) * width) } : {}),
        size,
        epoch: 0,
        index: i - 1,
        lastInEpoch: at + size >= d.rows,
      };
    },
    recycle() {},
  };
}

async function run(config: RunConfig, task: TrainTask, factory: EngineFactory, withSoft = true) {
  const width = task.outputs === 2 ? 1 : task.outputs;
  const d = data(task.dim, task.outputs, width);
  const losses: number[] = [];
  let params: Float32Array[] = [];
  await train(config, task, source(d, task.dim, width, withSoft), factory, {
    onSteps: (s) => losses.push(...s.map((r) => r.loss)),
    onEpoch: () => {},
    shouldStop: () => false,
    waitWhilePaused: async () => {},
    onParameters: (p) => (params = p),
  });
  return { losses, params, d };
}

const tfjs: EngineFactory = (c, t) => createTfjsEngine(c, t, createOptimizer(c.optimizer));
const wgsl =
  (options: Parameters<typeof createWgslEngine>[3] = {}): EngineFactory =>
  (c, t) =>
    createWgslEngine(c, t, gpu, options);
// Momentum, not Adam: Adam's normalised step magnifies float32 rounding in a near-zero gradient (a binary head's bias).
const momentum = validateOptimizerSpec({ name: 'momentum', learningRate: 0.05, momentum: 0.9 });

describe.each([
  ['softmax, 4 classes', 4],
  ['binary, one logit', 2],
])('distillation: wgsl and tfjs engines agree (%s)', (_, classes) => {
  const task: TrainTask = { task: 'classification', dim: 11, outputs: classes, val: null };
  const config: RunConfig = {
    ...mlpConfig({ hidden: [15], activation: 'tanh', batchSize: ROWS, optimizer: momentum }),
    distill: DISTILL,
  };

  it('same losses and weights within 1e-4; the first loss is the float64 loss of the initial logits', async () => {
    const ref = await run({ ...config, engine: 'tfjs' }, task, tfjs);
    const got = await run(config, task, wgsl());
    expect(got.losses).toHaveLength(STEPS);
    expect(relError(got.losses, ref.losses)).toBeLessThan(1e-4);
    got.params.forEach((p, i) => expect(relError(p, ref.params[i]), `parameter ${i}`).toBeLessThan(1e-4));
    // The first step's loss, from the seeded initial model's logits in float64.
    const width = classes === 2 ? 1 : classes;
    const model = createModel(config.model, 11, width, config.seed);
    const logits = tf.tidy(() => model.apply(tf.tensor2d(ref.d.x.subarray(0, ROWS * 11), [ROWS, 11])));
    const s = await logits.data();
    logits.dispose();
    model.dispose();
    const { loss } = distillLossF64(
      lossFor('classification', classes),
      s,
      ref.d.soft.subarray(0, ROWS * width),
      ref.d.y.subarray(0, ROWS),
      width,
      DISTILL,
    );
    expect(Math.abs(got.losses[0] - loss) / loss).toBeLessThan(1e-5);
  });

  it('a = 1 trains as the plain run; a = 0.3 does not', async () => {
    const plain = await run({ ...config, distill: null }, task, wgsl());
    const hard = await run({ ...config, distill: { ...DISTILL, alpha: 1 } }, task, wgsl());
    const soft = await run(config, task, wgsl());
    expect(relError(hard.losses, plain.losses)).toBeLessThan(1e-6);
    expect(relError(soft.losses, plain.losses)).toBeGreaterThan(1e-2);
  });

  it('fp16-mixed (packed) follows the fp32 run', async () => {
    const f32 = await run(config, task, wgsl());
    const f16 = await run({ ...config, precision: 'fp16-mixed' }, task, wgsl({ f16Path: 'packed' }));
    expect(relError(f16.losses, f32.losses)).toBeLessThan(1e-2);
  });

  it('a batch without its teacher logits is refused on both engines', async () => {
    await expect(run({ ...config, engine: 'tfjs' }, task, tfjs, false)).rejects.toThrow(/without its teacher logits/);
    await expect(run(config, task, wgsl(), false)).rejects.toThrow(/without its teacher logits/);
  });
});
