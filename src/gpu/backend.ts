/**
 * Picks the tfjs backend: the preferred one, then the fallback chain webgpu -> webgl -> cpu,
 * and says why a backend was skipped. Also probes the WebGPU adapter (vendor, architecture,
 * features) so every result records where it ran.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Environment } from '../core/train/record';

const CHAIN: BackendName[] = ['webgpu', 'webgl', 'cpu'];

interface GpuLike {
  requestAdapter(): Promise<{ features: Iterable<string>; info?: { vendor: string; architecture: string } } | null>;
}

/** What the WebGPU adapter offers, or why there is none. */
export async function probeWebGpu(): Promise<{ adapter: Environment['adapter']; features: string[] } | { reason: string }> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { reason: 'WebGPU is not available here (navigator.gpu is missing)' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { reason: 'no WebGPU adapter (requestAdapter returned null)' };
  const info = adapter.info ?? { vendor: 'unknown', architecture: 'unknown' };
  return { adapter: { vendor: info.vendor || 'unknown', architecture: info.architecture || 'unknown' }, features: [...adapter.features].sort() };
}

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.findBackendFactory(name)) return `the ${name} backend is not registered here`;
    const ok = await tf.setBackend(name);
    if (!ok) return `the ${name} backend failed to initialise`;
    await tf.ready();
    return null;
  } catch (e) {
    return `the ${name} backend failed: ${(e as Error).message}`;
  }
}

/** A runtime label such as `chrome 156` or `node 20`. */
export function runtimeLabel(): string {
  const ua = globalThis.navigator?.userAgent ?? '';
  const chrome = /Chrom(?:e|ium)\/(\d+)/.exec(ua);
  if (chrome) return `chrome ${chrome[1]}`;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) return `node ${proc.versions.node.split('.')[0]}`;
  return ua || 'unknown';
}

/** Sets up the preferred backend or the first that works after it; returns the environment. */
export async function initBackend(preferred: BackendName): Promise<Environment> {
  const order = [preferred, ...CHAIN.filter((b) => b !== preferred && CHAIN.indexOf(b) > CHAIN.indexOf(preferred))];
  const reasons: string[] = [];
  let probe: Awaited<ReturnType<typeof probeWebGpu>> | null = null;
  for (const name of order) {
    if (name === 'webgpu') {
      probe = await probeWebGpu();
      if ('reason' in probe) {
        reasons.push(probe.reason);
        continue;
      }
    }
    const why = await tryBackend(name);
    if (why) {
      reasons.push(why);
      continue;
    }
    const gpuInfo = probe && !('reason' in probe) && name === 'webgpu' ? probe : null;
    return {
      runtime: runtimeLabel(),
      adapter: gpuInfo?.adapter ?? null,
      features: gpuInfo?.features ?? [],
      f16Path: 'none',
      backend: name,
      fallbackReason: reasons.length ? reasons.join('; ') : null,
    };
  }
  throw new Error(`no tfjs backend could start: ${reasons.join('; ')}`);
}
