/**
 * Rules about a run's step series that the store, the charts, the CLI and the run codec share:
 * how a long series is thinned, and what share of the time the trainer waited for data.
 */
import type { StepRecord } from './record';

/** How many entries a stride `s` keeps of `n`: every `s`-th from the first, and the last. */
const keptBy = (n: number, s: number) => Math.ceil(n / s) + ((n - 1) % s === 0 ? 0 : 1);

/**
 * At most `max` entries of `xs`, evenly spaced: every `s`-th from the first, the last always
 * kept, with `s` the smallest stride for which that makes no more than `max`. A series of
 * `max` entries or fewer comes back whole (a fresh array either way). `max` must be at least 2.
 */
export function downsample<T>(xs: readonly T[], max: number): T[] {
  if (!(Number.isInteger(max) && max >= 2))
    throw new RangeError(`downsample: max must be a whole number >= 2, got ${max}`);
  const n = xs.length;
  if (n <= max) return [...xs];
  // Fewer than ceil(n / max) would keep more than max; ceil(n / (max - 1)) always fits.
  let stride = Math.ceil(n / max);
  while (keptBy(n, stride) > max) stride++;
  const out: T[] = [];
  for (let i = 0; i < n; i += stride) out.push(xs[i]);
  if ((n - 1) % stride !== 0) out.push(xs[n - 1]);
  return out;
}

/**
 * The share of wall time the trainer spent waiting for batches, from step index `from` on (the
 * first steps wait for the prefetch to fill). A step's `time` is taken before it waits for its
 * batch, so the waits of steps `from` to the one before the last fall between the times of step
 * `from` and of the last step: their sum over that span, at most 1. Null without a step after
 * `from`, or when no time passed.
 */
export function dataWaitShare(steps: readonly StepRecord[], from = 1): number | null {
  if (steps.length < from + 2) return null;
  let wait = 0;
  for (let i = from; i < steps.length - 1; i++) wait += steps[i].dataWaitMs;
  const total = (steps[steps.length - 1].time - steps[from].time) * 1000;
  return total > 0 ? Math.min(1, wait / total) : null;
}
