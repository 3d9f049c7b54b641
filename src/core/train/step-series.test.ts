import { describe, expect, it } from 'vitest';
import { dataWaitShare, downsample } from './step-series';
import type { StepRecord } from './record';

/** Brute force: try every stride from 1 up, keep the multiples and the last, take the first set that fits. */
function reference(n: number, max: number): number[] {
  for (let s = 1; ; s++) {
    const kept = Array.from({ length: n }, (_, i) => i).filter((i) => i % s === 0 || i === n - 1);
    if (kept.length <= max) return kept;
  }
}

describe('downsample', () => {
  it(
    'keeps what the brute-force search keeps, for every length up to 300 and caps from 2 to 40, and for ' +
      'long series',
    () => {
      const cases: [number, number][] = [];
      for (let max = 2; max <= 40; max++) for (let n = 0; n <= 300; n++) cases.push([n, max]);
      cases.push([10_000, 1000], [2500, 1000], [30_000, 300], [20_001, 120], [99, 3], [100, 3]);
      for (const [n, max] of cases) {
        const xs = Array.from({ length: n }, (_, i) => i);
        const got = downsample(xs, max);
        const want = reference(n, max);
        if (got.length !== want.length || got.some((v, i) => v !== want[i]))
          expect({ n, max, got }).toEqual({ n, max, got: want });
        expect(got.length).toBeLessThanOrEqual(max);
        if (n > 0) expect([got[0], got[got.length - 1]]).toEqual([0, n - 1]);
      }
    },
  );

  it('returns a fresh array, whole when short, the entries themselves otherwise', () => {
    const xs = [{ a: 1 }, { a: 2 }, { a: 3 }];
    const same = downsample(xs, 3);
    expect(same).not.toBe(xs);
    expect(same).toEqual(xs);
    expect(downsample(xs, 2)[1]).toBe(xs[2]);
  });

  it('refuses a cap below 2 (the first and the last could not both stay)', () => {
    expect(() => downsample([1, 2, 3], 1)).toThrow(RangeError);
    expect(() => downsample([1, 2, 3], 2.5)).toThrow('max must be a whole number >= 2, got 2.5');
  });
});

const step = (i: number, time: number, dataWaitMs: number): StepRecord => ({
  step: i,
  epoch: 0,
  time,
  loss: 1,
  samplesPerSec: 1,
  dataWaitMs,
  gpuMs: null,
  readbackMs: 0,
});

describe('dataWaitShare', () => {
  it('is the waits between step `from` and the last step over the wall time between them', () => {
    // Steps 10 ms apart; the first five wait 100 ms (the prefetch filling), the rest 0.1 ms: 1 % from step 10 on.
    const steps = Array.from({ length: 2500 }, (_, i) => step(i, i / 100, i < 5 ? 100 : 0.1));
    expect(dataWaitShare(steps, 10)).toBeCloseTo(0.01, 12);
    // From step 1: the waits of steps 1-4 (400 ms) and of steps 5-2498 (0.1 ms each), over 24.98 s.
    expect(dataWaitShare(steps)).toBeCloseTo((400 + 2494 * 0.1) / 24_980, 12);
  });

  it("counts the wait of each step in the span it happened in, never the last step's (after the span)", () => {
    // Each step waits, then computes for 1 s: step i starts at 1.5 * i s, waits 500 ms from there.
    const steps = Array.from({ length: 4 }, (_, i) => step(i, 1.5 * i, 500));
    expect(dataWaitShare(steps, 1)).toBeCloseTo(1 / 3, 12);
    expect(dataWaitShare(steps, 0)).toBeCloseTo(1 / 3, 12);
  });

  it('is null without a step after `from` or when no time passed, and at most 1', () => {
    expect(dataWaitShare([step(0, 0, 1), step(1, 1, 1)])).toBeNull();
    expect(dataWaitShare([step(0, 0, 1), step(1, 1, 500), step(2, 2, 1)])).toBe(0.5);
    expect(dataWaitShare([step(0, 0, 1), step(1, 1, 500), step(2, 1, 1)])).toBeNull();
    expect(dataWaitShare([step(0, 0, 1), step(1, 1, 500), step(2, 1.001, 1)])).toBe(1);
    expect(dataWaitShare([step(0, 0, 1), step(1, 1, 1), step(2, 2, 1)], 2)).toBeNull();
    expect(dataWaitShare([step(0, 0, 1), step(1, 1, 1), step(2, 2, 1), step(3, 4, 1)], 2)).toBe(0.0005);
  });
});
