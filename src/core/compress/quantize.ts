/**
 * Post-training quantization of a finished run's model, evaluated beside the float model:
 * - `int8`: weights symmetric per output channel (scale = max |w| / 127 per channel, values
 *   round(w / scale) in [-127, 127]); biases stay float32 (they are a sliver of the size).
 * - `int8-act`: those weights plus int8 activations: the input of every weight layer quantized per
 *   tensor (symmetric, scale = max |x| / 127 calibrated on training rows).
 * - `f16`: weights rounded to binary16.
 * Quantization is simulated (values quantized, then computed in float32, as quantization-aware
 * evaluation does), so accuracy and loss are what an int8 or f16 runtime would give up to its
 * accumulation order; the sizes are those of the stored weights (int8 values plus one float32
 * scale per channel, or 2 bytes per f16 value).
 */
import * as tf from '@tensorflow/tfjs';
import { evalBatch, lossFor, type LossKind } from '../train/loss';
import { createModel } from '../train/model';
import { roundHalf } from '../train/half';
import type { TrainedModel } from '../train/trained';
import { channelAxis, quantizeInt8 } from './int8';

export { channelAxis, quantizeInt8 } from './int8';

export type QuantMode = 'float' | 'f16' | 'int8' | 'int8-act';
export const QUANT_MODES: readonly QuantMode[] = ['float', 'f16', 'int8', 'int8-act'];

/** The weights a mode evaluates with, and their stored size in bytes. */
export function quantizedWeights(trained: TrainedModel, mode: QuantMode): { values: Float32Array[]; bytes: number } {
  let bytes = 0;
  const values = trained.tensors.map((t) => {
    const axis = channelAxis(t.name, t.shape);
    if (mode === 'float' || axis === null) {
      bytes += 4 * t.values.length;
      return t.values;
    }
    if (mode === 'f16') {
      bytes += 2 * t.values.length;
      return Float32Array.from(t.values, roundHalf);
    }
    const { dequantized, scales } = quantizeInt8(t.values, t.shape, axis);
    bytes += t.values.length + 4 * scales.length;
    return dequantized;
  });
  return { values, bytes };
}

export interface Evaluation {
  loss: number;
  /** Share right (classification), else null. */
  accuracy: number | null;
  /** Regression: the RMSE in the label's units (the loss is on the standardised target). */
  rmse?: number;
}

const CHUNK = 1024;

/** Max |input| of each weight layer over `rows` (the int8 activation scales are these / 127). */
export async function calibrate(trained: TrainedModel, x: Float32Array, rows: number): Promise<number[]> {
  const model = createModel(trained.model, trained.preprocessing.dim, trained.outputs, 0);
  try {
    model.variables.forEach((v, i) => v.assign(tf.tensor(trained.tensors[i].values, trained.tensors[i].shape)));
    const dim = trained.preprocessing.dim;
    const max: number[] = [];
    for (let at = 0; at < rows; at += CHUNK) {
      const n = Math.min(CHUNK, rows - at);
      const seen: tf.Tensor[] = [];
      const out = tf.tidy(() => {
        const y = model.apply(tf.tensor2d(x.subarray(at * dim, (at + n) * dim), [n, dim]), (t, layer) => {
          seen[layer] = tf.keep(tf.max(tf.abs(t)));
          return t;
        });
        return y;
      });
      out.dispose();
      for (let l = 0; l < seen.length; l++) {
        max[l] = Math.max(max[l] ?? 0, (await seen[l].data())[0]);
        seen[l].dispose();
      }
    }
    return max;
  } finally {
    model.dispose();
  }
}

/**
 * The model of `mode` on `rows` rows: mean loss and accuracy. `actMax` (int8-act): the
 * calibrated max |input| per weight layer.
 */
export async function evaluateQuantized(
  trained: TrainedModel,
  mode: QuantMode,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  actMax: number[] = [],
): Promise<Evaluation> {
  const loss: LossKind = lossFor(trained.preprocessing.task, trained.preprocessing.classes?.length ?? 1);
  const model = createModel(trained.model, trained.preprocessing.dim, trained.outputs, 0);
  try {
    const { values } = quantizedWeights(trained, mode);
    model.variables.forEach((v, i) => v.assign(tf.tensor(values[i], trained.tensors[i].shape)));
    const scales = actMax.map((m) => (m > 0 ? m / 127 : 1));
    const fakeQuant =
      mode === 'int8-act'
        ? <T extends tf.Tensor>(t: T, layer: number): T =>
            tf.mul(tf.clipByValue(tf.round(tf.div(t, scales[layer])), -127, 127), scales[layer]) as T
        : undefined;
    const dim = trained.preprocessing.dim;
    let lossSum = 0;
    let correct = 0;
    for (let at = 0; at < rows; at += CHUNK) {
      const n = Math.min(CHUNK, rows - at);
      const out = tf.tidy(() => {
        const r = evalBatch(
          loss,
          model.apply(tf.tensor2d(x.subarray(at * dim, (at + n) * dim), [n, dim]), fakeQuant),
          tf.tensor1d(y.subarray(at, at + n)),
        );
        return r.correct ? tf.stack([r.lossSum, r.correct]) : tf.stack([r.lossSum]);
      });
      const v = await out.data();
      out.dispose();
      lossSum += v[0];
      correct += v.length > 1 ? v[1] : 0;
    }
    const target = trained.preprocessing.target;
    return {
      loss: lossSum / rows,
      accuracy: loss === 'mse' ? null : correct / rows,
      ...(loss === 'mse' && target ? { rmse: Math.sqrt(lossSum / rows) * target.std } : {}),
    };
  } finally {
    model.dispose();
  }
}

/** One form of the model, evaluated: its stored size and its metrics on the validation and test rows. */
export interface QuantizedForm {
  mode: QuantMode;
  bytes: number;
  val: Evaluation | null;
  test: Evaluation | null;
}

export interface QuantizeReport {
  calibrationRows: number;
  valRows: number;
  testRows: number;
  forms: QuantizedForm[];
}

/** Training rows the activation scales are calibrated on (at most). */
export const CALIBRATION_ROWS = 2048;

function gather(x: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/**
 * Every form of the model (QUANT_MODES) evaluated on the run's validation and test rows, the
 * activations calibrated on its first training rows: what `quantize` prints and the workbench shows.
 */
export async function quantizeReport(
  trained: TrainedModel,
  data: { x: Float32Array; y: Float32Array; dim: number; train: Int32Array; val: Int32Array; test: Int32Array },
): Promise<QuantizeReport> {
  const { dim } = data;
  const calib = data.train.subarray(0, Math.min(CALIBRATION_ROWS, data.train.length));
  const actMax = await calibrate(trained, gather(data.x, dim, calib), calib.length);
  const split = (rows: Int32Array) => ({
    x: gather(data.x, dim, rows),
    y: Float32Array.from(rows, (r) => data.y[r]),
    rows: rows.length,
  });
  const val = split(data.val);
  const test = split(data.test);
  const forms: QuantizedForm[] = [];
  for (const mode of QUANT_MODES) {
    const on = (s: typeof val) =>
      s.rows ? evaluateQuantized(trained, mode, s.x, s.y, s.rows, actMax) : Promise.resolve(null);
    forms.push({ mode, bytes: quantizedWeights(trained, mode).bytes, val: await on(val), test: await on(test) });
  }
  return { calibrationRows: calib.length, valRows: val.rows, testRows: test.rows, forms };
}
