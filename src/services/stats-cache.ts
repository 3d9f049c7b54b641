/**
 * The schema statistics of a cached table, cached beside it: on a cache hit they are read back
 * instead of recomputed (a fresh decode worker's first pass over 3M rows takes about 0.3 s,
 * most of a hit's time). Stored as JSON under the table's key plus a suffix; anything that does
 * not match the table it is read for (column names, types, shape) is ignored and recomputed.
 */
import type { ColumnStats } from '../core/data/stats';
import type { DataTable } from '../core/data/table';

export const statsKey = (fingerprint: string): string => `${fingerprint}-stats-v1`;

export function encodeStats(stats: readonly ColumnStats[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(stats));
}

const isNumOrNull = (v: unknown) => v === null || typeof v === 'number';
const isNumArray = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** The stored statistics if they are well-formed and describe `table`'s columns, else null. */
export function decodeStats(bytes: ArrayBuffer | null, table: DataTable): ColumnStats[] | null {
  if (!bytes) return null;
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== table.columns.length) return null;
  for (const [i, s] of v.entries()) {
    const col = table.columns[i];
    if (typeof s !== 'object' || s === null) return null;
    const o = s as Record<string, unknown>;
    if (o.name !== col.name || o.type !== col.type) return null;
    // A hashed bytes column is marked in its statistics too (the default features leave it out by it).
    if ((o.bytes === true) !== (col.kind === 'categorical' && col.bytes === true)) return null;
    if (typeof o.nulls !== 'number' || typeof o.distinct !== 'number' || typeof o.nonFinite !== 'number') return null;
    if (!isNumOrNull(o.min) || !isNumOrNull(o.max) || !isNumOrNull(o.mean)) return null;
    const h = o.histogram as Record<string, unknown> | null;
    if (!h || typeof h !== 'object') return null;
    if (
      h.kind === 'bins'
        ? !(typeof h.min === 'number' && typeof h.max === 'number' && isNumArray(h.counts))
        : !(h.kind === 'top' && Array.isArray(h.values) && isNumArray(h.counts) && typeof h.other === 'number')
    )
      return null;
  }
  return v as ColumnStats[];
}
