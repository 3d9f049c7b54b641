import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import type { Column, DataTable } from '../table';
import { ColumnBuilder } from './column-builder';
import { Compression, syntheticTable, writeFixture } from './fixtures/synthetic';
import {
  chunkOrder,
  claim,
  createClaims,
  decodeClaimed,
  mergeParts,
  readParquet,
  readParquetMetadata,
  type ClaimSide,
} from './index';

describe('two-ended chunk claims', () => {
  it('hand every chunk to exactly one side, each side a contiguous run from its end, under any interleaving', () => {
    const rng = new Rng(4);
    for (const n of [0, 1, 2, 7, 55]) {
      for (let trial = 0; trial < 20; trial++) {
        const state = createClaims(n);
        const got: Record<ClaimSide, number[]> = { front: [], back: [] };
        const done: Record<ClaimSide, boolean> = { front: false, back: false };
        while (!done.front || !done.back) {
          const side: ClaimSide = done.front ? 'back' : done.back ? 'front' : rng.next() < 0.5 ? 'front' : 'back';
          const i = claim(state, side);
          if (i < 0) done[side] = true;
          else got[side].push(i);
        }
        const all = [...got.front, ...got.back].sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(got.front).toEqual(Array.from({ length: got.front.length }, (_, i) => i));
        expect(got.back).toEqual(Array.from({ length: got.back.length }, (_, i) => n - 1 - i));
      }
    }
  });
});

function values(col: Column): unknown[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (k) => (k < 0 ? null : col.dictionary[k]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}

function expectSameTable(got: DataTable, want: DataTable): void {
  expect(got.rows).toBe(want.rows);
  expect(got.columns.map((c) => c.name)).toEqual(want.columns.map((c) => c.name));
  for (const [k, col] of got.columns.entries()) {
    expect(col.kind, col.name).toBe(want.columns[k].kind);
    if (col.kind === 'numeric' && want.columns[k].kind === 'numeric')
      expect(col.values.constructor, col.name).toBe(want.columns[k].values.constructor);
    expect(values(col), col.name).toEqual(values(want.columns[k]));
  }
}

describe('ColumnBuilder validity, filled out of order', () => {
  it('rows decoded before the first null stay present wherever they lie', () => {
    const info = readParquetMetadata(
      writeFixture(syntheticTable(10, 1).table, { compression: Compression.UNCOMPRESSED }),
      'x',
    );
    const col = info.columns.find((c) => c.repetition === 'OPTIONAL')!;
    const b = new ColumnBuilder(col, 10, 'f64', false);
    b.setAllValid(6, 4); // rows 6..9 first (no mask yet), all present
    b.setValidity(0, 6, Uint8Array.from([1, 0, 1, 1, 0, 1]));
    expect(Array.from(b.valid!)).toEqual([1, 0, 1, 1, 0, 1, 1, 1, 1, 1]);
  });
});

describe('decodeClaimed', () => {
  // Every type, nullable columns (validity masks), 6 row groups; split at every chunk.
  const { table } = syntheticTable(1100, 21);
  const bytes = writeFixture(table, { compression: Compression.ZSTD, rowGroupSize: 200 });
  const info = readParquetMetadata(bytes, 'claims.parquet');
  const want = readParquet(bytes, 'claims.parquet');
  const chunks = chunkOrder(info);

  it(
    'two sides meeting anywhere (also mid-column, the back side going down the row groups) merge to ' + 'readParquet',
    () => {
      expect(info.rowGroups.length).toBe(6);
      for (let m = 0; m <= chunks.length; m++) {
        let f = 0;
        let b = chunks.length - 1;
        const front = decodeClaimed(bytes, info, chunks, () => (f < m ? f++ : -1));
        const back = decodeClaimed(bytes, info, chunks, () => (b >= m ? b-- : -1));
        expectSameTable(
          mergeParts(
            [...front, ...back],
            info.columns.map((c) => c.name),
          ),
          want,
        );
      }
    },
  );

  it('columns one side decodes whole are full arrays (mergeParts keeps them without a copy)', () => {
    const m = 6 * 2 + 3; // the front side gets two whole columns and half of the third
    let f = 0;
    let b = chunks.length - 1;
    const front = decodeClaimed(bytes, info, chunks, () => (f < m ? f++ : -1));
    const back = decodeClaimed(bytes, info, chunks, () => (b >= m ? b-- : -1));
    expect(front.map((p) => p.columns[0].column.name)).toEqual(
      chunks
        .slice(0, m)
        .map((c) => c.column)
        .filter((c, i, a) => a.indexOf(c) === i),
    );
    const whole = front[0].columns[0].column;
    const buffer = whole.kind === 'categorical' ? whole.codes : whole.values;
    expect(buffer.length).toBe(info.numRows);
    expect(buffer.byteOffset).toBe(0);
    const merged = mergeParts(
      [...front, ...back],
      info.columns.map((c) => c.name),
    );
    const first = merged.columns[0];
    expect(first.kind === 'categorical' ? first.codes : first.values).toBe(buffer);
  });

  it('a claim of a chunk that does not exist is an error naming the file', () => {
    expect(() =>
      decodeClaimed(
        bytes,
        info,
        chunks,
        (() => {
          let once = true;
          return () => (once ? ((once = false), chunks.length + 3) : -1);
        })(),
      ),
    ).toThrow(/claims\.parquet.*no chunk/);
  });
});
