/**
 * The data worker's logic, independent of where it runs (a Web Worker, or in-process in
 * tests and the CLI): decode files into tables, keep them by id, and prepare a run by
 * encoding, splitting and serving batches on the run's port.
 */
import { Batcher } from '../core/data/batcher';
import { defaultFeatures, defaultLabel, denseRows, encodeTable } from '../core/data/encode';
import { readTable } from '../core/data/read';
import { tableStats } from '../core/data/stats';
import type { DataTable } from '../core/data/table';
import { serveBatches } from './batch-channel';
import { transfer, type Handlers } from './rpc';
import { serializeTable } from '../core/data/table-codec';
import type { TableCache } from './table-cache';
import type { DataApi } from './protocol';

/** sha256 of bytes as hex, through Web Crypto (in browsers, workers and Node 20). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `cache`: where decoded tables are kept by content hash; the data worker writes an entry
 * after adopting a freshly decoded single-file table, off the path of the load.
 */
export function createDataService(cache: Promise<TableCache> | null = null): Handlers<DataApi> {
  const tables = new Map<number, DataTable>();
  const runs = new Map<string, () => void>();
  let nextId = 1;

  return {
    async load({ name, bytes }) {
      const t0 = performance.now();
      const data = new Uint8Array(bytes);
      // Decode first: a bad file throws here and nothing loaded before is touched.
      const table = readTable(data, name);
      const decodeMs = performance.now() - t0;
      const fingerprint = await sha256Hex(data);
      const id = nextId++;
      tables.set(id, table);
      const label = defaultLabel(table);
      return {
        id,
        name,
        format: table.format,
        bytes: data.byteLength,
        rows: table.rows,
        columns: tableStats(table),
        fingerprint,
        defaultLabel: label,
        defaultFeatures: defaultFeatures(table, label),
        decodeMs,
      };
    },

    adopt({ table, summary }) {
      const id = nextId++;
      tables.set(id, table);
      if (cache && summary.cache && !summary.cache.hit && !summary.name.includes(' + ')) {
        setTimeout(() => void cache.then((c) => c.put(summary.fingerprint, serializeTable(table))).catch(() => undefined), 0);
      }
      return { ...summary, id };
    },

    prepareRun({ runId, datasetId, features, split, batchSize, epochs, seed, prefetch, port }) {
      const table = tables.get(datasetId);
      if (!table) throw new Error(`dataset ${datasetId} is no longer loaded; load the file again`);
      const enc = encodeTable(table, features, split);
      if (batchSize > enc.split.train.length) {
        throw new RangeError(`batch size ${batchSize} is larger than the ${enc.split.train.length} training rows of ${table.name}`);
      }
      const batcher = new Batcher({ x: enc.x, dim: enc.dim, denseDim: enc.denseDim, sparse: enc.sparse, y: enc.y, rows: enc.split.train, batchSize, epochs, seed });
      runs.get(runId)?.();
      runs.set(runId, serveBatches(port, batcher, enc.dim, batchSize, Math.max(1, prefetch)));
      const valRows = enc.split.val;
      const vx = denseRows(enc, valRows);
      const vy = Float32Array.from(valRows, (r) => enc.y[r]);
      const outputs = enc.task === 'classification' ? enc.classes!.length : 1;
      return transfer(
        {
          runId,
          task: { task: enc.task, dim: enc.dim, outputs, val: valRows.length ? { x: vx, y: vy, rows: valRows.length } : null },
          classes: enc.classes,
          trainRows: enc.split.train.length,
          featureNames: enc.featureNames,
          droppedMissingLabel: enc.droppedMissingLabel,
        },
        [vx.buffer, vy.buffer],
      );
    },

    forget({ datasetId }) {
      tables.delete(datasetId);
    },
  };
}
