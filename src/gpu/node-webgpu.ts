/**
 * WebGPU in Node through Dawn (npm `webgpu`), set up so tfjs-backend-webgpu registers itself:
 * the WebGPU globals (GPUBufferUsage, ...), `navigator.gpu`, and a `WorkerGlobalScope` shim, all
 * defined BEFORE the backend module is imported (it checks them at import time).
 *
 * Without a GPU, Dawn runs on SwiftShader's Vulkan driver from Debian's Chromium:
 *   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
 * (LD_LIBRARY_PATH only where the system has no libvulkan.so.1). `swiftShaderEnv()` returns those.
 */
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CHROMIUM_LIB = '/usr/lib/chromium';

/** Environment variables that let Dawn use SwiftShader on a machine without a GPU, or {} if unavailable. */
export function swiftShaderEnv(): Record<string, string> {
  if (!existsSync(SWIFTSHADER_ICD)) return {};
  const env: Record<string, string> = { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
  const systemLoader = [
    '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
    '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
    '/usr/lib/libvulkan.so.1',
  ].some(existsSync);
  if (!systemLoader && existsSync(`${CHROMIUM_LIB}/libvulkan.so.1`)) {
    env.LD_LIBRARY_PATH = [CHROMIUM_LIB, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return env;
}

let dawnInstalled: Promise<boolean> | null = null;

/**
 * Installs Dawn as `navigator.gpu` (and the WebGPU globals) without tfjs: what the WGSL engine
 * needs in Node. Resolves false when the npm package "webgpu" does not load.
 */
export function installDawn(dawnOptions: string[] = []): Promise<boolean> {
  dawnInstalled ??= (async () => {
    let dawn: typeof import('webgpu');
    try {
      dawn = await import('webgpu');
    } catch {
      return false;
    }
    const g = globalThis as Record<string, unknown>;
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create(dawnOptions);
    if (!g.navigator) g.navigator = {};
    Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true });
    return true;
  })();
  return dawnInstalled;
}

let installed: Promise<boolean> | null = null;

/**
 * Installs Dawn as `navigator.gpu` and registers tfjs's webgpu backend. Resolves true when Dawn
 * loaded (an adapter may still be missing: `initBackend` probes it and says why).
 */
export function installNodeWebGpu(dawnOptions: string[] = []): Promise<boolean> {
  installed ??= (async () => {
    if (!(await installDawn(dawnOptions))) return false;
    const g = globalThis as Record<string, unknown>;
    // tfjs-backend-webgpu only registers in a window or a worker.
    g.WorkerGlobalScope ??= class WorkerGlobalScope {};
    await import('@tensorflow/tfjs-backend-webgpu');
    return true;
  })();
  return installed;
}

/** Why Dawn found no adapter, with the fix for a GPU-less Debian machine. */
export function noAdapterHint(): string {
  const env = swiftShaderEnv();
  if (!Object.keys(env).length || process.env.VK_ICD_FILENAMES) return '';
  return ` (without a GPU, run with ${Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')})`;
}
