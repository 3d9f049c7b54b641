import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { batchLoss, evalBatch, lossFor, lossOutputs } from './loss';

/** float64 references, written from the definitions. */
const softmaxCe = (z: number[], k: number) => {
  const m = Math.max(...z);
  return Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) + m - z[k];
};
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const binaryCe = (z: number, y: number) => -(y * Math.log(sigmoid(z)) + (1 - y) * Math.log(1 - sigmoid(z)));

describe('losses against float64 references', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const rng = new Rng(11);

  it('follow the label: 3+ classes softmax CE, 2 classes binary CE with one output, numeric MSE', () => {
    expect(lossFor('classification', 10)).toBe('softmax-ce');
    expect(lossFor('classification', 2)).toBe('binary-ce');
    expect(lossFor('regression', 1)).toBe('mse');
    expect(lossOutputs('softmax-ce', 10)).toBe(10);
    expect(lossOutputs('binary-ce', 2)).toBe(1);
    expect(lossOutputs('mse', 1)).toBe(1);
  });

  it('softmax cross-entropy, mean and sum, with accuracy', async () => {
    const n = 9;
    const k = 4;
    const z = Array.from({ length: n }, () => Array.from({ length: k }, () => 3 * rng.normal()));
    const y = Array.from({ length: n }, () => rng.int(k));
    const want = z.map((row, i) => softmaxCe(row, y[i]));
    const out = tf.tensor2d(z);
    const ys = tf.tensor1d(y);
    const mean = batchLoss('softmax-ce', out, ys);
    const { lossSum, correct } = evalBatch('softmax-ce', out, ys);
    expect((await mean.data())[0]).toBeCloseTo(want.reduce((a, b) => a + b) / n, 5);
    expect((await lossSum.data())[0]).toBeCloseTo(
      want.reduce((a, b) => a + b),
      4,
    );
    const right = z.filter((row, i) => row.indexOf(Math.max(...row)) === y[i]).length;
    expect((await correct!.data())[0]).toBe(right);
    tf.dispose([out, ys, mean, lossSum, correct!]);
  });

  it('binary cross-entropy on one logit, stable for large logits, with accuracy at logit 0', async () => {
    const z = [-40, -3, -0.5, 0.25, 2, 35, 0.1, -1.5];
    const y = [0, 1, 0, 1, 1, 0, 0, 1];
    // log(1 + e^35) overflows neither in the reference (written for big z) nor in the kernel.
    const want = z.map((v, i) => (Math.abs(v) > 30 ? Math.max(v, 0) - v * y[i] : binaryCe(v, y[i])));
    const out = tf.tensor2d(z, [z.length, 1]);
    const ys = tf.tensor1d(y);
    const mean = batchLoss('binary-ce', out, ys);
    const { lossSum, correct } = evalBatch('binary-ce', out, ys);
    expect((await mean.data())[0]).toBeCloseTo(want.reduce((a, b) => a + b) / z.length, 5);
    expect((await lossSum.data())[0]).toBeCloseTo(
      want.reduce((a, b) => a + b),
      4,
    );
    expect((await correct!.data())[0]).toBe(z.filter((v, i) => (v > 0 ? 1 : 0) === y[i]).length);
    // The gradient is sigmoid(z) - y, per row, divided by n for the mean.
    const g = tf.grad((o: tf.Tensor) => batchLoss('binary-ce', o as tf.Tensor2D, ys))(out);
    const gv = await g.data();
    z.forEach((v, i) => expect(gv[i]).toBeCloseTo((sigmoid(v) - y[i]) / z.length, 6));
    tf.dispose([out, ys, mean, lossSum, correct!, g]);
  });

  it('mean squared error, no accuracy', async () => {
    const p = Array.from({ length: 7 }, () => rng.normal());
    const y = Array.from({ length: 7 }, () => rng.normal());
    const out = tf.tensor2d(p, [7, 1]);
    const ys = tf.tensor1d(y);
    const mean = batchLoss('mse', out, ys);
    const { lossSum, correct } = evalBatch('mse', out, ys);
    const sq = p.map((v, i) => (v - y[i]) ** 2);
    expect((await mean.data())[0]).toBeCloseTo(sq.reduce((a, b) => a + b) / 7, 6);
    expect((await lossSum.data())[0]).toBeCloseTo(
      sq.reduce((a, b) => a + b),
      5,
    );
    expect(correct).toBeNull();
    tf.dispose([out, ys, mean, lossSum]);
  });
});
