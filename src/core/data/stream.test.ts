import { describe, expect, it } from 'vitest';
import { GrowingRows, StreamingBatcher } from './stream-batcher';
import { StreamEncoder, rowFraction } from './stream-encoder';
import { Rng } from './rng';
import type { DataTable } from './table';

const split = { train: 0.8, val: 0.1, test: 0.1, seed: 4 };

/** A table whose colour dictionary is listed in a different order in each chunk (as per-batch dictionaries are). */
function chunkOf(start: number, rows: number, reverse: boolean): DataTable {
  const rng = new Rng(start + 1);
  const colours = ['red', 'green', 'blue'];
  const dict = reverse ? [...colours].reverse() : colours;
  const value = (i: number) => colours[(start + i) % 3];
  return {
    name: 'stream.arrows',
    format: 'arrow',
    rows,
    columns: [
      {
        kind: 'numeric',
        name: 'id',
        type: 'float',
        values: Float64Array.from({ length: rows }, (_, i) => start + i),
        valid: null,
      },
      {
        kind: 'numeric',
        name: 'x',
        type: 'float',
        values: Float64Array.from({ length: rows }, () => rng.normal() * 2 + 1),
        valid: null,
      },
      {
        kind: 'categorical',
        name: 'colour',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, (_, i) => dict.indexOf(value(i))),
        dictionary: dict,
      },
      {
        kind: 'categorical',
        name: 'label',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, (_, i) => ((start + i) % 10 === 9 ? -1 : (start + i) % 2)),
        dictionary: ['even', 'odd'],
      },
    ],
  };
}

describe('StreamEncoder', () => {
  const spec = { label: 'label', features: ['id', 'x', 'colour'] };

  it('encodes by value across chunks with different dictionaries, and splits by file position', () => {
    const chunks = [chunkOf(0, 100, false), chunkOf(100, 50, true), chunkOf(150, 70, false)];
    const enc = new StreamEncoder(chunks[0], spec, split);
    expect(enc.featureNames).toEqual(['id', 'x', 'colour=red', 'colour=green', 'colour=blue']);
    const parts = chunks.map((c) => enc.encode(c));
    let position = 0;
    for (const [k, c] of chunks.entries()) {
      const p = parts[k];
      let r = 0;
      for (let i = 0; i < c.rows; i++, position++) {
        if (position % 10 === 9) continue; // missing label: dropped
        const row = p.x.subarray(r * enc.dim, (r + 1) * enc.dim);
        const colour = ['red', 'green', 'blue'][position % 3];
        expect(Array.from(row.subarray(2))).toEqual(['red', 'green', 'blue'].map((v) => (v === colour ? 1 : 0)));
        expect(p.y[r]).toBe(position % 2);
        const f = rowFraction(split.seed, position);
        expect(p.part[r]).toBe(f < 0.8 ? 0 : f < 0.9 ? 1 : 2);
        r++;
      }
      expect(p.rows).toBe(r);
      expect(p.droppedMissingLabel).toBe(c.rows - r);
    }
  });

  it("standardises with the first chunk's statistics (float64 reference)", () => {
    const first = chunkOf(0, 200, false);
    const enc = new StreamEncoder(first, spec, split);
    const xs = (first.columns[1] as { values: Float64Array }).values;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    const later = chunkOf(200, 20, false);
    const p = enc.encode(first) && enc.encode(later);
    const lx = (later.columns[1] as { values: Float64Array }).values;
    let r = 0;
    for (let i = 0; i < later.rows; i++) {
      if ((200 + i) % 10 === 9) continue;
      expect(p.x[r * enc.dim + 1]).toBeCloseTo((lx[i] - mean) / std, 5);
      r++;
    }
  });

  it('drops rows whose class first appears after the first chunk, and counts them', () => {
    const first = chunkOf(0, 20, false);
    const base = chunkOf(20, 10, false);
    const later: DataTable = {
      ...base,
      columns: [
        ...base.columns.slice(0, 3),
        {
          kind: 'categorical',
          name: 'label',
          type: 'categorical',
          codes: new Int32Array(10).fill(2),
          dictionary: ['even', 'odd', 'new'],
        },
      ],
    };
    const enc = new StreamEncoder(first, spec, split);
    const p = enc.encode(later);
    expect(p.rows).toBe(0);
    expect(p.droppedUnseenClass).toBe(10);
  });
});

describe('StreamingBatcher', () => {
  it('uses every training row exactly once per epoch while rows arrive, and waits when it must', () => {
    const dim = 1;
    const data = new GrowingRows(dim, 4);
    const total = 1000;
    const chunk = (from: number, n: number) => ({
      rows: n,
      x: Float32Array.from({ length: n }, (_, i) => from + i),
      y: Float32Array.from({ length: n }, (_, i) => from + i),
      part: Uint8Array.from({ length: n }, (_, i) => ((from + i) % 7 === 0 ? 1 : 0)),
      droppedMissingLabel: 0,
      droppedUnseenClass: 0,
    });
    const batchSize = 16;
    const b = new StreamingBatcher(data, { batchSize, epochs: 3, seed: 2, window: 64 });
    const xb = new Float32Array(batchSize);
    const yb = new Float32Array(batchSize);
    const seen: number[][] = [[], [], []];
    let arrived = 0;
    let waits = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const info = b.fill(xb, yb);
      if (info.waiting) {
        waits++;
        const n = Math.min(37, total - arrived);
        data.append(chunk(arrived, n));
        arrived += n;
        if (arrived === total) data.finished = true;
        continue;
      }
      if (info.size === 0) break;
      for (let i = 0; i < info.size; i++) {
        expect(xb[i]).toBe(yb[i]);
        expect(yb[i]).toBeLessThan(arrived); // never a row that has not arrived
        seen[info.epoch].push(yb[i]);
      }
    }
    const train = Array.from({ length: total }, (_, i) => i).filter((i) => i % 7 !== 0);
    expect(waits).toBeGreaterThan(5);
    for (const e of seen) expect([...e].sort((a, c) => a - c)).toEqual(train);
    expect(seen[0]).not.toEqual(train); // shuffled within the window
    expect(seen[1]).not.toEqual(seen[2]);
  });
});
