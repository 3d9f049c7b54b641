/**
 * Where an MLP's numbers live in the WGSL engine's buffers.
 *
 * Parameters: one flat float32 buffer. Layer l (K inputs, N outputs) is a block of K + 1 rows
 * of `stride` = N rounded up to 4 columns: K rows of weights (row k holds W[k, 0..N)), then the
 * bias row, so the weight-gradient kernel writes weights and bias as one (K + 1) x N product.
 * Padding columns are zero and stay zero (their gradients are zero under every optimizer rule).
 * Gradients, each optimizer slot and Lookahead's slow weights are buffers of the same layout, and
 * the float16 copy the matmuls read in fp16-mixed runs is the same layout packed in pairs.
 *
 * Activations: per width of the network (input, each hidden layer, output) a region of `rows`
 * rows of that width rounded up to 4; deltas: one such region per layer output.
 */
import { Rng } from '../../core/data/rng';
import { glorotValues } from '../../core/train/models/init';

export const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

export interface LayerLayout {
  /** Inputs and outputs of the layer. */
  K: number;
  N: number;
  /** Row stride of the block: N rounded up to 4. */
  stride: number;
  /** Offset (floats) of W[0, 0]; the bias row starts at wOff + K * stride. */
  wOff: number;
  bOff: number;
}

export interface MlpLayout {
  widths: number[];
  layers: LayerLayout[];
  /** Floats in the flat parameter buffer (a multiple of 4). */
  P: number;
  /** True parameter count (without padding). */
  parameterCount: number;
  /** Row stride of the activations of each width (index 0: the input). */
  actStrides: number[];
}

/** The layout of an MLP with layer widths `widths` = [inputs, ...hidden, outputs]. */
export function mlpLayout(widths: number[]): MlpLayout {
  const layers: LayerLayout[] = [];
  let at = 0;
  let parameterCount = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const K = widths[l];
    const N = widths[l + 1];
    const stride = roundUp(N, 4);
    layers.push({ K, N, stride, wOff: at, bOff: at + K * stride });
    at += (K + 1) * stride;
    parameterCount += (K + 1) * N;
  }
  return { widths, layers, P: at, parameterCount, actStrides: widths.map((w) => roundUp(w, 4)) };
}

/**
 * The initial parameters in the flat layout: Glorot-uniform weights drawn from the project's
 * seeded generator in the tfjs engine's order (layer by layer, W row-major), zero biases, so
 * both engines start from identical weights.
 */
export function initialParameters(layout: MlpLayout, seed: number): Float32Array {
  const rng = new Rng(seed);
  const flat = new Float32Array(layout.P);
  for (const { K, N, stride, wOff } of layout.layers) {
    const w = glorotValues(rng, K * N, K, N);
    for (let k = 0; k < K; k++) flat.set(w.subarray(k * N, (k + 1) * N), wOff + k * stride);
  }
  return flat;
}

/** The weights of layer l as a dense K x N row-major array, and its bias, out of the flat layout. */
export function layerValues(
  layout: MlpLayout,
  flat: ArrayLike<number>,
  l: number,
): { w: Float32Array; b: Float32Array } {
  const { K, N, stride, wOff, bOff } = layout.layers[l];
  const w = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[k * N + n] = flat[wOff + k * stride + n];
  const b = new Float32Array(N);
  for (let n = 0; n < N; n++) b[n] = flat[bOff + n];
  return { w, b };
}
