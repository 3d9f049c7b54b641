import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { IndexError } from './errors';
import { KdTree, Walk } from './kdtree';
import { SIMD_MAX_ABS, simdAvailable } from './simd/scanner';

type Shape = 'uniform' | 'clustered' | 'duplicates' | 'equal';

/** n rows of d float32 values, seeded, in one of four shapes. */
function points(n: number, d: number, shape: Shape, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n * d);
  if (shape === 'uniform') for (let i = 0; i < a.length; i++) a[i] = rng.next() * 10 - 5;
  else if (shape === 'equal') a.fill(rng.next());
  else if (shape === 'clustered') {
    const centres = Array.from({ length: 6 }, () => Array.from({ length: d }, () => rng.next() * 100));
    for (let i = 0; i < n; i++) {
      const c = centres[rng.int(centres.length)];
      for (let j = 0; j < d; j++) a[i * d + j] = c[j] + rng.normal() * 0.5;
    }
  } else {
    // Few distinct rows, each repeated many times.
    const distinct = Array.from({ length: 20 }, () => Array.from({ length: d }, () => rng.int(3)));
    for (let i = 0; i < n; i++) a.set(distinct[rng.int(distinct.length)], i * d);
  }
  return a;
}

/** Every distance, the same float64 sum as the tree's, then sorted by (distance, id). */
function bruteSorted(pts: Float32Array, d: number, q: Float32Array, qo: number): { ids: number[]; dist: number[] } {
  const n = pts.length / d;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = pts[i * d + j] - q[qo + j];
      s += t * t;
    }
    dist[i] = s;
  }
  const ids = Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[a] - dist[b] || a - b);
  return { ids, dist: ids.map((i) => dist[i]) };
}

/** Queries: half drawn like the data (some exactly on data points), half uniform. */
function queries(pts: Float32Array, d: number, m: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const n = pts.length / d;
  const q = new Float32Array(m * d);
  for (let i = 0; i < m; i++) {
    const p = rng.int(n);
    for (let j = 0; j < d; j++) {
      const v = pts[p * d + j];
      q[i * d + j] = i % 3 === 0 ? v : i % 3 === 1 ? v + rng.normal() * 0.3 : rng.next() * 12 - 6;
    }
  }
  return q;
}

const dims = [1, 2, 3, 5, 8, 16, 64];
const shapes: Shape[] = ['uniform', 'clustered', 'duplicates', 'equal'];
const walks: [string, Walk | undefined][] = [
  ['adaptive', undefined],
  ['descend', Walk.Descend],
  ['sweep', Walk.Sweep],
  ['scan', Walk.Scan],
];

describe('KdTree k-NN against brute force', () => {
  for (const d of dims) {
    for (const shape of shapes) {
      it(`${d}-D ${shape}`, () => {
        const n = d >= 16 ? 1500 : 2500;
        const pts = points(n, d, shape, 1000 * d + shapes.indexOf(shape));
        const tree = KdTree.build(pts, d, { leafSize: 8 });
        const qs = queries(pts, d, 12, 7 + d);
        for (const [simd, [, walk]] of [true, false].flatMap((on) => walks.map((w) => [on, w] as const))) {
          tree.useSimd(simd);
          tree.pinWalk(walk);
          for (const k of [1, 10, n]) {
            for (let i = 0; i < 12; i++) {
              if (k === n && i > 2) break;
              const want = bruteSorted(pts, d, qs, i * d);
              const got = tree.knn(qs.subarray(i * d, i * d + d), k);
              expect(Array.from(got.ids)).toEqual(want.ids.slice(0, k));
              expect(Array.from(got.distances)).toEqual(want.dist.slice(0, k).map(Math.fround));
            }
          }
        }
      });
    }
  }

  it('the adaptive walk moves off the descent in 64-D uniform data and stays exact', () => {
    const d = 64;
    const pts = points(3000, d, 'uniform', 5);
    const tree = KdTree.build(pts, d, { leafSize: 8 });
    const qs = queries(pts, d, 40, 6);
    const seen = new Set<Walk>();
    for (let i = 0; i < 40; i++) {
      seen.add(tree.nextWalk);
      const want = bruteSorted(pts, d, qs, i * d);
      expect(Array.from(tree.knn(qs.subarray(i * d, i * d + d), 5).ids)).toEqual(want.ids.slice(0, 5));
    }
    expect(seen.has(Walk.Descend)).toBe(true);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('a larger 2-D and 3-D tree with the default leaf size', () => {
    for (const d of [2, 3]) {
      const pts = points(30_000, d, 'clustered', 11 + d);
      const tree = KdTree.build(pts, d);
      const qs = queries(pts, d, 30, 12);
      for (let i = 0; i < 30; i++) {
        const want = bruteSorted(pts, d, qs, i * d);
        const got = tree.knn(qs.subarray(i * d, i * d + d), 10);
        expect(Array.from(got.ids)).toEqual(want.ids.slice(0, 10));
      }
    }
  });
});

describe('KdTree radius queries against brute force', () => {
  for (const d of [1, 2, 3, 5, 8, 16, 64]) {
    for (const shape of shapes) {
      it(`${d}-D ${shape}`, () => {
        const n = 1200;
        const pts = points(n, d, shape, 77 * d + shapes.indexOf(shape));
        const tree = KdTree.build(pts, d, { leafSize: 8 });
        const qs = queries(pts, d, 8, 3 + d);
        for (let i = 0; i < 8; i++) {
          tree.useSimd(i % 2 === 0);
          const want = bruteSorted(pts, d, qs, i * d);
          // Radii that fall exactly on a point's distance, so the boundary is tested too.
          for (const rank of [0, 4, 60, n - 1]) {
            const r = Math.sqrt(want.dist[rank]);
            const r2 = r * r;
            const inside = want.ids.filter((_, j) => want.dist[j] <= r2);
            const got = tree.within(qs.subarray(i * d, i * d + d), r);
            expect(Array.from(got.ids)).toEqual(inside);
            expect(Array.from(got.distances)).toEqual(want.dist.filter((x) => x <= r2).map(Math.fround));
          }
        }
        expect(tree.within(qs.subarray(0, d), 0).ids.length).toBe(want0(pts, d, qs));
      });
    }
  }
});

describe('KdTree SIMD filter', () => {
  it('is available in this runtime (Node 20 has WebAssembly SIMD), so the tests above ran it', () => {
    expect(simdAvailable()).toBe(true);
  });

  it('keeps neighbours whose distances differ below float32 resolution, in exact (distance, id) order', () => {
    // Rows that differ from each other by one float32 ulp in a few coordinates: their float32
    // squared distances tie or round the wrong way, the float64 ones do not.
    const d = 12;
    const n = 600;
    const rng = new Rng(5);
    const pts = new Float32Array(n * d);
    const base = Array.from({ length: d }, () => 1 + rng.next());
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) pts[i * d + j] = base[j] + rng.int(5) * 2 ** -22;
    }
    const q = Float32Array.from(base, (v) => v + 2 ** -21);
    const tree = KdTree.build(pts, d, { leafSize: 8 });
    const want = bruteSorted(pts, d, q, 0);
    for (const [, walk] of walks) {
      tree.pinWalk(walk);
      for (const k of [1, 7, 40]) expect(Array.from(tree.knn(q, k).ids)).toEqual(want.ids.slice(0, k));
      const r = Math.sqrt(want.dist[25]);
      expect(Array.from(tree.within(q, r).ids)).toEqual(want.ids.filter((_, j) => want.dist[j] <= r * r));
    }
  });

  it('falls back to the scalar path, still exact, for coordinates or queries too large for float32 sums', () => {
    const d = 6;
    const pts = points(800, d, 'uniform', 8);
    for (let j = 0; j < d; j++) pts[17 * d + j] *= 1e18; // one far row: the whole tree falls back
    const far = KdTree.build(pts, d, { leafSize: 8 });
    const qs = queries(
      pts.map((v) => (Math.abs(v) > SIMD_MAX_ABS ? 0 : v)),
      d,
      6,
      9,
    );
    for (let i = 0; i < 6; i++) {
      const want = bruteSorted(pts, d, qs, i * d);
      expect(Array.from(far.knn(qs.subarray(i * d, i * d + d), 9).ids)).toEqual(want.ids.slice(0, 9));
    }
    // A normal tree and one huge query: that query alone takes the scalar path.
    const normalPts = points(800, d, 'uniform', 10);
    const normal = KdTree.build(normalPts, d, { leafSize: 8 });
    const q = Float32Array.from({ length: d }, (_, j) => (j === 2 ? 3e20 : 0.5));
    const want = bruteSorted(normalPts, d, q, 0);
    expect(Array.from(normal.knn(q, 5).ids)).toEqual(want.ids.slice(0, 5));
  });
});

/** How many points equal query 0 exactly. */
function want0(pts: Float32Array, d: number, qs: Float32Array): number {
  return bruteSorted(pts, d, qs, 0).dist.filter((x) => x === 0).length;
}

describe('KdTree structure', () => {
  it('splits every inner node at its median: left child at or below right child along the axis, tight boxes', () => {
    for (const d of [1, 2, 3, 16]) {
      for (const shape of shapes) {
        const n = 20_000 + d;
        const pts = points(n, d, shape, 91 * d + shapes.indexOf(shape));
        const tree = KdTree.build(pts, d);
        const check = (node: number, lo: number, hi: number): void => {
          // The node's box is the tight box of its rows.
          for (let j = 0; j < d; j++) {
            let min = Infinity;
            let max = -Infinity;
            for (let p = lo; p < hi; p++) {
              min = Math.min(min, tree.coords[p * d + j]);
              max = Math.max(max, tree.coords[p * d + j]);
            }
            expect([tree.boxes[(node * d + j) * 2], tree.boxes[(node * d + j) * 2 + 1]]).toEqual([min, max]);
          }
          if (hi - lo <= tree.leafSize) return;
          const mid = lo + ((hi - lo) >> 1);
          expect(tree.splits[2 * node]).toBeLessThanOrEqual(tree.splits[2 * node + 1]);
          check(2 * node + 1, lo, mid);
          check(2 * node + 2, mid, hi);
        };
        check(0, 0, n);
        // ids are a permutation and coords are the input rows in that order.
        const seen = new Uint8Array(n);
        for (let p = 0; p < n; p++) {
          seen[tree.ids[p]]++;
          for (let j = 0; j < d; j++)
            if (tree.coords[p * d + j] !== pts[tree.ids[p] * d + j]) throw new Error(`row ${p} moved without its id`);
        }
        expect(seen.every((x) => x === 1)).toBe(true);
      }
    }
  });
});

describe('KdTree batches and buffers', () => {
  it('withinBatch equals one within per query', () => {
    for (const d of [2, 5]) {
      const pts = points(4000, d, 'clustered', 71 + d);
      const tree = KdTree.build(pts, d);
      const qs = queries(pts, d, 60, 72);
      for (const r of [0, 0.3, 2]) {
        const batch = tree.withinBatch(qs, r);
        expect(batch.offsets.length).toBe(61);
        for (let i = 0; i < 60; i++) {
          const one = tree.within(qs.subarray(i * d, i * d + d), r);
          expect(Array.from(batch.ids.subarray(batch.offsets[i], batch.offsets[i + 1]))).toEqual(Array.from(one.ids));
          expect(Array.from(batch.distances.subarray(batch.offsets[i], batch.offsets[i + 1]))).toEqual(
            Array.from(one.distances),
          );
        }
      }
    }
    expect(() => KdTree.build(points(10, 2, 'uniform', 1), 2).withinBatch(new Float32Array(3), 1)).toThrow(
      'not a whole number of 2-dimensional rows',
    );
  });

  it('knnBatch equals one knn per query', () => {
    for (const d of [2, 16]) {
      const pts = points(5000, d, 'clustered', 31 + d);
      const tree = KdTree.build(pts, d);
      const qs = queries(pts, d, 50, 32);
      const batch = tree.knnBatch(qs, 7);
      const other = KdTree.build(pts, d);
      for (let i = 0; i < 50; i++) {
        const one = other.knn(qs.subarray(i * d, i * d + d), 7);
        expect(Array.from(batch.ids.subarray(i * 7, i * 7 + 7))).toEqual(Array.from(one.ids));
        expect(Array.from(batch.distances.subarray(i * 7, i * 7 + 7))).toEqual(Array.from(one.distances));
      }
    }
  });

  it('from(data) rebuilds without copying and answers identically, also from a copied buffer', () => {
    const d = 8;
    const pts = points(4000, d, 'uniform', 41);
    const tree = KdTree.build(pts, d, { leafSize: 16 });
    const same = KdTree.from(tree.data);
    expect(same.coords.buffer).toBe(tree.data);
    const copy = KdTree.from(tree.data.slice(0));
    expect(copy.dims).toBe(d);
    expect(copy.size).toBe(4000);
    expect(copy.leafSize).toBe(16);
    const qs = queries(pts, d, 20, 42);
    const a = tree.knnBatch(qs, 5);
    const b = copy.knnBatch(qs, 5);
    expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
    expect(Array.from(b.distances)).toEqual(Array.from(a.distances));
    expect(Array.from(copy.within(qs.subarray(0, d), 3).ids)).toEqual(
      Array.from(tree.within(qs.subarray(0, d), 3).ids),
    );
  });

  it('does not modify its input and accepts Float64Array and plain-array queries', () => {
    const pts = points(300, 3, 'uniform', 51);
    const before = pts.slice();
    const tree = KdTree.build(Float64Array.from(pts), 3);
    KdTree.build(pts, 3);
    expect(Array.from(pts)).toEqual(Array.from(before));
    const q = [0.5, -1, 2];
    expect(Array.from(tree.knn(q, 3).ids)).toEqual(bruteSorted(pts, 3, Float32Array.from(q), 0).ids.slice(0, 3));
  });
});

describe('KdTree errors', () => {
  const pts = points(100, 3, 'uniform', 61);
  const tree = KdTree.build(pts, 3);

  it('names the row and dimension of a NaN or infinite coordinate', () => {
    const bad = pts.slice();
    bad[3 * 17 + 2] = NaN;
    expect(() => KdTree.build(bad, 3)).toThrow(IndexError);
    expect(() => KdTree.build(bad, 3)).toThrow('row 17, dimension 2 is NaN');
    bad[3 * 17 + 2] = Infinity;
    expect(() => KdTree.build(bad, 3)).toThrow('row 17, dimension 2 is Infinity');
  });

  it('refuses zero rows, ragged input and bad dims or leaf sizes', () => {
    expect(() => KdTree.build(new Float32Array(0), 3)).toThrow('zero rows');
    expect(() => KdTree.build(new Float32Array(7), 3)).toThrow('not a whole number of 3-dimensional rows');
    expect(() => KdTree.build(pts, 0)).toThrow('dims must be');
    expect(() => KdTree.build(pts, 3, { leafSize: 2 })).toThrow('leafSize');
  });

  it('refuses queries of the wrong dimension or with NaN', () => {
    expect(() => tree.knn([1, 2], 1)).toThrow('the query has 2 values, the tree has 3 dimensions');
    expect(() => tree.within([1, 2, 3, 4], 1)).toThrow('the query has 4 values, the tree has 3 dimensions');
    expect(() => tree.knnBatch(new Float32Array(7), 1)).toThrow(
      '7 query values is not a whole number of 3-dimensional rows',
    );
    expect(() => tree.knnBatch(Float32Array.from([0, 0, 0, 1, NaN, 1]), 1)).toThrow('query 1, dimension 1 is NaN');
    expect(() => tree.within([0, 0, 0], -1)).toThrow('radius must be');
  });

  it('refuses k <= 0, fractional k, and k larger than n', () => {
    expect(() => tree.knn([0, 0, 0], 0)).toThrow('k must be a positive integer, got 0');
    expect(() => tree.knn([0, 0, 0], -3)).toThrow('k must be a positive integer');
    expect(() => tree.knn([0, 0, 0], 1.5)).toThrow('k must be a positive integer');
    expect(() => tree.knn([0, 0, 0], 101)).toThrow('k = 101 is larger than the 100 points');
    expect(tree.knn([0, 0, 0], 100).ids.length).toBe(100);
  });

  it('from() refuses foreign, truncated or newer buffers', () => {
    expect(() => KdTree.from(new ArrayBuffer(10))).toThrow('shorter than the 32-byte header');
    expect(() => KdTree.from(new ArrayBuffer(64))).toThrow('not a KdTree buffer');
    const copy = tree.data.slice(0);
    new Uint8Array(copy)[1] = 99;
    expect(() => KdTree.from(copy)).toThrow('format version 99');
    expect(() => KdTree.from(tree.data.slice(0, 200))).toThrow('truncated');
    for (const e of [() => KdTree.from(new ArrayBuffer(64))]) expect(e).toThrow(IndexError);
  });
});
