import { describe, expect, it } from 'vitest';
import { createPieceCache, memoryPieceDir } from './piece-cache';

const key = (c: string) => c.repeat(64);
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('the piece cache of streamed files', () => {
  it('evicts the least recently used other datasets to fit a piece, and never over its limit', async () => {
    const dir = memoryPieceDir();
    let t = 0;
    const cache = createPieceCache(dir, 1000, () => t++);
    const [a, b, c] = [key('a'), key('b'), key('c')];
    expect(await cache.put(a, 0, bytes(300, 1))).toBe(true);
    expect(await cache.put(b, 0, bytes(300, 2))).toBe(true);
    expect(await cache.put(b, 1, bytes(100, 3))).toBe(true);
    // A used after B: B is the least recently used.
    expect(Array.from(new Uint8Array((await cache.get(a, 0))!))).toEqual(Array.from(bytes(300, 1)));
    expect(await cache.put(c, 0, bytes(500, 4))).toBe(true);
    expect(await cache.datasets()).toEqual([
      { key: c, bytes: 500 },
      { key: a, bytes: 300 },
    ]);
    expect(await cache.get(b, 0)).toBeNull();
    expect([...dir.files.keys()].filter((n) => n.startsWith(b))).toEqual([]);
    // A piece larger than the whole cache, and one that does not fit beside its own dataset's: not cached.
    expect(await cache.put(a, 1, bytes(1001, 5))).toBe(false);
    expect(await cache.put(c, 1, bytes(600, 6))).toBe(false);
    expect(await cache.datasets()).toEqual([{ key: c, bytes: 500 }]);
    const total = [...dir.files.entries()].filter(([n]) => n !== 'index.json').reduce((s, [, f]) => s + f.length, 0);
    expect(total).toBeLessThanOrEqual(1000);
  });

  it('keeps its index across openings, and starts empty from a damaged one', async () => {
    const dir = memoryPieceDir();
    let t = 100;
    const first = createPieceCache(dir, 1000, () => t++);
    await first.put(key('a'), 3, bytes(10, 7));
    await first.put(key('b'), 0, bytes(10, 8));
    await first.get(key('a'), 3);
    const again = createPieceCache(dir, 1000, () => 0);
    expect((await again.datasets()).map((d) => d.key)).toEqual([key('a'), key('b')]);
    expect(new Uint8Array((await again.get(key('a'), 3))!)[0]).toBe(7);
    expect(await again.get(key('a'), 4)).toBeNull();
    dir.files.set('index.json', new TextEncoder().encode('{"zz": {"bytes": "x"}, '));
    const damaged = createPieceCache(dir, 1000);
    expect(await damaged.datasets()).toEqual([]);
    expect(await damaged.get(key('a'), 3)).toBeNull();
  });
});
