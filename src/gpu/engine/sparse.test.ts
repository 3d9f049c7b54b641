/**
 * The sparse structures against brute force: on random masks (0 to 99 % pruned, odd widths, a
 * dense head whose input rows come in channel groups), the products read through the CSC and
 * CSR lists equal the dense products of the masked kernel in float64, and every kept weight
 * appears once in each list.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/data/rng';
import { mlpLayout, modelInputs, rowOf } from './layout';
import { sparseStructure } from './sparse';

describe('sparseStructure', () => {
  const cases: [string, ReturnType<typeof mlpLayout>][] = [
    ['mlp 13 -> 7', mlpLayout([13, 7])],
    [
      'dense head over 3 channel groups (stride 4)',
      mlpLayout([4 * 5 * 4, 6], { inputs: { group: 3, groupStride: 4 } }),
    ],
  ];
  it.each(cases)('%s', (_, layout) => {
    const ly = layout.layers[0];
    const inputs = modelInputs(ly);
    const rng = new Rng(4);
    for (const sparsity of [0, 0.5, 0.9, 0.99, 1]) {
      const mask = Uint8Array.from({ length: inputs * ly.N }, () => (rng.next() < sparsity ? 0 : 1));
      const flat = new Float64Array(layout.P);
      const w = Float64Array.from({ length: inputs * ly.N }, () => rng.normal());
      for (let k = 0; k < inputs; k++)
        for (let n = 0; n < ly.N; n++)
          flat[ly.wOff + rowOf(ly, k) * ly.stride + n] = mask[k * ly.N + n] ? w[k * ly.N + n] : 0;
      const s = sparseStructure(ly, mask);
      expect(s.nnz).toBe(mask.reduce((a, m) => a + m, 0));
      // x [1, K] (over the block's rows, padding included) times W: through the CSC lists and densely.
      const x = Float64Array.from({ length: ly.K }, () => rng.normal());
      for (let n = 0; n < ly.N; n++) {
        let sparse = 0;
        for (let j = s.colPtr[n]; j < s.colPtr[n + 1]; j++) sparse += x[s.csc[2 * j]] * flat[s.csc[2 * j + 1]];
        let dense = 0;
        for (let r = 0; r < ly.K; r++) dense += x[r] * flat[ly.wOff + r * ly.stride + n];
        expect(sparse).toBeCloseTo(dense, 12);
      }
      // dy [1, N] times W^T: through the CSR lists and densely.
      const dy = Float64Array.from({ length: ly.N }, () => rng.normal());
      for (let r = 0; r < ly.K; r++) {
        let sparse = 0;
        for (let j = s.rowPtr[r]; j < s.rowPtr[r + 1]; j++) sparse += dy[s.csr[2 * j]] * flat[s.csr[2 * j + 1]];
        let dense = 0;
        for (let n = 0; n < ly.N; n++) dense += dy[n] * flat[ly.wOff + r * ly.stride + n];
        expect(sparse).toBeCloseTo(dense, 12);
      }
      const seen = new Set(Array.from({ length: s.nnz }, (_, j) => s.csc[2 * j + 1]));
      expect(seen.size).toBe(s.nnz);
      expect(new Set(Array.from({ length: s.nnz }, (_, j) => s.csr[2 * j + 1]))).toEqual(seen);
    }
  });
});
