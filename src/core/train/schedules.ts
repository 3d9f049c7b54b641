import type { ScheduleSpec } from './optimizer-spec';

/**
 * Learning-rate schedules as pure functions of the step index. `step` counts updates from 0:
 * the first call to `applyGradients` uses the rate at step 0. The schedule expects a validated
 * spec (see `validateOptimizerSpec`); missing optional fields take the documented defaults.
 */

/** Linear warm-up factor: (step + 1) / warmupSteps during the warm-up, 1 after it (and with no warm-up). */
export function warmupFactor(step: number, warmupSteps: number): number {
  return step < warmupSteps ? (step + 1) / warmupSteps : 1;
}

/** Step decay after warm-up: lr * gamma ^ floor(stepsSinceWarmup / stepSize). */
export function stepDecay(learningRate: number, stepsSinceWarmup: number, stepSize: number, gamma: number): number {
  return learningRate * Math.pow(gamma, Math.floor(stepsSinceWarmup / stepSize));
}

/**
 * Cosine decay after warm-up: min + (lr - min) * (1 + cos(pi * p)) / 2 with
 * p = min(1, stepsSinceWarmup / decaySteps); `minLearningRate` once the decay is over.
 */
export function cosineDecay(
  learningRate: number,
  stepsSinceWarmup: number,
  decaySteps: number,
  minLearningRate: number,
): number {
  const p = Math.min(1, stepsSinceWarmup / decaySteps);
  return minLearningRate + (learningRate - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/** The learning rate for update number `step` (from 0) under `schedule` (constant when absent). */
export function learningRateAt(learningRate: number, schedule: ScheduleSpec | undefined, step: number): number {
  const warmupSteps = schedule?.warmupSteps ?? 0;
  if (step < warmupSteps) return learningRate * warmupFactor(step, warmupSteps);
  const since = step - warmupSteps;
  switch (schedule?.type ?? 'constant') {
    case 'constant':
      return learningRate;
    case 'step':
      return stepDecay(learningRate, since, schedule?.stepSize ?? 1, schedule?.gamma ?? 0.1);
    case 'cosine': {
      const total = schedule?.totalSteps ?? warmupSteps + 1;
      return cosineDecay(learningRate, since, Math.max(1, total - warmupSteps), schedule?.minLearningRate ?? 0);
    }
  }
}
