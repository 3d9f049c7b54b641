import type { Rng } from '../rng';

/**
 * Seeded damage to a file's bytes, as a fuzz campaign applies it: bit flips, a stretch
 * overwritten with bytes the format gives meaning to, a cut, a chunk inserted (random, special
 * or copied from elsewhere in the file) or removed. `special` lists the format's meaningful
 * byte strings (quotes, delimiters, brackets, line ends...).
 */
export function mutateBytes(rng: Rng, src: Uint8Array, special: readonly Uint8Array[]): Uint8Array {
  const n = src.length;
  const pick = () => special[rng.int(special.length)];
  switch (rng.int(6)) {
    case 0: {
      const b = src.slice();
      for (let k = 1 + rng.int(8); k > 0; k--) b[rng.int(n)] ^= 1 << rng.int(8);
      return b;
    }
    case 1: {
      // Overwrite a stretch (a field, a length, a few characters) with special bytes.
      const b = src.slice();
      let at = rng.int(n);
      for (let k = 1 + rng.int(4); k > 0 && at < n; k--) {
        const s = pick();
        b.set(s.subarray(0, n - at), at);
        at += s.length + rng.int(16);
      }
      return b;
    }
    case 2:
      return src.slice(0, rng.int(n));
    case 3: {
      const r = rng.int(3);
      let extra: Uint8Array;
      if (r === 0) extra = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256));
      else if (r === 1) extra = pick();
      else {
        const from = rng.int(n);
        extra = src.slice(from, from + 1 + rng.int(256));
      }
      return splice(src, rng.int(n + 1), 0, extra);
    }
    case 4: {
      const at = rng.int(n);
      return splice(src, at, 1 + rng.int(Math.min(256, n - at)), new Uint8Array(0));
    }
    default: {
      // Several small edits at once.
      let b = src;
      for (let k = 2 + rng.int(4); k > 0; k--) b = b.length > 1 ? mutateBytes(rng, b, special) : b;
      return b;
    }
  }
}

/** `src` with `remove` bytes at `at` replaced by `insert`. */
export function splice(src: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length - remove + insert.length);
  out.set(src.subarray(0, at));
  out.set(insert, at);
  out.set(src.subarray(at + remove), at + insert.length);
  return out;
}
