import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, globalNorm, readScalar } from './clip';
import { referenceClip, referenceGlobalNorm } from './reference/clip';
import { seededUniform } from './reference/problem';

const SHAPES = [[5, 3], [7], [2, 2, 2], []];

function seeded(seed: number, scale: number): Float64Array[] {
  const r = seededUniform(seed);
  return SHAPES.map((s) =>
    new Float64Array(s.reduce((a, b) => a * b, 1)).map(() => Math.fround(scale * (2 * r() - 1))),
  );
}

const toTensors = (arrays: Float64Array[]) => arrays.map((a, i) => tf.tensor(Float32Array.from(a), SHAPES[i]));

function relClose(got: number, want: number, tol: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(tol * Math.abs(want));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('clip by global norm', () => {
  it('global norm matches float64 within 1e-6 relative', async () => {
    for (const [seed, scale] of [
      [1, 1],
      [2, 1e-3],
      [3, 1e3],
    ]) {
      const g = seeded(seed, scale);
      const t = toTensors(g);
      const n = globalNorm(t);
      relClose(await readScalar(n), referenceGlobalNorm(g), 1e-6);
      tf.dispose([...t, n]);
    }
  });

  it('scales every gradient by clipNorm / norm when the norm is larger (1e-6 relative)', async () => {
    const g = seeded(4, 2);
    const want = referenceClip(g, 0.5);
    expect(want.norm).toBeGreaterThan(0.5);
    const t = toTensors(g);
    const { grads, norm } = clipByGlobalNorm(t, 0.5);
    relClose(await readScalar(norm), want.norm, 1e-6);
    for (let j = 0; j < grads.length; j++) {
      const got = await grads[j].data();
      for (let i = 0; i < got.length; i++)
        expect(Math.abs(got[i] - want.grads[j][i])).toBeLessThanOrEqual(1e-6 * Math.abs(want.grads[j][i]) + 1e-12);
    }
    const clippedNorm = globalNorm(grads);
    relClose(await readScalar(clippedNorm), 0.5, 1e-6);
    tf.dispose([...t, ...grads, norm, clippedNorm]);
  });

  it('leaves gradients untouched below the threshold, zero gradients stay zero', async () => {
    const g = seeded(5, 0.01);
    const t = toTensors(g);
    const { grads, norm } = clipByGlobalNorm(t, 10);
    for (let j = 0; j < grads.length; j++) expect(Array.from(await grads[j].data())).toEqual(Array.from(g[j]));
    const z = [tf.zeros([3]), tf.zeros([2, 2])];
    const cz = clipByGlobalNorm(z, 1);
    expect(await readScalar(cz.norm)).toBe(0);
    expect(Array.from(await cz.grads[1].data())).toEqual([0, 0, 0, 0]);
    tf.dispose([...t, ...grads, norm, ...z, ...cz.grads, cz.norm]);
  });

  it('creates only the tensors it returns, and refuses a bad clipNorm', () => {
    const t = toTensors(seeded(6, 1));
    const before = tf.memory().numTensors;
    const { grads, norm } = clipByGlobalNorm(t, 1);
    expect(tf.memory().numTensors).toBe(before + grads.length + 1);
    tf.dispose([...grads, norm]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => clipByGlobalNorm(t, 0)).toThrow('clipNorm must be a finite number > 0, got 0');
    expect(() => clipByGlobalNorm(t, NaN)).toThrow(RangeError);
    tf.dispose(t);
  });

  it('an empty list has norm 0', async () => {
    const n = globalNorm([]);
    expect(await readScalar(n)).toBe(0);
    n.dispose();
  });
});
