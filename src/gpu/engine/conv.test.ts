/**
 * The convolution kernels (implicit GEMMs on the matmul cores: conv-forward, conv-dx, conv-dw)
 * against the float64 loops of src/core/train/reference/conv.ts, on shapes with odd sizes,
 * strides 1 and 2, padding and none, 3x3 and 1x1 taps, and channel counts that are not
 * multiples of 4; every tiled matmul core on one shape (the cores convolutions use), float32 (relative error at most
 * 1e-4) and the
 * packed float16 storage (at most 1e-2, cosine at least 0.999, against the reference run on
 * the float16-rounded inputs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/data/rng';
import {
  averagePool,
  convBackward,
  convForward,
  convOut,
  depthwiseBackward,
  depthwiseForward,
  maxPool,
  type ConvShape,
} from '../../core/train/reference/conv';
import type { EngineGpu } from './device';
import { fromHalfBits, toHalfBits } from './half';
import { bindGroup, getKernel, type Kernel } from './pipelines';
import type { StorageFormat } from './precision';
import {
  CONV_VARIANTS,
  convVariantFor,
  DIRECT,
  kSlices,
  SPLIT_VARIANTS,
  variantColumns,
  variantConstants,
  variantRows,
  type MatmulVariant,
} from './tune';
import { cosine, relError, testGpu } from './test-support';

let gpu: EngineGpu;
beforeAll(async () => {
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

const up4 = (n: number) => Math.ceil(n / 4) * 4;
const RELU = 1;

/** Values in a padded row layout ([rows][stride], zeros past `width`), stored in `format`. */
function pack(
  values: ArrayLike<number>,
  rows: number,
  width: number,
  stride: number,
  format: StorageFormat,
  total = rows * stride,
): ArrayBuffer {
  const flat = new Float32Array(total);
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) flat[r * stride + c] = values[r * width + c];
  if (format === 'f32') return flat.buffer;
  const halves = new Uint16Array(total + (total % 2));
  for (let i = 0; i < total; i++) halves[i] = toHalfBits(flat[i]);
  return halves.buffer;
}

/** Reads `rows` x `width` values out of a padded layout. */
function unpack(
  bytes: ArrayBuffer,
  at: number,
  rows: number,
  width: number,
  stride: number,
  format: StorageFormat | 'grads',
): Float32Array {
  const out = new Float32Array(rows * width);
  const f32 = format === 'f32' || format === 'grads';
  const view = f32 ? new Float32Array(bytes) : new Uint16Array(bytes);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < width; c++)
      out[r * width + c] = f32 ? view[at + r * stride + c] : fromHalfBits(view[at + r * stride + c]);
  return out;
}

const round16 = (a: Float32Array, format: StorageFormat) =>
  format === 'f32' ? a : a.map((v) => fromHalfBits(toHalfBits(v)));

async function run(
  name: 'conv-forward' | 'conv-dx' | 'conv-dw',
  format: StorageFormat,
  variant: MatmulVariant,
  dims: number[],
  geo: ConvShape & { oh: number; ow: number; inImage: number },
  buffers: ArrayBuffer[],
  outIndex: number,
  forcedSlices?: number,
): Promise<ArrayBuffer> {
  const { device } = gpu;
  const v = convVariantFor(name, variant);
  // A weight gradient split along K: the slices' partial sums into a buffer of their own, then their sum.
  const slices = forcedSlices ?? kSlices(v, dims[0], dims[1], dims[2]);
  const k: Kernel = await getKernel(device, {
    kernel: name,
    format,
    mixed: format !== 'f32',
    constants: variantConstants(v),
    core: v.core,
    split: slices > 1,
  });
  const made: GPUBuffer[] = [];
  const mk = (size: number, usage: number, data?: ArrayBuffer | ArrayBufferView) => {
    const b = gpu.createBuffer({ size: up4(Math.max(16, size)), usage: usage | GPUBufferUsage.COPY_DST });
    if (data) device.queue.writeBuffer(b, 0, data as ArrayBuffer);
    made.push(b);
    return b;
  };
  const ctl = new ArrayBuffer(32);
  new Float32Array(ctl, 16, 1)[0] = 1;
  const storage = buffers.map((b) => mk(b.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, b));
  const uni = mk(64, GPUBufferUsage.UNIFORM, new Uint32Array(dims.concat(new Array(16 - dims.length).fill(0))));
  const g = mk(
    48,
    GPUBufferUsage.UNIFORM,
    new Uint32Array([
      geo.h,
      geo.w,
      geo.c,
      geo.co,
      geo.oh,
      geo.ow,
      geo.ks,
      geo.stride,
      geo.pad,
      geo.inImage,
      geo.groups ?? 1,
      0,
    ]),
  );
  const ctlBuffer = mk(32, GPUBufferUsage.STORAGE, ctl);
  // Slice sums start as NaN: a slice left unwritten would show.
  const sums = mk(
    4 * slices * dims[0] * dims[1],
    GPUBufferUsage.STORAGE,
    new Float32Array(slices * dims[0] * dims[1]).fill(NaN),
  );
  const group = bindGroup(device, k, [ctlBuffer, uni, ...(slices > 1 ? storage.with(outIndex, sums) : storage), g]);
  const read = mk(buffers[outIndex].byteLength, GPUBufferUsage.MAP_READ);
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(k.pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(Math.ceil(dims[1] / variantColumns(v)), Math.ceil(dims[0] / variantRows(v)), slices);
  if (slices > 1) {
    const reduce = await getKernel(device, {
      kernel: 'reduce-splits',
      format,
      mixed: format !== 'f32',
      constants: { SPLITS: slices },
    });
    pass.setPipeline(reduce.pipeline);
    pass.setBindGroup(0, bindGroup(device, reduce, [ctlBuffer, uni, sums, storage[outIndex]]));
    pass.dispatchWorkgroups(Math.ceil((dims[0] * dims[1]) / 256));
  }
  pass.end();
  enc.copyBufferToBuffer(storage[outIndex], 0, read, 0, up4(buffers[outIndex].byteLength));
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const out = read.getMappedRange().slice(0);
  read.unmap();
  for (const b of made) gpu.destroyBuffer(b);
  return out;
}

/**
 * The float16 storage formats checked: packed everywhere, native too when native-f16.test.ts
 * runs this file again on lavapipe (which has shader-f16) with TRAINBENCH_NATIVE_F16=1.
 */
const HALF: StorageFormat[] = process.env.TRAINBENCH_NATIVE_F16 === '1' ? ['packed', 'native'] : ['packed'];
const FORMATS: StorageFormat[] = ['f32', ...HALF];

const SHAPES: (ConvShape & { label: string })[] = [
  { label: '2x7x5x3 -> 5, 3x3 stride 1 pad 1', n: 2, h: 7, w: 5, c: 3, co: 5, ks: 3, stride: 1, pad: 1 },
  { label: '3x8x9x6 -> 7, 3x3 stride 2 pad 1', n: 3, h: 8, w: 9, c: 6, co: 7, ks: 3, stride: 2, pad: 1 },
  { label: '2x6x6x5 -> 9, 1x1 (pointwise)', n: 2, h: 6, w: 6, c: 5, co: 9, ks: 1, stride: 1, pad: 0 },
  { label: '1x9x7x2 -> 3, 3x3 stride 2 no padding', n: 1, h: 9, w: 7, c: 2, co: 3, ks: 3, stride: 2, pad: 0 },
  // 528 output pixels: the split-K core's threads each sum several.
  { label: '4x12x11x3 -> 6, 3x3 stride 1 pad 1', n: 4, h: 12, w: 11, c: 3, co: 6, ks: 3, stride: 1, pad: 1 },
];

/** A longer K for the split products: 2,520 output pixels. */
const LONG: ConvShape & { label: string } = {
  label: '10x18x14x5 -> 10, 3x3 stride 1 pad 1',
  n: 10,
  h: 18,
  w: 14,
  c: 5,
  co: 10,
  ks: 3,
  stride: 1,
  pad: 1,
};

const GROUPED: (ConvShape & { label: string })[] = [
  { label: '2x6x5x6 -> 9, 3 groups, stride 1', n: 2, h: 6, w: 5, c: 6, co: 9, ks: 3, stride: 1, pad: 1, groups: 3 },
  { label: '2x7x6x8 -> 8, 2 groups, stride 2', n: 2, h: 7, w: 6, c: 8, co: 8, ks: 3, stride: 2, pad: 1, groups: 2 },
  { label: '3x5x5x4 -> 4, 4 groups', n: 3, h: 5, w: 5, c: 4, co: 4, ks: 3, stride: 1, pad: 1, groups: 4 },
];

/** The tiled cores (the first on every shape), and the direct core paired with split-K on every shape. */
const CASES: { label: string; shape: ConvShape; format: StorageFormat; v: MatmulVariant; slices?: number }[] = [
  ...SHAPES.map((shape) => ({ label: `f32 ${shape.label}`, shape, format: 'f32' as const, v: CONV_VARIANTS[0] })),
  ...SHAPES.map((shape) => ({
    label: `f32 ${shape.label}, direct + split-K`,
    shape,
    format: 'f32' as const,
    v: DIRECT,
  })),
  ...CONV_VARIANTS.filter((v) => (v.core === 'tiled' || v.core === 'tiled8') && !v.split)
    .slice(1)
    .map((v) => ({
      label: `f32 ${SHAPES[1].label}, ${v.core}-${v.tile}`,
      shape: SHAPES[1],
      format: 'f32' as const,
      v,
    })),
  ...HALF.flatMap((format) =>
    SHAPES.flatMap((shape) => [
      { label: `${format} f16 ${shape.label}`, shape, format, v: CONV_VARIANTS[0] },
      { label: `${format} f16 ${shape.label}, direct + split-K`, shape, format, v: DIRECT },
    ]),
  ),
  // The tiled cores split along K (the weight gradient; the other two run unsplit): 528 and
  // 2,520 output pixels, 8 to 39 slices, the last ones partly or wholly past K.
  ...FORMATS.flatMap((format) =>
    SPLIT_VARIANTS.flatMap((v) =>
      [SHAPES[4], LONG].map((shape) => ({
        label: `${format} ${shape.label}, ${v.core}-${v.tile} split for ${v.split} workgroups`,
        shape,
        format,
        v,
      })),
    ),
  ),
  // Slice counts kSlices would not pick: the kernel cuts any count into whole tile steps
  // (ceil(528 / 6) = 88 and ceil(2520 / 5) = 504 are not; 3 leaves a slice of 176).
  ...[3, 6].map((slices) => ({
    label: `f32 ${SHAPES[4].label}, tiled-32 in ${slices} slices`,
    shape: SHAPES[4],
    format: 'f32' as const,
    v: SPLIT_VARIANTS[0],
    slices,
  })),
  ...SPLIT_VARIANTS.filter((v) => v.split === 512).map((v) => ({
    label: `f32 ${LONG.label}, ${v.core}-${v.tile} in 5 slices`,
    shape: LONG,
    format: 'f32' as const,
    v,
    slices: 5,
  })),
  // Grouped convolutions (direct and split-K only): groups whose output channels straddle the
  // 4-channel blocks (3 per group), aligned groups, and one channel per group.
  ...FORMATS.flatMap((format) =>
    GROUPED.map((shape) => ({ label: `${format} grouped ${shape.label}`, shape, format, v: DIRECT })),
  ),
];

function expectClose(got: Float32Array, want: Float64Array, format: StorageFormat, what: string): void {
  expect(relError(got, want), what).toBeLessThan(format === 'f32' ? 1e-4 : 1e-2);
  expect(cosine(got, want), what).toBeGreaterThan(format === 'f32' ? 1 - 1e-7 : 0.999);
}

describe('convolution kernels against float64', () => {
  it.each(CASES.map((c) => [c.label, c] as const))('%s', async (_label, { shape: s, format, v, slices }) => {
    const { oh, ow } = convOut(s);
    const geo = { ...s, oh, ow, inImage: s.h * s.w * up4(s.c) };
    const rng = new Rng(s.h * 31 + s.c);
    const inPixels = s.n * s.h * s.w;
    const outPixels = s.n * oh * ow;
    const groups = s.groups ?? 1;
    const K = (s.ks * s.ks * s.c) / groups;
    const x = round16(
      Float32Array.from({ length: inPixels * s.c }, () => rng.normal()),
      format,
    );
    const w = round16(
      Float32Array.from({ length: K * s.co }, () => rng.normal() / Math.sqrt(K)),
      format,
    );
    const b = round16(
      Float32Array.from({ length: s.co }, () => rng.normal() * 0.1),
      format,
    );
    const dOut = round16(
      Float32Array.from({ length: outPixels * s.co }, () => rng.normal()),
      format,
    );
    const [cin, cout] = [up4(s.c), up4(s.co)];

    // Forward with ReLU in the epilogue: output after the input in one buffer.
    const outAt = up4(inPixels * cin);
    const actsBytes = pack(x, inPixels, s.c, cin, format, outAt + outPixels * cout);
    const wRows = new Float32Array((K + 1) * s.co);
    wRows.set(w);
    wRows.set(b, K * s.co);
    const wBytes = pack(wRows, K + 1, s.co, cout, format);
    const fwd = await run(
      'conv-forward',
      format,
      v,
      [outPixels, s.co, K, RELU, 0, cin, 0, cout, outAt, cout, K * cout],
      geo,
      [actsBytes, wBytes],
      0,
    );
    const want = convForward(s, x, w, b).map((z) => Math.max(z, 0));
    expectClose(unpack(fwd, outAt, outPixels, s.co, cout, format), want, format, 'forward');
    // Padding channels of the output are written as zeros.
    const padded = unpack(fwd, outAt, outPixels, cout, cout, format);
    for (let p = 0; p < outPixels; p++) for (let c = s.co; c < cout; c++) expect(padded[p * cout + c]).toBe(0);

    const ref = convBackward(s, x, w, dOut);
    // Backward to the input, through the ReLU of the input's stored output (x itself, clamped).
    const y = x.map((t) => Math.max(t, 0));
    const dInAt = up4(outPixels * cout);
    const deltas = pack(dOut, outPixels, s.co, cout, format, dInAt + inPixels * cin);
    const dx = await run(
      'conv-dx',
      format,
      v,
      [inPixels, s.c, (s.ks * s.ks * s.co) / groups, RELU, 0, cout, 0, cout, dInAt, cin, 0, 0, cin],
      geo,
      [deltas, wBytes, pack(y, inPixels, s.c, cin, format)],
      0,
    );
    expectClose(
      unpack(dx, dInAt, inPixels, s.c, cin, format),
      ref.dx.map((g, i) => (y[i] > 0 ? g : 0)),
      format,
      'input gradient',
    );

    // Weight and bias gradients: K rows, then the bias row.
    const dw = await run(
      'conv-dw',
      format,
      v,
      [K + 1, s.co, outPixels, 0, 0, cin, 0, cout, 0, cout, 0, 0, 0, K],
      geo,
      [
        pack(x, inPixels, s.c, cin, format),
        pack(dOut, outPixels, s.co, cout, format),
        new Float32Array((K + 1) * cout).buffer,
      ],
      2,
      slices,
    );
    expectClose(unpack(dw, 0, K, s.co, cout, 'grads'), ref.dw, format, 'weight gradient');
    expectClose(unpack(dw, K * cout, 1, s.co, cout, 'grads'), ref.db, format, 'bias gradient');
  });
});

describe('2x2 max-pool against float64', () => {
  const POOLS = [
    { label: '2x7x5x3 (odd sizes: the last row and column dropped)', n: 2, h: 7, w: 5, c: 3 },
    { label: '1x8x6x6', n: 1, h: 8, w: 6, c: 6 },
  ];
  it.each(POOLS.flatMap((p) => FORMATS.map((format) => [`${format} ${p.label}`, p, format] as const)))(
    '%s',
    async (_label, s, format) => {
      const { device } = gpu;
      const rng = new Rng(s.h * 7 + s.c);
      const oh = Math.floor(s.h / 2);
      const ow = Math.floor(s.w / 2);
      const stride = up4(s.c);
      const inPixels = s.n * s.h * s.w;
      const outPixels = s.n * oh * ow;
      const x = round16(
        Float32Array.from({ length: inPixels * s.c }, () => rng.normal()),
        format,
      );
      const dOut = round16(
        Float32Array.from({ length: outPixels * s.c }, () => rng.normal()),
        format,
      );
      const ref = maxPool(s, x, dOut);
      const outAt = up4(inPixels * stride);
      const total = outAt + outPixels * stride;
      const k = await getKernel(device, { kernel: 'pool', format, mixed: format !== 'f32', entryPoint: 'forward' });
      const kb = await getKernel(device, { kernel: 'pool', format, mixed: format !== 'f32', entryPoint: 'backward' });
      const elem = format === 'f32' ? 4 : 2;
      const mk = (size: number, usage: number) =>
        gpu.createBuffer({ size: up4(Math.max(16, size)), usage: usage | GPUBufferUsage.COPY_DST });
      const ctl = mk(32, GPUBufferUsage.STORAGE);
      const ctlInit = new ArrayBuffer(32);
      new Float32Array(ctlInit, 16, 1)[0] = 1;
      device.queue.writeBuffer(ctl, 0, ctlInit);
      const uni = mk(48, GPUBufferUsage.UNIFORM);
      device.queue.writeBuffer(uni, 0, new Uint32Array([s.n, s.h, s.w, s.c, 0, stride, outAt, stride, 0, 0, 0, 0]));
      const acts = mk(elem * total, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      device.queue.writeBuffer(acts, 0, pack(x, inPixels, s.c, stride, format, total));
      const deltas = mk(elem * total, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      // dOut sits in the output region; dIn is written over the input region.
      const dBytes = new Float32Array(total);
      for (let p = 0; p < outPixels; p++)
        for (let c = 0; c < s.c; c++) dBytes[outAt + p * stride + c] = dOut[p * s.c + c];
      device.queue.writeBuffer(deltas, 0, pack(dBytes, 1, total, total, format, total));
      const readA = mk(elem * total, GPUBufferUsage.MAP_READ);
      const readD = mk(elem * total, GPUBufferUsage.MAP_READ);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(k.pipeline);
      pass.setBindGroup(0, bindGroup(device, k, [ctl, uni, acts, deltas]));
      pass.dispatchWorkgroups(Math.ceil((outPixels * stride) / 2 / 256));
      pass.setPipeline(kb.pipeline);
      pass.setBindGroup(0, bindGroup(device, kb, [ctl, uni, acts, deltas]));
      pass.dispatchWorkgroups(Math.ceil((inPixels * stride) / 2 / 256));
      pass.end();
      enc.copyBufferToBuffer(acts, 0, readA, 0, up4(elem * total));
      enc.copyBufferToBuffer(deltas, 0, readD, 0, up4(elem * total));
      device.queue.submit([enc.finish()]);
      await Promise.all([readA.mapAsync(GPUMapMode.READ), readD.mapAsync(GPUMapMode.READ)]);
      const a = readA.getMappedRange().slice(0);
      const d = readD.getMappedRange().slice(0);
      readA.unmap();
      readD.unmap();
      for (const b of [ctl, uni, acts, deltas, readA, readD]) gpu.destroyBuffer(b);
      // The max and the routing are exact (no arithmetic): equal to the reference on the rounded inputs.
      expect(Array.from(unpack(a, outAt, outPixels, s.c, stride, format))).toEqual(
        Array.from(ref.out).map(Math.fround),
      );
      expect(Array.from(unpack(d, 0, inPixels, s.c, stride, format))).toEqual(Array.from(ref.dx).map(Math.fround));
      // Padding channels are zero in both outputs.
      const padOut = unpack(a, outAt, outPixels, stride, stride, format);
      const padIn = unpack(d, 0, inPixels, stride, stride, format);
      for (let p = 0; p < outPixels; p++) for (let c = s.c; c < stride; c++) expect(padOut[p * stride + c]).toBe(0);
      for (let p = 0; p < inPixels; p++) for (let c = s.c; c < stride; c++) expect(padIn[p * stride + c]).toBe(0);
    },
  );
});

/** Runs entry points of one kernel in order on fresh buffers; returns the bytes of the buffers asked for. */
async function dispatchAll(
  kernel: 'pool' | 'depthwise',
  format: StorageFormat,
  uniforms: Uint32Array[],
  buffers: ArrayBuffer[],
  steps: { entry: string; uniform: number; x: number; y?: number }[],
  read: number[],
): Promise<ArrayBuffer[]> {
  const { device } = gpu;
  const made: GPUBuffer[] = [];
  const mk = (size: number, usage: number, data?: ArrayBuffer) => {
    const b = gpu.createBuffer({ size: up4(Math.max(16, size)), usage: usage | GPUBufferUsage.COPY_DST });
    if (data) device.queue.writeBuffer(b, 0, data);
    made.push(b);
    return b;
  };
  const ctlInit = new ArrayBuffer(32);
  new Float32Array(ctlInit, 16, 1)[0] = 1;
  const ctl = mk(32, GPUBufferUsage.STORAGE, ctlInit);
  const storage = buffers.map((b) => mk(b.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, b));
  const unis = uniforms.map((u) => mk(u.byteLength, GPUBufferUsage.UNIFORM, u.buffer as ArrayBuffer));
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (const s of steps) {
    const k = await getKernel(device, { kernel, format, mixed: format !== 'f32', entryPoint: s.entry });
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, bindGroup(device, k, [ctl, unis[s.uniform], ...storage]));
    pass.dispatchWorkgroups(s.x, s.y ?? 1);
  }
  pass.end();
  const reads = read.map((i) => {
    const r = mk(buffers[i].byteLength, GPUBufferUsage.MAP_READ);
    enc.copyBufferToBuffer(storage[i], 0, r, 0, up4(buffers[i].byteLength));
    return r;
  });
  device.queue.submit([enc.finish()]);
  await Promise.all(reads.map((r) => r.mapAsync(GPUMapMode.READ)));
  const out = reads.map((r) => r.getMappedRange().slice(0));
  for (const b of made) gpu.destroyBuffer(b);
  return out;
}

describe('depthwise convolution and global average pool against float64', () => {
  const SHAPES = [
    { label: '2x7x5x3, 3x3 stride 1 pad 1', n: 2, h: 7, w: 5, c: 3, ks: 3, stride: 1, pad: 1 },
    { label: '1x9x8x6, 3x3 stride 2 pad 1', n: 1, h: 9, w: 8, c: 6, ks: 3, stride: 2, pad: 1 },
  ];
  it.each(SHAPES.flatMap((s) => FORMATS.map((format) => [`${format} ${s.label}`, s, format] as const)))(
    '%s',
    async (_label, s, format) => {
      const { oh, ow } = convOut({ ...s, co: s.c });
      const rng = new Rng(s.h * 13 + s.c);
      const stride = up4(s.c);
      const inPixels = s.n * s.h * s.w;
      const outPixels = s.n * oh * ow;
      const taps = s.ks * s.ks;
      const x = round16(
        Float32Array.from({ length: inPixels * s.c }, () => rng.normal()),
        format,
      );
      const w = round16(
        Float32Array.from({ length: taps * s.c }, () => rng.normal() / 3),
        format,
      );
      const b = round16(
        Float32Array.from({ length: s.c }, () => rng.normal() * 0.1),
        format,
      );
      const dOut = round16(
        Float32Array.from({ length: outPixels * s.c }, () => rng.normal()),
        format,
      );
      const y = x.map((t) => Math.max(t, 0));
      const outAt = up4(inPixels * stride);
      const total = outAt + outPixels * stride;
      // acts: the input (its stored ReLU output y) then the forward output; deltas: dIn then dOut.
      const actsBytes = pack(y, inPixels, s.c, stride, format, total);
      const dFlat = new Float32Array(total);
      for (let p = 0; p < outPixels; p++)
        for (let c = 0; c < s.c; c++) dFlat[outAt + p * stride + c] = dOut[p * s.c + c];
      const wRows = new Float32Array((taps + 1) * s.c);
      wRows.set(w);
      wRows.set(b, taps * s.c);
      const dims = (act: number) =>
        new Uint32Array([
          s.n,
          s.h,
          s.w,
          s.c,
          oh,
          ow,
          s.ks,
          s.stride,
          s.pad,
          0,
          stride,
          outAt,
          stride,
          0,
          stride,
          taps * stride,
          act,
          0,
          stride,
          s.pad,
        ]);
      const [acts, deltas, grads] = await dispatchAll(
        'depthwise',
        format,
        [dims(RELU)],
        [
          actsBytes,
          pack(dFlat, 1, total, total, format, total),
          pack(wRows, taps + 1, s.c, stride, format),
          new Float32Array((taps + 1) * stride).buffer,
        ],
        [
          { entry: 'forward', uniform: 0, x: Math.ceil((outPixels * stride) / 512) },
          { entry: 'backward_dx', uniform: 0, x: Math.ceil((inPixels * stride) / 512) },
          { entry: 'backward_dw', uniform: 0, x: stride / 2, y: taps + 1 },
        ],
        [0, 1, 3],
      );
      const ref = depthwiseBackward(s, y, w, dOut);
      expectClose(
        unpack(acts, outAt, outPixels, s.c, stride, format),
        depthwiseForward(s, y, w, b).map((z) => Math.max(z, 0)),
        format,
        'forward',
      );
      expectClose(
        unpack(deltas, 0, inPixels, s.c, stride, format),
        ref.dx.map((g, i) => (y[i] > 0 ? g : 0)),
        format,
        'input gradient',
      );
      expectClose(unpack(grads, 0, taps, s.c, stride, 'grads'), ref.dw, format, 'weight gradient');
      expectClose(unpack(grads, taps * stride, 1, s.c, stride, 'grads'), ref.db, format, 'bias gradient');

      // Global average pool over the same input, and its gradient through the input's ReLU.
      const pooledAt = outAt;
      const dPooled = round16(
        Float32Array.from({ length: s.n * s.c }, () => rng.normal()),
        format,
      );
      const dP = new Float32Array(total);
      for (let n = 0; n < s.n; n++) for (let c = 0; c < s.c; c++) dP[pooledAt + n * stride + c] = dPooled[n * s.c + c];
      const poolDims = new Uint32Array([s.n, s.h, s.w, s.c, 0, stride, pooledAt, stride, RELU, 0, 0, 0]);
      const [pa, pd] = await dispatchAll(
        'pool',
        format,
        [poolDims],
        [actsBytes, pack(dP, 1, total, total, format, total)],
        [
          { entry: 'average', uniform: 0, x: Math.ceil((s.n * stride) / 512) },
          { entry: 'average_backward', uniform: 0, x: Math.ceil((inPixels * stride) / 512) },
        ],
        [0, 1],
      );
      const avg = averagePool(s, y, dPooled);
      expectClose(unpack(pa, pooledAt, s.n, s.c, stride, format), avg.out, format, 'average pool');
      expectClose(
        unpack(pd, 0, inPixels, s.c, stride, format),
        avg.dx.map((g, i) => (y[i] > 0 ? g : 0)),
        format,
        'average pool gradient',
      );
    },
  );
});
