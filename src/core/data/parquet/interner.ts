/**
 * Assigns dense int32 codes to byte strings without building a JS string per value: an
 * open-addressing hash table over the bytes, with each distinct value decoded to a string
 * once at the end.
 */
const utf8 = new TextDecoder();

/** Interns byte strings into codes 0, 1, 2, ... in order of first appearance. */
export class ByteInterner {
  private arena = new Uint8Array(1024);
  private arenaUsed = 0;
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private hashes = new Int32Array(64);
  private table = new Int32Array(128); // code + 1; 0 = empty
  private mask = 127;
  /** Number of distinct values so far. */
  size = 0;

  /** The code of bytes[start, start + length), adding it when new. */
  intern(bytes: Uint8Array, start: number, length: number): number {
    let h = 0x811c9dc5 ^ length;
    for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[start + i], 0x01000193);
    const arena = this.arena;
    let slot = h & this.mask;
    for (;;) {
      const entry = this.table[slot];
      if (entry === 0) break;
      const code = entry - 1;
      if (this.hashes[code] === h && this.lengths[code] === length) {
        const s = this.starts[code];
        let same = true;
        for (let i = 0; i < length; i++) {
          if (arena[s + i] !== bytes[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return code;
      }
      slot = (slot + 1) & this.mask;
    }
    return this.add(bytes, start, length, h, slot);
  }

  private add(bytes: Uint8Array, start: number, length: number, h: number, slot: number): number {
    const code = this.size++;
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
    }
    this.arena.set(bytes.subarray(start, start + length), this.arenaUsed);
    if (code >= this.starts.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
      this.hashes = grow(this.hashes);
    }
    this.starts[code] = this.arenaUsed;
    this.lengths[code] = length;
    this.hashes[code] = h;
    this.arenaUsed += length;
    this.table[slot] = code + 1;
    if (this.size * 2 > this.table.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let code = 0; code < this.size; code++) {
      let slot = this.hashes[code] & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = code + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** The distinct values as strings, in code order (UTF-8 decoded once each, unless `text` says otherwise). */
  strings(text: (bytes: Uint8Array) => string = (b) => utf8.decode(b)): string[] {
    const out = new Array<string>(this.size);
    for (let code = 0; code < this.size; code++) {
      const s = this.starts[code];
      out[code] = text(this.arena.subarray(s, s + this.lengths[code]));
    }
    return out;
  }
}
