/** Symmetric int8 quantization per output channel (no tfjs: the ONNX writer uses it too). */

/** The axis of a tensor's output channels (per-channel scales), or null for a bias. */
export function channelAxis(name: string, shape: readonly number[]): number | null {
  if (shape.length === 1) return null;
  // Depthwise kernels [3, 3, channels, 1]: one filter per channel, on axis 2.
  if (name.endsWith('/depthwise')) return 2;
  return shape.length - 1;
}

/** Symmetric int8 per channel along `axis`: the int8 values, one scale per channel, and the values they stand for. */
export function quantizeInt8(values: Float32Array, shape: readonly number[], axis: number) {
  const channels = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const maxAbs = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(values[i]));
  const scales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(values.length);
  const dequantized = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = scales[channelOf(i)];
    q[i] = Math.max(-127, Math.min(127, Math.round(values[i] / s)));
    dequantized[i] = q[i] * s;
  }
  return { q, scales, dequantized };
}
