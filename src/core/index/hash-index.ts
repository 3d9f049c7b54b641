import type { Column } from '../data/table';
import { IndexError } from './errors';
import { ELEMENT_UINT32, HEADER_BYTES, align8, checkLength, readHeader, writeHeader } from './header';
import { markMismatches, rowsEqual, type RowEquals } from './row-equal';
import type { RowHashes } from './row-hash';

const MAGIC = 0x48; // 'H'
const VERSION = 1;
const EMPTY = -1;
/** Largest fraction of slots in use: capacity is the power of two at or above groups / 0.75. */
const MAX_LOAD = 0.75;

/**
 * Exact groups of equal rows, keyed by 64-bit row hashes in an open-addressing table (linear
 * probing, power-of-two capacity), in one ArrayBuffer. Hash equality is never trusted alone:
 * every row is checked against its group's first row on the actual values, so a 64-bit
 * collision makes a second group with the same hash, never a merge.
 *
 * Groups are numbered in order of their first row; rows within a group ascend.
 *
 * Layout of {@link HashIndex.data} (bytes 0..3: magic 0x48, version 1, element type 2; uint32
 * at 4: rows, groups, capacity), then, each 8-byte aligned:
 * - `slots`: Int32Array(2 * capacity), per slot [hi lane of the hash, group or -1 if empty];
 *   the home slot is `lo & (capacity - 1)`;
 * - `groupLo`: Uint32Array(groups), lo lane of each group's hash;
 * - `groupStart`: Int32Array(groups + 1), offsets into `groupRows`;
 * - `groupRows`: Int32Array(rows), the rows of group g at groupStart[g] .. groupStart[g+1];
 * - `rowGroup`: Int32Array(rows), the group of each row.
 */
export class HashIndex {
  /** The whole index; rebuild it with {@link HashIndex.from}. */
  readonly data: ArrayBuffer;
  /** Rows indexed. */
  readonly rows: number;
  /** Distinct rows (groups). */
  readonly groups: number;
  /** Hash-table slots (a power of two). */
  readonly capacity: number;
  /** Per slot: [hi lane, group or -1]. */
  readonly slots: Int32Array;
  /** Lo lane of each group's hash. */
  readonly groupLo: Uint32Array;
  /** Offsets of each group's rows in {@link HashIndex.groupRows} (length groups + 1). */
  readonly groupStart: Int32Array;
  /** All rows, grouped. */
  readonly groupRows: Int32Array;
  /** Group of each row. */
  readonly rowGroup: Int32Array;

  private constructor(data: ArrayBuffer) {
    const h = readHeader(data, 'HashIndex', MAGIC, VERSION, ELEMENT_UINT32);
    const [rows, groups, capacity] = [h[0], h[1], h[2]];
    const at = offsets(rows, groups, capacity);
    checkLength(data, at.end, 'HashIndex');
    this.data = data;
    this.rows = rows;
    this.groups = groups;
    this.capacity = capacity;
    this.slots = new Int32Array(data, at.slots, 2 * capacity);
    this.groupLo = new Uint32Array(data, at.groupLo, groups);
    this.groupStart = new Int32Array(data, at.groupStart, groups + 1);
    this.groupRows = new Int32Array(data, at.groupRows, rows);
    this.rowGroup = new Int32Array(data, at.rowGroup, rows);
  }

  /**
   * Groups the rows whose hashes are given. `verify` checks rows that share a hash: the
   * columns that were hashed (compared value by value, column by column), or an equality
   * function over row numbers.
   */
  static build(hashes: RowHashes, verify: readonly Column[] | RowEquals): HashIndex {
    const { lo, hi } = hashes;
    const rows = lo.length;
    if (hi.length !== rows) throw new IndexError(`HashIndex: hash lanes differ in length (${rows} and ${hi.length})`);
    if (rows > 0x7fffffff) throw new IndexError(`HashIndex: ${rows} rows is more than the 2^31 - 1 an index holds`);
    const equals = typeof verify === 'function' ? verify : rowsEqual(verify);
    const capacity = 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(1, rows) / MAX_LOAD)));
    const slots = new Int32Array(2 * capacity).fill(EMPTY);
    const mask = capacity - 1;
    const rowGroup = new Int32Array(rows);
    const groupFirst = new Int32Array(rows);
    const groupLo = new Uint32Array(rows);
    const table: GroupTable = { slots, mask, rowGroup, groupFirst, groupLo, groups: 0 };
    // Pass 1: group by hash alone.
    for (let i = 0; i < rows; i++) place(table, lo[i], hi[i] | 0, i, null);
    // Pass 2: check every row against its group's first row on the values.
    const first = new Int32Array(rows);
    for (let i = 0; i < rows; i++) first[i] = groupFirst[rowGroup[i]];
    const bad = new Uint8Array(rows);
    const marked = typeof verify === 'function' ? markWith(equals, first, bad) : markMismatches(verify, first, bad);
    // Pass 3 (only after a 64-bit collision): re-place each mismatched row, in row order, into
    // the same-hash group it equals, or a new group after them in the probe sequence.
    if (marked > 0) for (let i = 0; i < rows; i++) if (bad[i] !== 0) place(table, lo[i], hi[i] | 0, i, equals);
    return assemble(lo, slots, capacity, rowGroup, groupFirst, table.groups, marked > 0);
  }

  /** Rebuilds an index from its {@link HashIndex.data} buffer in O(1), without copying. */
  static from(data: ArrayBuffer): HashIndex {
    return new HashIndex(data);
  }

  /** Rows of group g, ascending (a view into the buffer). */
  rowsOf(g: number): Int32Array {
    return this.groupRows.subarray(this.groupStart[g], this.groupStart[g + 1]);
  }

  /** Number of rows in group g. */
  countOf(g: number): number {
    return this.groupStart[g + 1] - this.groupStart[g];
  }

  /** First (smallest) row of group g. */
  firstOf(g: number): number {
    return this.groupRows[this.groupStart[g]];
  }

  /** Rows per group, as a new Int32Array. */
  counts(): Int32Array {
    const out = new Int32Array(this.groups);
    for (let g = 0; g < this.groups; g++) out[g] = this.groupStart[g + 1] - this.groupStart[g];
    return out;
  }

  /**
   * Key lookup: the group whose hash is (lo, hi) and whose first row `matches` (a check of
   * the actual key against a table row), or -1. Without `matches` the first group with that
   * hash is returned, which is exact unless two distinct keys share a 64-bit hash.
   */
  find(lo: number, hi: number, matches?: (row: number) => boolean): number {
    const mask = this.capacity - 1;
    const h = hi | 0;
    let s = (lo >>> 0) & mask;
    for (;;) {
      const g = this.slots[2 * s + 1];
      if (g === EMPTY) return -1;
      if (
        this.slots[2 * s] === h &&
        this.groupLo[g] === lo >>> 0 &&
        (matches === undefined || matches(this.firstOf(g)))
      )
        return g;
      s = (s + 1) & mask;
    }
  }

  /** The rows with key (lo, hi) (see {@link HashIndex.find}); empty if none. */
  lookup(lo: number, hi: number, matches?: (row: number) => boolean): Int32Array {
    const g = this.find(lo, hi, matches);
    return g < 0 ? new Int32Array(0) : this.rowsOf(g);
  }

  /** 1 for the first row of each group, 0 for later repeats. */
  firstOccurrence(): Uint8Array {
    const mask = new Uint8Array(this.rows);
    for (let g = 0; g < this.groups; g++) mask[this.groupRows[this.groupStart[g]]] = 1;
    return mask;
  }

  /** The rows that exact dedup drops (every row that repeats an earlier one), ascending. */
  duplicates(): Int32Array {
    const out = new Int32Array(this.rows - this.groups);
    const rowGroup = this.rowGroup;
    const start = this.groupStart;
    const groupRows = this.groupRows;
    let n = 0;
    for (let i = 0; i < this.rows; i++) if (groupRows[start[rowGroup[i]]] !== i) out[n++] = i;
    return out;
  }
}

function markWith(equals: RowEquals, first: Int32Array, bad: Uint8Array): number {
  let marked = 0;
  for (let i = 0; i < first.length; i++) {
    if (first[i] !== i && !equals(i, first[i])) {
      bad[i] = 1;
      marked++;
    }
  }
  return marked;
}

function offsets(rows: number, groups: number, capacity: number) {
  const slots = HEADER_BYTES;
  const groupLo = align8(slots + 8 * capacity);
  const groupStart = align8(groupLo + 4 * groups);
  const groupRows = align8(groupStart + 4 * (groups + 1));
  const rowGroup = align8(groupRows + 4 * rows);
  return { slots, groupLo, groupStart, groupRows, rowGroup, end: rowGroup + 4 * rows };
}

/** Writes the buffer: groups renumbered by first row (needed only after a collision split). */
function assemble(
  lo: Uint32Array,
  slots: Int32Array,
  capacity: number,
  rowGroup: Int32Array,
  groupFirst: Int32Array,
  groups: number,
  renumber: boolean,
): HashIndex {
  const rows = rowGroup.length;
  const at = offsets(rows, groups, capacity);
  const data = new ArrayBuffer(at.end);
  const h = writeHeader(data, MAGIC, VERSION, ELEMENT_UINT32);
  h[0] = rows;
  h[1] = groups;
  h[2] = capacity;
  const outSlots = new Int32Array(data, at.slots, 2 * capacity);
  const outRowGroup = new Int32Array(data, at.rowGroup, rows);
  if (renumber) {
    // New number = rank of the group's first row.
    const byFirst = new Int32Array(rows).fill(-1);
    for (let g = 0; g < groups; g++) byFirst[groupFirst[g]] = g;
    const rename = new Int32Array(groups);
    let next = 0;
    for (let i = 0; i < rows; i++) if (byFirst[i] >= 0) rename[byFirst[i]] = next++;
    for (let i = 0; i < rows; i++) outRowGroup[i] = rename[rowGroup[i]];
    for (let s = 0; s < capacity; s++) {
      outSlots[2 * s] = slots[2 * s];
      outSlots[2 * s + 1] = slots[2 * s + 1] === EMPTY ? EMPTY : rename[slots[2 * s + 1]];
    }
  } else {
    outRowGroup.set(rowGroup);
    outSlots.set(slots);
  }
  const groupLo = new Uint32Array(data, at.groupLo, groups);
  const start = new Int32Array(data, at.groupStart, groups + 1);
  for (let i = 0; i < rows; i++) start[outRowGroup[i] + 1]++;
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const fill = start.slice(0, groups);
  const groupRows = new Int32Array(data, at.groupRows, rows);
  for (let i = 0; i < rows; i++) {
    const g = outRowGroup[i];
    if (fill[g] === start[g]) groupLo[g] = lo[i];
    groupRows[fill[g]++] = i;
  }
  return HashIndex.from(data);
}

/** The open-addressing table of {@link HashIndex.build}: slots of (hash high word, group). */
interface GroupTable {
  readonly slots: Int32Array;
  readonly mask: number;
  readonly rowGroup: Int32Array;
  readonly groupFirst: Int32Array;
  readonly groupLo: Uint32Array;
  groups: number;
}

/**
 * Puts row i (hash words l, h) into the group of its 64-bit hash, or, given `equals`, into a
 * same-hash group other than its own whose first row it equals; else into a new group at the
 * end of the probe sequence.
 */
function place(t: GroupTable, l: number, h: number, i: number, equals: RowEquals | null): void {
  const { slots, mask, rowGroup, groupFirst, groupLo } = t;
  let s = l & mask;
  for (;;) {
    const g = slots[2 * s + 1];
    if (g === EMPTY) {
      const n = t.groups++;
      slots[2 * s] = h;
      slots[2 * s + 1] = n;
      groupFirst[n] = i;
      groupLo[n] = l;
      rowGroup[i] = n;
      return;
    }
    if (
      slots[2 * s] === h &&
      groupLo[g] === l &&
      (equals === null || (g !== rowGroup[i] && equals(i, groupFirst[g])))
    ) {
      rowGroup[i] = g;
      return;
    }
    s = (s + 1) & mask;
  }
}
