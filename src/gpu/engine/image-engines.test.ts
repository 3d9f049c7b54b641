/**
 * The cnn and dscnn models on the wgsl engine against the tfjs engine (tfjs-cpu): the same seed
 * gives the same initial weights; after several whole steps (a short last batch among them) the
 * losses and every parameter agree within 1e-4 relative in float32, for several optimizers. In
 * fp16-mixed (float16 activations and deltas) the losses agree within 1e-2 and the training
 * moves the parameters the same way: each weight tensor's change with cosine at least 0.98 to
 * the reference's, the whole change (biases too) within 10 % (L2). Float16 rounding may send a max-pool's
 * gradient to another of two nearly equal inputs, and a bias's change is a sum of many float16
 * deltas that largely cancel: a change's own relative error is no fair measure there. A wrong
 * gradient has a cosine near 0. The shapes are awkward on purpose: feature counts that are
 * not multiples of 4 (the input rows are padded as a whole), channel counts that are not
 * either, odd image sides, and a stride-2 depthwise layer whose 'same' padding differs between
 * rows and columns.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch, TrainEngine } from '../../core/train/engine';
import type { ModelSpec } from '../../core/train/model';
import { validateOptimizerSpec, type OptimizerSpec } from '../../core/train/optimizer-spec';
import { createOptimizer } from '../../core/train/optimizers';
import type { RunConfig } from '../../core/train/record';
import { createTfjsEngine } from '../../core/train/tfjs-engine';
import type { EngineGpu } from './device';
import { createWgslEngine } from './engine';
import { cosine, mlpConfig, relError, seededRows, testGpu } from './test-support';
import { kSlices, SPLIT_VARIANTS } from './tune';

let gpu: EngineGpu;
beforeAll(async () => {
  await tf.setBackend('cpu');
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

const MODELS: Record<string, ModelSpec> = {
  'cnn 6x5x1, filters [3, 5], hidden [7], tanh': {
    type: 'cnn',
    inputShape: [6, 5, 1],
    filters: [3, 5],
    hidden: [7],
    activation: 'tanh',
  },
  'cnn 7x7x3, filters [4], relu': { type: 'cnn', inputShape: [7, 7, 3], filters: [4], hidden: [], activation: 'relu' },
  'grouped cnn 6x6x4, filters [6, 9] in groups [2, 3], tanh': {
    type: 'cnn',
    inputShape: [6, 6, 4],
    filters: [6, 9],
    groups: [2, 3],
    hidden: [],
    activation: 'tanh',
  },
  'dscnn 7x6x2, stem 3, blocks 5/2 6/1 4/2, relu': {
    type: 'dscnn',
    inputShape: [7, 6, 2],
    stem: 3,
    blocks: [
      { filters: 5, stride: 2 },
      { filters: 6, stride: 1 },
      { filters: 4, stride: 2 },
    ],
    hidden: [],
    activation: 'relu',
  },
  'dscnn 5x5x1, stem 4, blocks 3/1, hidden [6], tanh': {
    type: 'dscnn',
    inputShape: [5, 5, 1],
    stem: 4,
    blocks: [{ filters: 3, stride: 1 }],
    hidden: [6],
    activation: 'tanh',
  },
};

const OPTIMIZERS: Record<string, OptimizerSpec> = {
  sgd: { name: 'sgd', learningRate: 0.2 },
  adam: { name: 'adam', learningRate: 0.01 },
  'momentum + clip': { name: 'momentum', learningRate: 0.05, clipNorm: 0.5 },
};

const STEPS = 5;
const BATCH = 12;

function config(model: ModelSpec, optimizer: OptimizerSpec, precision: RunConfig['precision'] = 'fp32'): RunConfig {
  return { ...mlpConfig({ hidden: [], batchSize: BATCH, precision, optimizer }), model };
}

function batches(dim: number): Batch[] {
  const { x, y } = seededRows(BATCH * STEPS, dim, { classes: 3 }, 11);
  return Array.from({ length: STEPS }, (_, i) => {
    const size = i === STEPS - 1 ? 7 : BATCH;
    return {
      x: x.subarray(i * BATCH * dim, (i * BATCH + size) * dim),
      y: y.subarray(i * BATCH, i * BATCH + size),
      size,
      epoch: 0,
      index: i,
      lastInEpoch: i === STEPS - 1,
    };
  });
}

async function run(engine: TrainEngine, data: Batch[]): Promise<{ losses: number[]; params: Float32Array[] }> {
  const losses: number[] = [];
  for (const b of data) {
    await engine.step(b, false);
    losses.push(...Array.from((await engine.drain()).losses));
  }
  const params = await engine.parameters();
  engine.dispose();
  return { losses, params };
}

const dimOf = (m: ModelSpec) => (m.type === 'mlp' ? 0 : m.inputShape!.reduce((a, b) => a * b, 1));

describe('image models: the same initial weights on both engines', () => {
  it.each(Object.entries(MODELS))('%s', async (_label, model) => {
    const task = { task: 'classification' as const, dim: dimOf(model), outputs: 3 };
    const c = config(model, OPTIMIZERS.sgd);
    const tfjs = createTfjsEngine(c, task, createOptimizer(c.optimizer));
    const wgsl = await createWgslEngine(c, task, gpu);
    const [a, b] = [await tfjs.parameters(), await wgsl.parameters()];
    expect(b.map((p) => Array.from(p))).toEqual(a.map((p) => Array.from(p)));
    tfjs.dispose();
    wgsl.dispose();
  });
});

const CASES = Object.entries(MODELS).flatMap(([m, model]) =>
  Object.entries(OPTIMIZERS).map(([o, opt]) => [`${m}, ${o}`, model, opt] as const),
);

describe(`image models: wgsl and tfjs agree after ${STEPS} steps`, () => {
  it.each(CASES)('f32 %s', async (_label, model, raw) => {
    const optimizer = validateOptimizerSpec(raw);
    const dim = dimOf(model);
    const task = { task: 'classification' as const, dim, outputs: 3 };
    const c = config(model, optimizer);
    const data = batches(dim);
    const ref = await run(createTfjsEngine(c, task, createOptimizer(optimizer)), data);
    const got = await run(await createWgslEngine(c, task, gpu), data);
    expect(relError(got.losses, ref.losses)).toBeLessThan(1e-4);
    expect(got.params).toHaveLength(ref.params.length);
    got.params.forEach((p, i) => expect(relError(p, ref.params[i]), `parameter ${i}`).toBeLessThan(1e-4));
    // The steps moved every layer's weights (a test of nothing would pass too).
    const fresh = await createWgslEngine(c, task, gpu);
    const start = await fresh.parameters();
    fresh.dispose();
    start.forEach((p, i) => {
      if (i % 2 === 0) expect(relError(p, ref.params[i]), `parameter ${i} moved`).toBeGreaterThan(1e-3);
    });
  });

  // The weight gradients on the tiled cores split along K (partial sums per slice, then their
  // sum), the split the tuner may pick on a GPU (here the engine uses split-K unless forced).
  it.each(SPLIT_VARIANTS.filter((v) => v.split === 512).map((v) => [`${v.core}-${v.tile}`, v] as const))(
    'f32 cnn 7x7x3, filters [4], adam, weight gradients on %s split along K',
    async (_label, matmul) => {
      const model = MODELS['cnn 7x7x3, filters [4], relu'];
      // The first convolution's weight gradient (3 x 3 x 3 taps and the bias row, 4 channels, 12 x 49 pixels) is split.
      expect(kSlices(matmul, 28, 4, BATCH * 49)).toBeGreaterThan(4);
      const optimizer = validateOptimizerSpec(OPTIMIZERS.adam);
      const dim = dimOf(model);
      const task = { task: 'classification' as const, dim, outputs: 3 };
      const c = config(model, optimizer);
      const data = batches(dim);
      const ref = await run(createTfjsEngine(c, task, createOptimizer(optimizer)), data);
      const got = await run(await createWgslEngine(c, task, gpu, { matmul }), data);
      expect(relError(got.losses, ref.losses)).toBeLessThan(1e-4);
      got.params.forEach((p, i) => expect(relError(p, ref.params[i]), `parameter ${i}`).toBeLessThan(1e-4));
    },
  );

  const sgd: OptimizerSpec = { name: 'sgd', learningRate: 0.05 };
  it.each(Object.entries(MODELS))('fp16-mixed (packed) %s, sgd', async (_label, model) => {
    const dim = dimOf(model);
    const task = { task: 'classification' as const, dim, outputs: 3 };
    const data = batches(dim);
    const ref = await run(createTfjsEngine(config(model, sgd), task, createOptimizer(sgd)), data);
    const got = await run(
      await createWgslEngine(config(model, sgd, 'fp16-mixed'), task, gpu, { f16Path: 'packed' }),
      data,
    );
    const fresh = await createWgslEngine(config(model, sgd), task, gpu);
    const start = await fresh.parameters();
    fresh.dispose();
    expect(relError(got.losses, ref.losses)).toBeLessThan(1e-2);
    let [err, norm] = [0, 0];
    got.params.forEach((p, i) => {
      const dGot = p.map((v, j) => v - start[i][j]);
      const dRef = ref.params[i].map((v, j) => v - start[i][j]);
      if (i % 2 === 0) expect(cosine(dGot, dRef), `parameter ${i}`).toBeGreaterThan(0.98);
      dRef.forEach((v, j) => {
        err += (dGot[j] - v) ** 2;
        norm += v * v;
      });
    });
    expect(Math.sqrt(err / norm)).toBeLessThan(0.1);
    expect(norm).toBeGreaterThan(0);
  });
});
