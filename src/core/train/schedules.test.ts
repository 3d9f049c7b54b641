import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from './optimizer-spec';
import { referenceRate } from './reference/schedule';
import { cosineDecay, learningRateAt, stepDecay, warmupFactor } from './schedules';

const close = (got: number, want: number) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));

describe('schedules against hand-computed values', () => {
  it('constant with linear warm-up from 0', () => {
    const s: ScheduleSpec = { type: 'constant', warmupSteps: 4 };
    [
      [0, 0.025],
      [1, 0.05],
      [2, 0.075],
      [3, 0.1],
      [4, 0.1],
      [1000, 0.1],
    ].forEach(([step, want]) => close(learningRateAt(0.1, s, step), want));
    close(learningRateAt(0.1, undefined, 7), 0.1);
    close(learningRateAt(0.1, { type: 'constant' }, 0), 0.1);
    expect(warmupFactor(0, 0)).toBe(1);
  });

  it('step decay', () => {
    const s: ScheduleSpec = { type: 'step', stepSize: 10, gamma: 0.5, warmupSteps: 0 };
    [
      [0, 1],
      [9, 1],
      [10, 0.5],
      [19, 0.5],
      [20, 0.25],
      [35, 0.125],
    ].forEach(([step, want]) => close(learningRateAt(1, s, step), want));
    const w: ScheduleSpec = { ...s, warmupSteps: 5 };
    [
      [0, 0.2],
      [4, 1],
      [5, 1],
      [14, 1],
      [15, 0.5],
      [25, 0.25],
    ].forEach(([step, want]) => close(learningRateAt(1, w, step), want));
    close(stepDecay(2, 30, 10, 0.1), 2e-3);
  });

  it('cosine decay to the minimum, then held', () => {
    const s: ScheduleSpec = { type: 'cosine', totalSteps: 100, warmupSteps: 0, minLearningRate: 0 };
    [
      [0, 1],
      [25, 0.8535533905932737],
      [50, 0.5],
      [75, 0.14644660940672627],
      [100, 0],
      [150, 0],
    ].forEach(([step, want]) => close(learningRateAt(1, s, step), want));
    const w: ScheduleSpec = { type: 'cosine', totalSteps: 110, warmupSteps: 10, minLearningRate: 0.1 };
    [
      [0, 0.1],
      [9, 1],
      [10, 1],
      [60, 0.55],
      [110, 0.1],
      [500, 0.1],
    ].forEach(([step, want]) => close(learningRateAt(1, w, step), want));
    close(cosineDecay(2, 1, 3, 0.5), 0.5 + 1.5 * 0.75);
  });

  it('matches the float64 reference at every step', () => {
    const specs: ScheduleSpec[] = [
      { type: 'constant', warmupSteps: 7 },
      { type: 'step', warmupSteps: 3, stepSize: 4, gamma: 0.7 },
      { type: 'cosine', warmupSteps: 5, totalSteps: 40, minLearningRate: 0.003 },
      { type: 'cosine', warmupSteps: 0, totalSteps: 1, minLearningRate: 0 },
    ];
    for (const s of specs)
      for (let step = 0; step < 60; step++) close(learningRateAt(0.03, s, step), referenceRate(0.03, s, step));
  });
});
