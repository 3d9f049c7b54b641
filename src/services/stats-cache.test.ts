import { describe, expect, it } from 'vitest';
import { tableStats } from '../core/data/stats';
import type { DataTable } from '../core/data/table';
import { decodeStats, encodeStats } from './stats-cache';

const table: DataTable = {
  name: 't.csv',
  format: 'csv',
  rows: 4,
  columns: [
    {
      kind: 'numeric',
      name: 'x',
      type: 'float',
      values: Float64Array.from([1, 2, NaN, 2]),
      valid: Uint8Array.from([1, 1, 1, 0]),
    },
    {
      kind: 'categorical',
      name: 'c',
      type: 'categorical',
      codes: Int32Array.from([0, 1, -1, 0]),
      dictionary: ['a', 'b'],
    },
  ],
};
const buf = (u: Uint8Array) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

describe('cached schema statistics', () => {
  it('read back equal to what was computed', () => {
    const stats = tableStats(table);
    expect(decodeStats(buf(encodeStats(stats)), table)).toEqual(stats);
  });

  it('are ignored when they do not describe the table or are damaged', () => {
    const stats = tableStats(table);
    const renamed: DataTable = { ...table, columns: [{ ...table.columns[0], name: 'y' }, table.columns[1]] };
    expect(decodeStats(buf(encodeStats(stats)), renamed)).toBeNull();
    expect(decodeStats(buf(encodeStats(stats.slice(1))), table)).toBeNull();
    expect(decodeStats(buf(encodeStats([{ ...stats[0], histogram: null as never }, stats[1]])), table)).toBeNull();
    expect(decodeStats(buf(new TextEncoder().encode('{not json')), table)).toBeNull();
    expect(decodeStats(null, table)).toBeNull();
  });
});
