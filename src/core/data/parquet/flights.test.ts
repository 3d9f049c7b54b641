// flights-3m.parquet from vega-datasets (written by Polars: ZSTD, dictionary pages, INT64,
// TIMESTAMP(MICROS), strings, 11 row groups): every value of every column against hyparquet.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import type { Column, DataTable } from '../table';
import { decodeRowGroups, mergeParts, planParts, readParquet, readParquetMetadata } from './index';

const path = fileURLToPath(new URL('../../../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));
const bytes = new Uint8Array(readFileSync(path));

/** hyparquet's reading of one column, as numbers (BigInt and Date converted) or strings, null for missing. */
async function reference(name: string): Promise<(number | string | null)[]> {
  const out: (number | string | null)[] = [];
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  await parquetRead({
    file: ab,
    compressors,
    columns: [name],
    onChunk: (c) => {
      const data = c.columnData as ArrayLike<unknown>;
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        out[c.rowStart + i] =
          v === null || v === undefined
            ? null
            : v instanceof Date
              ? v.getTime()
              : typeof v === 'bigint'
                ? Number(v)
                : (v as number | string);
      }
    },
  });
  return out;
}

function asValues(col: Column): (number | string | null)[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (k) => (k < 0 ? null : col.dictionary[k]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}

function firstMismatch(a: readonly unknown[], b: readonly unknown[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('flights-3m.parquet (Polars, ZSTD, dictionary) against hyparquet', () => {
  let table: DataTable;

  it('reads the footer', () => {
    const info = readParquetMetadata(bytes, 'flights-3m.parquet');
    expect(info.numRows).toBe(3_000_000);
    expect(info.rowGroups.length).toBe(11);
    expect(info.columns.map((c) => `${c.name}:${c.physicalType}:${c.annotation}`)).toEqual([
      'date:INT64:TIMESTAMP(MICROS)',
      'delay:INT64:',
      'distance:INT64:',
      'origin:BYTE_ARRAY:STRING',
      'destination:BYTE_ARRAY:STRING',
    ]);
    expect(info.rowGroups[0].columns[0].codec).toBe('ZSTD');
  });

  it('decodes to typed columns: timestamps to Float64 ms, small INT64 to Int32, strings to codes', () => {
    table = readParquet(bytes, 'flights-3m.parquet');
    expect(table.rows).toBe(3_000_000);
    const kinds = table.columns.map((c) =>
      c.kind === 'numeric' ? `${c.type}:${c.values.constructor.name}` : `categorical:${c.dictionary.length}`,
    );
    expect(kinds.slice(0, 3)).toEqual(['timestamp:Float64Array', 'int:Int32Array', 'int:Int32Array']);
    expect(kinds[3]).toMatch(/^categorical:\d+$/);
  });

  for (const name of ['date', 'delay', 'distance', 'origin', 'destination']) {
    it(`column ${name}: all 3M values and nulls equal hyparquet's`, async () => {
      const want = await reference(name);
      const got = asValues(table.columns.find((c) => c.name === name)!);
      const i = firstMismatch(got, want);
      expect(i, `row ${i}: got ${got[i]}, hyparquet ${want[i]}`).toBe(-1);
    });
  }

  it("two workers' parts (planned by bytes, one column split between them) merge to the same table", () => {
    const info = readParquetMetadata(bytes, 'flights-3m.parquet');
    const parts = planParts(info, 2).flatMap((tasks) =>
      tasks.map((t) => decodeRowGroups(bytes, info, t.rowGroups, t.columns)),
    );
    const merged = mergeParts(
      parts,
      info.columns.map((c) => c.name),
    );
    expect(merged.rows).toBe(table.rows);
    for (const [k, col] of merged.columns.entries()) {
      const a = asValues(col);
      const b = asValues(table.columns[k]);
      expect(firstMismatch(a, b), col.name).toBe(-1);
    }
  });
});
