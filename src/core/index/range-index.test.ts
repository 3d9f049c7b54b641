/**
 * The range index against Array.filter on random columns (duplicates, negatives, -0, NaN,
 * infinities, subsets of rows) and random ranges, open and closed bounds; its buffer read back
 * by `from` and checked; the planner's index and scan paths against each other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { IndexError } from './errors';
import { FANOUT, RangeIndex, rowsInRange, scanRange, sortRows } from './range-index';
import { setMergeKernel } from './simd/merger';

function column(rng: Rng, n: number, kind: number): Float64Array {
  return Float64Array.from({ length: n }, () => {
    const u = rng.next();
    if (u < 0.03) return NaN;
    if (kind === 0) return rng.int(20) - 10; // many duplicates
    if (kind === 1) return rng.normal() * 1e3;
    if (u < 0.04) return rng.next() < 0.5 ? Infinity : -Infinity;
    if (u < 0.05) return -0;
    return rng.normal();
  });
}

const brute = (
  values: ArrayLike<number>,
  rows: ArrayLike<number>,
  lo: number,
  hi: number,
  loOpen: boolean,
  hiOpen: boolean,
) =>
  Array.from(rows)
    .filter((r) => (loOpen ? values[r] > lo : values[r] >= lo) && (hiOpen ? values[r] < hi : values[r] <= hi))
    .sort((a, b) => a - b);

describe('RangeIndex', () => {
  it('every range query equals Array.filter (sizes around the fan-out, three kinds of columns, subsets)', () => {
    const rng = new Rng(21);
    for (const n of [0, 1, FANOUT - 1, FANOUT, FANOUT + 1, FANOUT * FANOUT + 3, 20_000]) {
      for (let kind = 0; kind < 3; kind++) {
        const values = column(rng, n, kind);
        const subset =
          rng.next() < 0.5 ? null : Int32Array.from({ length: n }, (_, i) => i).filter(() => rng.next() < 0.6);
        const index = RangeIndex.build(values, subset ?? undefined);
        const rows = subset ?? Int32Array.from({ length: n }, (_, i) => i);
        expect(index.entries).toBe(Array.from(rows).filter((r) => !Number.isNaN(values[r])).length);
        for (let q = 0; q < 60; q++) {
          const pick = () => (n && rng.next() < 0.7 ? values[rng.int(n)] : rng.normal() * (kind === 1 ? 1e3 : 10));
          let [lo, hi] = [pick(), pick()];
          if (Number.isNaN(lo)) lo = -5;
          if (Number.isNaN(hi)) hi = 5;
          if (rng.next() < 0.8 && lo > hi) [lo, hi] = [hi, lo];
          const loOpen = rng.next() < 0.5;
          const hiOpen = rng.next() < 0.5;
          const want = brute(values, rows, lo, hi, loOpen, hiOpen);
          // With the WebAssembly merge and without it (their limits on runs to merge differ).
          for (const kernel of [true, false]) {
            setMergeKernel(kernel);
            expect(Array.from(index.range(lo, hi, loOpen, hiOpen)), `n ${n} kind ${kind} [${lo}, ${hi}]`).toEqual(want);
          }
          setMergeKernel(true);
          expect(index.count(lo, hi, loOpen, hiOpen)).toBe(want.length);
        }
      }
    }
  });

  it('keys ascend with their rows, and a NaN bound matches nothing', () => {
    const values = column(new Rng(3), 5000, 2);
    const index = RangeIndex.build(values);
    for (let i = 1; i < index.entries; i++) expect(index.keys[i]).toBeGreaterThanOrEqual(index.keys[i - 1]);
    index.rows.forEach((r, i) =>
      expect(Object.is(values[r], index.keys[i]) || (values[r] === 0 && index.keys[i] === 0)).toBe(true),
    );
    expect(index.range(NaN, 1)).toHaveLength(0);
  });

  it('round-trips through its buffer (structured clone), and refuses a foreign or truncated one', () => {
    const values = column(new Rng(4), 10_000, 1);
    const index = RangeIndex.build(values);
    const back = RangeIndex.from(structuredClone(index.data));
    expect(Array.from(back.range(-100, 250))).toEqual(Array.from(index.range(-100, 250)));
    expect(() => RangeIndex.from(index.data.slice(0, index.data.byteLength - 8))).toThrow(IndexError);
    expect(() => RangeIndex.from(index.data.slice(0, index.data.byteLength - 8))).toThrow(/truncated/);
    const foreign = index.data.slice(0);
    new Uint8Array(foreign)[0] = 0x48;
    expect(() => RangeIndex.from(foreign)).toThrow(/not a RangeIndex buffer/);
    expect(() => RangeIndex.build(values, Int32Array.from([0, 10_000]))).toThrow(/outside the column/);
  });
});

describe('sortRows', () => {
  afterEach(() => setMergeKernel(true));
  // Both merges: the WebAssembly kernel (simd/merger.ts) and the scalar one it falls back to.
  for (const kernel of [true, false])
    describe(kernel ? 'WebAssembly merge' : 'scalar merge', () => {
      it('sorts like Array.sort whatever the runs (merged when few, radix sorted when many), never touching its input', () => {
        setMergeKernel(kernel);
        const rng = new Rng(8);
        for (let t = 0; t < 300; t++) {
          const n = rng.int(5000);
          const runs = 1 + rng.int(t % 3 === 0 ? 200 : 10);
          // `runs` ascending runs of distinct row ids (a range over that many tied values).
          const ids = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i * 7 + rng.int(7)));
          const cuts = Array.from({ length: runs - 1 }, () => rng.int(n + 1)).sort((a, b) => a - b);
          const parts = [0, ...cuts, n].slice(1).map((end, k, ends) => ids.slice(k ? ends[k - 1] : 0, end).sort());
          const rows = new Int32Array(n);
          let at = 0;
          for (const p of parts) {
            rows.set(p, at);
            at += p.length;
          }
          const before = rows.slice();
          expect(Array.from(sortRows(rows))).toEqual(Array.from(before).sort((a, b) => a - b));
          expect(rows).toEqual(before);
        }
      });
      it('merges two runs of any lengths, however lopsided and wherever they start, like Array.sort (both ends at once, then the front alone)', () => {
        setMergeKernel(kernel);
        const rng = new Rng(9);
        const lengths = [0, 1, 2, 31, 32, 33, 63, 64, 65, 100, 200, 500, 1000, 4099];
        for (const la of lengths)
          for (const lb of lengths)
            for (const deal of ['random', 'apart', 'nearly apart'])
              for (const order of ['ab', 'ba']) {
                if (la + lb < 2) continue;
                // Distinct ids dealt to two ascending runs: at random, or one run wholly below the other, or
                // below it but for a few ids swapped across (a run used up long before the other, from either end).
                const ids = rng.shuffle(Int32Array.from({ length: la + lb }, (_, i) => 1 + i * 3 + rng.int(3)));
                const split = deal === 'random' ? ids : Int32Array.from(ids).sort();
                if (deal === 'nearly apart' && la > 0 && lb > 0)
                  for (let s = 1 + rng.int(3); s > 0; s--) {
                    const x = rng.int(la);
                    const y = la + rng.int(lb);
                    [split[x], split[y]] = [split[y], split[x]];
                  }
                const a = split.slice(0, la).sort();
                const b = split.slice(la).sort();
                const [first, second] = order === 'ab' ? [a, b] : [b, a];
                // Two short runs of larger ids before the pair and a run of id 0 after it, so the pair is
                // merged in the middle of the array: a run read past either end would meet them.
                const top = 3 * (la + lb) + 10;
                const rows = Int32Array.from([top + 10, top + 11, top + 1, top + 2, ...first, ...second, 0]);
                const want = Array.from(rows).sort((x, y) => x - y);
                expect(Array.from(sortRows(rows)), `${la} + ${lb} ${deal} ${order}`).toEqual(want);
              }
      });
    });
});

describe('rowsInRange: the planner', () => {
  it('takes the index for selective ranges, the scan for wide ones; both give the same rows', () => {
    const rng = new Rng(8);
    const values = Float64Array.from({ length: 50_000 }, () => rng.normal());
    const index = RangeIndex.build(values);
    const narrow = rowsInRange(values, index, 0.1, 0.11);
    const wide = rowsInRange(values, index, -1, 1);
    expect(narrow.path).toBe('index');
    expect(wide.path).toBe('scan');
    expect(Array.from(narrow.rows)).toEqual(Array.from(scanRange(values, 0.1, 0.11)));
    expect(Array.from(wide.rows)).toEqual(Array.from(index.range(-1, 1)));
    expect(rowsInRange(values, null, 0.1, 0.11).path).toBe('scan');
  });
});
