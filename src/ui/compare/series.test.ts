import { describe, expect, it } from 'vitest';
import { extent, mergeSeries, niceTicks, thin } from './series';
import type { RunView } from '../../state/store';

describe('chart series', () => {
  it('thins to at most max points, keeping the first and the last', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const t = thin(xs, 300);
    expect(t.length).toBeLessThanOrEqual(300);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBe(999);
    expect(thin([1, 2, 3], 300)).toEqual([1, 2, 3]);
  });

  it('merges runs into one row per x, a column per run', () => {
    const a = { id: 'a' } as RunView;
    const b = { id: 'b' } as RunView;
    const pts = {
      a: [
        { x: 0, y: 1 },
        { x: 2, y: 0.5 },
      ],
      b: [
        { x: 0, y: 2 },
        { x: 1, y: NaN },
        { x: 3, y: 1 },
      ],
    };
    const rows = mergeSeries([a, b], (r) => pts[r.id as 'a' | 'b']);
    expect(rows).toEqual([
      { x: 0, a: 1, b: 2 },
      { x: 2, a: 0.5 },
      { x: 3, b: 1 },
    ]);
    expect(extent(rows)).toEqual({ x: [0, 3], y: [0.5, 2] });
  });

  it('makes round ticks that cover the range', () => {
    for (const [lo, hi] of [
      [0, 1.17],
      [0.003, 0.0871],
      [12, 460],
      [-3, 7],
      [5, 5],
      [0, 53],
    ]) {
      const { ticks, domain } = niceTicks(lo, hi, 5);
      expect(domain[0]).toBeLessThanOrEqual(lo);
      expect(domain[1]).toBeGreaterThanOrEqual(hi);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(12);
      const steps = new Set(ticks.slice(1).map((t, i) => Number((t - ticks[i]).toPrecision(6))));
      expect(steps.size).toBe(1);
      const step = [...steps][0];
      expect(step / 10 ** Math.floor(Math.log10(step))).toSatisfy((m: number) =>
        [1, 2, 5].some((k) => Math.abs(m - k) < 1e-9),
      );
    }
    expect(niceTicks(0, 1.17).ticks).toEqual([0, 0.5, 1, 1.5]);
  });
});
