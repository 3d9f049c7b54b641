/**
 * Gradual magnitude pruning (Zhu & Gupta 2017, "To prune, or not to prune"): from `startStep`
 * to `endStep`, every `every` steps, each weight tensor (dense and convolution kernels; biases
 * are never pruned) keeps only its largest magnitudes, the share removed following the cubic
 * schedule s(t) = s_f * (1 - (1 - (t - t0) / (t1 - t0))^3). Between updates the mask holds:
 * both engines multiply the weights by it after every optimizer step, so a pruned weight stays
 * exactly zero. Pure (no tfjs, no GPU): the trainer calls it with the parameters it read back.
 */
import { ConfigError, refuseUnknownKeys } from '../errors';
import type { PruningSetting } from '../train/record';

/** The largest target the setting accepts (a tensor keeps at least one weight in a thousand). */
export const MAX_TARGET_SPARSITY = 0.999;

const PRUNING_KEYS: readonly string[] = ['targetSparsity', 'startStep', 'endStep', 'every'];

/** Refuses a pruning setting the trainer cannot honour, naming the field. */
export function validatePruning(p: PruningSetting): void {
  if (typeof p !== 'object' || p === null) throw new ConfigError('pruning', 'must be an object or null');
  // A key the schedule would not read is refused, not dropped.
  refuseUnknownKeys(p, PRUNING_KEYS, 'pruning', 'a pruning setting');
  const t = p.targetSparsity;
  if (typeof t !== 'number' || !(t >= 0 && t <= MAX_TARGET_SPARSITY))
    throw new ConfigError(
      'pruning.targetSparsity',
      `must be a number from 0 to ${MAX_TARGET_SPARSITY} (the share of each weight tensor set to zero), got ${JSON.stringify(t)}`,
    );
  const step = (v: unknown, field: string, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 100_000_000)
      throw new ConfigError(field, `must be a whole number from ${min} to 100000000, got ${JSON.stringify(v)}`);
    return v;
  };
  const start = step(p.startStep, 'pruning.startStep', 0);
  const end = step(p.endStep, 'pruning.endStep', 0);
  step(p.every, 'pruning.every', 1);
  if (end < start)
    throw new ConfigError(
      'pruning.endStep',
      `step ${end} comes before the start step ${start}: pruning ends after it starts`,
    );
}

/**
 * The sparsity the schedule asks for after `step` optimizer steps: 0 before the start, the
 * cubic ramp between, the target from the end step on.
 */
export function scheduledSparsity(p: PruningSetting, step: number): number {
  if (step < p.startStep) return 0;
  if (step >= p.endStep) return p.targetSparsity;
  const f = 1 - (step - p.startStep) / (p.endStep - p.startStep);
  return p.targetSparsity * (1 - f * f * f);
}

/** Whether the masks are recomputed after `step` optimizer steps: start, every `every` steps after it, and the end step. */
export function isPruneStep(p: PruningSetting, step: number): boolean {
  if (step < p.startStep || step > p.endStep) return false;
  return step === p.endStep || (step - p.startStep) % p.every === 0;
}

/** How many of `n` weights a tensor at `sparsity` sets to zero (the nearest whole number). */
export function prunedCount(n: number, sparsity: number): number {
  return Math.min(n, Math.round(sparsity * n));
}

/**
 * The mask (1 keep, 0 pruned) that zeroes the `prunedCount(n, sparsity)` smallest magnitudes of
 * `w`. Weights pruned before (`previous` 0) go first, so masks only grow; ties by position.
 */
export function magnitudeMask(w: Float32Array, sparsity: number, previous: Uint8Array | null = null): Uint8Array {
  const n = w.length;
  const k = prunedCount(n, sparsity);
  const mask = new Uint8Array(n).fill(1);
  if (k === 0) {
    if (previous) mask.set(previous);
    return mask;
  }
  // Order by magnitude, earlier-pruned first: key -1 for them. Float64 keys, stable by position.
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = previous && previous[i] === 0 ? -1 : Math.abs(w[i]);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => key[a] - key[b] || a - b);
  // Earlier-pruned weights stay pruned even where the schedule now asks for fewer.
  for (let j = 0; j < n && (j < k || key[order[j]] === -1); j++) mask[order[j]] = 0;
  return mask;
}

/** Which tensors pruning applies to: every weight tensor of rank 2 or more (kernels), no bias. */
export function prunableTensors(shapes: readonly { shape: readonly number[] }[]): boolean[] {
  return shapes.map((s) => s.shape.length >= 2);
}

/** Share of zeros over the prunable tensors, and the non-zero values over all of them. */
export function measureSparsity(
  tensors: readonly Float32Array[],
  prunable: readonly boolean[],
): { sparsity: number; nonZero: number } {
  let zeros = 0;
  let total = 0;
  let nonZero = 0;
  tensors.forEach((t, i) => {
    let z = 0;
    for (let j = 0; j < t.length; j++) if (t[j] === 0) z++;
    nonZero += t.length - z;
    if (prunable[i]) {
      zeros += z;
      total += t.length;
    }
  });
  return { sparsity: total ? zeros / total : 0, nonZero };
}

/**
 * The masks of a run, per tensor (null for biases): `update` recomputes them from the weights
 * read back after a pruning step.
 */
export class Pruner {
  private masks: (Uint8Array | null)[];

  constructor(
    readonly setting: PruningSetting,
    readonly prunable: readonly boolean[],
  ) {
    this.masks = prunable.map(() => null);
  }

  /** New masks for the parameters after `step` steps (call when isPruneStep). */
  update(step: number, tensors: readonly Float32Array[]): (Uint8Array | null)[] {
    if (tensors.length !== this.prunable.length)
      throw new Error(`pruning expected ${this.prunable.length} tensors, the engine gave ${tensors.length}`);
    const s = scheduledSparsity(this.setting, step);
    this.masks = tensors.map((t, i) => (this.prunable[i] ? magnitudeMask(t, s, this.masks[i]) : null));
    return this.masks;
  }
}
