import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { ConfigError } from '../errors';
import type { PruningSetting } from '../train/record';
import {
  isPruneStep,
  magnitudeMask,
  measureSparsity,
  prunableTensors,
  prunedCount,
  Pruner,
  scheduledSparsity,
  validatePruning,
} from './prune';

const SETTING: PruningSetting = { targetSparsity: 0.9, startStep: 100, endStep: 1000, every: 50 };

describe('the cubic schedule (Zhu & Gupta 2017, eq. 1 with s_i = 0)', () => {
  it('equals s_f + (s_i - s_f)(1 - (t - t0)/(n dt))^3 at every update step, in float64', () => {
    const n = (SETTING.endStep - SETTING.startStep) / SETTING.every;
    for (let i = 0; i <= n; i++) {
      const t = SETTING.startStep + i * SETTING.every;
      // The paper's form, written out independently.
      const paper = 0.9 + (0 - 0.9) * Math.pow(1 - (t - 100) / (n * 50), 3);
      expect(scheduledSparsity(SETTING, t)).toBeCloseTo(paper, 12);
      expect(isPruneStep(SETTING, t)).toBe(true);
    }
  });

  it('is 0 before the start, the target after the end, and never falls', () => {
    expect(scheduledSparsity(SETTING, 0)).toBe(0);
    expect(scheduledSparsity(SETTING, 99)).toBe(0);
    expect(scheduledSparsity(SETTING, 1000)).toBe(0.9);
    expect(scheduledSparsity(SETTING, 5000)).toBe(0.9);
    let last = 0;
    for (let t = 0; t <= 1200; t++) {
      const s = scheduledSparsity(SETTING, t);
      expect(s).toBeGreaterThanOrEqual(last);
      last = s;
    }
    // Most of the pruning happens early (the cubic ramp): half-way it is 7/8 of the target.
    expect(scheduledSparsity(SETTING, 550)).toBeCloseTo(0.9 * (1 - 0.125), 12);
  });

  it('updates at the start, every `every` steps, and at an end step off that grid; nowhere else', () => {
    const p: PruningSetting = { targetSparsity: 0.5, startStep: 3, endStep: 12, every: 4 };
    const steps = Array.from({ length: 20 }, (_, t) => t).filter((t) => isPruneStep(p, t));
    expect(steps).toEqual([3, 7, 11, 12]);
    // One-shot pruning: start = end.
    const once: PruningSetting = { targetSparsity: 0.5, startStep: 5, endStep: 5, every: 1 };
    expect(Array.from({ length: 10 }, (_, t) => t).filter((t) => isPruneStep(once, t))).toEqual([5]);
    expect(scheduledSparsity(once, 5)).toBe(0.5);
  });
});

describe('magnitude masks', () => {
  it('zero exactly the k smallest magnitudes (k = round(s n)), against sorting a copy', () => {
    const rng = new Rng(11);
    for (const n of [1, 7, 100, 1023]) {
      for (const s of [0, 0.1, 0.5, 0.9, 0.999]) {
        const w = Float32Array.from({ length: n }, () => rng.normal());
        const mask = magnitudeMask(w, s);
        const k = Math.round(s * n);
        expect(mask.filter((m) => m === 0).length).toBe(k);
        // Brute force: every pruned magnitude <= every kept one.
        const pruned = Array.from(w)
          .filter((_, i) => mask[i] === 0)
          .map(Math.abs);
        const kept = Array.from(w)
          .filter((_, i) => mask[i] === 1)
          .map(Math.abs);
        if (pruned.length && kept.length) expect(Math.max(...pruned)).toBeLessThanOrEqual(Math.min(...kept));
      }
    }
  });

  it('keeps earlier-pruned weights pruned (masks only grow), even when they are no longer the smallest', () => {
    const w = Float32Array.from([5, 4, 3, 2, 1, 0.5]);
    const first = magnitudeMask(w, 0.34); // 2 of 6: the two smallest
    expect(Array.from(first)).toEqual([1, 1, 1, 1, 0, 0]);
    // The weights moved: the pruned ones would now be the largest.
    const moved = Float32Array.from([0.1, 0.2, 3, 2, 9, 9]);
    const second = magnitudeMask(moved, 0.5, first); // 3 of 6: the two earlier ones and 0.1
    expect(Array.from(second)).toEqual([0, 1, 1, 1, 0, 0]);
  });

  it('prunes kernels only, and measures sparsity over them and non-zero values over all', () => {
    const shapes = [{ shape: [3, 4] }, { shape: [4] }, { shape: [3, 3, 2, 5] }, { shape: [5] }];
    expect(prunableTensors(shapes)).toEqual([true, false, true, false]);
    const tensors = [
      new Float32Array(12),
      Float32Array.from([0, 1, 2, 3]),
      new Float32Array(90).fill(1),
      new Float32Array(5),
    ];
    tensors[0].fill(1, 0, 3); // 9 zeros of 12
    const m = measureSparsity(tensors, prunableTensors(shapes));
    expect(m.sparsity).toBeCloseTo(9 / 102, 12);
    expect(m.nonZero).toBe(3 + 3 + 90);
  });

  it('a Pruner reaches the target within one weight per tensor over a whole schedule', () => {
    const rng = new Rng(3);
    const setting: PruningSetting = { targetSparsity: 0.9, startStep: 2, endStep: 20, every: 3 };
    const shapes = [{ shape: [37, 11] }, { shape: [11] }, { shape: [11, 3] }, { shape: [3] }];
    const pruner = new Pruner(setting, prunableTensors(shapes));
    let tensors = shapes.map((s) => Float32Array.from({ length: s.shape.reduce((a, b) => a * b) }, () => rng.normal()));
    let masks: (Uint8Array | null)[] = tensors.map(() => null);
    for (let step = 1; step <= 25; step++) {
      // A stand-in for an optimizer step (every weight moves), then the masks apply, as the engines do.
      tensors = tensors.map((t) => t.map((v) => v + 0.01 * rng.normal()));
      if (isPruneStep(setting, step)) masks = pruner.update(step, tensors);
      tensors = tensors.map((t, i) => (masks[i] ? t.map((v, j) => v * masks[i]![j]) : t));
    }
    tensors.forEach((t, i) => {
      const zeros = t.filter((v) => v === 0).length;
      if (i % 2) expect(zeros).toBe(0);
      else expect(Math.abs(zeros - 0.9 * t.length)).toBeLessThanOrEqual(1);
    });
    expect(prunedCount(407, 0.9)).toBe(366);
  });
});

describe('refusals name the field', () => {
  const refuse = (p: Partial<PruningSetting> | unknown): string => {
    try {
      validatePruning({ ...SETTING, ...(p as object) } as PruningSetting);
      return 'accepted';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).field;
    }
  };
  it.each([
    [{ targetSparsity: -0.1 }, 'pruning.targetSparsity'],
    [{ targetSparsity: 1 }, 'pruning.targetSparsity'],
    [{ targetSparsity: NaN }, 'pruning.targetSparsity'],
    [{ targetSparsity: '0.5' }, 'pruning.targetSparsity'],
    [{ startStep: -1 }, 'pruning.startStep'],
    [{ startStep: 1.5 }, 'pruning.startStep'],
    [{ endStep: 50 }, 'pruning.endStep'],
    [{ every: 0 }, 'pruning.every'],
    [{ every: undefined }, 'pruning.every'],
    [{ evry: 5 }, 'pruning.evry'],
  ])('%j -> %s', (p, field) => expect(refuse(p)).toBe(field));

  it('accepts the edges: 0, 0.999, start = end', () => {
    expect(refuse({ targetSparsity: 0 })).toBe('accepted');
    expect(refuse({ targetSparsity: 0.999 })).toBe('accepted');
    expect(refuse({ startStep: 10, endStep: 10 })).toBe('accepted');
  });

  it('the message says what was wrong', () => {
    expect(() => validatePruning({ ...SETTING, endStep: 50 })).toThrow(/before the start step 100/);
    expect(() => validatePruning({ ...SETTING, targetSparsity: 1.5 })).toThrow(/from 0 to 0\.999.*got 1\.5/);
  });
});
