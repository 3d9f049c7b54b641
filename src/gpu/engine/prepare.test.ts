/**
 * The GPU's batch preparation (wgsl/prepare.wgsl, for `prepareOn: gpu`) against the worker's
 * encoding (src/core/data/encode.ts) of the same table: standardised numbers (missing ones 0),
 * one-hot categorical columns (a missing category all zeros), and image pixels sent as bytes,
 * in f32 (1e-5 of the scale) and packed float16 (its rounding); against its TypeScript twin
 * (prepare.ts) with augmentation; and the augmentation itself against brute force: every row
 * is the image shifted by some offset within the padding (padding pixels reading 0), or
 * mirrored, both kinds occur, and the same seed and step give the same batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/data/rng';
import { encodeTable, type DenseFeature } from '../../core/data/encode';
import { bytesFit, gpuPlan, prepareReference, rawRows, type Augment, type RawRows } from '../../core/data/prepare';
import type { Column, DataTable } from '../../core/data/table';
import type { EngineGpu } from './device';
import { fromHalfBits, toHalfBits } from './half';
import { bindGroup, getKernel } from './pipelines';
import { planWords, prepareDims } from './prepare';
import type { StorageFormat } from './precision';
import { relError, testGpu } from './test-support';

let gpu: EngineGpu;
beforeAll(async () => {
  gpu = await testGpu();
});
afterAll(() => gpu?.device.destroy());

const up4 = (n: number) => Math.ceil(n / 4) * 4;

/** Runs the prepare kernel on `rows` raw rows; returns rows x plan.length features as float32. */
async function prepareOnGpu(
  raw: RawRows,
  rows: number,
  plan: readonly DenseFeature[],
  format: StorageFormat,
  augment?: Augment,
): Promise<Float32Array> {
  const { device } = gpu;
  const k = await getKernel(device, { kernel: 'prepare', format, mixed: format !== 'f32' });
  const stride = up4(plan.length);
  const elem = format === 'f32' ? 4 : 2;
  const made: GPUBuffer[] = [];
  const mk = (size: number, usage: number, data?: ArrayBufferView) => {
    const b = gpu.createBuffer({ size: up4(Math.max(16, size)), usage: usage | GPUBufferUsage.COPY_DST });
    if (data) device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    made.push(b);
    return b;
  };
  const ctl = new Float32Array(8);
  ctl[4] = 1;
  const dims = prepareDims(rows, plan.length, raw, { off: 0, stride }, augment);
  const acts = mk(rows * stride * elem, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const group = bindGroup(device, k, [
    mk(32, GPUBufferUsage.STORAGE, ctl),
    mk(64, GPUBufferUsage.UNIFORM, dims),
    mk(raw.data.byteLength, GPUBufferUsage.STORAGE, raw.data),
    mk(16 * plan.length, GPUBufferUsage.STORAGE, planWords(plan)),
    acts,
  ]);
  const read = mk(rows * stride * elem, GPUBufferUsage.MAP_READ);
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(k.pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(Math.ceil((rows * stride) / 2 / 256));
  pass.end();
  enc.copyBufferToBuffer(acts, 0, read, 0, up4(rows * stride * elem));
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const bytes = read.getMappedRange().slice(0);
  read.unmap();
  for (const b of made) gpu.destroyBuffer(b);
  const all = format === 'f32' ? new Float32Array(bytes) : Float32Array.from(new Uint16Array(bytes), fromHalfBits);
  const out = new Float32Array(rows * plan.length);
  for (let r = 0; r < rows; r++) {
    out.set(all.subarray(r * stride, r * stride + plan.length), r * plan.length);
    // Padding columns are zeros.
    for (let c = plan.length; c < stride; c++) expect(all[r * stride + c]).toBe(0);
  }
  return out;
}

const round16 = (a: Float32Array) => a.map((v) => fromHalfBits(toHalfBits(v)));
const allRows = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** A table of mixed columns: numbers with and without gaps, a few categories with gaps, a label. */
function mixedTable(rows: number): DataTable {
  const rng = new Rng(9);
  const valid = Uint8Array.from({ length: rows }, () => (rng.next() < 0.15 ? 0 : 1));
  const codes = Int32Array.from({ length: rows }, () => (rng.next() < 0.1 ? -1 : Math.floor(rng.next() * 5)));
  const columns: Column[] = [
    {
      kind: 'numeric',
      name: 'a',
      type: 'float',
      values: Float64Array.from({ length: rows }, () => 1000 + 50 * rng.normal()),
      valid: null,
    },
    {
      kind: 'numeric',
      name: 'b',
      type: 'float',
      values: Float64Array.from({ length: rows }, () => rng.normal() * 1e-3),
      valid,
    },
    { kind: 'categorical', name: 'c', type: 'categorical', codes, dictionary: ['p', 'q', 'r', 's', 't'] },
    {
      kind: 'numeric',
      name: 'd',
      type: 'int',
      values: Int32Array.from({ length: rows }, () => Math.floor(rng.next() * 7)),
      valid: null,
    },
    {
      kind: 'categorical',
      name: 'label',
      type: 'categorical',
      codes: Int32Array.from({ length: rows }, (_, i) => i % 3),
      dictionary: ['x', 'y', 'z'],
    },
  ];
  return { name: 'mixed.csv', format: 'csv', rows, columns };
}

/** Images of h x w x c pixels 0..255 as p0..pN columns (a numbered family: one pooled scale). */
function imageTable(rows: number, shape: [number, number, number]): DataTable {
  const rng = new Rng(4);
  const n = shape[0] * shape[1] * shape[2];
  const columns: Column[] = Array.from({ length: n }, (_, p) => ({
    kind: 'numeric' as const,
    name: `p${p}`,
    type: 'int' as const,
    values: Uint8Array.from({ length: rows }, () => (rng.next() < 0.3 ? 0 : Math.floor(rng.next() * 256))),
    valid: null,
  }));
  columns.push({
    kind: 'categorical',
    name: 'digit',
    type: 'categorical',
    codes: Int32Array.from({ length: rows }, (_, i) => i % 4),
    dictionary: ['0', '1', '2', '3'],
  });
  return { name: 'images.arrow', format: 'arrow', rows, columns };
}

const SPLIT = { train: 0.8, val: 0.2, test: 0, seed: 1 };

describe('batches prepared on the GPU', () => {
  // Native float16 too when native-f16.test.ts runs this file again on lavapipe (TRAINBENCH_NATIVE_F16=1).
  const formats: StorageFormat[] = [
    'f32',
    'packed',
    ...(process.env.TRAINBENCH_NATIVE_F16 === '1' ? ['native' as const] : []),
  ];
  it.each(formats)('%s: mixed columns as the worker encodes them', async (format) => {
    const table = mixedTable(75);
    const enc = encodeTable(table, { label: 'label', features: ['a', 'b', 'c', 'd'] }, SPLIT);
    expect(enc.plan.map((p) => p.kind)).toEqual([
      'scale',
      'scale',
      'onehot',
      'onehot',
      'onehot',
      'onehot',
      'onehot',
      'scale',
    ]);
    expect(bytesFit(table, enc)).toBe(false);
    const raw = rawRows(table, enc, allRows(enc.rows), 'words');
    const plan = gpuPlan(enc.plan, 'words');
    const got = await prepareOnGpu(raw, enc.rows, plan, format);
    const want = format === 'f32' ? enc.x : round16(enc.x);
    expect(relError(got, want)).toBeLessThan(format === 'f32' ? 1e-5 : 1e-3);
    // The TypeScript twin agrees with the worker too.
    expect(relError(prepareReference(raw, enc.rows, plan), enc.x)).toBeLessThan(1e-6);
  });

  it('a column near 1e9 that varies by tenths travels centred: the features the worker gives (as raw float32 it kept steps of 64)', async () => {
    const rng = new Rng(4);
    const rows = 60;
    const numeric = (name: string, f: () => number): Column => ({
      kind: 'numeric',
      name,
      type: 'float',
      values: Float64Array.from({ length: rows }, f),
      valid: null,
    });
    const table: DataTable = {
      name: 'stamps.csv',
      format: 'csv',
      rows,
      columns: [
        numeric('stamp', () => 1e9 + rng.int(10) / 10),
        numeric('small', () => rng.normal()),
        {
          kind: 'categorical',
          name: 'label',
          type: 'categorical',
          codes: Int32Array.from({ length: rows }, (_, i) => i % 2),
          dictionary: ['n', 'y'],
        },
      ],
    };
    const enc = encodeTable(table, { label: 'label', features: ['stamp', 'small'] }, SPLIT);
    const raw = rawRows(table, enc, allRows(enc.rows), 'words');
    const plan = gpuPlan(enc.plan, 'words');
    // Only the stamp is centred; bytes never are.
    expect(plan.map((f) => (f.kind === 'scale' ? f.mean : null))).toEqual([0, (enc.plan[1] as { mean: number }).mean]);
    expect(gpuPlan(enc.plan, 'bytes')).toEqual(enc.plan);
    expect(relError(await prepareOnGpu(raw, enc.rows, plan, 'f32'), enc.x)).toBeLessThan(1e-5);
    expect(relError(prepareReference(raw, enc.rows, plan), enc.x)).toBeLessThan(1e-6);
  });

  it('image pixels travel as bytes (a quarter of the words) and give the same features', async () => {
    const shape: [number, number, number] = [5, 6, 3];
    const table = imageTable(40, shape);
    const enc = encodeTable(table, { label: 'digit', features: table.columns.slice(0, 90).map((c) => c.name) }, SPLIT);
    expect(bytesFit(table, enc)).toBe(true);
    const bytes = rawRows(table, enc, allRows(enc.rows), 'bytes');
    const words = rawRows(table, enc, allRows(enc.rows), 'words');
    expect(bytes.data.byteLength * 4).toBeLessThanOrEqual(words.data.byteLength + 4 * enc.rows * 3);
    const got = await prepareOnGpu(bytes, enc.rows, enc.plan, 'f32');
    expect(relError(got, enc.x)).toBeLessThan(1e-5);
    expect(Array.from(await prepareOnGpu(words, enc.rows, enc.plan, 'f32'))).toEqual(Array.from(got));
  });

  it('augmentation: equal to the TypeScript twin, reproducible from the seed, crops and flips as brute force finds them', async () => {
    const shape: [number, number, number] = [6, 7, 2];
    const table = imageTable(64, shape);
    const enc = encodeTable(table, { label: 'digit', features: table.columns.slice(0, 84).map((c) => c.name) }, SPLIT);
    const raw = rawRows(table, enc, allRows(enc.rows), 'bytes');
    const plain = await prepareOnGpu(raw, enc.rows, enc.plan, 'f32');
    const aug: Augment = { shape, pad: 2, flip: true, seed: 123, step: 5 };
    const got = await prepareOnGpu(raw, enc.rows, enc.plan, 'f32', aug);
    expect(relError(got, prepareReference(raw, enc.rows, enc.plan, aug))).toBeLessThan(1e-6);
    expect(Array.from(await prepareOnGpu(raw, enc.rows, enc.plan, 'f32', aug))).toEqual(Array.from(got));
    const other = await prepareOnGpu(raw, enc.rows, enc.plan, 'f32', { ...aug, step: 6 });
    expect(Array.from(other)).not.toEqual(Array.from(got));

    // Brute force: each row is the plain row shifted by (dy, dx) in -2..2 and maybe mirrored.
    const [h, w, c] = shape;
    const F = h * w * c;
    const padValue = (0 - (enc.plan[0] as { mean: number }).mean) / (enc.plan[0] as { std: number }).std;
    const seen = { flipped: 0, plain: 0, shifted: 0 };
    for (let r = 0; r < enc.rows; r++) {
      const row = got.subarray(r * F, (r + 1) * F);
      let match: { dy: number; dx: number; flip: boolean } | null = null;
      for (const flip of [false, true])
        for (let dy = -2; dy <= 2 && !match; dy++)
          for (let dx = -2; dx <= 2 && !match; dx++) {
            let ok = true;
            for (let j = 0; j < F && ok; j++) {
              const y = Math.floor(j / (w * c)) + dy;
              const xo = Math.floor(j / c) % w;
              const x = (flip ? w - 1 - xo : xo) + dx;
              const want = y < 0 || y >= h || x < 0 || x >= w ? padValue : plain[r * F + (y * w + x) * c + (j % c)];
              ok = Math.abs(row[j] - want) <= 1e-5 * Math.max(1, Math.abs(want));
            }
            if (ok) match = { dy, dx, flip };
          }
      expect(match, `row ${r}`).not.toBeNull();
      if (match!.flip) seen.flipped++;
      else seen.plain++;
      if (match!.dy !== 0 || match!.dx !== 0) seen.shifted++;
    }
    expect(seen.flipped).toBeGreaterThan(0);
    expect(seen.plain).toBeGreaterThan(0);
    expect(seen.shifted).toBeGreaterThan(0);
  });
});
