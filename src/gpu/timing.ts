/**
 * GPU time of a training step through tfjs's `time()`: on WebGPU it wraps each kernel's compute
 * pass in timestamp queries (only where the device has `timestamp-query`), on WebGL it uses the
 * disjoint timer query extension. Other backends (cpu, wasm) have no GPU: no timer.
 */
import * as tf from '@tensorflow/tfjs';

/** A timer for the trainer's sampled GPU timing, or undefined where no GPU timer exists. */
export function gpuTimer(): ((f: () => void) => Promise<number>) | undefined {
  const name = tf.getBackend();
  if (name === 'webgpu') {
    const backend = tf.backend() as unknown as { supportTimestampQuery?: boolean };
    if (!backend.supportTimestampQuery) return undefined;
  } else if (name === 'webgl') {
    if (!(tf.env().getNumber('WEBGL_DISJOINT_QUERY_TIMER_EXTENSION_VERSION') > 0)) return undefined;
  } else return undefined;
  return async (f) => {
    const info = await tf.time(f);
    return typeof info.kernelMs === 'number' ? info.kernelMs : NaN;
  };
}
