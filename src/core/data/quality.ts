/**
 * Data quality, with the project's indexes: duplicate rows (hash index, or a Bloom filter for
 * streaming dedup), train / test leaks (exact repeats across the split, and near repeats by a
 * KD-tree radius on the normalised features), and nearest neighbours of a row.
 */
import { BloomFilter } from '../index/bloom';
import { bloomDedup } from '../index/bloom-dedup';
import { HashIndex } from '../index/hash-index';
import { KdTree } from '../index/kdtree';
import { hashRows } from '../index/row-hash';
import type { EncodedDataset } from './encode';
import { ConfigError } from '../errors';
import { DataError, getColumn, type Column, type DataTable } from './table';

export type DedupMethod = 'none' | 'exact' | 'bloom';

export interface DedupReport {
  method: Exclude<DedupMethod, 'none'>;
  rows: number;
  unique: number;
  dropped: number;
  /** Groups of identical rows with more than one member (exact only; null for Bloom). */
  duplicateGroups: number | null;
  /** Bloom only: the configured false-positive rate and the expected number of rows dropped wrongly. */
  fpr?: number;
  expectedFalseDrops?: number;
}

/** Default false-positive rate of Bloom dedup. */
export const DEFAULT_FPR = 0.01;

/**
 * Finds repeated rows over `columns` (default: all). Exact: a hash index whose groups are
 * verified value by value, so a 64-bit collision never merges different rows. Bloom: one
 * pass through a blocked Bloom filter, which may drop a new row with probability `fpr`
 * (the expected count is reported). Returns the rows to keep, ascending (first occurrences).
 */
export function dedupRows(
  table: DataTable,
  method: Exclude<DedupMethod, 'none'>,
  opts: { columns?: readonly string[]; fpr?: number } = {},
): { keep: Int32Array; report: DedupReport } {
  const cols: Column[] = opts.columns ? opts.columns.map((c) => getColumn(table, c)) : [...table.columns];
  const hashes = hashRows(cols, table.rows);
  let dropped: Int32Array;
  let report: DedupReport;
  if (method === 'exact') {
    const index = HashIndex.build(hashes, cols);
    dropped = index.duplicates();
    let groups = 0;
    for (const c of index.counts()) if (c > 1) groups++;
    report = {
      method,
      rows: table.rows,
      unique: table.rows - dropped.length,
      dropped: dropped.length,
      duplicateGroups: groups,
    };
  } else {
    const fpr = opts.fpr ?? DEFAULT_FPR;
    if (!(fpr > 0 && fpr < 1))
      throw new ConfigError('fpr', `the Bloom filter's false-positive rate must be between 0 and 1 (got ${fpr})`);
    const r = bloomDedup(hashes, BloomFilter.create(Math.max(1, table.rows), fpr));
    dropped = r.dropped;
    report = {
      method,
      rows: table.rows,
      unique: r.kept,
      dropped: dropped.length,
      duplicateGroups: null,
      fpr,
      expectedFalseDrops: r.expectedFalseDrops,
    };
  }
  const keep = new Int32Array(table.rows - dropped.length);
  let d = 0;
  let k = 0;
  for (let i = 0; i < table.rows; i++) {
    if (d < dropped.length && dropped[d] === i) d++;
    else keep[k++] = i;
  }
  return { keep, report };
}

export interface LeakExample {
  /** Source-table row in validation or test. */
  row: number;
  part: 'val' | 'test';
  /** The training row it repeats or nearly repeats. */
  trainRow: number;
  /** Euclidean distance on the normalised features (0 for an exact repeat). */
  distance: number;
}

export interface LeakReport {
  /** Validation and test rows checked. */
  checked: number;
  /** Rows whose features exactly repeat a training row's. */
  exact: number;
  /** Rows within `radius` of a training row (not counting exact repeats). */
  near: number;
  radius: number;
  examples: LeakExample[];
}

/** Default near-duplicate radius: euclidean distance in standard deviations. */
export const DEFAULT_LEAK_RADIUS = 0.05;

/**
 * Validation and test rows that repeat training rows: exactly (same feature values, through a
 * hash index over the feature columns) or nearly (a KD-tree over the training rows' dense
 * normalised features; hashed high-cardinality features are left out of the distance).
 */
export function leakReport(
  table: DataTable,
  enc: EncodedDataset,
  features: readonly string[],
  opts: { radius?: number; maxExamples?: number } = {},
): LeakReport {
  const radius = opts.radius ?? DEFAULT_LEAK_RADIUS;
  const maxExamples = opts.maxExamples ?? 10;
  const cols = features.map((f) => getColumn(table, f));
  const hashes = hashRows(cols, table.rows);
  const index = HashIndex.build(hashes, cols);
  const partOf = new Int8Array(table.rows).fill(-1);
  enc.split.train.forEach((r) => (partOf[enc.sourceRows[r]] = 0));
  enc.split.val.forEach((r) => (partOf[enc.sourceRows[r]] = 1));
  enc.split.test.forEach((r) => (partOf[enc.sourceRows[r]] = 2));
  const examples: LeakExample[] = [];
  const exactRows = new Uint8Array(table.rows);
  let exact = 0;
  for (const part of [1, 2]) {
    for (const r of part === 1 ? enc.split.val : enc.split.test) {
      const row = enc.sourceRows[r];
      const trainRow = Array.from(index.rowsOf(index.rowGroup[row])).find((o) => partOf[o] === 0) ?? -1;
      if (trainRow >= 0) {
        exact++;
        exactRows[row] = 1;
        if (examples.length < maxExamples)
          examples.push({ row, part: part === 1 ? 'val' : 'test', trainRow, distance: 0 });
      }
    }
  }
  const d = enc.denseDim;
  let near = 0;
  const queries = [...enc.split.val, ...enc.split.test];
  if (d > 0 && enc.split.train.length > 0 && queries.length > 0) {
    const trainX = new Float32Array(enc.split.train.length * d);
    enc.split.train.forEach((r, i) => trainX.set(enc.x.subarray(r * d, (r + 1) * d), i * d));
    const tree = KdTree.build(trainX, d);
    const qx = new Float32Array(queries.length * d);
    queries.forEach((r, i) => qx.set(enc.x.subarray(r * d, (r + 1) * d), i * d));
    const nn = tree.knnBatch(qx, 1);
    const r2 = radius * radius;
    queries.forEach((r, i) => {
      const row = enc.sourceRows[r];
      if (exactRows[row] || nn.distances[i] > r2) return;
      near++;
      const nearExamples = examples.filter((e) => e.distance > 0).length;
      if (nearExamples < maxExamples) {
        examples.push({
          row,
          part: i < enc.split.val.length ? 'val' : 'test',
          trainRow: enc.sourceRows[enc.split.train[nn.ids[i]]],
          distance: Math.sqrt(nn.distances[i]),
        });
      }
    });
  }
  return { checked: queries.length, exact, near, radius, examples };
}

export interface Neighbour {
  row: number;
  /** Euclidean distance on the normalised dense features. */
  distance: number;
}

/** A KD-tree over every encoded row's dense features, for neighbour queries. */
export function neighbourIndex(enc: EncodedDataset): KdTree {
  if (enc.denseDim === 0) {
    const hashed = hashedColumns(enc);
    throw new DataError(
      `no feature has a distance: ${quoteList(hashed)} ${hashed.length === 1 ? 'is text' : 'are text columns'} with ` +
        'too many distinct values to one-hot (hashed for training), which the nearest-row search leaves out; ' +
        'pick numeric columns or categorical ones with few values',
    );
  }
  return KdTree.build(enc.x.subarray(0, enc.rows * enc.denseDim), Math.max(1, enc.denseDim));
}

/**
 * The k nearest rows to source row `row` (itself excluded), nearest first, as source rows.
 * Throws a DataError when the row does not exist or was dropped (missing label), a ConfigError for a k below 1.
 */
export function nearestRows(enc: EncodedDataset, tree: KdTree, row: number, k: number): Neighbour[] {
  const r = binarySearch(enc.sourceRows, row);
  if (r < 0) throw new DataError(`row ${row} is not in the encoded data (it does not exist, or its label is missing)`);
  if (!Number.isInteger(k) || k < 1) throw new ConfigError('k', `k must be a whole number of at least 1 (got ${k})`);
  const d = enc.denseDim;
  const want = Math.min(k + 1, enc.rows);
  const nn = tree.knn(enc.x.subarray(r * d, (r + 1) * d), want);
  const out: Neighbour[] = [];
  for (let i = 0; i < nn.ids.length && out.length < k; i++) {
    if (nn.ids[i] === r) continue;
    out.push({ row: enc.sourceRows[nn.ids[i]], distance: Math.sqrt(nn.distances[i]) });
  }
  return out;
}

/** The feature columns hashed for training (high-cardinality text): they have no place in a distance. */
export function hashedColumns(enc: EncodedDataset): string[] {
  return enc.inputs.filter((f) => f.kind === 'hash').map((f) => f.column);
}

function quoteList(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/** Index of `x` in the ascending `a`, or -1. */
export function binarySearch(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] === x) return mid;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
