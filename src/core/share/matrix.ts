/**
 * A configuration matrix: several values for a few settings, expanded into one run per
 * combination and seed. Pure: the UI builds the axes, the queue runs what this returns.
 */
import type { BackendName } from '../train/record';
import type { RunSettings } from '../train/run-config';
import { OPTIMIZER_DEFAULTS, type OptimizerName, type OptimizerSpec } from '../train/optimizer-spec';

export type DedupMode = 'none' | 'exact' | 'bloom';

/** The settings that may take several values; an absent or empty axis keeps the base value. */
export interface MatrixAxes {
  optimizer?: OptimizerName[];
  learningRate?: number[];
  batchSize?: number[];
  backend?: BackendName[];
  dedup?: DedupMode[];
}

/** Axis order of the expansion (the last varies fastest), and of the labels. */
export const AXIS_ORDER = ['optimizer', 'learningRate', 'batchSize', 'backend', 'dedup'] as const;

const HYPER_KEYS = ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'weightDecay'] as const;

/**
 * The optimizer spec for `name`, keeping the hyper-parameters of `spec` that apply to it and
 * dropping the rest (the validator refuses fields that do not apply).
 */
export function optimizerFor(spec: OptimizerSpec, name: OptimizerName): OptimizerSpec {
  const out: OptimizerSpec = { ...spec, name };
  for (const key of HYPER_KEYS) {
    if (OPTIMIZER_DEFAULTS[name][key] === undefined) delete out[key];
  }
  return out;
}

function unique<T>(xs: readonly T[] | undefined): T[] {
  return xs ? [...new Set(xs)] : [];
}

/**
 * Every combination of the axes, each repeated over `repeats` seeds (base.seed, base.seed + 1,
 * ...): combinations in {@link AXIS_ORDER} with the last axis varying fastest, seeds innermost.
 * Duplicate values on an axis count once.
 */
export function expandMatrix(base: RunSettings, axes: MatrixAxes, repeats: number): RunSettings[] {
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a whole number >= 1, got ${repeats}`);
  let combos: RunSettings[] = [base];
  const vary = <K extends keyof MatrixAxes>(key: K, apply: (s: RunSettings, v: NonNullable<MatrixAxes[K]>[number]) => RunSettings) => {
    const values = unique(axes[key] as NonNullable<MatrixAxes[K]>[number][] | undefined);
    if (values.length === 0) return;
    combos = combos.flatMap((s) => values.map((v) => apply(s, v)));
  };
  vary('optimizer', (s, v) => ({ ...s, optimizer: optimizerFor(s.optimizer, v) }));
  vary('learningRate', (s, v) => ({ ...s, optimizer: { ...s.optimizer, learningRate: v } }));
  vary('batchSize', (s, v) => ({ ...s, batchSize: v }));
  vary('backend', (s, v) => ({ ...s, backend: v }));
  vary('dedup', (s, v) => ({ ...s, dedup: v }));
  return combos.flatMap((s) => Array.from({ length: repeats }, (_, k) => ({ ...s, seed: s.seed + k })));
}

/** Number of runs {@link expandMatrix} makes, without making them. */
export function matrixSize(axes: MatrixAxes, repeats: number): number {
  return AXIS_ORDER.reduce((n, k) => n * Math.max(1, unique(axes[k] as unknown[] | undefined).length), 1) * repeats;
}

/**
 * Parses a comma- or space-separated list of numbers ("16, 64 256"). Returns the numbers, or
 * an error naming the first entry that is not a finite number.
 */
export function parseNumberList(text: string): { values: number[] } | { error: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { error: 'needs at least one number' };
  const values: number[] = [];
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isFinite(v)) return { error: `"${p}" is not a number` };
    values.push(v);
  }
  return { values };
}

/** A time-to-finish estimate for a cosine schedule: the total steps of `epochs` epochs. */
export function stepsFor(trainRows: number, batchSize: number, epochs: number): number {
  return Math.max(1, Math.ceil(trainRows / batchSize)) * epochs;
}
