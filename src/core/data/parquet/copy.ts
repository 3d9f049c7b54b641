/**
 * Copies `n` literal bytes of `src` from `from` to `dst` at `at`: a plain loop for short runs
 * (cheaper than making a subarray), `set` for the rest. For the LZ-style decoders.
 */
export function copyLiterals(dst: Uint8Array, at: number, src: Uint8Array, from: number, n: number): void {
  if (n < 16) {
    for (let i = 0; i < n; i++) dst[at + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, from + n), at);
  }
}
