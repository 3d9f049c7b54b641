/**
 * An MLP's forward pass, loss and gradients in float64, written out by hand: the reference the
 * WGSL engine's kernels are tested against (outputs, loss and every weight and bias gradient).
 * Same conventions as the engines: W is [K, N] row-major, activation between layers and none
 * after the last; the losses and their mean over the batch as in loss.ts.
 */
import type { Activation } from '../model';
import type { LossKind } from '../loss';

export interface MlpReference {
  /** Layer outputs after activation (the last: logits), each [rows, N]. */
  outputs: Float64Array[];
  /** Mean loss over the rows. */
  loss: number;
  /** d loss / d W and d loss / d b per layer. */
  gradW: Float64Array[];
  gradB: Float64Array[];
}

const act = (kind: Activation, z: number) =>
  kind === 'relu' ? Math.max(z, 0) : kind === 'tanh' ? Math.tanh(z) : 1 / (1 + Math.exp(-z));
const deriv = (kind: Activation, y: number) =>
  kind === 'relu' ? (y > 0 ? 1 : 0) : kind === 'tanh' ? 1 - y * y : y * (1 - y);

/** Forward and backward over `rows` rows of x ([rows, widths[0]]) with labels y. */
export function mlpReference(
  widths: number[],
  weights: { w: ArrayLike<number>; b: ArrayLike<number> }[],
  activation: Activation,
  loss: LossKind,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
): MlpReference {
  const L = widths.length - 1;
  const inputs: Float64Array[] = [Float64Array.from({ length: rows * widths[0] }, (_, i) => x[i])];
  for (let l = 0; l < L; l++) {
    const K = widths[l];
    const N = widths[l + 1];
    const out = new Float64Array(rows * N);
    const a = inputs[l];
    for (let r = 0; r < rows; r++) {
      for (let n = 0; n < N; n++) {
        let s = weights[l].b[n];
        for (let k = 0; k < K; k++) s += a[r * K + k] * weights[l].w[k * N + n];
        out[r * N + n] = l < L - 1 ? act(activation, s) : s;
      }
    }
    inputs.push(out);
  }
  const C = widths[L];
  const logits = inputs[L];
  let delta = new Float64Array(rows * C);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (loss === 'softmax-ce') {
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, logits[r * C + c]);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(logits[r * C + c] - m);
      const label = y[r];
      total += m + Math.log(s) - logits[r * C + label];
      for (let c = 0; c < C; c++)
        delta[r * C + c] = (Math.exp(logits[r * C + c] - m) / s - (c === label ? 1 : 0)) / rows;
    } else {
      const z = logits[r];
      if (loss === 'binary-ce') {
        total += Math.max(z, 0) - z * y[r] + Math.log1p(Math.exp(-Math.abs(z)));
        delta[r] = (1 / (1 + Math.exp(-z)) - y[r]) / rows;
      } else {
        total += (z - y[r]) ** 2;
        delta[r] = (2 * (z - y[r])) / rows;
      }
    }
  }
  const gradW: Float64Array[] = new Array(L);
  const gradB: Float64Array[] = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const K = widths[l];
    const N = widths[l + 1];
    const a = inputs[l];
    const gw = new Float64Array(K * N);
    const gb = new Float64Array(N);
    for (let r = 0; r < rows; r++) {
      for (let n = 0; n < N; n++) {
        const d = delta[r * N + n];
        gb[n] += d;
        for (let k = 0; k < K; k++) gw[k * N + n] += a[r * K + k] * d;
      }
    }
    gradW[l] = gw;
    gradB[l] = gb;
    if (l > 0) {
      const prev = new Float64Array(rows * K);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let n = 0; n < N; n++) s += delta[r * N + n] * weights[l].w[k * N + n];
          prev[r * K + k] = s * deriv(activation, a[r * K + k]);
        }
      }
      delta = prev;
    }
  }
  return { outputs: inputs.slice(1), loss: total / rows, gradW, gradB };
}
