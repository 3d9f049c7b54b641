import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerSpec } from '../optimizer-spec';
import { makeVariables } from '../reference/harness';
import { createOptimizer } from '.';

const STEPS = 500;

const SPECS: OptimizerSpec[] = [
  { name: 'sgd', learningRate: 0.01 },
  { name: 'sgd', learningRate: 0.01, weightDecay: 0.01 },
  { name: 'momentum', learningRate: 0.01 },
  { name: 'nesterov', learningRate: 0.01 },
  { name: 'rmsprop', learningRate: 0.01 },
  { name: 'adam', learningRate: 0.01 },
  { name: 'adamw', learningRate: 0.01 },
  { name: 'lion', learningRate: 0.001, weightDecay: 0.1 },
  {
    name: 'adamw',
    learningRate: 0.01,
    lookahead: { k: 5, alpha: 0.5 },
    clipNorm: 0.5,
    schedule: { type: 'cosine', warmupSteps: 50, totalSteps: STEPS },
  },
  {
    name: 'lion',
    learningRate: 0.001,
    lookahead: { k: 3, alpha: 0.5 },
    clipNorm: 1,
    schedule: { type: 'step', stepSize: 100 },
  },
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe(`tensors in use stay constant over ${STEPS} steps`, () => {
  it.each(SPECS.map((s) => [JSON.stringify(s), s] as const))('%s', async (_label, spec) => {
    const start = tf.memory().numTensors;
    const vars = makeVariables();
    const grads = vars.map((v, i) => tf.fill(v.shape, 0.01 * (i + 1)));
    const opt = createOptimizer(spec);
    opt.applyGradients(vars, grads);
    const afterFirst = tf.memory().numTensors;
    expect(afterFirst).toBe(start + 2 * vars.length + opt.stateTensors());
    for (let i = 1; i < STEPS; i++) {
      opt.applyGradients(vars, grads);
      if (i % 100 === 0) {
        await opt.readGradNorm();
        expect(tf.memory().numTensors).toBe(afterFirst);
      }
    }
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(opt.step).toBe(STEPS);
    opt.dispose();
    tf.dispose([...vars, ...grads]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
