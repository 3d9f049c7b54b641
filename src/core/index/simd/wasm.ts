/**
 * Compiling and instantiating the hand-written WebAssembly kernels (scan.wat, hash.wat) where
 * the runtime has WebAssembly with fixed-width SIMD; null elsewhere, and callers keep their
 * scalar path. Core compiles without the DOM library, which is where TypeScript declares
 * WebAssembly although Node, browsers and workers all have it: hence the small interface.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}
export type WasmModule = object;
/** A mutable or constant WebAssembly global, as JS sees it. */
export interface WasmGlobal {
  readonly value: number;
}

export const WASM_PAGE = 65536;

const api = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
const compiled = new Map<Uint8Array, WasmModule | null>();

/** The compiled module for `bytes` (cached), or null where WebAssembly SIMD is missing. */
export function compileKernel(bytes: Uint8Array): WasmModule | null {
  if (compiled.has(bytes)) return compiled.get(bytes)!;
  const wasm = api();
  let module: WasmModule | null = null;
  try {
    module = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    module = null;
  }
  compiled.set(bytes, module);
  return module;
}

/** An instance of `module` over a fresh memory of `bytes` bytes (rounded up to whole pages). */
export function instantiate(
  module: WasmModule,
  bytes: number,
): { exports: Record<string, unknown>; memory: ArrayBuffer } {
  const wasm = api()!;
  const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE)) });
  const instance = new wasm.Instance(module, { env: { memory } });
  return { exports: instance.exports, memory: memory.buffer };
}
