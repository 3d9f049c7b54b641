/**
 * Input bytes as a plain Uint8Array. Node's Buffer is a Uint8Array whose `slice` returns a
 * view, not a copy (and small files share one pooled ArrayBuffer at an odd offset), so a reader
 * that copies with `slice` and then takes `.buffer` would read the wrong bytes or fail on
 * alignment. Every public reader entry normalises its input through this first.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
