import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher';
import { iota } from './rng';

function makeData(rows: number, dim: number) {
  // Each row's features encode its id, so a batch row can be traced back to its source row.
  const x = new Float32Array(rows * dim);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) x[r * dim + d] = r * 10 + d;
    y[r] = r;
  }
  return { x, y };
}

describe('Batcher', () => {
  for (const [rows, batchSize] of [
    [100, 7],
    [64, 64],
    [5, 1],
    [1000, 128],
    [33, 100],
  ] as const) {
    it(`visits every row exactly once per epoch (${rows} rows, batch ${batchSize})`, () => {
      const dim = 3;
      const { x, y } = makeData(rows, dim);
      const epochs = 3;
      const b = new Batcher({ x, dim, y, rows: iota(rows), batchSize, epochs, seed: 42 });
      const xb = new Float32Array(batchSize * dim);
      const yb = new Float32Array(batchSize);
      const orders: number[][] = [];
      for (let e = 0; e < epochs; e++) {
        const seen: number[] = [];
        let info;
        do {
          info = b.fill(xb, yb);
          expect(info.epoch).toBe(e);
          for (let i = 0; i < info.size; i++) {
            const r = yb[i];
            // The features travel with their label.
            for (let d = 0; d < dim; d++) expect(xb[i * dim + d]).toBe(r * 10 + d);
            seen.push(r);
          }
        } while (!info.lastInEpoch);
        expect(seen.length).toBe(rows);
        expect(new Set(seen).size).toBe(rows);
        orders.push(seen);
      }
      expect(b.fill(xb, yb).size).toBe(0);
      if (rows > 10) {
        // A fresh permutation each epoch, and not the identity.
        expect(orders[0]).not.toEqual(orders[1]);
        expect(orders[0]).not.toEqual([...orders[0]].sort((a, b) => a - b));
      }
    });
  }

  it('is repeatable for a seed and differs across seeds', () => {
    const { x, y } = makeData(50, 2);
    const run = (seed: number) => {
      const b = new Batcher({ x, dim: 2, y, rows: iota(50), batchSize: 8, epochs: 2, seed });
      const yb = new Float32Array(8);
      const out: number[] = [];
      for (let info = b.fill(new Float32Array(16), yb); info.size > 0; info = b.fill(new Float32Array(16), yb))
        out.push(...yb.subarray(0, info.size));
      return out;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('draws only from the given rows', () => {
    const { x, y } = makeData(20, 1);
    const rows = Int32Array.from([3, 5, 7, 11, 13]);
    const b = new Batcher({ x, dim: 1, y, rows, batchSize: 2, epochs: 1, seed: 1 });
    const yb = new Float32Array(2);
    const seen: number[] = [];
    for (let info = b.fill(new Float32Array(2), yb); info.size > 0; info = b.fill(new Float32Array(2), yb))
      seen.push(...yb.subarray(0, info.size));
    expect(seen.sort((a, b) => a - b)).toEqual([3, 5, 7, 11, 13]);
  });

  it("carries each row's teacher logits beside its label (distillation), whatever the order of `rows`", () => {
    const { x, y } = makeData(50, 2);
    const rows = Int32Array.from({ length: 30 }, (_, k) => 49 - k * 1.5 - (k % 2) / 2);
    // Row r's logits (in the order of `rows`): r + 0.25, r + 0.5, r + 0.75.
    const values = Float32Array.from(
      { length: rows.length * 3 },
      (_, i) => rows[Math.floor(i / 3)] + ((i % 3) + 1) / 4,
    );
    const b = new Batcher({ x, dim: 2, y, rows, batchSize: 8, epochs: 2, seed: 5, soft: { values, width: 3 } });
    expect(b.softWidth).toBe(3);
    const xb = new Float32Array(16);
    const yb = new Float32Array(8);
    const sb = new Float32Array(24);
    let batches = 0;
    for (let info = b.fill(xb, yb, sb); info.size > 0; info = b.fill(xb, yb, sb)) {
      batches++;
      for (let i = 0; i < info.size; i++)
        expect(Array.from(sb.subarray(3 * i, 3 * i + 3))).toEqual([0.25, 0.5, 0.75].map((f) => yb[i] + f));
    }
    expect(batches).toBe(8);
    const fresh = new Batcher({ x, dim: 2, y, rows, batchSize: 8, epochs: 1, seed: 5, soft: { values, width: 3 } });
    expect(() => fresh.fill(xb, yb)).toThrow(/teacher logits' buffer/);
    expect(
      () =>
        new Batcher({
          x,
          dim: 2,
          y,
          rows,
          batchSize: 8,
          epochs: 1,
          seed: 5,
          soft: { values: values.subarray(3), width: 3 },
        }),
    ).toThrow(/87 teacher logits are not 3 for each of the 30 rows/);
  });

  it('refuses a bad batch size and too-small buffers', () => {
    const { x, y } = makeData(4, 1);
    expect(() => new Batcher({ x, dim: 1, y, rows: iota(4), batchSize: 0, epochs: 1, seed: 1 })).toThrow(/batch size/);
    const b = new Batcher({ x, dim: 1, y, rows: iota(4), batchSize: 4, epochs: 1, seed: 1 });
    expect(() => b.fill(new Float32Array(2), new Float32Array(4))).toThrow(/smaller than one batch/);
  });
});
