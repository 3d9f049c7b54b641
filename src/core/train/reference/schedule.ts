import type { ScheduleSpec } from '../optimizer-spec';

/**
 * Float64 reference learning rate, written from the formulas in the spec's doc comment and not
 * from `schedules.ts`. `done` is the number of updates already taken (0 for the first update).
 */
export function referenceRate(base: number, s: ScheduleSpec, done: number): number {
  const w = s.warmupSteps ?? 0;
  if (w > 0 && done < w) return (base * (done + 1)) / w;
  const k = done - w;
  if (s.type === 'step') {
    const size = s.stepSize as number;
    const gamma = s.gamma as number;
    let rate = base;
    for (let i = size; i <= k; i += size) rate *= gamma;
    return rate;
  }
  if (s.type === 'cosine') {
    const lo = s.minLearningRate as number;
    const span = (s.totalSteps as number) - w;
    if (k >= span) return lo;
    return lo + ((base - lo) * (1 + Math.cos((Math.PI * k) / span))) / 2;
  }
  return base;
}
