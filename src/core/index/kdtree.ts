import { IndexError } from './errors';
import { ELEMENT_FLOAT32, HEADER_BYTES, align8, checkLength, readHeader, writeHeader } from './header';
import { buildTree, treeShape } from './kdtree-build';
import { TreeSearch, Walk } from './kdtree-search';

export { Walk } from './kdtree-search';

const MAGIC = 0x4b; // 'K'
const VERSION = 1;

/** Options for {@link KdTree.build}. */
export interface KdTreeOptions {
  /**
   * Rows per leaf bucket (8..1024; default 64: the 2-D build is raced against kdbush's 64, and the SIMD leaf scans of
   * higher dimensions gain from wide leaves).
   */
  readonly leafSize?: number;
}

/** Nearest neighbours of one query: row ids and squared euclidean distances, nearest first. */
export interface Neighbours {
  readonly ids: Int32Array;
  readonly distances: Float32Array;
}

/**
 * An exact KD-tree over n float32 vectors of dimension d, in one ArrayBuffer:
 *
 * | bytes | content |
 * |---|---|
 * | 0..3 | magic 0x4b, version 1, element type 1 (float32), 0 |
 * | 4..19 | uint32 d, n, leafSize, node count |
 * | 32.. | `ids`: Int32Array(n), original row of each stored point |
 * | next 8-aligned | `coords`: Float32Array(n * d), the rows in tree order (each leaf contiguous) |
 * | next 8-aligned | `boxes`: Float32Array(nodes * 2d), per node [lo0, hi0, lo1, hi1, ...], heap order |
 * | next 8-aligned | `splits`: Float32Array(nodes * 2), per inner node [max of left child, min of right child] along
 * its axis |
 * | next 8-aligned | `axes`: Uint16Array(nodes), split dimension of each inner node |
 *
 * The tree is implicit (node i has children 2i+1, 2i+2; a node of c > leafSize rows splits at
 * c >> 1), so {@link KdTree.from} only makes views: O(1), no copy.
 *
 * Distances are squared euclidean. Equal distances are ordered by the smaller row id, so an
 * answer equals a brute-force sort by (distance, id). `k` must be 1..n: a k larger than the
 * number of points is an error, not silently clamped (use `Math.min(k, tree.size)` to clamp).
 *
 * How a query walks the tree adapts to what recent queries touched: a depth-first descent
 * while it reaches few leaves (low dimension, clustered data); a flat sweep over the leaves
 * with a box test each when the descent reaches many (high dimension); and a plain scan of
 * the coordinate array, with no box tests, when even the sweep scans nearly every leaf (the
 * tree cannot prune: it is never slower than brute force). Every 256th query descends again to
 * re-measure. The walk changes only the speed, never the answer.
 */
export class KdTree {
  /** The whole index: transfer it, cache it, and rebuild with {@link KdTree.from}. */
  readonly data: ArrayBuffer;
  /** Dimension of every point. */
  readonly dims: number;
  /** Number of points. */
  readonly size: number;
  /** Rows per leaf bucket. */
  readonly leafSize: number;
  /** Original row id of each stored point, in tree order. */
  readonly ids: Int32Array;
  /** Coordinates in tree order (row-major, `size * dims`). */
  readonly coords: Float32Array;
  /** Per-node bounding boxes, heap order, [lo0, hi0, lo1, hi1, ...]. */
  readonly boxes: Float32Array;
  /** Per inner node: the largest left-child and smallest right-child coordinate along its axis. */
  readonly splits: Float32Array;
  /** Split dimension of each inner node (heap order). */
  readonly axes: Uint16Array;
  private readonly search: TreeSearch;
  private walk: Walk = Walk.Descend;
  private pinned: Walk | undefined = undefined;
  private queries = 0;
  // Moving averages of the fraction of leaves a descent reached and a sweep scanned.
  private reached = 0;
  private scanned = 0;

  private constructor(data: ArrayBuffer) {
    const h = readHeader(data, 'KdTree', MAGIC, VERSION, ELEMENT_FLOAT32);
    const d = h[0];
    const n = h[1];
    const nodes = h[3];
    const coordsAt = align8(HEADER_BYTES + 4 * n);
    const boxesAt = align8(coordsAt + 4 * n * d);
    const splitsAt = align8(boxesAt + 8 * nodes * d);
    const axesAt = align8(splitsAt + 8 * nodes);
    checkLength(data, axesAt + 2 * nodes, 'KdTree');
    this.data = data;
    this.dims = d;
    this.size = n;
    this.leafSize = h[2];
    this.ids = new Int32Array(data, HEADER_BYTES, n);
    this.coords = new Float32Array(data, coordsAt, n * d);
    this.boxes = new Float32Array(data, boxesAt, nodes * 2 * d);
    this.splits = new Float32Array(data, splitsAt, 2 * nodes);
    this.axes = new Uint16Array(data, axesAt, nodes);
    this.search = new TreeSearch(this.coords, this.ids, this.boxes, this.axes, this.splits, d, this.leafSize);
  }

  /**
   * Builds a tree over `points` (n rows of `dims` float32 values, row-major). The input is
   * copied, not modified. Throws an {@link IndexError} for zero rows, a length that is not a
   * multiple of `dims`, or a NaN / infinite coordinate (naming its row and dimension).
   */
  static build(points: Float32Array | Float64Array, dims: number, options: KdTreeOptions = {}): KdTree {
    if (!Number.isInteger(dims) || dims < 1 || dims > 65535)
      throw new IndexError(`KdTree: dims must be an integer from 1 to 65535, got ${dims}`);
    if (points.length % dims !== 0)
      throw new IndexError(`KdTree: ${points.length} values is not a whole number of ${dims}-dimensional rows`);
    const n = points.length / dims;
    if (n === 0) throw new IndexError('KdTree: cannot build an index over zero rows');
    if (n > 0x7fffffff) throw new IndexError(`KdTree: ${n} rows is more than the 2^31 - 1 an index holds`);
    const leafSize = options.leafSize ?? 64;
    if (!Number.isInteger(leafSize) || leafSize < 8 || leafSize > 1024)
      throw new IndexError(`KdTree: leafSize must be an integer from 8 to 1024, got ${leafSize}`);
    for (let i = 0; i < points.length; i++) {
      const v = points[i];
      if (v - v !== 0) {
        const what = Number.isNaN(v) ? 'NaN' : `${v}`;
        throw new IndexError(
          `KdTree: row ${Math.floor(i / dims)}, dimension ${i % dims} is ${what}; coordinates must be finite`,
        );
      }
    }
    const { nodes } = treeShape(n, leafSize);
    const coordsAt = align8(HEADER_BYTES + 4 * n);
    const boxesAt = align8(coordsAt + 4 * n * dims);
    const splitsAt = align8(boxesAt + 8 * nodes * dims);
    const axesAt = align8(splitsAt + 8 * nodes);
    const data = new ArrayBuffer(axesAt + 2 * nodes);
    const h = writeHeader(data, MAGIC, VERSION, ELEMENT_FLOAT32);
    h[0] = dims;
    h[1] = n;
    h[2] = leafSize;
    h[3] = nodes;
    const ids = new Int32Array(data, HEADER_BYTES, n);
    for (let i = 0; i < n; i++) ids[i] = i;
    const coords = new Float32Array(data, coordsAt, n * dims);
    coords.set(points);
    const boxes = new Float32Array(data, boxesAt, nodes * 2 * dims);
    const axes = new Uint16Array(data, axesAt, nodes);
    buildTree(coords, ids, dims, leafSize, boxes, axes);
    const splits = new Float32Array(data, splitsAt, 2 * nodes);
    fillSplits(dims, leafSize, boxes, axes, splits, 0, n, 0);
    return new KdTree(data);
  }

  /** Rebuilds a tree from its {@link KdTree.data} buffer in O(1), without copying. */
  static from(data: ArrayBuffer): KdTree {
    return new KdTree(data);
  }

  /** The k nearest points to `query` (length `dims`), nearest first. */
  knn(query: Float32Array | readonly number[], k: number): Neighbours {
    const q = query instanceof Float32Array ? query : Float32Array.from(query);
    if (q.length !== this.dims)
      throw new IndexError(`KdTree.knn: the query has ${q.length} values, the tree has ${this.dims} dimensions`);
    this.checkK(k, 'knn');
    checkFinite(q, this.dims, 'knn');
    const ids = new Int32Array(k);
    const distances = new Float32Array(k);
    this.one(q, 0, k, ids, distances, 0);
    return { ids, distances };
  }

  /**
   * k nearest points for each of the m queries in `queries` (m x dims, row-major). Row i of
   * the answer is `ids[i*k .. i*k+k)` / `distances[i*k .. i*k+k)`, the same as `knn(query i, k)`.
   * Queries are answered in tree order (by the leaf each falls in) for cache locality.
   */
  knnBatch(queries: Float32Array, k: number): Neighbours {
    if (queries.length % this.dims !== 0)
      throw new IndexError(
        `KdTree.knnBatch: ${queries.length} query values is not a whole number of ${this.dims}-dimensional rows`,
      );
    this.checkK(k, 'knnBatch');
    checkFinite(queries, this.dims, 'knnBatch');
    const m = queries.length / this.dims;
    const ids = new Int32Array(m * k);
    const distances = new Float32Array(m * k);
    // Queries in tree order (by the leaf each falls in), so that consecutive queries find the
    // same leaves in cache; each answer still goes to its own row.
    const order = new Float64Array(m);
    for (let i = 0; i < m; i++) order[i] = this.search.homeRow(queries, i * this.dims) * m + i;
    order.sort();
    for (let r = 0; r < m; r++) {
      const i = order[r] % m;
      this.one(queries, i * this.dims, k, ids, distances, i * k);
    }
    return { ids, distances };
  }

  /**
   * Every point within euclidean distance `radius` of `query` (squared distance <= radius^2),
   * sorted by (distance, id); distances are squared.
   */
  within(query: Float32Array | readonly number[], radius: number): Neighbours {
    const q = query instanceof Float32Array ? query : Float32Array.from(query);
    if (q.length !== this.dims)
      throw new IndexError(`KdTree.within: the query has ${q.length} values, the tree has ${this.dims} dimensions`);
    if (!(radius >= 0)) throw new IndexError(`KdTree.within: radius must be a number >= 0, got ${radius}`);
    checkFinite(q, this.dims, 'within');
    const count = this.search.radius(q, 0, radius * radius);
    const ids = this.search.resultIds.slice(0, count);
    const distances = new Float32Array(count);
    const dist = this.search.resultDist;
    for (let i = 0; i < count; i++) distances[i] = dist[i];
    return { ids, distances };
  }

  /**
   * {@link KdTree.within} for each of the m queries in `queries` (m x dims, row-major), in one
   * answer: query i's points are `ids` / `distances` [offsets[i], offsets[i + 1]), sorted by
   * (distance, id) as `within` sorts them. Three arrays for the whole batch instead of two per
   * query.
   */
  withinBatch(queries: Float32Array, radius: number): Neighbours & { offsets: Int32Array } {
    if (queries.length % this.dims !== 0)
      throw new IndexError(
        `KdTree.withinBatch: ${queries.length} query values is not a whole number of ${this.dims}-dimensional rows`,
      );
    if (!(radius >= 0)) throw new IndexError(`KdTree.withinBatch: radius must be a number >= 0, got ${radius}`);
    checkFinite(queries, this.dims, 'withinBatch');
    const m = queries.length / this.dims;
    const offsets = new Int32Array(m + 1);
    let ids = new Int32Array(Math.max(16, 4 * m));
    let distances = new Float32Array(ids.length);
    let n = 0;
    const r2 = radius * radius;
    for (let i = 0; i < m; i++) {
      const count = this.search.radius(queries, i * this.dims, r2);
      if (n + count > ids.length) {
        const size = Math.max(2 * ids.length, n + count);
        const grownIds = new Int32Array(size);
        grownIds.set(ids);
        const grownDist = new Float32Array(size);
        grownDist.set(distances);
        ids = grownIds;
        distances = grownDist;
      }
      const found = this.search.resultIds;
      const dist = this.search.resultDist;
      for (let j = 0; j < count; j++) {
        ids[n + j] = found[j];
        distances[n + j] = dist[j];
      }
      n += count;
      offsets[i + 1] = n;
    }
    return { offsets, ids: ids.slice(0, n), distances: distances.slice(0, n) };
  }

  /** How the next k-NN query will walk the tree (see {@link Walk}). */
  get nextWalk(): Walk {
    if (this.pinned !== undefined) return this.pinned;
    return this.queries % PROBE_EVERY === 0 ? Walk.Descend : this.walk;
  }

  /** Pins every k-NN query to one walk, or back to adaptive with `undefined` (tests, benchmarks). */
  pinWalk(walk: Walk | undefined): void {
    this.pinned = walk;
  }

  /**
   * Turns the WebAssembly SIMD filter for leaf scans on (the default) or off (tests and
   * benchmarks compare the two; answers are the same either way).
   */
  useSimd(on: boolean): void {
    this.search.simdWanted = on;
  }

  private one(q: Float32Array, offset: number, k: number, ids: Int32Array, dist: Float32Array, at: number): void {
    const walk = this.nextWalk;
    const s = this.search;
    s.visited = 0;
    s.leavesTouched = 0;
    s.knn(q, offset, k, ids, dist, at, walk);
    this.queries++;
    if (walk === Walk.Scan) return;
    const f = s.leavesTouched / s.leafCount;
    if (walk === Walk.Descend) {
      this.reached = this.queries === 1 ? f : 0.75 * this.reached + 0.25 * f;
      this.walk = this.reached > SWEEP_ABOVE ? (this.scanned > SCAN_ABOVE ? Walk.Scan : Walk.Sweep) : Walk.Descend;
    } else {
      this.scanned = this.scanned === 0 ? f : 0.75 * this.scanned + 0.25 * f;
      this.walk = this.scanned > SCAN_ABOVE ? Walk.Scan : Walk.Sweep;
    }
  }

  private checkK(k: number, what: string): void {
    if (!Number.isInteger(k) || k < 1) throw new IndexError(`KdTree.${what}: k must be a positive integer, got ${k}`);
    if (k > this.size)
      throw new IndexError(
        `KdTree.${what}: k = ${k} is larger than the ${this.size} points in the tree (clamp with Math.min(k, ` +
          `tree.size))`,
      );
  }
}

/** Sweep the leaves when recent descents reached more than this fraction of them. */
const SWEEP_ABOVE = 0.25;
/** Scan every point when recent sweeps scanned more than this fraction of the leaves. */
const SCAN_ABOVE = 0.85;
/** Every this-many-th query descends the tree, to re-measure. */
const PROBE_EVERY = 256;

/** splits[2i], splits[2i+1] = left child's max and right child's min along node i's axis. */
function fillSplits(
  d: number,
  leafSize: number,
  boxes: Float32Array,
  axes: Uint16Array,
  splits: Float32Array,
  lo: number,
  hi: number,
  node: number,
): void {
  const count = hi - lo;
  if (count <= leafSize) return;
  const a = axes[node];
  const mid = lo + (count >> 1);
  splits[2 * node] = boxes[((2 * node + 1) * d + a) * 2 + 1];
  splits[2 * node + 1] = boxes[((2 * node + 2) * d + a) * 2];
  fillSplits(d, leafSize, boxes, axes, splits, lo, mid, 2 * node + 1);
  fillSplits(d, leafSize, boxes, axes, splits, mid, hi, 2 * node + 2);
}

function checkFinite(q: Float32Array, d: number, what: string): void {
  for (let i = 0; i < q.length; i++) {
    const v = q[i];
    if (v - v !== 0)
      throw new IndexError(
        `KdTree.${what}: query ${Math.floor(i / d)}, dimension ${i % d} is ${Number.isNaN(v) ? 'NaN' : v}; ` +
          `queries must be finite`,
      );
  }
}
