/**
 * The WGSL engine's forward matmul alone on an n x n x n product (float32, or float16 storage),
 * per matmul variant: TFLOP/s from timestamp queries (wall-clock to onSubmittedWorkDone where
 * the device has none), checked against a float64 product on a few sampled outputs so a fast
 * wrong kernel cannot win. Used by bench/gpu.ts (the goal: f32 n = 4096 at 30 TFLOP/s).
 */
import type { EngineGpu } from '../src/gpu/engine/device';
import { bindGroup, getKernel } from '../src/gpu/engine/pipelines';
import type { StorageFormat } from '../src/gpu/engine/precision';
import {
  MATMUL_VARIANTS,
  variantColumns,
  variantConstants,
  variantRows,
  type MatmulVariant,
} from '../src/gpu/engine/tune';
import { Rng } from '../src/core/data/rng';
import { toHalfBits, fromHalfBits } from '../src/gpu/engine/half';

export interface MatmulResult {
  variant: MatmulVariant;
  format: StorageFormat;
  n: number;
  ms: number;
  tflops: number;
  /** Largest relative error of the sampled outputs against float64. */
  maxRelError: number;
}

function encode(values: Float32Array, format: StorageFormat): ArrayBuffer {
  if (format === 'f32') return values.buffer as ArrayBuffer;
  const halves = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) halves[i] = toHalfBits(values[i]);
  return halves.buffer;
}

/** Times every variant on an n x n x n product; `reps` dispatches per timing, best of 3. */
export async function benchMatmul(
  gpu: EngineGpu,
  n: number,
  format: StorageFormat,
  reps = 10,
): Promise<MatmulResult[]> {
  const { device } = gpu;
  const elem = format === 'f32' ? 4 : 2;
  const rng = new Rng(9);
  const a = Float32Array.from({ length: n * n }, () => rng.normal());
  const b = Float32Array.from({ length: (n + 1) * n }, (_, i) => (i < n * n ? rng.normal() / Math.sqrt(n) : 0));
  const mk = (size: number, usage: number) => gpu.createBuffer({ size, usage });
  const ctl = mk(32, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  const uni = mk(256, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const acts = mk(elem * 2 * n * n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  const w = mk(elem * (n + 1) * n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  const out = mk(elem * n * n, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  const qs = gpu.timestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolve = mk(256, (gpu.timestamps ? GPUBufferUsage.QUERY_RESOLVE : 0) | GPUBufferUsage.COPY_SRC);
  const tsOut = mk(256, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  const ctlInit = new ArrayBuffer(32);
  new Float32Array(ctlInit, 16, 1)[0] = 1;
  device.queue.writeBuffer(ctl, 0, ctlInit);
  device.queue.writeBuffer(acts, 0, encode(a, format));
  device.queue.writeBuffer(w, 0, encode(b, format));
  // C = A x B into the second half of acts; bias row n of w is zeros; no activation.
  device.queue.writeBuffer(uni, 0, new Uint32Array([n, n, n, 0, 0, n, 0, n, n * n, n, n * n, 0, 0, 0, 0, 0]));
  const results: MatmulResult[] = [];
  try {
    for (const variant of MATMUL_VARIANTS) {
      const k = await getKernel(device, {
        kernel: 'forward',
        format,
        mixed: format !== 'f32',
        constants: variantConstants(variant),
        core: variant.core,
      });
      const group = bindGroup(device, k, [ctl, uni, acts, w]);
      const time = async (): Promise<number> => {
        const t0 = performance.now();
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass(
          qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : undefined,
        );
        pass.setPipeline(k.pipeline);
        pass.setBindGroup(0, group);
        for (let i = 0; i < reps; i++)
          pass.dispatchWorkgroups(Math.ceil(n / variantColumns(variant)), Math.ceil(n / variantRows(variant)));
        pass.end();
        if (qs) {
          enc.resolveQuerySet(qs, 0, 2, resolve, 0);
          enc.copyBufferToBuffer(resolve, 0, tsOut, 0, 16);
        }
        device.queue.submit([enc.finish()]);
        if (!qs) {
          await device.queue.onSubmittedWorkDone();
          return (performance.now() - t0) / reps;
        }
        await tsOut.mapAsync(GPUMapMode.READ);
        const ts = new BigUint64Array(tsOut.getMappedRange().slice(0, 16));
        tsOut.unmap();
        return Number(ts[1] - ts[0]) / 1e6 / reps;
      };
      await time();
      const ms = Math.min(await time(), await time(), await time());
      // Check sampled outputs against float64 (inputs rounded as the kernel saw them).
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(acts, elem * n * n, out, 0, elem * n * n);
      device.queue.submit([enc.finish()]);
      await out.mapAsync(GPUMapMode.READ);
      const raw = out.getMappedRange().slice(0);
      out.unmap();
      const got = (i: number) => (format === 'f32' ? new Float32Array(raw)[i] : fromHalfBits(new Uint16Array(raw)[i]));
      const q = (x: number) => (format === 'f32' ? x : fromHalfBits(toHalfBits(x)));
      let maxRelError = 0;
      for (let s = 0; s < 64; s++) {
        const r = rng.int(n);
        const c = rng.int(n);
        let ref = 0;
        let scale = 0;
        for (let kk = 0; kk < n; kk++) {
          ref += q(a[r * n + kk]) * q(b[kk * n + c]);
          scale += Math.abs(q(a[r * n + kk]) * q(b[kk * n + c]));
        }
        maxRelError = Math.max(maxRelError, Math.abs(got(r * n + c) - ref) / Math.max(scale, 1e-30));
      }
      results.push({ variant, format, n, ms, tflops: (2 * n ** 3) / (ms / 1000) / 1e12, maxRelError });
    }
  } finally {
    for (const buf of [ctl, uni, acts, w, out, resolve, tsOut]) gpu.destroyBuffer(buf);
    qs?.destroy();
  }
  return results;
}
