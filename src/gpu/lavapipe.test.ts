/**
 * Dawn on Mesa 25's lavapipe exposes `shader-f16`, and an `enable f16;` kernel runs there.
 * Needs .cache/lavapipe (scripts/ensure-lavapipe.sh, run by `npm run test:unit`); skipped without it.
 * Runs in a child process: LD_LIBRARY_PATH only reaches a process started with it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lavapipeEnv } from './lavapipe-env';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Inputs whose f16 roundings multiply to a value exact in f16 AND in f32: the answer is the same
// whether the driver computes the product in f16 or (as lavapipe does) at f32 precision. 0.1 and
// 1000.3 and 3.14159 are not f16 values, so the output shows the inputs were rounded to f16.
const PAIRS = [
  [1.5, 2],
  [0.1, 4],
  [-2.25, 3],
  [1000.3, 0.5],
  [3.14159, 1],
];
const EXPECTED = [3, 0.39990234375, -6.75, 500.25, 3.140625];

const CHILD = `
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
// Keep the instance referenced: if it is collected, pending callbacks (mapAsync) crash Dawn.
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) { console.log(JSON.stringify({ adapter: null })); process.exit(0); }
const { vendor, architecture, device: dev, description } = adapter.info;
const report = { info: { vendor, architecture, device: dev, description }, features: [...adapter.features] };
if (adapter.features.has('shader-f16')) {
  const device = await adapter.requestDevice({ requiredFeatures: ['shader-f16'] });
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: \`
    enable f16;
    @group(0) @binding(0) var<storage, read> xy: array<vec2f>;
    @group(0) @binding(1) var<storage, read_write> out: array<f32>;
    @compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) {
      out[id.x] = f32(f16(xy[id.x].x) * f16(xy[id.x].y));
    }\` });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const pairs = ${JSON.stringify(PAIRS)};
  const input = device.createBuffer({ size: pairs.length * 8, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(input, 0, new Float32Array(pairs.flat()));
  const output = device.createBuffer({ size: pairs.length * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readback = device.createBuffer({ size: pairs.length * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [
    { binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: output } }] });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(pairs.length);
  pass.end();
  encoder.copyBufferToBuffer(output, 0, readback, 0, pairs.length * 4);
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) report.error = error.message;
  await readback.mapAsync(GPUMapMode.READ);
  report.result = [...new Float32Array(readback.getMappedRange().slice(0))];
  readback.unmap();
  device.destroy();
}
console.log(JSON.stringify(report));
process.exit(0);
`;

describe('lavapipe (Mesa 25) through Dawn', () => {
  it.skipIf(!lavapipeEnv())('exposes shader-f16 and runs an `enable f16;` kernel', () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: ROOT,
      env: { ...process.env, ...lavapipeEnv() },
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
    expect(report.info?.vendor, child.stdout).toBe('mesa');
    expect(report.info.description).toMatch(/llvmpipe/);
    expect(report.features).toContain('shader-f16');
    expect(report.error).toBeUndefined();
    expect(report.result).toEqual(EXPECTED);
  });
});
