/**
 * The wgsl engine against the tfjs engine (tfjs-cpu, whose optimizers match a float64
 * reference and PyTorch's rules): same seed, so the same initial weights; the same batches;
 * several whole steps (forward, backward, update) for every optimizer, with Lookahead, clipping
 * by global norm and each schedule. Losses and every parameter within 1e-4 relative.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOptimizerSpec, type OptimizerSpec } from '../../core/train/optimizer-spec';
import { createOptimizer } from '../../core/train/optimizers';
import { createTfjsEngine } from '../../core/train/tfjs-engine';
import type { Batch, TrainEngine } from '../../core/train/engine';
import type { EngineGpu } from './device';
import { createWgslEngine } from './engine';
import { mlpConfig, relError, seededRows, testGpu } from './test-support';

const STEPS = 8;
const TOL = 1e-4;

const BASE: Record<string, OptimizerSpec> = {
  sgd: { name: 'sgd', learningRate: 0.1 },
  'sgd + L2': { name: 'sgd', learningRate: 0.1, weightDecay: 0.05 },
  momentum: { name: 'momentum', learningRate: 0.05 },
  nesterov: { name: 'nesterov', learningRate: 0.05, momentum: 0.8, weightDecay: 0.02 },
  rmsprop: { name: 'rmsprop', learningRate: 0.01, rho: 0.95, weightDecay: 0.01 },
  adam: { name: 'adam', learningRate: 0.01 },
  'adam + L2': { name: 'adam', learningRate: 0.01, weightDecay: 0.1 },
  adamw: { name: 'adamw', learningRate: 0.01, weightDecay: 0.1 },
  lion: { name: 'lion', learningRate: 0.003, weightDecay: 0.1 },
};
const SPECS: Record<string, OptimizerSpec> = {
  ...BASE,
  'sgd + lookahead(3, 0.5)': { ...BASE.sgd, lookahead: { k: 3, alpha: 0.5 } },
  'adam + lookahead(2, 0.8) + clip': { ...BASE.adam, lookahead: { k: 2, alpha: 0.8 }, clipNorm: 0.05 },
  'momentum + step schedule + warm-up': {
    ...BASE.momentum,
    schedule: { type: 'step', stepSize: 2, gamma: 0.5, warmupSteps: 2 },
  },
  'adamw + cosine + warm-up + clip': {
    ...BASE.adamw,
    schedule: { type: 'cosine', warmupSteps: 2, totalSteps: 6, minLearningRate: 0.001 },
    clipNorm: 0.1,
  },
  'rmsprop + clip that never bites': { ...BASE.rmsprop, clipNorm: 1e6 },
  'lion + lookahead + cosine + clip': {
    ...BASE.lion,
    lookahead: { k: 3, alpha: 0.5 },
    schedule: { type: 'cosine', totalSteps: 8 },
    clipNorm: 0.2,
  },
};

let gpu: EngineGpu;
beforeAll(async () => {
  await tf.setBackend('cpu');
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

async function run(engine: TrainEngine, batches: Batch[]): Promise<{ losses: number[]; params: Float32Array[] }> {
  const losses: number[] = [];
  for (const b of batches) {
    await engine.step(b, false);
    losses.push(...Array.from((await engine.drain()).losses));
  }
  const params = await engine.parameters();
  engine.dispose();
  return { losses, params };
}

describe('initial weights', () => {
  it('the same seed gives both engines the same initial weights, bit for bit', async () => {
    const task = { task: 'classification' as const, dim: 9, outputs: 3 };
    for (const seed of [1, 42]) {
      const config = mlpConfig({ hidden: [7, 5], batchSize: 8, seed, optimizer: { name: 'sgd', learningRate: 0.1 } });
      const tfjs = createTfjsEngine(config, task, createOptimizer(config.optimizer));
      const wgsl = await createWgslEngine(config, task, gpu);
      const [a, b] = [await tfjs.parameters(), await wgsl.parameters()];
      expect(b.map((p) => Array.from(p))).toEqual(a.map((p) => Array.from(p)));
      expect(a[0].some((v) => v !== 0)).toBe(true);
      tfjs.dispose();
      wgsl.dispose();
    }
  });
});

describe(`wgsl and tfjs engines agree after ${STEPS} steps (${TOL} relative)`, () => {
  it.each(Object.entries(SPECS))('%s', async (_label, raw) => {
    const optimizer = validateOptimizerSpec(raw);
    const task = { task: 'classification' as const, dim: 12, outputs: 4 };
    const config = mlpConfig({ hidden: [10, 6], activation: 'tanh', batchSize: 24, optimizer });
    const { x, y } = seededRows(24 * STEPS, 12, { classes: 4 }, 5);
    // The last batch is short (17 rows), as an epoch's last batch may be.
    const batches: Batch[] = Array.from({ length: STEPS }, (_, i) => {
      const size = i === STEPS - 1 ? 17 : 24;
      return {
        x: x.subarray(i * 24 * 12, (i * 24 + size) * 12),
        y: y.subarray(i * 24, i * 24 + size),
        size,
        epoch: 0,
        index: i,
        lastInEpoch: i === STEPS - 1,
      };
    });
    const ref = await run(createTfjsEngine(config, task, createOptimizer(optimizer)), batches);
    const got = await run(await createWgslEngine(config, task, gpu), batches);
    expect(relError(got.losses, ref.losses)).toBeLessThan(TOL);
    expect(got.params).toHaveLength(ref.params.length);
    got.params.forEach((p, i) => expect(relError(p, ref.params[i]), `parameter ${i}`).toBeLessThan(TOL));
    // The run moved the weights (a test of nothing would pass too).
    const fresh = await createWgslEngine(config, task, gpu);
    const start = await fresh.parameters();
    fresh.dispose();
    expect(relError(start[0], ref.params[0])).toBeGreaterThan(100 * TOL);
  });
});
