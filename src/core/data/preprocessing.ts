/**
 * How a run turns raw rows into the model's inputs, written out so that a model exported from
 * the workbench (ONNX, tfjs, PyTorch) can score raw rows elsewhere. Both encoders (encode.ts for
 * loaded datasets, stream-encoder.ts for streaming mode) describe their layout this way, feature
 * segment by feature segment in input order, and `encodeRow` applies it to one row.
 */
import { fnv1a } from './encode';

/** One source column's share of the input vector. */
export type InputFeature =
  /** Width 1: (value - mean) / std; a missing value is 0 (the mean). */
  | { column: string; kind: 'scale'; mean: number; std: number }
  /** Width values.length: 1 at the value's position; a missing or unlisted value is all zeros. */
  | { column: string; kind: 'onehot'; values: string[] }
  /**
   * Width `buckets`: 1 added at fnv1a(value) % buckets, fnv1a the 32-bit FNV-1a hash over the
   * value's UTF-16 code units (encode.ts); a missing value is all zeros.
   */
  | { column: string; kind: 'hash'; buckets: number };

export interface Preprocessing {
  label: string;
  task: 'classification' | 'regression';
  /** Class names in output order (classification), else null. */
  classes: string[] | null;
  /** Regression: the model predicts (y - mean) / std. */
  target: { mean: number; std: number } | null;
  /**
   * What the model's outputs mean: logits over `classes` (more than two classes), one logit
   * of the second class (two classes: sigmoid), or the standardised target (regression).
   */
  output: 'softmax-logits' | 'sigmoid-logit' | 'standardised-target';
  inputs: InputFeature[];
  /** Features per row after encoding: the model's input width. */
  dim: number;
  /** Name of each of the `dim` features (`island=Biscoe`, `bill_length_mm`, `carrier#7`). */
  featureNames: string[];
  /** Image models: [height, width, channels] of a row, channels last. */
  inputShape?: [number, number, number];
}

export function inputWidth(f: InputFeature): number {
  return f.kind === 'scale' ? 1 : f.kind === 'onehot' ? f.values.length : f.buckets;
}

export function outputKind(task: Preprocessing['task'], classes: readonly string[] | null): Preprocessing['output'] {
  if (task === 'regression') return 'standardised-target';
  return classes && classes.length === 2 ? 'sigmoid-logit' : 'softmax-logits';
}

/** A raw value as a category name: strings as they are, numbers and booleans as text. */
const categoryOf = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);

/** A raw value as a number: numbers, 64-bit integers, booleans (1 / 0), Dates (ms since 1970); null when missing. */
function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return null;
}

/**
 * Encodes one raw row (column name to value; null or absent for missing) as the model's input:
 * `pre.dim` float32 values.
 */
export function encodeRow(pre: Preprocessing, row: Record<string, unknown>, out = new Float32Array(pre.dim)) {
  out.fill(0);
  let at = 0;
  for (const f of pre.inputs) {
    const v = row[f.column];
    if (f.kind === 'scale') {
      const x = numberOf(v);
      if (x !== null) out[at] = (x - f.mean) / f.std;
    } else {
      const c = categoryOf(v);
      if (c !== null) {
        if (f.kind === 'onehot') {
          const k = f.values.indexOf(c);
          if (k >= 0) out[at + k] = 1;
        } else out[at + (fnv1a(c) % f.buckets)] += 1;
      }
    }
    at += inputWidth(f);
  }
  return out;
}
