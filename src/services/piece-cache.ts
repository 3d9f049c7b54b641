/**
 * The cache of a streamed file's pieces (decoded row groups or record batches of the columns a
 * run reads), so the epochs after the first read the cache, not the source (issue 16). Each
 * dataset is a folder of pieces; an index records each dataset's bytes and when it was last used.
 * The cache has a size limit: storing a piece first evicts the least recently used other
 * datasets until it fits, and a piece that cannot fit is simply not cached (that epoch reads it
 * from the file again). Failures to cache are never fatal: a piece that cannot be read back is a miss.
 *
 * The storage is a `PieceDir` (OPFS in the browser, see workers/piece-cache-opfs.ts; memory in tests).
 */

/** Where pieces lie: flat names in one folder. */
export interface PieceDir {
  read(name: string): Promise<ArrayBuffer | null>;
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** Removes every entry whose name starts with `prefix`. */
  removePrefix(prefix: string): Promise<void>;
}

interface DatasetEntry {
  bytes: number;
  lastUsed: number;
  /** Pieces stored, by index. */
  pieces: number[];
}

/** The default limit: 2 GiB (less where the browser grants less, see `openPieceCache`). */
export const PIECE_CACHE_BYTES = 2 * 2 ** 30;

const INDEX = 'index.json';

export interface PieceCache {
  get(dataset: string, piece: number): Promise<ArrayBuffer | null>;
  /** Stores a piece; false when it does not fit under the limit, even with every other dataset evicted. */
  put(dataset: string, piece: number, bytes: Uint8Array): Promise<boolean>;
  /** Datasets cached, most recently used first, with their bytes. */
  datasets(): Promise<{ key: string; bytes: number }[]>;
  readonly limit: number;
}

/** A piece cache over `dir` holding at most `limit` bytes; `now` is the clock (tests pass their own). */
export function createPieceCache(dir: PieceDir, limit: number, now: () => number = Date.now): PieceCache {
  let index: Map<string, DatasetEntry> | null = null;
  let clock = 0;
  // Uses are ordered even when the clock does not move between two of them.
  const tick = () => (clock = Math.max(now(), clock + 1));
  const load = async (): Promise<Map<string, DatasetEntry>> => {
    if (index) return index;
    index = new Map();
    try {
      const raw = await dir.read(INDEX);
      const parsed = raw ? (JSON.parse(new TextDecoder().decode(raw)) as Record<string, DatasetEntry>) : {};
      for (const [key, e] of Object.entries(parsed))
        if (
          /^[0-9a-f]{16,64}$/.test(key) &&
          Number.isSafeInteger(e.bytes) &&
          Number.isFinite(e.lastUsed) &&
          Array.isArray(e.pieces)
        )
          index.set(key, { bytes: e.bytes, lastUsed: e.lastUsed, pieces: e.pieces.filter(Number.isSafeInteger) });
    } catch {
      // An unreadable index: start empty (the stale pieces are overwritten or evicted as names come up).
    }
    clock = Math.max(0, ...[...index.values()].map((e) => e.lastUsed));
    return index;
  };
  const save = async () => {
    await dir.write(INDEX, new TextEncoder().encode(JSON.stringify(Object.fromEntries(index!))));
  };
  const used = () => [...index!.values()].reduce((t, e) => t + e.bytes, 0);
  const name = (dataset: string, piece: number) => `${dataset}-${piece}.tbt`;
  return {
    limit,
    async get(dataset, piece) {
      const idx = await load();
      const e = idx.get(dataset);
      if (!e || !e.pieces.includes(piece)) return null;
      const bytes = await dir.read(name(dataset, piece)).catch(() => null);
      if (!bytes) return null;
      // The use is saved (the index is small): the order of last uses outlives this page.
      e.lastUsed = tick();
      await save().catch(() => undefined);
      return bytes;
    },
    async put(dataset, piece, bytes) {
      const idx = await load();
      if (bytes.length > limit) return false;
      let e = idx.get(dataset);
      if (e?.pieces.includes(piece)) return true;
      // Evict the least recently used other datasets until the piece fits.
      const others = [...idx.entries()].filter(([k]) => k !== dataset).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
      while (used() + bytes.length > limit && others.length) {
        const [k] = others.shift()!;
        idx.delete(k);
        await dir.removePrefix(`${k}-`).catch(() => undefined);
      }
      if (used() + bytes.length > limit) return false;
      try {
        await dir.write(name(dataset, piece), bytes);
      } catch {
        return false;
      }
      if (!e) idx.set(dataset, (e = { bytes: 0, lastUsed: 0, pieces: [] }));
      e.bytes += bytes.length;
      e.pieces.push(piece);
      e.lastUsed = tick();
      await save().catch(() => undefined);
      return true;
    },
    async datasets() {
      const idx = await load();
      return [...idx.entries()]
        .sort((a, b) => b[1].lastUsed - a[1].lastUsed)
        .map(([key, e]) => ({ key, bytes: e.bytes }));
    },
  };
}

/** A PieceDir in memory (tests; and where no browser storage exists, a cache of nothing is used instead). */
export function memoryPieceDir(): PieceDir & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    read: async (n) => {
      const f = files.get(n);
      return f ? (f.slice().buffer as ArrayBuffer) : null;
    },
    write: async (n, b) => {
      files.set(n, b.slice());
    },
    removePrefix: async (p) => {
      for (const k of [...files.keys()]) if (k.startsWith(p)) files.delete(k);
    },
  };
}
