/**
 * The data worker's logic, independent of where it runs (a Web Worker, or in-process in
 * tests and the CLI): decode files into tables, keep them by id, and prepare a run by
 * encoding, splitting and serving batches on the run's port.
 */
import { Batcher } from '../core/data/batcher';
import { defaultFeatures, defaultLabel, denseRows, encodeTable } from '../core/data/encode';
import { readTable } from '../core/data/read';
import { tableStats } from '../core/data/stats';
import { serveBatches, type BatchServer } from './batch-channel';
import { readChunks } from '../core/data/chunks';
import { StreamEncoder } from '../core/data/stream-encoder';
import { GrowingRows, StreamingBatcher } from '../core/data/stream-batcher';
import { DataError, type DataTable } from '../core/data/table';
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
  const runs = new Map<string, BatchServer>();
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
      runs.get(runId)?.stop();
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

    /**
     * Streaming mode: decodes the file chunk by chunk (Arrow record batches, Parquet row
     * groups) and serves batches from the first chunk on, while the rest decodes. The label
     * and feature layout come from the first chunk (see StreamEncoder); validation rows are
     * sent to the trainer when the last chunk is in.
     */
    async prepareStreamingRun({ runId, name, bytes, features, split, batchSize, epochs, seed, prefetch, port }) {
      const chunks = readChunks(new Uint8Array(bytes), name);
      const first = chunks.next();
      if (first.done) throw new DataError(`${name}: the file holds no rows`);
      const spec = features ?? { label: defaultLabel(first.value), features: [] };
      if (!features) spec.features = defaultFeatures(first.value, spec.label);
      const encoder = new StreamEncoder(first.value, spec, split);
      const data = new GrowingRows(encoder.dim);
      let droppedMissingLabel = 0;
      let droppedUnseenClass = 0;
      const add = (t: DataTable) => {
        const c = encoder.encode(t);
        data.append(c);
        droppedMissingLabel += c.droppedMissingLabel;
        droppedUnseenClass += c.droppedUnseenClass;
      };
      add(first.value);
      const batcher = new StreamingBatcher(data, { batchSize, epochs, seed });
      runs.get(runId)?.stop();
      const server = serveBatches(port, batcher, encoder.dim, batchSize, Math.max(1, prefetch));
      runs.set(runId, server);
      const firstRows = data.rows;
      // The rest decodes between batches: one chunk per macrotask, so recycled buffers are refilled in between.
      void (async () => {
        try {
          for (let next = chunks.next(); !next.done; next = chunks.next()) {
            add(next.value);
            server.wake();
            await new Promise((r) => setTimeout(r, 0));
          }
        } catch (e) {
          server.fail((e as Error).message);
          return;
        } finally {
          data.finished = true;
          const val = data.rowsOf(1);
          const vx = new Float32Array(val.length * encoder.dim);
          val.forEach((r, i) => vx.set(data.x.subarray(r * encoder.dim, (r + 1) * encoder.dim), i * encoder.dim));
          server.sendValidation(vx, Float32Array.from(val, (r) => data.y[r]), val.length);
          server.wake();
        }
      })();
      return {
        runId,
        task: { task: encoder.task, dim: encoder.dim, outputs: encoder.classes ? encoder.classes.length : 1, val: null },
        classes: encoder.classes,
        trainRows: firstRows,
        featureNames: encoder.featureNames,
        droppedMissingLabel: droppedMissingLabel + droppedUnseenClass,
        label: spec.label,
        features: spec.features,
      };
    },

    forget({ datasetId }) {
      tables.delete(datasetId);
    },
  };
}
