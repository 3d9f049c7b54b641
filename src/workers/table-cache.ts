/**
 * Decoded tables cached by the source file's content hash, so reopening a file skips decoding.
 * OPFS where the browser has it (fast, file-like), IndexedDB where it does not, nothing in Node.
 * Entries are serialised tables (`core/data/table-codec`). Failures to cache are never fatal.
 * The interface the services see is services/cache.ts.
 */
import type { TableCache } from '../services/cache';
import { indexedDbFactory, openDatabase, requested } from './idb';

/**
 * Bumped when the decoders or the serialised layout change, so stale entries are ignored (and
 * their space given back). 2: binary columns read as hashed bytes, run-end encoded Arrow columns,
 * Parquet INTERVAL parts, FLOAT16 under DELTA_BYTE_ARRAY.
 */
export const CACHE_VERSION = 2;

/** The IndexedDB store of this version's entries (older versions' stores are dropped on upgrade). */
const STORE = `tables-v${CACHE_VERSION}`;

const noCache: TableCache = { kind: 'none', get: async () => null, put: async () => undefined };

/** The part of an OPFS directory handle the caches use (also workers/piece-cache-opfs.ts). */
export interface OpfsDir {
  getDirectoryHandle(name: string, opts?: { create?: boolean }): Promise<OpfsDir>;
  removeEntry(name: string, opts?: { recursive?: boolean }): Promise<void>;
  getFileHandle(
    name: string,
    opts?: { create?: boolean },
  ): Promise<{
    getFile(): Promise<Blob>;
    createWritable(): Promise<{ write(data: BufferSource): Promise<void>; close(): Promise<void> }>;
  }>;
}

async function opfsCache(): Promise<TableCache | null> {
  const storage = (globalThis.navigator as { storage?: { getDirectory?: () => Promise<OpfsDir> } } | undefined)
    ?.storage;
  if (!storage?.getDirectory) return null;
  try {
    const root = await storage.getDirectory();
    // Older versions' entries are never read again: give their space back (best effort).
    for (let v = 1; v < CACHE_VERSION; v++) await root.removeEntry(`tables-v${v}`, { recursive: true }).catch(() => {});
    const dir = await root.getDirectoryHandle(`tables-v${CACHE_VERSION}`, { create: true });
    return {
      kind: 'opfs',
      async get(key) {
        try {
          const file = await (await dir.getFileHandle(`${key}.tbt`)).getFile();
          return await file.arrayBuffer();
        } catch {
          return null;
        }
      },
      async put(key, bytes) {
        const w = await (await dir.getFileHandle(`${key}.tbt`, { create: true })).createWritable();
        await w.write(bytes as BufferSource);
        await w.close();
      },
    };
  } catch {
    return null;
  }
}

function idbCache(): TableCache | null {
  const factory = indexedDbFactory();
  if (!factory) return null;
  const run = <T>(mode: IDBTransactionMode, what: string, f: (s: IDBObjectStore) => IDBRequest<T>) =>
    openDatabase(factory, 'trainbench-tables', CACHE_VERSION, { [STORE]: undefined }, true).then((db) =>
      requested(f(db.transaction(STORE, mode).objectStore(STORE)), what),
    );
  return {
    kind: 'indexeddb',
    get: (key) =>
      run<ArrayBuffer | undefined>('readonly', 'reading a cached table', (s) => s.get(key)).then(
        (v) => v ?? null,
        () => null,
      ),
    put: (key, bytes) =>
      run('readwrite', 'caching a table', (s) => s.put(bytes.slice().buffer, key)).then(() => undefined),
  };
}

/** The best cache this environment offers. */
export async function openTableCache(): Promise<TableCache> {
  return (await opfsCache()) ?? idbCache() ?? noCache;
}
