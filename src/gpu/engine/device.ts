/**
 * The WGSL engine's own GPUDevice (not tfjs's): requested with `shader-f16` and
 * `timestamp-query` where the adapter has them, every buffer counted (a test holds created ==
 * destroyed), and the loss of the device turned into a message the run fails with.
 */
import type { Environment } from '../../core/train/record';

export interface EngineGpu {
  device: GPUDevice;
  adapter: NonNullable<Environment['adapter']>;
  /** Adapter features, sorted (recorded with every run). */
  adapterFeatures: string[];
  /** `shader-f16` was granted: the native float16 path can run. */
  f16: boolean;
  /**
   * The adapter is a CPU implementation (SwiftShader, lavapipe/llvmpipe, or any fallback
   * adapter): the start-up tuning leaves out the variants built only for GPUs there.
   */
  cpu: boolean;
  /** `timestamp-query` was granted: steps can be timed on the GPU. */
  timestamps: boolean;
  /** Why the device was lost, once it was; null while it works. */
  lost: string | null;
  /** Buffers created and destroyed through {@link createBuffer} (leak accounting). */
  counters: { created: number; destroyed: number; bytes: number };
  createBuffer(desc: GPUBufferDescriptor): GPUBuffer;
  destroyBuffer(buffer: GPUBuffer): void;
}

type GpuLike = Pick<GPU, 'requestAdapter'>;

/** The WebGPU entry point of this runtime (browser, worker, or Node with Dawn installed), or null. */
export function webgpu(): GpuLike | null {
  return (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu ?? null;
}

/**
 * Opens a device for the engine, or says why none can be had. `allowF16: false` leaves
 * `shader-f16` off even where the adapter has it (to run the packed path on such an adapter).
 */
export async function openEngineGpu(options: { allowF16?: boolean } = {}): Promise<EngineGpu | { reason: string }> {
  const gpu = webgpu();
  if (!gpu) return { reason: 'WebGPU is not available here (navigator.gpu is missing)' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) return { reason: 'no WebGPU adapter (requestAdapter returned null)' };
  const adapterFeatures = [...adapter.features].map(String).sort();
  const wanted: GPUFeatureName[] = [];
  if (options.allowF16 !== false && adapter.features.has('shader-f16')) wanted.push('shader-f16');
  if (adapter.features.has('timestamp-query')) wanted.push('timestamp-query');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredFeatures: wanted,
      // The adapter's own ceilings for one buffer, so wide layers and large batches fit.
      requiredLimits: {
        maxStorageBuffersPerShaderStage: Math.min(8, adapter.limits.maxStorageBuffersPerShaderStage),
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
  } catch (e) {
    return { reason: `the WebGPU device could not be created: ${(e as Error).message}` };
  }
  const info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } = adapter.info ?? {
    vendor: '',
    architecture: '',
  };
  const counters = { created: 0, destroyed: 0, bytes: 0 };
  const live = new Set<GPUBuffer>();
  const g: EngineGpu = {
    device,
    adapter: { vendor: info.vendor || 'unknown', architecture: info.architecture || 'unknown' },
    adapterFeatures,
    f16: device.features.has('shader-f16'),
    cpu:
      info.isFallbackAdapter === true ||
      /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.device} ${info.description}`),
    timestamps: device.features.has('timestamp-query'),
    lost: null,
    counters,
    createBuffer(desc) {
      const b = device.createBuffer(desc);
      live.add(b);
      counters.created++;
      counters.bytes += desc.size;
      return b;
    },
    destroyBuffer(b) {
      if (!live.delete(b)) return;
      counters.destroyed++;
      counters.bytes -= b.size;
      b.destroy();
    },
  };
  void device.lost.then((info) => {
    g.lost =
      `the GPU device was lost ` +
      `(${info.reason === 'destroyed' ? 'destroyed' : 'the driver or browser reset it'}${info.message ? `: ${info.message}` : ''})`;
  });
  return g;
}
