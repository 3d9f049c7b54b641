/**
 * The folder of streamed files' cached pieces (services/piece-cache.ts) in the Origin Private
 * File System; null where the browser has none (then streamed files are not cached).
 */
import { createPieceCache, PIECE_CACHE_BYTES, type PieceCache, type PieceDir } from '../services/piece-cache';
import type { OpfsDir } from './table-cache';

/** A directory handle that also lists its entries. */
interface Dir extends OpfsDir {
  getDirectoryHandle(name: string, opts?: { create?: boolean }): Promise<Dir>;
  keys(): AsyncIterable<string>;
}

/** Bumped when the pieces' layout (table-codec) or the readers change. */
export const PIECES_VERSION = 1;

/** The cache in this origin's OPFS, holding at most `maxBytes` (the default limit, or half the quota when less). */
export async function openPieceCache(maxBytes = PIECE_CACHE_BYTES): Promise<PieceCache | null> {
  const nav = globalThis.navigator as
    { storage?: { getDirectory?: () => Promise<Dir>; estimate?: () => Promise<{ quota?: number }> } } | undefined;
  const storage = nav?.storage;
  if (!storage?.getDirectory) return null;
  try {
    const root = await storage.getDirectory();
    const d = await root.getDirectoryHandle(`pieces-v${PIECES_VERSION}`, { create: true });
    const dir: PieceDir = {
      async read(name) {
        try {
          return await (await (await d.getFileHandle(name)).getFile()).arrayBuffer();
        } catch {
          return null;
        }
      },
      async write(name, bytes) {
        const w = await (await d.getFileHandle(name, { create: true })).createWritable();
        await w.write(bytes as BufferSource);
        await w.close();
      },
      async removePrefix(prefix) {
        const names: string[] = [];
        for await (const n of d.keys()) if (n.startsWith(prefix)) names.push(n);
        for (const n of names) await d.removeEntry(n).catch(() => undefined);
      },
    };
    // At most half of what the browser grants this origin, and at most `maxBytes`.
    const quota = (await storage.estimate?.().catch(() => null))?.quota;
    const limit = quota ? Math.min(maxBytes, Math.floor(quota / 2)) : maxBytes;
    return createPieceCache(dir, limit);
  } catch {
    return null;
  }
}
