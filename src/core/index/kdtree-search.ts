/**
 * k-nearest-neighbour and radius search over a built KD-tree (layout: kdtree-build.ts).
 * Distances are squared euclidean, summed in float64 from the float32 coordinates. Ties are
 * broken by the smaller original row id, so answers are deterministic and equal to a
 * brute-force sort by (distance, id).
 */

import { SimdScanner } from './simd/scanner';

/**
 * Lower bounds are compared against the current worst distance times this factor, so that
 * rounding in a bound (summed differently from the point distances) never prunes a point at
 * exactly the worst distance, which the id tie-break may still need.
 */
const SLACK = 1 + 1e-9;

/** Rows in the query's own subtree searched depth-first before a sweep, for a first bound. */
const SWEEP_WARM_ROWS = 2048;
/** Leaves per group in a sweep: a group's box is tested before its leaves' boxes. */
const SWEEP_GROUP_LEAVES = 8;
/** Leaves per call of the SIMD sweep: the k-th distance it filters with is updated between calls. */
const SIMD_SWEEP_LEAVES = 64;

/**
 * How a k-NN query walks the tree; {@link KdTree} picks one from what recent queries touched.
 * - Descend: depth first, nearer child first, pruning by incremental cell distance (low d).
 * - Sweep: the query's subtree, then every leaf in order, skipping leaves by tight box (high d).
 * - Scan: the query's leaf, then every point, no box tests: when boxes prune almost nothing.
 */
export const Walk = { Descend: 0, Sweep: 1, Scan: 2 } as const;
/** One of {@link Walk}'s values. */
export type Walk = (typeof Walk)[keyof typeof Walk];

/** One reusable search state per tree: a bounded max-heap of (distance, id) and scratch. */
export class TreeSearch {
  /** Points whose distance was (at least partly) computed; reset by the caller. */
  visited = 0;
  /** Leaves reached (Descend) or whose box passed (Sweep); reset by the caller. */
  leavesTouched = 0;
  /** Row ids found by the last radius query (first `count` entries), sorted by (distance, id). */
  resultIds = new Int32Array(64);
  /** Their squared distances. */
  resultDist = new Float64Array(64);
  private found = 0;
  private readonly q: Float64Array;
  // Per-dimension squared offset from the query to the current cell (nanoflann's `dists`).
  private readonly offsets: Float64Array;
  private readonly half: number;
  private heapD = new Float64Array(16);
  private heapI = new Int32Array(16);
  private size = 0;
  private k = 0;
  private leafNode: Int32Array | null = null;
  /** (node, lo, hi) triples of the 2-D radius search. */
  private stack = new Int32Array(3 * 64);
  private leafLo = new Int32Array(0);
  private groupNode = new Int32Array(0);
  private groupLeaf = new Int32Array(0);
  /** Whether k-NN and radius scans may use the SIMD filter (on by default; off pins the scalar path). */
  simdWanted = true;
  /** The SIMD filter over this tree's rows: made on first use, null where it cannot run. */
  private simd: SimdScanner | null | undefined = undefined;
  /** Whether the current query goes through the SIMD filter. */
  private simdOn = false;

  constructor(
    private readonly c: Float32Array,
    private readonly ids: Int32Array,
    private readonly boxes: Float32Array,
    private readonly axes: Uint16Array,
    private readonly splits: Float32Array,
    private readonly d: number,
    private readonly leafSize: number,
  ) {
    this.q = new Float64Array(d);
    this.offsets = new Float64Array(d);
    this.half = d >= 8 ? d >> 1 : d;
  }

  /** Number of leaves (computed on first use: O(n / leafSize)). */
  get leafCount(): number {
    return this.leaves().length;
  }

  /**
   * Finds the k nearest rows to `query[offset .. offset + d)` and writes them, nearest first,
   * to outIds/outDist at `outOffset`.
   */
  knn(
    query: Float32Array,
    offset: number,
    k: number,
    outIds: Int32Array,
    outDist: Float32Array,
    outOffset: number,
    walk: Walk,
  ): void {
    const d = this.d;
    for (let j = 0; j < d; j++) this.q[j] = query[offset + j];
    this.simdOn = this.useSimd();
    if (this.heapD.length < k) {
      this.heapD = new Float64Array(k);
      this.heapI = new Int32Array(k);
    }
    this.k = k;
    this.size = 0;
    if (walk === Walk.Descend) this.descend();
    else if (walk === Walk.Sweep) this.sweep();
    else this.scanAll();
    // Heap -> ascending order, written from the back.
    const heapD = this.heapD;
    const heapI = this.heapI;
    for (let i = this.size - 1; i >= 0; i--) {
      outIds[outOffset + i] = heapI[0];
      outDist[outOffset + i] = heapD[0];
      const lastD = heapD[i];
      const lastI = heapI[i];
      this.size = i;
      if (i > 0) this.siftDown(lastD, lastI);
    }
  }

  /**
   * Every row within squared distance `r2` of `query[offset .. offset + d)`, sorted by
   * (distance, id); returns the count (results in `resultIds` / `resultDist`).
   */
  radius(query: Float32Array, offset: number, r2: number): number {
    const d = this.d;
    for (let j = 0; j < d; j++) this.q[j] = query[offset + j];
    this.simdOn = this.useSimd();
    this.found = 0;
    if (d === 2) this.radius2(r2);
    else this.radiusVisit(0, 0, this.ids.length, this.rootOffsets(), r2);
    this.sortFound();
    return this.found;
  }

  /**
   * {@link TreeSearch.radius} for d = 2: a loop over an explicit stack, each child kept when its
   * side of the split is within the radius along the axis (squared, with the same slack as the
   * other bounds), and the leaf's rows tested in locals.
   */
  private radius2(r2: number): void {
    const q0 = this.q[0];
    const q1 = this.q[1];
    const c = this.c;
    const axes = this.axes;
    const splits = this.splits;
    const leafSize = this.leafSize;
    const bound = r2 * SLACK;
    let stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    stack[top++] = 0;
    stack[top++] = this.ids.length;
    while (top > 0) {
      const hi = stack[--top];
      const lo = stack[--top];
      const node = stack[--top];
      if (hi - lo <= leafSize) {
        for (let p = lo; p < hi; p++) {
          const a = c[2 * p] - q0;
          const b = c[2 * p + 1] - q1;
          const s = a * a + b * b;
          if (s <= r2) this.push(p, s);
        }
        continue;
      }
      if (top + 6 > stack.length) {
        const grown = new Int32Array(stack.length * 2);
        grown.set(stack);
        stack = this.stack = grown;
      }
      const v = axes[node] === 0 ? q0 : q1;
      const mid = lo + ((hi - lo) >> 1);
      const dl = v - splits[2 * node];
      if (dl <= 0 || dl * dl <= bound) {
        stack[top++] = 2 * node + 1;
        stack[top++] = lo;
        stack[top++] = mid;
      }
      const dr = splits[2 * node + 1] - v;
      if (dr <= 0 || dr * dr <= bound) {
        stack[top++] = 2 * node + 2;
        stack[top++] = mid;
        stack[top++] = hi;
      }
    }
  }

  /** Like {@link TreeSearch.visit}, with the fixed bound r2 instead of the k-th distance. */
  private radiusVisit(node: number, lo: number, hi: number, mindist: number, r2: number): void {
    if (mindist > r2 * SLACK) return;
    const count = hi - lo;
    if (count <= this.leafSize) {
      this.collect(lo, hi, r2);
      return;
    }
    const axis = this.axes[node];
    const left = 2 * node + 1;
    const v = this.q[axis];
    const mid = lo + (count >> 1);
    const off = this.offsets;
    const old = off[axis];
    const dl = v - this.splits[2 * node];
    const dr = this.splits[2 * node + 1] - v;
    // Each child: the offset along the axis grows only if the query is beyond its side.
    if (dl > 0) {
      off[axis] = dl * dl;
      this.radiusVisit(left, lo, mid, mindist + dl * dl - old, r2);
      off[axis] = old;
    } else this.radiusVisit(left, lo, mid, mindist, r2);
    if (dr > 0) {
      off[axis] = dr * dr;
      this.radiusVisit(left + 1, mid, hi, mindist + dr * dr - old, r2);
      off[axis] = old;
    } else this.radiusVisit(left + 1, mid, hi, mindist, r2);
  }

  private descend(): void {
    this.visit(0, 0, this.ids.length, this.rootOffsets());
  }

  /** Sets `offsets` to the query's per-dimension squared offsets to the root box; returns their sum. */
  private rootOffsets(): number {
    const d = this.d;
    const q = this.q;
    const boxes = this.boxes;
    const off = this.offsets;
    let mindist = 0;
    for (let j = 0; j < d; j++) {
      const v = q[j];
      const lo = boxes[2 * j];
      const hi = boxes[2 * j + 1];
      const t = v < lo ? lo - v : v > hi ? v - hi : 0;
      off[j] = t * t;
      mindist += t * t;
    }
    return mindist;
  }

  /**
   * Depth first, nearer child first. The lower bound for the farther child changes only along
   * the split axis (Arya & Mount's incremental distance, as in nanoflann): O(1) per node
   * instead of a full box distance; a leaf's tight box is checked before its points.
   */
  private visit(node: number, lo: number, hi: number, mindist: number): void {
    const count = hi - lo;
    if (count <= this.leafSize) {
      this.leavesTouched++;
      if (this.boxDist(node) <= this.worst() * SLACK) this.scanRange(lo, hi);
      return;
    }
    const axis = this.axes[node];
    const left = 2 * node + 1;
    const v = this.q[axis];
    const lowMax = this.splits[2 * node];
    const highMin = this.splits[2 * node + 1];
    const mid = lo + (count >> 1);
    const diff1 = v - lowMax;
    const diff2 = v - highMin;
    const off = this.offsets;
    const old = off[axis];
    if (diff1 + diff2 < 0) {
      this.visit(left, lo, mid, mindist);
      const cut = diff2 * diff2;
      const m = mindist + cut - old;
      if (m <= this.worst() * SLACK) {
        off[axis] = cut;
        this.visit(left + 1, mid, hi, m);
        off[axis] = old;
      }
    } else {
      this.visit(left + 1, mid, hi, mindist);
      const cut = diff1 * diff1;
      const m = mindist + cut - old;
      if (m <= this.worst() * SLACK) {
        off[axis] = cut;
        this.visit(left, lo, mid, m);
        off[axis] = old;
      }
    }
  }

  /**
   * The query's own subtree of about SWEEP_WARM_ROWS rows depth-first (a good first bound),
   * then every other leaf in storage order, skipped when its group's or its own tight box is
   * farther than the current k-th distance. Two flat loops, no recursion: in high dimensions,
   * where the descent reaches most leaves anyway, it costs less.
   */
  private sweep(): void {
    const leafNode = this.leaves();
    const leafLo = this.leafLo;
    const groupNode = this.groupNode;
    const groupLeaf = this.groupLeaf;
    const [node, lo, hi] = this.home(SWEEP_WARM_ROWS);
    this.visit(node, lo, hi, this.rootOffsets());
    if (this.simdOn) {
      this.sweepSimd(lo, hi);
      return;
    }
    let worst = this.worst() * SLACK;
    for (let g = 0, n = groupNode.length; g < n; g++) {
      const first = groupLeaf[g];
      const a = leafLo[first];
      if ((a >= lo && a < hi) || this.boxDist(groupNode[g]) > worst) continue;
      for (let i = first, end = groupLeaf[g + 1]; i < end; i++) {
        if (this.boxDist(leafNode[i]) > worst) continue;
        this.leavesTouched++;
        this.scanRange(leafLo[i], leafLo[i + 1]);
        worst = this.worst() * SLACK;
      }
    }
  }

  /**
   * The sweep's second loop in the SIMD kernel: chunks of SIMD_SWEEP_LEAVES leaves, each with
   * the k-th distance as it stands (box tests and row filtering in f32x4, then the passed rows
   * exactly, here). The warm subtree [skipLo, skipHi) was already scanned.
   */
  private sweepSimd(skipLo: number, skipHi: number): void {
    const simd = this.simd!;
    const leaves = simd.leaves;
    for (let l0 = 0; l0 < leaves; l0 += SIMD_SWEEP_LEAVES) {
      const count = simd.sweep(
        l0,
        Math.min(leaves, l0 + SIMD_SWEEP_LEAVES),
        skipLo,
        skipHi,
        this.looseBound(this.worst()),
      );
      this.leavesTouched += simd.touched;
      this.takeRows(simd.out, count);
    }
  }

  /** The query's own leaf first (for a tight bound early), then every other row in order. */
  private scanAll(): void {
    const [, lo, hi] = this.home(0);
    this.scanRange(lo, hi);
    this.scanRange(0, lo);
    this.scanRange(hi, this.ids.length);
  }

  /** First row of the leaf whose cell holds `query[offset .. offset + d)` (a locality key). */
  homeRow(query: Float32Array, offset: number): number {
    let node = 0;
    let lo = 0;
    let hi = this.ids.length;
    while (hi - lo > this.leafSize) {
      const mid = lo + ((hi - lo) >> 1);
      if (query[offset + this.axes[node]] * 2 < this.splits[2 * node] + this.splits[2 * node + 1]) {
        node = 2 * node + 1;
        hi = mid;
      } else {
        node = 2 * node + 2;
        lo = mid;
      }
    }
    return lo;
  }

  /** The subtree of at most max(rows, leafSize) rows whose cell holds the query: [node, lo, hi]. */
  private home(rows: number): [number, number, number] {
    const q = this.q;
    let node = 0;
    let lo = 0;
    let hi = this.ids.length;
    while (hi - lo > rows && hi - lo > this.leafSize) {
      const mid = lo + ((hi - lo) >> 1);
      if (q[this.axes[node]] * 2 < this.splits[2 * node] + this.splits[2 * node + 1]) {
        node = 2 * node + 1;
        hi = mid;
      } else {
        node = 2 * node + 2;
        lo = mid;
      }
    }
    return [node, lo, hi];
  }

  /**
   * Leaf node ids in storage order (with `leafLo`, their first rows, plus n at the end), and
   * the groups of about SWEEP_GROUP_LEAVES leaves the sweep tests first (`groupNode`, and
   * `groupLeaf`, each group's first leaf, plus the leaf count at the end).
   */
  private leaves(): Int32Array {
    if (this.leafNode) return this.leafNode;
    const nodes: number[] = [];
    const los: number[] = [];
    const groups: number[] = [];
    const groupLeaf: number[] = [];
    const groupRows = SWEEP_GROUP_LEAVES * this.leafSize;
    const walk = (node: number, lo: number, hi: number, inGroup: boolean): void => {
      if (!inGroup && hi - lo <= groupRows) {
        groups.push(node);
        groupLeaf.push(nodes.length);
        inGroup = true;
      }
      if (hi - lo <= this.leafSize) {
        nodes.push(node);
        los.push(lo);
        return;
      }
      const mid = lo + ((hi - lo) >> 1);
      walk(2 * node + 1, lo, mid, inGroup);
      walk(2 * node + 2, mid, hi, inGroup);
    };
    walk(0, 0, this.ids.length, false);
    los.push(this.ids.length);
    groupLeaf.push(nodes.length);
    this.leafLo = Int32Array.from(los);
    this.groupNode = Int32Array.from(groups);
    this.groupLeaf = Int32Array.from(groupLeaf);
    return (this.leafNode = Int32Array.from(nodes));
  }

  /**
   * Whether this query can use the SIMD filter: wanted, the tree has at least 3 dimensions (2-D
   * has its own scalar loop, faster there), the runtime has WebAssembly SIMD, and the
   * coordinates are small enough for float32 sums. Sets the filter's query.
   */
  private useSimd(): boolean {
    if (!this.simdWanted || this.d < 3) return false;
    if (this.simd === undefined) {
      const node = this.leaves();
      this.simd = SimdScanner.create(this.c, this.ids.length, this.d, { first: this.leafLo, node, boxes: this.boxes });
    }
    return this.simd !== null && this.simd.setQuery(this.q);
  }

  /** A bound for the SIMD filter that float32 rounding cannot push below `bound`. */
  private looseBound(bound: number): number {
    return bound * this.simd!.slack + 1e-37;
  }

  private worst(): number {
    return this.size < this.k ? Infinity : this.heapD[0];
  }

  /**
   * Squared distance from the query to node's tight box, without branches: per dimension the
   * gap is max(|v - centre| - halfWidth, 0), taken as (t + |t|) / 2 (branchy versions
   * mispredict on every other dimension).
   */
  private boxDist(node: number): number {
    const d = this.d;
    const q = this.q;
    const boxes = this.boxes;
    let s = 0;
    for (let j = 0, b = node * 2 * d; j < d; j++, b += 2) {
      const lo = boxes[b];
      const hi = boxes[b + 1];
      const t = Math.abs(q[j] - (lo + hi) * 0.5) - (hi - lo) * 0.5;
      const u = t + Math.abs(t);
      s += u * u;
    }
    return s * 0.25;
  }

  private scanRange(lo: number, hi: number): void {
    if (this.d === 2) {
      this.scanRange2(lo, hi);
      return;
    }
    if (this.simdOn) {
      this.scanSimd(lo, hi);
      return;
    }
    const ids = this.ids;
    this.visited += hi - lo;
    let worst = this.worst();
    for (let p = lo; p < hi; p++) {
      const s = this.dist(p, worst);
      if (s > worst) continue;
      worst = this.offer(s, ids[p], worst);
    }
  }

  /**
   * {@link TreeSearch.scanRange} through the SIMD filter: the kernel rejects rows whose float32
   * distance is clearly beyond the current k-th, four at a time; the rows it passes are
   * recomputed exactly and go through the same heap update as the scalar loop.
   */
  private scanSimd(lo: number, hi: number): void {
    const simd = this.simd!;
    this.visited += hi - lo;
    this.takeRows(simd.out, simd.scan(lo, hi, this.looseBound(this.worst())));
  }

  /** The first `count` rows of `rows` (passed by the SIMD filter), exactly, into the heap. */
  private takeRows(rows: Int32Array, count: number): void {
    const ids = this.ids;
    let worst = this.worst();
    for (let t = 0; t < count; t++) {
      const p = rows[t];
      const s = this.dist(p, worst);
      if (s > worst) continue;
      worst = this.offer(s, ids[p], worst);
    }
  }

  /** {@link TreeSearch.scanRange} for d = 2, with the query in locals (the case raced against static-kdtree). */
  private scanRange2(lo: number, hi: number): void {
    const ids = this.ids;
    const c = this.c;
    const q0 = this.q[0];
    const q1 = this.q[1];
    this.visited += hi - lo;
    let worst = this.worst();
    for (let p = lo; p < hi; p++) {
      const a = c[2 * p] - q0;
      const b = c[2 * p + 1] - q1;
      const s = a * a + b * b;
      if (s > worst) continue;
      worst = this.offer(s, ids[p], worst);
    }
  }

  private collect(lo: number, hi: number, r2: number): void {
    this.visited += hi - lo;
    if (this.simdOn) {
      const count = this.simd!.scan(lo, hi, this.looseBound(r2));
      const rows = this.simd!.out;
      for (let t = 0; t < count; t++) this.keep(rows[t], r2);
      return;
    }
    for (let p = lo; p < hi; p++) this.keep(p, r2);
  }

  /** Adds row p to the radius results if it lies within r2. */
  private keep(p: number, r2: number): void {
    const s = this.dist(p, r2);
    if (s > r2) return;
    this.push(p, s);
  }

  /** Appends row p at squared distance s to the radius results. */
  private push(p: number, s: number): void {
    if (this.found === this.resultIds.length) {
      const ids = new Int32Array(this.found * 2);
      ids.set(this.resultIds);
      const dist = new Float64Array(this.found * 2);
      dist.set(this.resultDist);
      this.resultIds = ids;
      this.resultDist = dist;
    }
    this.resultIds[this.found] = this.ids[p];
    this.resultDist[this.found++] = s;
  }

  /** Sorts the found (distance, id) pairs: insertion sort when few, else an index sort. */
  private sortFound(): void {
    const n = this.found;
    const ids = this.resultIds;
    const dist = this.resultDist;
    if (n <= 32) {
      for (let i = 1; i < n; i++) {
        const di = dist[i];
        const ii = ids[i];
        let j = i - 1;
        while (j >= 0 && (dist[j] > di || (dist[j] === di && ids[j] > ii))) {
          dist[j + 1] = dist[j];
          ids[j + 1] = ids[j];
          j--;
        }
        dist[j + 1] = di;
        ids[j + 1] = ii;
      }
      return;
    }
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => dist[a] - dist[b] || ids[a] - ids[b]);
    const sortedIds = new Int32Array(ids.length);
    const sortedDist = new Float64Array(dist.length);
    for (let i = 0; i < n; i++) {
      sortedIds[i] = ids[order[i]];
      sortedDist[i] = dist[order[i]];
    }
    this.resultIds = sortedIds;
    this.resultDist = sortedDist;
  }

  /**
   * Squared distance from the query to row p. For d >= 8 the first half is summed, and if that
   * already passes `limit` the partial sum is returned (any value above `limit` means "out").
   * One check per point, where it is usually decided, keeps the branch predictable; checking
   * every few dimensions costs more in mispredictions than it saves.
   */
  private dist(p: number, limit: number): number {
    const d = this.d;
    const c = this.c;
    const q = this.q;
    const base = p * d;
    const half = this.half;
    let s = 0;
    let j = 0;
    for (; j < half; j++) {
      const a = c[base + j] - q[j];
      s += a * a;
    }
    if (s > limit) return s;
    for (; j < d; j++) {
      const a = c[base + j] - q[j];
      s += a * a;
    }
    return s;
  }

  /**
   * Offers row (s, id), already known to be within `worst`, to the k-best heap; returns the
   * bound for the next row (the k-th distance, or Infinity while the heap is not full).
   */
  private offer(s: number, id: number, worst: number): number {
    if (this.size < this.k) {
      this.siftUp(s, id);
      return this.worst();
    }
    if (s < worst || id < this.heapI[0]) {
      this.siftDown(s, id);
      return this.heapD[0];
    }
    return worst;
  }

  private siftUp(dist: number, id: number): void {
    const heapD = this.heapD;
    const heapI = this.heapI;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pd = heapD[parent];
      if (pd > dist || (pd === dist && heapI[parent] > id)) break;
      heapD[i] = pd;
      heapI[i] = heapI[parent];
      i = parent;
    }
    heapD[i] = dist;
    heapI[i] = id;
  }

  /** Puts (dist, id) at the root and sifts it down within the first `size` entries. */
  private siftDown(dist: number, id: number): void {
    const heapD = this.heapD;
    const heapI = this.heapI;
    const size = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const r = child + 1;
      if (r < size && (heapD[r] > heapD[child] || (heapD[r] === heapD[child] && heapI[r] > heapI[child]))) child = r;
      const cd = heapD[child];
      if (cd < dist || (cd === dist && heapI[child] < id)) break;
      heapD[i] = cd;
      heapI[i] = heapI[child];
      i = child;
    }
    heapD[i] = dist;
    heapI[i] = id;
  }
}
