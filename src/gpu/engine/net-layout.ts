/**
 * Where a whole network's numbers live in the WGSL engine's buffers: the image layers of the
 * `cnn` and `dscnn` models (convolutions, pooling, depthwise convolutions) in front of the dense
 * layers of layout.ts. An MLP is a network without image layers.
 *
 * Images are NHWC. Each node (the input, each image layer's output) holds per row its pixels
 * with the channels rounded up to 4 (`pixelStride`; zeros past the channels, as the MLP's
 * padding columns), except the input, whose rows are the features as they come, rounded up to
 * 4 as a whole. The last node, flattened, is the dense layers' input: its padding channels
 * become rows of the first dense block that stay zero (LayerLayout.group).
 *
 * Parameters, in the tfjs models' order (src/core/train/models): per image layer a block of
 * rows of `stride` floats (its output channels rounded up to 4), then its bias row, like a dense
 * layer's. A 3x3 convolution has one row per tap and input channel (kh, kw, ci), which is tfjs's
 * [3, 3, C, CO] kernel row-major; a depthwise convolution one row of C per tap ([3, 3, C, 1]).
 */
import { Rng } from '../../core/data/rng';
import { glorotValues } from '../../core/train/models/init';
import type { ModelSpec } from '../../core/train/model';
import { fillDense, mlpLayout, modelInputs, roundUp, rowOf, type MlpLayout } from './layout';

export interface ImageNode {
  H: number;
  W: number;
  C: number;
  /** Elements from one pixel to the next. */
  pixelStride: number;
  /** Elements from one row (image) to the next. */
  imageStride: number;
  /** It holds an activation's outputs (its gradient takes the activation's derivative there), not a mean. */
  activated: boolean;
}

/** A block of the parameter buffer: `rows` rows of `cols` values `stride` apart, then the bias row. */
export interface ParamBlock {
  wOff: number;
  bOff: number;
  rows: number;
  cols: number;
  stride: number;
  fanIn: number;
  fanOut: number;
}

export type ImageOp =
  | {
      kind: 'conv' | 'depthwise';
      from: number;
      to: number;
      ks: number;
      stride: number;
      padH: number;
      padW: number;
      /** Grouped convolutions: output channel co sees input channels of group floor(co / (CO / groups)) only. */
      groups: number;
      params: ParamBlock;
    }
  | { kind: 'maxpool' | 'avgpool'; from: number; to: number };

export interface NetLayout {
  /** Image nodes, the input first; empty for an MLP. */
  nodes: ImageNode[];
  ops: ImageOp[];
  /** The dense layers (their input is the last node, flattened). */
  dense: MlpLayout;
  /** Floats in the flat parameter buffer (a multiple of 4). */
  P: number;
  parameterCount: number;
  /** Elements per row of the input (the features rounded up to 4). */
  inStride: number;
}

/** tfjs's 'same' padding before the first row (or column): half the total, rounded down. */
export function samePad(size: number, ks: number, stride: number): number {
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + ks - size, 0) / 2);
}

/** The layout of `spec` (an image model's input shape resolved) for rows of `dim` features and `outputs` outputs. */
export function netLayout(spec: ModelSpec, dim: number, outputs: number): NetLayout {
  const inStride = roundUp(dim, 4);
  if (spec.type === 'mlp') {
    const dense = mlpLayout([dim, ...spec.hidden, outputs]);
    return {
      nodes: [],
      ops: [],
      dense,
      P: dense.P,
      parameterCount: dense.parameterCount,
      inStride,
    };
  }
  const [H0, W0, C0] = spec.inputShape!;
  const nodes: ImageNode[] = [{ H: H0, W: W0, C: C0, pixelStride: C0, imageStride: inStride, activated: false }];
  const ops: ImageOp[] = [];
  let P = 0;
  let count = 0;
  const node = (H: number, W: number, C: number, activated: boolean): number => {
    const pixelStride = roundUp(C, 4);
    nodes.push({ H, W, C, pixelStride, imageStride: H * W * pixelStride, activated });
    return nodes.length - 1;
  };
  const block = (rows: number, cols: number, fanIn: number, fanOut: number): ParamBlock => {
    const stride = roundUp(cols, 4);
    const b: ParamBlock = { wOff: P, bOff: P + rows * stride, rows, cols, stride, fanIn, fanOut };
    P += (rows + 1) * stride;
    count += (rows + 1) * cols;
    return b;
  };
  const conv = (kind: 'conv' | 'depthwise', co: number, ks: number, stride: number, groups = 1) => {
    const from = nodes.length - 1;
    const { H, W, C } = nodes[from];
    const [OH, OW] = [Math.ceil(H / stride), Math.ceil(W / stride)];
    const taps = (ks * ks * C) / groups;
    const params = kind === 'conv' ? block(taps, co, taps, ks * ks * co) : block(ks * ks, C, ks * ks, ks * ks);
    const to = node(OH, OW, kind === 'conv' ? co : C, true);
    const [padH, padW] = [samePad(H, ks, stride), samePad(W, ks, stride)];
    ops.push({ kind, from, to, ks, stride, padH, padW, groups, params });
  };
  if (spec.type === 'cnn') {
    for (const [i, co] of spec.filters.entries()) {
      conv('conv', co, 3, 1, spec.groups?.[i] ?? 1);
      const from = nodes.length - 1;
      const { H, W, C } = nodes[from];
      ops.push({ kind: 'maxpool', from, to: node(Math.floor(H / 2), Math.floor(W / 2), C, true) });
    }
  } else {
    conv('conv', spec.stem, 3, 1);
    for (const b of spec.blocks) {
      conv('depthwise', 0, 3, b.stride);
      conv('conv', b.filters, 1, 1);
    }
    const from = nodes.length - 1;
    ops.push({ kind: 'avgpool', from, to: node(1, 1, nodes[from].C, false) });
  }
  const last = nodes[nodes.length - 1];
  const dense = mlpLayout([last.imageStride, ...spec.hidden, outputs], {
    base: P,
    inputs: { group: last.C, groupStride: last.pixelStride },
  });
  return {
    nodes,
    ops,
    dense,
    P: dense.P,
    parameterCount: count + dense.parameterCount,
    inStride,
  };
}

const paramOps = (net: NetLayout) => net.ops.flatMap((op) => ('params' in op ? [op.params] : []));

/**
 * The initial parameters in the flat layout: Glorot-uniform weights drawn from the project's
 * seeded generator in the tfjs models' order (each image layer's kernel, then the dense
 * layers), zero biases, so both engines start from identical weights.
 */
export function netInitialParameters(net: NetLayout, seed: number): Float32Array {
  const rng = new Rng(seed);
  const flat = new Float32Array(net.P);
  for (const p of paramOps(net)) {
    const w = glorotValues(rng, p.rows * p.cols, p.fanIn, p.fanOut);
    for (let r = 0; r < p.rows; r++) flat.set(w.subarray(r * p.cols, (r + 1) * p.cols), p.wOff + r * p.stride);
  }
  fillDense(net.dense, rng, flat);
  return flat;
}

/** The parameters as the tfjs model's variables hold them, in their order (kernel, bias, ...), out of the flat layout. */
export function netParameters(net: NetLayout, flat: ArrayLike<number>): Float32Array[] {
  const out = netTensorSizes(net).map((n) => new Float32Array(n));
  forEachParameter(net, (t, j, at) => (out[t][j] = flat[at]));
  return out;
}

/** The sizes of {@link netParameters}' tensors. */
export function netTensorSizes(net: NetLayout): number[] {
  return [
    ...paramOps(net).flatMap((p) => [p.rows * p.cols, p.cols]),
    ...net.dense.layers.flatMap((ly) => [modelInputs(ly) * ly.N, ly.N]),
  ];
}

/**
 * Visits every value of {@link netParameters}' tensors: tensor `t`, index `j` in it, and its
 * position `at` in the flat layout (padding is never visited).
 */
export function forEachParameter(net: NetLayout, visit: (t: number, j: number, at: number) => void): void {
  let t = 0;
  for (const p of paramOps(net)) {
    for (let r = 0; r < p.rows; r++)
      for (let c = 0; c < p.cols; c++) visit(t, r * p.cols + c, p.wOff + r * p.stride + c);
    for (let c = 0; c < p.cols; c++) visit(t + 1, c, p.bOff + c);
    t += 2;
  }
  for (const ly of net.dense.layers) {
    const K = modelInputs(ly);
    for (let k = 0; k < K; k++) {
      const row = ly.wOff + rowOf(ly, k) * ly.stride;
      for (let n = 0; n < ly.N; n++) visit(t, k * ly.N + n, row + n);
    }
    for (let n = 0; n < ly.N; n++) visit(t + 1, n, ly.bOff + n);
    t += 2;
  }
}
