/**
 * Picks the tfjs backend: the preferred one, then the fallback chain webgpu -> webgl -> wasm -> cpu,
 * and says why a backend was skipped. Also probes the WebGPU adapter (vendor, architecture,
 * features) so every result records where it ran.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Environment } from '../core/train/record';
import { ConfigError } from '../core/train/errors';
import type { ModelSpec, ModelType } from '../core/train/model';
import { GpuError } from './errors';
import { probeWebGpu } from './probe';
import { registerWasm } from './wasm';

export { probeWebGpu } from './probe';

const CHAIN: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    if (name === 'wasm') await registerWasm();
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
  throw new GpuError(`no tfjs backend could start: ${reasons.join('; ')}`);
}

/**
 * Gradient kernels each model needs beyond an MLP's (tfjs-backend-wasm 4.22 lacks the convolution filter gradients).
 */
const MODEL_KERNELS: Record<ModelType, string[]> = {
  mlp: [],
  cnn: ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPool', 'MaxPoolGrad'],
  dscnn: [
    'Conv2D',
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'DepthwiseConv2dNative',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
  ],
};

/** Refuses (ConfigError on `backend`) a model whose training kernels the active backend does not have. */
export function checkBackendSupports(model: ModelSpec): void {
  const backend = tf.getBackend();
  const missing = MODEL_KERNELS[model.type].filter((k) => !tf.getKernel(k, backend));
  if (missing.length) {
    throw new ConfigError(
      'backend',
      `the ${backend} backend cannot train a ${model.type} (no ${missing.join(', ')} kernel); use webgpu, webgl or cpu`,
    );
  }
}
