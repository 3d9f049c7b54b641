/**
 * Dynamic sharing of a file's column chunks between two decoders, for an even split whatever
 * each chunk costs (a chunk's bytes say little about its decoding time: an incompressible
 * chunk is a copy, a Huffman-coded one is not). The chunks are listed column by column; one
 * decoder takes them from the front, the other from the back, one at a time, until they meet.
 * Each side's chunks are thus contiguous, so at most one column is split between the two and
 * mergeParts copies only that one.
 *
 * The shared state is an Int32Array over a SharedArrayBuffer: [next front index, back count,
 * one taken flag per chunk]. Each claim is an atomic add on its side's counter and a
 * compare-and-swap on the chunk's flag, so a chunk goes to exactly one side, and a side that
 * finds its next chunk taken knows the other side has all the rest.
 */
import { withFileName } from './errors';
import { selectColumns } from './part';
import type { ParquetFileInfo } from './types';

/** One column chunk: a column (by name) of one row group. */
export interface ChunkRef {
  readonly column: string;
  readonly rowGroup: number;
}

/** Which end of the chunk list a decoder takes from. */
export type ClaimSide = 'front' | 'back';

/** The file's column chunks in claim order: column by column, each column's row groups in order. */
export function chunkOrder(info: ParquetFileInfo, columns?: readonly string[]): ChunkRef[] {
  const out: ChunkRef[] = [];
  for (const c of withFileName(info.fileName, () => selectColumns(info, columns))) {
    for (let rg = 0; rg < info.rowGroups.length; rg++) out.push({ column: c.name, rowGroup: rg });
  }
  return out;
}

/** Shared claim state for `n` chunks (post it to the other decoder; it is shared, not copied). */
export function createClaims(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (n + 2)));
}

/** Whether this runtime can share claim state between threads (SharedArrayBuffer and Atomics). */
export function claimsAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

/** Claims the next chunk from `side`; its index, or -1 when the two sides have met. */
export function claim(state: Int32Array, side: ClaimSide): number {
  const n = state.length - 2;
  const i = side === 'front' ? Atomics.add(state, 0, 1) : n - 1 - Atomics.add(state, 1, 1);
  if (i < 0 || i >= n) return -1;
  return Atomics.compareExchange(state, 2 + i, 0, 1) === 0 ? i : -1;
}
