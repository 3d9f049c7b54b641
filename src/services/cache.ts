/**
 * Where the decode and data services keep decoded tables, by the source file's content hash, so
 * reopening a file skips decoding. The browser's cache (OPFS or IndexedDB) is workers/table-cache.ts;
 * in Node there is none. Failures to cache are never fatal.
 */
export interface TableCache {
  readonly kind: 'opfs' | 'indexeddb' | 'none';
  get(key: string): Promise<ArrayBuffer | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}
