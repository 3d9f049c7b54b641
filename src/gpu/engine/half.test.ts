/**
 * Float16: the TypeScript reference against itself over every bit pattern and against known
 * values; then the GPU's pack2x16float / unpack2x16float as the engine uses them (the convert
 * kernel in the packed format, with its overflow guard) against that reference, subnormals and
 * values beyond 65504 included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/data/rng';
import type { EngineGpu } from './device';
import { fromHalfBits, toHalfBits } from './half';
import { bindGroup, getKernel } from './pipelines';
import { testGpu } from './test-support';

describe('the float16 reference', () => {
  it('round-trips every finite bit pattern', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalfBits(h);
      if (Number.isNaN(v)) continue;
      expect(toHalfBits(v)).toBe(h);
    }
  });

  it('rounds to nearest even, overflows to infinity past 65519.99, and knows the subnormals', () => {
    expect(fromHalfBits(0x7bff)).toBe(65504);
    expect(toHalfBits(65519)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00);
    expect(fromHalfBits(0x0001)).toBe(2 ** -24);
    expect(toHalfBits(2 ** -25)).toBe(0); // a tie: to even (zero)
    expect(toHalfBits(1.5 * 2 ** -24)).toBe(2); // a tie between 1 and 2 units: to even (2)
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie below: stays 1
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie above: to even
    expect(toHalfBits(-0)).toBe(0x8000);
    expect(toHalfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(fromHalfBits(0x3555)).toBeCloseTo(1 / 3, 3);
  });
});

describe('pack2x16float on the GPU, through the engine convert kernel (packed, mixed)', () => {
  let gpu: EngineGpu;
  beforeAll(async () => {
    gpu = await testGpu();
  });
  afterAll(() => gpu?.device.destroy());

  async function pack(values: Float32Array): Promise<{ halves: Uint16Array; overflow: number }> {
    const { device } = gpu;
    const n = values.length; // even
    const k = await getKernel(device, { kernel: 'convert', format: 'packed', mixed: true });
    const mk = (size: number, usage: number) => device.createBuffer({ size: Math.max(16, size), usage });
    const ctl = mk(32, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    const uni = mk(32, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const src = mk(4 * n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const dst = mk(2 * n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const out = mk(2 * n + 32, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    device.queue.writeBuffer(ctl, 0, new Uint32Array(8));
    device.queue.writeBuffer(uni, 0, new Uint32Array([1, n, 0, n, 0, n, 0, 0]));
    device.queue.writeBuffer(src, 0, values);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, bindGroup(device, k, [ctl, uni, src, dst]));
    pass.dispatchWorkgroups(Math.ceil(n / 2 / 256));
    pass.end();
    enc.copyBufferToBuffer(dst, 0, out, 0, 2 * n);
    enc.copyBufferToBuffer(ctl, 0, out, 2 * n, 32);
    device.queue.submit([enc.finish()]);
    await out.mapAsync(GPUMapMode.READ);
    const bytes = out.getMappedRange().slice(0);
    out.unmap();
    for (const b of [ctl, uni, src, dst, out]) b.destroy();
    return { halves: new Uint16Array(bytes, 0, n), overflow: new Uint32Array(bytes, 2 * n, 1)[0] };
  }

  it('matches the reference on normals of every scale, subnormals and the range edges', async () => {
    const rng = new Rng(11);
    const vals: number[] = [];
    for (let e = -30; e <= 15; e++)
      for (let i = 0; i < 40; i++) vals.push(Math.max(-65504, Math.min(65504, rng.normal() * 2 ** e)));
    for (let k = 1; k < 1024; k += 37) vals.push(k * 2 ** -24, -k * 2 ** -24, (k + 0.5) * 2 ** -24);
    vals.push(0, -0, 6.103515625e-5, 65504, -65504, 65519, 2 ** -24, 2 ** -25, 1 / 3, 0.1);
    if (vals.length % 2) vals.push(1);
    const { halves, overflow } = await pack(Float32Array.from(vals));
    expect(overflow).toBe(0);
    const f32 = Float32Array.from(vals);
    let subnormalsFlushed = 0;
    for (let i = 0; i < vals.length; i++) {
      const want = toHalfBits(f32[i]);
      if (halves[i] !== want && (want & 0x7c00) === 0 && (halves[i] & 0x7fff) === 0) {
        subnormalsFlushed++;
        continue;
      }
      expect(halves[i], `value ${f32[i]}`).toBe(want);
    }
    // WGSL lets an implementation flush float16 subnormals to zero; note it, never more than them.
    expect(subnormalsFlushed).toBeLessThanOrEqual(vals.filter((v) => Math.abs(v) < 6.103515625e-5 && v !== 0).length);
  });

  it('flags what float16 cannot hold and stores it clamped: 65520, 1e6, infinity, NaN', async () => {
    for (const bad of [65520, -1e6, Infinity, NaN]) {
      const { halves, overflow } = await pack(Float32Array.from([bad, 1]));
      expect(overflow, `value ${bad}`).toBe(1);
      expect(fromHalfBits(halves[0])).toBe(Number.isNaN(bad) ? 0 : Math.sign(bad) * 65504);
      expect(fromHalfBits(halves[1])).toBe(1);
    }
  });
});
