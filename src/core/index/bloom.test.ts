import { describe, expect, it } from 'vitest';
import type { Column } from '../data/table';
import { BloomFilter } from './bloom';
import { bloomDedup } from './bloom-dedup';
import { blockedFpr, sizeBlocked } from './bloom-math';
import { hashRows } from './row-hash';
import { randomTable, rowKey } from './test-tables';
import { Rng } from '../data/rng';

/** Hashes of the ints from..to-1 (one int32 column). */
function intHashes(from: number, to: number) {
  const values = new Int32Array(to - from);
  for (let i = 0; i < values.length; i++) values[i] = from + i;
  const col: Column = { kind: 'numeric', name: 'k', type: 'int', values, valid: null };
  return hashRows([col], values.length);
}

describe('BloomFilter', () => {
  it('addRows (hashing tile by tile) builds the same filter as addAll(hashRows(...)), and one item at a time', () => {
    const rows = 10_000; // a few tiles and a partial one
    const cols = randomTable(rows, 3);
    const a = BloomFilter.create(rows, 0.02);
    a.addRows(cols, rows);
    const b = BloomFilter.create(rows, 0.02);
    b.addAll(hashRows(cols, rows));
    const c = BloomFilter.create(rows, 0.02);
    const h = hashRows(cols, rows);
    for (let i = 0; i < rows; i++) c.add(h.lo[i], h.hi[i]);
    expect(Array.from(a.words)).toEqual(Array.from(b.words));
    expect(Array.from(a.words)).toEqual(Array.from(c.words));
    expect(a.count).toBe(b.count);
    expect(a.count).toBe(c.count);
  });

  it('measures a false-positive rate within 10 % of the configured 1 % at a million items (1M held-out keys)', () => {
    const n = 1_000_000;
    const inserted = intHashes(0, n);
    const held = intHashes(n, 2 * n);
    const f = BloomFilter.create(n, 0.01);
    f.addAll(inserted);
    for (let i = 0; i < n; i += 1)
      if (!f.has(inserted.lo[i], inserted.hi[i])) throw new Error(`false negative at ${i}`);
    let fp = 0;
    for (let i = 0; i < n; i++) if (f.has(held.lo[i], held.hi[i])) fp++;
    const rate = fp / n;
    expect(Math.abs(rate / 0.01 - 1)).toBeLessThan(0.1);
    // The fill-based estimate agrees with the measurement too.
    expect(Math.abs(f.estimatedFpr() / rate - 1)).toBeLessThan(0.1);
    expect(f.count).toBeGreaterThan(0.99 * n);
  });

  it('sizes from the blocked formula: rate at n is at most p and slightly above the classic size', () => {
    for (const [n, p] of [
      [1000, 0.05],
      [1e6, 0.01],
      [5e5, 0.001],
    ]) {
      const { blocks, k } = sizeBlocked(n, p);
      expect(blockedFpr(n, blocks, k)).toBeLessThanOrEqual(p);
      expect(blockedFpr(n, blocks - 1, k)).toBeGreaterThan(p);
      const classicBits = (-n * Math.log(p)) / Math.LN2 ** 2;
      expect(blocks * 512).toBeGreaterThan(classicBits);
      expect(blocks * 512).toBeLessThan(classicBits * 1.25);
    }
  });

  it('addAndCheck says whether an item may have been there; union holds both sets', () => {
    const a = BloomFilter.create(20_000, 0.01);
    const b = BloomFilter.create(20_000, 0.01);
    const x = intHashes(0, 10_000);
    const y = intHashes(10_000, 20_000);
    let maybe = 0;
    for (let i = 0; i < 10_000; i++) if (a.addAndCheck(x.lo[i], x.hi[i])) maybe++;
    expect(maybe).toBeLessThan(40); // a few false positives at most while filling
    for (let i = 0; i < 10_000; i++) expect(a.addAndCheck(x.lo[i], x.hi[i])).toBe(true);
    b.addAll(y);
    const u = a.union(b);
    for (let i = 0; i < 10_000; i++) {
      expect(u.has(x.lo[i], x.hi[i])).toBe(true);
      expect(u.has(y.lo[i], y.hi[i])).toBe(true);
    }
    for (let w = 0; w < u.words.length; w++) expect(u.words[w]).toBe((a.words[w] | b.words[w]) >>> 0);
    expect(() => a.union(BloomFilter.create(1000, 0.01))).toThrow('shapes differ');
  });

  it('round-trips through from() without copying and from a copy, with the same answers', () => {
    const f = BloomFilter.create(5000, 0.02);
    f.addAll(intHashes(0, 5000));
    const same = BloomFilter.from(f.data);
    expect(same.words.buffer).toBe(f.data);
    const copy = BloomFilter.from(f.data.slice(0));
    expect([copy.blocks, copy.k, copy.expectedItems, copy.count]).toEqual([f.blocks, f.k, 5000, f.count]);
    expect(copy.configuredFpr).toBeCloseTo(0.02, 6);
    const probe = intHashes(0, 20_000);
    for (let i = 0; i < 20_000; i++) expect(copy.has(probe.lo[i], probe.hi[i])).toBe(f.has(probe.lo[i], probe.hi[i]));
  });

  it('refuses bad sizes and foreign buffers', () => {
    expect(() => BloomFilter.create(0, 0.01)).toThrow('expected items');
    expect(() => BloomFilter.create(100, 0)).toThrow('false-positive rate');
    expect(() => BloomFilter.create(100, 1)).toThrow('false-positive rate');
    expect(() => BloomFilter.withShape(0, 3)).toThrow('block count');
    expect(() => BloomFilter.from(new ArrayBuffer(128))).toThrow('not a BloomFilter buffer');
    expect(() => BloomFilter.from(BloomFilter.create(100, 0.1).data.slice(0, 100))).toThrow('does not match');
  });
});

describe('bloomDedup', () => {
  it('drops every exact duplicate, and its expected false drops match the measured ones', () => {
    // Small filter on purpose, so that there are many false drops to count.
    const rows = 200_000;
    const rng = new Rng(11);
    const values = new Int32Array(rows);
    for (let i = 0; i < rows; i++) values[i] = i > 0 && rng.next() < 0.5 ? values[rng.int(i)] : i;
    const col: Column = { kind: 'numeric', name: 'k', type: 'int', values, valid: null };
    const h = hashRows([col], rows);
    const result = bloomDedup(h, { expectedItems: 50_000, fpr: 0.01 });
    const seen = new Set<number>();
    const dropped = new Set(result.dropped);
    let falseDrops = 0;
    for (let i = 0; i < rows; i++) {
      const dup = seen.has(values[i]);
      seen.add(values[i]);
      if (dup) expect(dropped.has(i)).toBe(true);
      else if (dropped.has(i)) falseDrops++;
    }
    expect(result.kept).toBe(rows - result.dropped.length);
    expect(falseDrops).toBeGreaterThan(500);
    // Poisson-like count: within 4 standard deviations.
    expect(Math.abs(falseDrops - result.expectedFalseDrops)).toBeLessThan(4 * Math.sqrt(result.expectedFalseDrops));
  });

  it('continues a stream with an existing filter (drops rows already seen in another table)', () => {
    const cols = randomTable(5000, 12, 0.3);
    const h = hashRows(cols, 5000);
    const first = bloomDedup(
      { lo: h.lo.subarray(0, 2500), hi: h.hi.subarray(0, 2500) },
      { expectedItems: 5000, fpr: 1e-6 },
    );
    const second = bloomDedup({ lo: h.lo.subarray(2500), hi: h.hi.subarray(2500) }, first.filter);
    const all = bloomDedup(h, { expectedItems: 5000, fpr: 1e-6 });
    expect([...first.dropped, ...Array.from(second.dropped, (r) => r + 2500)]).toEqual(Array.from(all.dropped));
    // At 1e-6 nothing is dropped falsely: the dropped rows are exactly the repeats.
    const seen = new Set<string>();
    const repeats: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const k = rowKey(cols, i);
      if (seen.has(k)) repeats.push(i);
      seen.add(k);
    }
    expect(Array.from(all.dropped)).toEqual(repeats);
    expect(all.expectedFalseDrops).toBeLessThan(0.01);
  });
});
