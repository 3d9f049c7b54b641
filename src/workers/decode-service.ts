/**
 * The decode worker's logic: read one or several files with progress, fingerprint them,
 * take the decoded table from the cache or decode it, compute the schema statistics, and
 * hand the table back with its buffers transferred. A decode worker lives for one load, so
 * Cancel simply terminates it and nothing already loaded is touched.
 */
import { concatTables } from '../core/data/concat';
import { defaultFeatures, defaultLabel } from '../core/data/encode';
import { checkFitsInMemory } from '../core/data/limits';
import { readTable } from '../core/data/read';
import { tableStats } from '../core/data/stats';
import { deserializeTable, tableBuffers } from '../core/data/table-codec';
import type { DataTable } from '../core/data/table';
import { sha256Hex } from './data-service';
import { transfer, type Handlers } from './rpc';
import type { DatasetSummary, DecodeApi, DecodeProgress } from './protocol';
import type { TableCache } from './table-cache';

/** The memory this tab may use, as Chrome reports it (4 GiB where it does not say). */
export function memoryLimit(): number {
  const perf = globalThis.performance as Performance & { memory?: { jsHeapSizeLimit?: number } };
  return perf.memory?.jsHeapSizeLimit ?? 4 * 2 ** 30;
}

async function readWithProgress(blob: Blob, name: string, emit: (p: DecodeProgress) => void): Promise<Uint8Array> {
  const out = new Uint8Array(blob.size);
  const reader = blob.stream().getReader();
  let at = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, at);
    at += value.length;
    const now = performance.now();
    if (now - last > 100) {
      emit({ name, phase: 'read', loaded: at, total: blob.size });
      last = now;
    }
  }
  return out;
}

export function createDecodeService(cache: Promise<TableCache>, emit: (p: DecodeProgress) => void): Handlers<DecodeApi> {
  return {
    async decode({ files }) {
      const t0 = performance.now();
      const total = files.reduce((n, f) => n + f.blob.size, 0);
      const label = files.length === 1 ? files[0].name : `${files[0].name} + ${files.length - 1} more`;
      checkFitsInMemory(label, total, memoryLimit());
      const tables: DataTable[] = [];
      const fingerprints: string[] = [];
      let cached = 0;
      const c = await cache;
      for (const f of files) {
        const bytes = await readWithProgress(f.blob, f.name, emit);
        const fingerprint = await sha256Hex(bytes);
        fingerprints.push(fingerprint);
        const hit = await c.get(fingerprint).catch(() => null);
        let table: DataTable | null = null;
        if (hit) {
          try {
            table = { ...deserializeTable(hit, `${f.name} (cached)`), name: f.name };
            cached++;
          } catch {
            table = null;
          }
        }
        if (!table) {
          emit({ name: f.name, phase: 'decode', loaded: 0, total: bytes.length });
          // The long-lived data worker writes the cache entry after adopting the table
          // (this worker is terminated as soon as it answers).
          table = readTable(bytes, f.name);
        }
        tables.push(table);
      }
      const table = concatTables(tables, label);
      emit({ name: label, phase: 'stats', loaded: 0, total: table.rows });
      const lbl = defaultLabel(table);
      const summary: Omit<DatasetSummary, 'id'> = {
        name: label,
        format: table.format,
        bytes: total,
        rows: table.rows,
        columns: tableStats(table),
        fingerprint: fingerprints.length === 1 ? fingerprints[0] : await sha256Hex(new TextEncoder().encode(fingerprints.join(','))),
        defaultLabel: lbl,
        defaultFeatures: defaultFeatures(table, lbl),
        decodeMs: performance.now() - t0,
        cache: c.kind === 'none' ? null : { kind: c.kind, hit: cached === files.length },
      };
      return transfer({ table, summary }, tableBuffers(table));
    },
  };
}
