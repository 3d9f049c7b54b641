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
  /** Inputs (rows of the block, padding rows included) and outputs of the layer. */
  K: number;
  N: number;
  /**
   * The inputs come in groups of `group` values stored `groupStride` apart (a flattened image's
   * pixels, each with its channels padded to 4): input k of the model is row
   * floor(k / group) groupStride + k % group; the rows between stay zero, as padding columns do.
   * A plain layer: both K.
   */
  group: number;
  groupStride: number;
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

/**
 * The layout of an MLP with layer widths `widths` = [inputs, ...hidden, outputs], its blocks
 * from float `base` of the parameter buffer on (after a network's convolutions), its inputs
 * in groups when they are a flattened image (`inputs`, see LayerLayout.group).
 */
export function mlpLayout(
  widths: number[],
  options: { base?: number; inputs?: { group: number; groupStride: number } } = {},
): MlpLayout {
  const layers: LayerLayout[] = [];
  let at = options.base ?? 0;
  let parameterCount = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const K = widths[l];
    const N = widths[l + 1];
    const stride = roundUp(N, 4);
    const { group, groupStride } = (l === 0 && options.inputs) || { group: K, groupStride: K };
    layers.push({ K, N, stride, wOff: at, bOff: at + K * stride, group, groupStride });
    at += (K + 1) * stride;
    parameterCount += (modelInputs(layers[l]) + 1) * N;
  }
  return { widths, layers, P: at, parameterCount, actStrides: widths.map((w) => roundUp(w, 4)) };
}

/** The inputs of a layer in the model (its rows without the padding rows of grouped inputs). */
export const modelInputs = (ly: LayerLayout): number => (ly.K / ly.groupStride) * ly.group;

/** The row of the block holding model input k of a layer. */
export const rowOf = (ly: LayerLayout, k: number): number => Math.floor(k / ly.group) * ly.groupStride + (k % ly.group);

/**
 * Writes the dense layers' initial weights into `flat`: Glorot-uniform, drawn from `rng` in the
 * tfjs engine's order (layer by layer, W row-major); biases stay zero.
 */
export function fillDense(layout: MlpLayout, rng: Rng, flat: Float32Array): void {
  for (const ly of layout.layers) {
    const K = modelInputs(ly);
    const w = glorotValues(rng, K * ly.N, K, ly.N);
    for (let k = 0; k < K; k++) flat.set(w.subarray(k * ly.N, (k + 1) * ly.N), ly.wOff + rowOf(ly, k) * ly.stride);
  }
}

/**
 * The initial parameters in the flat layout: Glorot-uniform weights drawn from the project's
 * seeded generator in the tfjs engine's order (layer by layer, W row-major), zero biases, so
 * both engines start from identical weights.
 */
export function initialParameters(layout: MlpLayout, seed: number): Float32Array {
  const flat = new Float32Array(layout.P);
  fillDense(layout, new Rng(seed), flat);
  return flat;
}

/** The weights of layer l as a dense K x N row-major array (K its model inputs), and its bias, out of the flat layout. */
export function layerValues(
  layout: MlpLayout,
  flat: ArrayLike<number>,
  l: number,
): { w: Float32Array; b: Float32Array } {
  const ly = layout.layers[l];
  const { N, stride, wOff, bOff } = ly;
  const K = modelInputs(ly);
  const w = new Float32Array(K * N);
  for (let k = 0; k < K; k++) {
    const at = wOff + rowOf(ly, k) * stride;
    for (let n = 0; n < N; n++) w[k * N + n] = flat[at + n];
  }
  const b = new Float32Array(N);
  for (let n = 0; n < N; n++) b[n] = flat[bOff + n];
  return { w, b };
}
