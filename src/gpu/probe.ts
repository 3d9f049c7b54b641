/** The WebGPU adapter probe, on its own so Node bundles (bench/gpu.ts) can use it without the wasm backend. */
import type { Environment } from '../core/train/record';

interface GpuLike {
  requestAdapter(): Promise<{ features: Iterable<string>; info?: { vendor: string; architecture: string } } | null>;
}

/** What the WebGPU adapter offers, or why there is none. */
export async function probeWebGpu(): Promise<
  { adapter: Environment['adapter']; features: string[] } | { reason: string }
> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { reason: 'WebGPU is not available here (navigator.gpu is missing)' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { reason: 'no WebGPU adapter (requestAdapter returned null)' };
  const info = adapter.info ?? { vendor: 'unknown', architecture: 'unknown' };
  return {
    adapter: { vendor: info.vendor || 'unknown', architecture: info.architecture || 'unknown' },
    features: [...adapter.features].sort(),
  };
}
