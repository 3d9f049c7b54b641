/**
 * Registers tfjs's wasm backend. In a browser bundle its .wasm binaries are served by Vite from
 * the package (see wasm-paths.ts); in Node the package loads them from its own folder.
 * Multithreading is off: the threaded build would start its own workers from inside the
 * trainer worker, and one thread beside the data worker is what the fallback needs.
 */
import * as tf from '@tensorflow/tfjs';

const inNode = typeof process !== 'undefined' && !!process.versions?.node;

export async function registerWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!inNode) {
    const { wasmPaths } = await import('./wasm-paths');
    wasm.setWasmPaths(wasmPaths);
  }
}
