/**
 * Compute pipelines of the WGSL engine, with explicit bind group layouts (so a binding that a
 * specialised kernel happens not to read is still part of its layout), compiled once per device
 * and kept for the next run.
 */
import { kernelSource, type KernelName, type MatmulCore, type StorageFormat } from './precision';

type BindingKind = 'storage' | 'read-only-storage' | 'uniform';

const S: BindingKind = 'storage';
const R: BindingKind = 'read-only-storage';
const U: BindingKind = 'uniform';

/** Each kernel family's bindings in order (binding 0 is always the control block). */
export const BINDINGS: Record<KernelName, BindingKind[]> = {
  forward: [S, U, S, R],
  'backward-dx': [S, U, S, R, R],
  'backward-dw': [S, U, R, R, S],
  'conv-forward': [S, U, S, R, U],
  'conv-dx': [S, U, S, R, R, U],
  'conv-dw': [S, U, R, R, S, U],
  pool: [S, U, S, S],
  depthwise: [S, U, S, S, R, S],
  loss: [S, U, R, R, S, S],
  optimizer: [S, U, S, R, S, R, S, R],
  norm: [S, U, R, S, R],
  scaler: [S],
  convert: [S, U, R, S],
  prepare: [S, U, R, R, S],
  'sparse-forward': [S, U, S, R, R, R],
  'sparse-dx': [S, U, S, R, R, R, R],
  'sparse-dw': [S, U, R, R, S, R, U],
  'reduce-splits': [S, U, R, S],
};

/** Where the weight-gradient kernels bind the gradients (a split product binds its partial sums there). */
export const GRADS_BINDING = 4;

export interface PipelineKey {
  kernel: KernelName;
  format: StorageFormat;
  mixed: boolean;
  entryPoint?: string;
  constants?: Record<string, number>;
  /** Matmul-shaped kernels: which core (default tiled). */
  core?: MatmulCore;
  /** Weight gradients: the split-K epilogue (partial sums per K slice; see reduce-splits.wgsl). */
  split?: boolean;
}

export interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  kernel: KernelName;
}

const cache = new WeakMap<GPUDevice, Map<string, Promise<Kernel>>>();

/** The pipeline for `key` on `device`, compiled on first use (a WGSL error names the kernel). */
export function getKernel(device: GPUDevice, key: PipelineKey): Promise<Kernel> {
  let perDevice = cache.get(device);
  if (!perDevice) cache.set(device, (perDevice = new Map()));
  const id = JSON.stringify([
    key.kernel,
    key.format,
    key.mixed,
    key.entryPoint ?? 'main',
    key.constants ?? {},
    key.core ?? 'tiled',
    key.split ?? false,
  ]);
  let k = perDevice.get(id);
  if (!k) {
    k = compile(device, key);
    perDevice.set(id, k);
    k.catch(() => perDevice.delete(id));
  }
  return k;
}

async function compile(device: GPUDevice, key: PipelineKey): Promise<Kernel> {
  const code = kernelSource(key.kernel, key.format, key.mixed, key.core, key.split);
  const layout = device.createBindGroupLayout({
    label: key.kernel,
    entries: BINDINGS[key.kernel].map((type, binding) => ({
      binding,
      visibility: 0x4 /* GPUShaderStage.COMPUTE */,
      buffer: { type },
    })),
  });
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: key.kernel, code });
  const compiled = await module.getCompilationInfo();
  const errors = compiled.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    await device.popErrorScope();
    throw new Error(
      `WGSL kernel ${key.kernel} (${key.format}) does not ` +
        `compile: ${errors.map((m) => `line ${m.lineNum}: ${m.message}`).join('; ')}`,
    );
  }
  let pipeline: GPUComputePipeline | null = null;
  let failure: string | null = null;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: `${key.kernel}/${key.format}${key.mixed ? '/mixed' : ''}`,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: key.entryPoint ?? 'main', constants: key.constants },
    });
  } catch (e) {
    failure = (e as Error).message;
  }
  const err = await device.popErrorScope();
  if (err || failure || !pipeline)
    throw new Error(`WGSL kernel ${key.kernel} (${key.format}): ${err?.message ?? failure}`);
  return { pipeline, layout, kernel: key.kernel };
}

/** A bind group for a kernel: entry i binds buffer i (a whole buffer, or a range). */
export function bindGroup(
  device: GPUDevice,
  k: Kernel,
  buffers: (GPUBuffer | { buffer: GPUBuffer; offset: number; size: number })[],
): GPUBindGroup {
  if (buffers.length !== BINDINGS[k.kernel].length)
    throw new Error(`${k.kernel} takes ${BINDINGS[k.kernel].length} bindings, got ${buffers.length}`);
  return device.createBindGroup({
    layout: k.layout,
    entries: buffers.map((b, binding) => ({ binding, resource: 'buffer' in b ? b : { buffer: b } })),
  });
}
