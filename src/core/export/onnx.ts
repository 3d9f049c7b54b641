/**
 * A trained model as an ONNX file (IR version 7, opset 13), written by hand from the model spec
 * and its tensors: no ONNX library, only the protobuf writer beside this file. The graph takes
 * the encoded rows as the workbench trains on them (`input`, float32 [batch, dim]; the raw-row
 * preprocessing is in the JSON written beside it and in the model's metadata) and gives what the
 * model's last layer gives (`output`, float32 [batch, outputs]: logits or the standardised
 * target, see Preprocessing.output).
 *
 * Layouts: image rows arrive channels last, as in the workbench, and are transposed to ONNX's
 * NCHW once; before the dense head the map goes back to NHWC so that the flattened order is the
 * workbench's. Kernels are transposed from tfjs's [kh, kw, in, out] to ONNX's [out, in, kh, kw];
 * grouped and depthwise convolutions use Conv's `group`; 'same' padding is written out as the
 * explicit pads TensorFlow uses (the extra row or column at the end).
 */
import type { Activation } from '../train/models/types';
import type { TrainedModel } from '../train/trained';
import { ProtoWriter } from './protobuf';
import { quantizeInt8 } from '../compress/int8';
import { toHalfBits } from '../train/half';

const FLOAT = 1;
const INT8 = 3;
const INT64 = 7;
const FLOAT16 = 10;
export const ONNX_OPSET = 13;
const IR_VERSION = 7;

type Attr = { name: string } & ({ int: number } | { ints: number[] } | { float: number });

interface Node {
  op: string;
  inputs: string[];
  output: string;
  attrs?: Attr[];
}

function attribute(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('int' in a) return w.int(20, 2).int(3, a.int);
  if ('float' in a) return w.int(20, 1).float(2, a.float);
  w.int(20, 7);
  for (const v of a.ints) w.int(8, v);
  return w;
}

function tensorProto(name: string, dims: number[], type: number, raw: Uint8Array): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.int(1, d);
  return w.int(2, type).string(8, name).bytes(9, raw);
}

function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims)
    shape.message(1, typeof d === 'string' ? new ProtoWriter().string(2, d) : new ProtoWriter().int(1, d));
  const tensor = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
}

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** tfjs conv kernel [kh, kw, cin, cout] as ONNX's [cout, cin, kh, kw]. */
export function convKernelToOnnx(k: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/** TensorFlow's 'same' padding of one spatial dimension: [before, after]. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + kernel - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Builds the graph's nodes and initializers from the trained model. */
class Graph {
  readonly nodes: Node[] = [];
  readonly inits: ProtoWriter[] = [];
  private names = 0;
  private next = 0;

  constructor(
    private readonly trained: TrainedModel,
    private readonly weights: OnnxWeights,
  ) {}

  /**
   * The next trained tensor (in the model's order) as an initializer; returns the name of its
   * float value. Kernels (`axis`: their output-channel axis in ONNX's layout) are stored as the
   * weights option says: float32, int8 per channel behind a DequantizeLinear, or float16 behind
   * a Cast. Biases stay float32.
   */
  param(
    transform?: (v: Float32Array, shape: number[]) => { values: Float32Array; dims: number[] },
    axis?: number,
  ): string {
    const t = this.trained.tensors[this.next++];
    const { values, dims } = transform ? transform(t.values, t.shape) : { values: t.values, dims: t.shape };
    if (axis === undefined || this.weights === 'float32' || t.shape.length === 1) {
      this.inits.push(tensorProto(t.name, dims, FLOAT, bytesOf(values)));
      return t.name;
    }
    if (this.weights === 'float16') {
      const halves = Uint16Array.from(values, toHalfBits);
      this.inits.push(tensorProto(`${t.name}_f16`, dims, FLOAT16, new Uint8Array(halves.buffer)));
      return this.node('Cast', [`${t.name}_f16`], [{ name: 'to', int: FLOAT }], t.name);
    }
    const { q, scales } = quantizeInt8(values, dims, axis);
    this.inits.push(
      tensorProto(`${t.name}_int8`, dims, INT8, new Uint8Array(q.buffer)),
      tensorProto(`${t.name}_scale`, [scales.length], FLOAT, bytesOf(scales)),
      tensorProto(`${t.name}_zero`, [scales.length], INT8, new Uint8Array(scales.length)),
    );
    return this.node(
      'DequantizeLinear',
      [`${t.name}_int8`, `${t.name}_scale`, `${t.name}_zero`],
      [{ name: 'axis', int: axis }],
      t.name,
    );
  }

  int64(name: string, values: number[]): string {
    this.inits.push(tensorProto(name, [values.length], INT64, bytesOf(BigInt64Array.from(values.map(BigInt)))));
    return name;
  }

  node(op: string, inputs: string[], attrs?: Attr[], output?: string): string {
    const out = output ?? `${op.toLowerCase()}_${this.names++}`;
    this.nodes.push({ op, inputs, output: out, attrs });
    return out;
  }

  act(kind: Activation, x: string): string {
    return this.node(kind === 'relu' ? 'Relu' : kind === 'tanh' ? 'Tanh' : 'Sigmoid', [x]);
  }

  /** Dense layers: Gemm (x [n, k] times W [k, m] plus b), the activation between them. */
  dense(x: string, layers: number, act: Activation): string {
    let h = x;
    for (let l = 0; l < layers; l++) {
      const w = this.param(undefined, 1);
      const b = this.param();
      const last = l === layers - 1;
      h = this.node('Gemm', [h, w, b], undefined, last ? 'output' : undefined);
      if (!last) h = this.act(act, h);
    }
    return h;
  }

  conv(x: string, opts: { pads: number[]; stride: number; group: number; kernel: number }): string {
    const w = this.param((v, s) => ({ values: convKernelToOnnx(v, s), dims: [s[3], s[2], s[0], s[1]] }), 0);
    const b = this.param();
    return this.node(
      'Conv',
      [x, w, b],
      [
        { name: 'kernel_shape', ints: [opts.kernel, opts.kernel] },
        { name: 'pads', ints: opts.pads },
        { name: 'strides', ints: [opts.stride, opts.stride] },
        { name: 'group', int: opts.group },
      ],
    );
  }

  /** Depthwise 3x3: tfjs [3, 3, c, 1] as ONNX [c, 1, 3, 3], one group per channel. */
  depthwise(x: string, c: number, pads: number[], stride: number): string {
    const w = this.param((v) => ({ values: convKernelToOnnx(v, [3, 3, 1, c]), dims: [c, 1, 3, 3] }), 0);
    const b = this.param();
    return this.node(
      'Conv',
      [x, w, b],
      [
        { name: 'kernel_shape', ints: [3, 3] },
        { name: 'pads', ints: pads },
        { name: 'strides', ints: [stride, stride] },
        { name: 'group', int: c },
      ],
    );
  }
}

/** How an ONNX export stores the kernels: as trained, or quantized (compress/int8.ts, float16). */
export type OnnxWeights = 'float32' | 'int8' | 'float16';

/** The ONNX file of a trained model. */
export function toOnnx(
  trained: TrainedModel,
  meta: Record<string, string> = {},
  weights: OnnxWeights = 'float32',
): Uint8Array {
  const g = new Graph(trained, weights);
  const spec = trained.model;
  const hidden = spec.hidden.length + 1;
  if (spec.type === 'mlp') g.dense('input', hidden, spec.activation);
  else {
    let [h, w, c] = spec.inputShape!;
    const nhwc = g.node('Reshape', ['input', g.int64('image_shape', [-1, h, w, c])]);
    let x = g.node('Transpose', [nhwc], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
    if (spec.type === 'cnn') {
      spec.filters.forEach((co, i) => {
        const group = spec.groups?.[i] ?? 1;
        x = g.act(spec.activation, g.conv(x, { pads: [1, 1, 1, 1], stride: 1, group, kernel: 3 }));
        x = g.node(
          'MaxPool',
          [x],
          [
            { name: 'kernel_shape', ints: [2, 2] },
            { name: 'strides', ints: [2, 2] },
          ],
        );
        [h, w, c] = [Math.floor(h / 2), Math.floor(w / 2), co];
      });
      // Back to channels last, so the flattened order is the workbench's.
      const back = g.node('Transpose', [x], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
      x = g.node('Reshape', [back, g.int64('flat_shape', [-1, h * w * c])]);
    } else {
      x = g.act(spec.activation, g.conv(x, { pads: [1, 1, 1, 1], stride: 1, group: 1, kernel: 3 }));
      c = spec.stem;
      for (const b of spec.blocks) {
        const [pt, pb] = samePads(h, 3, b.stride);
        const [pl, pr] = samePads(w, 3, b.stride);
        x = g.act(spec.activation, g.depthwise(x, c, [pt, pl, pb, pr], b.stride));
        x = g.act(spec.activation, g.conv(x, { pads: [0, 0, 0, 0], stride: 1, group: 1, kernel: 1 }));
        [h, w, c] = [Math.ceil(h / b.stride), Math.ceil(w / b.stride), b.filters];
      }
      x = g.node('Flatten', [g.node('GlobalAveragePool', [x])], [{ name: 'axis', int: 1 }]);
    }
    g.dense(x, hidden, spec.activation);
  }

  const graph = new ProtoWriter();
  g.nodes.forEach((n, i) => {
    const node = new ProtoWriter();
    for (const inp of n.inputs) node.string(1, inp);
    node.string(2, n.output).string(3, `n${i}_${n.op}`).string(4, n.op);
    for (const a of n.attrs ?? []) node.message(5, attribute(a));
    graph.message(1, node);
  });
  graph.string(2, 'trainbench');
  for (const init of g.inits) graph.message(5, init);
  graph.message(11, valueInfo('input', ['batch', trained.preprocessing.dim]));
  graph.message(12, valueInfo('output', ['batch', trained.outputs]));

  const model = new ProtoWriter()
    .int(1, IR_VERSION)
    .string(2, 'trainbench')
    .string(3, '1')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(meta)) model.message(14, new ProtoWriter().string(1, key).string(2, value));
  return model.finish();
}
