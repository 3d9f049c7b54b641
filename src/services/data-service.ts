/**
 * The data worker's logic, independent of where it runs (a Web Worker, or in-process in
 * tests and the CLI): decode files into tables, keep them by id, and prepare a run by
 * encoding, splitting and serving batches on the run's port.
 */
import { Batcher } from '../core/data/batcher';
import {
  defaultFeatures,
  defaultLabel,
  denseRows,
  encodeTable,
  encodeWithInputs,
  type FeatureSpec,
  ONE_HOT_LIMIT,
  type EncodedDataset,
  withTask,
} from '../core/data/encode';
import { outputKind, type Preprocessing } from '../core/data/preprocessing';
import { runData } from '../core/export/run-data';
import { bytesFit, gpuPlan, rawRows } from '../core/data/prepare';
import type { TrainTask } from '../core/train/trainer';
import { prepareReader, readTable } from '../core/data/read';
import { tableStats } from '../core/data/stats';
import { serveBatches, type BatchServer } from './batch-channel';
import { readChunks } from '../core/data/chunks';
import { StreamEncoder } from '../core/data/stream-encoder';
import { GrowingRows, RowSample, StreamingBatcher, WindowBatcher } from '../core/data/stream-batcher';
import type { EncodedChunk } from '../core/data/stream-encoder';
import { blobSource, bytesSource, openChunked, type SourceChunk } from '../core/data/source-chunks';
import { checkFitsInMemory, memoryLimit } from '../core/data/limits';
import { Rng } from '../core/data/rng';
import { DataError, getColumn, type Column, type DataTable, type NumericColumn } from '../core/data/table';
import { dedupRows, leakReport, nearestRows, neighbourIndex } from '../core/data/quality';
import { ConfigError } from '../core/errors';
import { checkTeacherClasses } from '../core/compress/distill-setting';
import { columnIndex, filterColumns, filterRows, FilterError, parseWhere, tableRows } from '../core/data/filter';
import type { RangeIndex } from '../core/index/range-index';
import type { SplitSpec } from '../core/data/split';
import type { DedupMethod } from '../core/data/quality';
import { transfer, type Handlers } from './transfer';
import { encodeStats, statsKey } from './stats-cache';
import { deserializeTable, serializeTable } from '../core/data/table-codec';
import type { PieceCache } from './piece-cache';
import type { TableCache } from './cache';
import type { DataApi, DatasetSummary, NeighbourView, PreparedRun } from './protocol';

/** sha256 of bytes as hex, through Web Crypto (in browsers, workers and Node 20). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What a summary repeats of a table's source: columns left out, the HDF5 group, image datasets. */
export function sourceNotes(table: DataTable): Pick<DatasetSummary, 'skipped' | 'hdf5' | 'images'> {
  return {
    ...(table.skipped?.length ? { skipped: [...table.skipped] } : {}),
    ...(table.hdf5 ? { hdf5: table.hdf5 } : {}),
    ...(table.images?.length ? { images: [...table.images] } : {}),
  };
}

/**
 * A dataset's fingerprint from its file's sha256: the hash itself, except for HDF5, where one
 * file holds a table per group: there it is the sha256 of `<file hash>#<group>`, so runs on
 * two groups of one file never count as the same dataset.
 */
export async function datasetFingerprint(fileSha: string, table: Pick<DataTable, 'hdf5'>): Promise<string> {
  if (!table.hdf5) return fileSha;
  return sha256Hex(new TextEncoder().encode(`${fileSha}#${table.hdf5.group}`));
}

/**
 * `cache`: where decoded tables are kept by content hash; the data worker writes an entry
 * after adopting a freshly decoded single-file table, off the path of the load.
 */
/** A cell as plain JS, for display. */
function cellValue(col: Column, row: number): string | number | null {
  if (col.kind === 'categorical') return col.codes[row] < 0 ? null : col.dictionary[col.codes[row]];
  return col.valid !== null && col.valid[row] === 0 ? null : col.values[row];
}

/**
 * When the features are the pixels of one square image (all numeric, n*n of them with n >= 8),
 * each given row's pixels scaled to 0..1 over the row's range; otherwise null.
 */
function imageOf(cols: Column[], rows: number[]): NeighbourView['image'] {
  const side = Math.round(Math.sqrt(cols.length));
  if (side < 8 || side * side !== cols.length || cols.some((c) => c.kind !== 'numeric')) return null;
  const pixels = rows.map((r) => {
    const p = Float32Array.from(cols, (c) => (c.kind === 'numeric' ? c.values[r] : 0));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of p) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    for (let i = 0; i < p.length; i++) p[i] = hi > lo ? (p[i] - lo) / (hi - lo) : 0;
    return p;
  });
  return { width: side, height: side, channels: 1, pixels };
}

export function createDataService(
  cache: Promise<TableCache> | null = null,
  pieceCache: Promise<PieceCache | null> | null = null,
): Handlers<DataApi> {
  const tables = new Map<number, DataTable>();
  const runs = new Map<string, BatchServer>();
  const neighbourCache = new Map<
    string,
    { enc: ReturnType<typeof encodeTable>; tree: ReturnType<typeof neighbourIndex> }
  >();
  /** The cache entry being written for the last dataset adopted. */
  let cacheWrite: Promise<void> = Promise.resolve();
  const tableOf = (datasetId: number): DataTable => {
    const table = tables.get(datasetId);
    if (!table) throw new DataError(`dataset ${datasetId} is no longer loaded; load the file again`);
    return table;
  };
  let nextId = 1;
  /** Range indexes of the loaded tables' numeric columns, built on a filter's first use. */
  const indexes = new WeakMap<DataTable, Map<string, RangeIndex>>();
  const indexOf = (table: DataTable) => (col: NumericColumn) => {
    let byColumn = indexes.get(table);
    if (!byColumn) indexes.set(table, (byColumn = new Map()));
    let index = byColumn.get(col.name);
    if (!index) byColumn.set(col.name, (index = columnIndex(col)));
    return index;
  };
  /**
   * The rows a run trains on: its filter (`data.where`) first, then dedup (when asked), then the
   * encoding and split. `table` is the one encoded (the filtered rows); `sourceOf` maps its rows
   * back to the loaded table's.
   */
  const encodeRun = (
    loaded: DataTable,
    features: FeatureSpec,
    split: SplitSpec,
    dedup: DedupMethod,
    fpr: number | undefined,
    where: string | null = null,
  ) => {
    let table = loaded;
    let sourceOf = (r: number) => r;
    let kept = '';
    if (where) {
      features = withTask(loaded, features);
      const { rows } = filterRows(loaded, where, indexOf(loaded));
      if (rows.length === 0)
        throw new FilterError(`the filter keeps none of the ${loaded.rows} rows of ${loaded.name}`);
      table = tableRows(loaded, rows);
      sourceOf = (r) => rows[r];
      kept = ` (in the ${rows.length} of ${loaded.rows} rows where ${where})`;
    }
    const deduped =
      dedup === 'none' ? null : dedupRows(table, dedup, { columns: [features.label, ...features.features], fpr });
    try {
      return { deduped, table, sourceOf, enc: encodeTable(table, features, split, { rows: deduped?.keep }) };
    } catch (e) {
      // What the data lacks may be the filter's doing (one class left, a column all missing):
      // the message says which rows it speaks of.
      if (kept && e instanceof DataError && !(e instanceof FilterError)) e.message += kept;
      throw e;
    }
  };

  return {
    async load({ name, bytes, group }) {
      const t0 = performance.now();
      const data = new Uint8Array(bytes);
      // Decode first: a bad file throws here and nothing loaded before is touched.
      await prepareReader(data, name);
      const table = readTable(data, name, group === undefined ? undefined : { group });
      const decodeMs = performance.now() - t0;
      const fingerprint = await datasetFingerprint(await sha256Hex(data), table);
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
        ...sourceNotes(table),
      };
    },

    adopt({ table, summary }) {
      const id = nextId++;
      tables.set(id, table);
      if (cache && summary.cache && !summary.cache.hit && !summary.name.includes(' + ')) {
        // The table, then its schema statistics (a hit without them recomputes them), written
        // once adopt has answered. The long duplicate count that follows a load waits for the
        // write: otherwise it held the worker for seconds on a big file and the entry was not
        // there yet when the same file was opened again (a second decode instead of a hit).
        cacheWrite = new Promise<void>((r) => setTimeout(r, 0))
          .then(() => cache)
          .then(async (c) => {
            const key = summary.cacheKey ?? summary.fingerprint;
            await c.put(key, serializeTable(table));
            await c.put(statsKey(key), encodeStats(summary.columns));
          })
          .catch(() => undefined);
      }
      return { ...summary, id };
    },

    prepareRun({
      runId,
      datasetId,
      features,
      split,
      batchSize: asked,
      epochs,
      seed,
      prefetch,
      port,
      dedup = 'none',
      fpr,
      prepareOn = 'worker',
      fitBatch = false,
      soft = null,
      where = null,
    }) {
      const { deduped, enc, table, sourceOf } = encodeRun(tableOf(datasetId), features, split, dedup, fpr, where);
      const fits = fitBatch && asked > enc.split.train.length && enc.split.train.length > 0;
      const batchSize = fits ? enc.split.train.length : asked;
      if (batchSize > enc.split.train.length) {
        throw new ConfigError(
          'batchSize',
          `batch size ${batchSize} is larger than the ${enc.split.train.length} training rows of ${table.name} ` +
            `(set it to ${enc.split.train.length} or less)`,
        );
      }
      // prepareOn gpu: the batches carry raw rows (bytes for images of 0..255 pixels, else one
      // word per column), which the wgsl engine standardises and one-hot encodes itself.
      let prepare: TrainTask['prepare'] = null;
      let rows = { x: enc.x, dim: enc.dim, denseDim: enc.denseDim, sparse: enc.sparse };
      if (prepareOn === 'gpu') {
        if (enc.sparse)
          throw new ConfigError(
            'prepareOn',
            `the GPU preparation has no feature hashing yet; ${table.name} has categorical features with more than ` +
              `${ONE_HOT_LIMIT} values (prepare on the worker, or leave them out)`,
          );
        const kind = bytesFit(table, enc) ? 'bytes' : 'words';
        const raw = rawRows(
          table,
          enc,
          Int32Array.from({ length: enc.rows }, (_, i) => i),
          kind,
        );
        prepare = { kind, stride: raw.stride, plan: gpuPlan(enc.plan, kind) };
        const words = new Float32Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
        rows = { x: words, dim: raw.stride, denseDim: raw.stride, sparse: null };
      }
      const batcher = new Batcher({ ...rows, y: enc.y, rows: enc.split.train, batchSize, epochs, seed, soft });
      runs.get(runId)?.stop();
      runs.set(runId, serveBatches(port, batcher, rows.dim, batchSize, Math.max(1, prefetch)));
      const valRows = enc.split.val;
      const vx = denseRows(enc, valRows);
      const vy = Float32Array.from(valRows, (r) => enc.y[r]);
      const outputs = enc.task === 'classification' ? enc.classes!.length : 1;
      return transfer(
        {
          runId,
          task: {
            task: enc.task,
            dim: enc.dim,
            outputs,
            val: valRows.length ? { x: vx, y: vy, rows: valRows.length } : null,
            targetStd: enc.target?.std ?? null,
            prepare,
          },
          classes: enc.classes,
          trainRows: enc.split.train.length,
          ...(fits ? { batchSize } : {}),
          featureNames: enc.featureNames,
          preprocessing: preprocessingOf(features.label, enc),
          droppedMissingLabel: enc.droppedMissingLabel,
          dedup: deduped?.report ?? null,
          valSourceRows: Int32Array.from(valRows, (r) => sourceOf(enc.sourceRows[r])),
          ...imageShapeOf(table, enc.featureNames),
        },
        [vx.buffer, vy.buffer],
      );
    },

    countWhere({ datasetId, where }) {
      const table = tableOf(datasetId);
      const { rows, plan, notes } = filterRows(table, where, indexOf(table));
      return { rows: rows.length, of: table.rows, plan, notes };
    },

    teacherRows({ datasetId, features, split, dedup = 'none', fpr, teacher, where = null }) {
      const { enc, table } = encodeRun(tableOf(datasetId), features, split, dedup, fpr, where);
      checkTeacherClasses(teacher.name, teacher.classes, enc.classes);
      const train = enc.split.train;
      const x = encodeWithInputs(
        table,
        teacher.inputs,
        Int32Array.from(train, (r) => enc.sourceRows[r]),
      );
      return transfer({ x, rows: train.length }, [x.buffer]);
    },

    /**
     * Streaming mode: decodes the file piece by piece (Parquet row groups, Arrow record batches,
     * runs of TFRecord records) and serves batches from the first piece on, while the rest
     * decodes. The label and feature layout come from the first piece (see StreamEncoder).
     * A `blob` (the user's File) is read by slices, never whole, when it is Parquet or Arrow:
     * a file larger than memory trains this way. When the encoded rows would take more than
     * `holdBytes`, they are not kept: each epoch reads the file again (pieces in a seeded order
     * after the first) through a shuffle window (WindowBatcher), and validation uses a seeded
     * sample of at most VALIDATION_SAMPLE_ROWS rows; otherwise rows are kept for later epochs.
     * Validation rows are sent to the trainer when the first pass is over.
     */
    async prepareStreamingRun({
      runId,
      name,
      bytes,
      blob,
      features,
      split,
      batchSize: asked,
      epochs,
      seed,
      prefetch,
      port,
      prepareOn = 'worker',
      where = null,
      holdBytes = STREAM_HOLD_BYTES,
      fitBatch = false,
    }) {
      if (prepareOn !== 'worker')
        throw new ConfigError(
          'prepareOn',
          `${name} streams chunk by chunk, and streamed batches are prepared on the worker; load it whole to prepare on the GPU`,
        );
      const pieces = await openPieces(name, bytes, blob);
      // `data.where`: each piece keeps the rows the filter keeps (a scan: a piece is read once), by file position.
      const expr = where ? parseWhere(where) : null;
      const columnsFor = (spec: FeatureSpec | null) =>
        spec ? [spec.label, ...spec.features, ...(expr ? filterColumns(expr) : [])] : undefined;
      const firstPiece = await pieces.read(0, columnsFor(features));
      if (!firstPiece) throw new DataError(`${name}: the file holds no rows`);
      // Values the filter names that no piece of the first pass held (a likely typo), by column and
      // value: each piece's filter says what it lacked; a piece that holds one takes it out.
      let unmatched: Map<string, string> | null = null;
      let firstPassOver = false;
      const filtered = (t: DataTable) => {
        if (!expr) return { table: t, kept: undefined };
        const { rows, unmatched: lacked } = filterRows(t, expr, undefined, { listValues: false });
        if (!firstPassOver) {
          const here = new Map(lacked.map((u) => [JSON.stringify([u.column, u.value]), u.note]));
          if (!unmatched) unmatched = here;
          else
            for (const [key, note] of unmatched)
              if (!here.has(key)) unmatched.delete(key);
              // The note that names a likely value, when a later piece has one.
              else if (!note.includes('(did you mean') && here.get(key)!.includes('(did you mean'))
                unmatched.set(key, here.get(key)!);
        }
        return { table: tableRows(t, rows), kept: { rows, of: t.rows } };
      };
      const first = filtered(firstPiece.table);
      if (expr && first.table.rows === 0) {
        const typos = [...(unmatched ?? new Map<string, string>()).values()];
        throw new FilterError(
          `the filter keeps none of the first ${firstPiece.table.rows} rows of ${name}; streaming fixes its encoding from ` +
            "the first chunk's rows, so it needs some there (load the file whole to filter it as a whole)" +
            (typos.length ? `; in those rows, ${typos.join('; ')}` : ''),
        );
      }
      const spec = features ?? { label: defaultLabel(first.table), features: [] };
      if (!features) spec.features = defaultFeatures(first.table, spec.label);
      const columns = columnsFor(spec);
      const encoder = new StreamEncoder(first.table, spec, split);
      const dim = encoder.dim;
      let droppedMissingLabel = 0;
      let droppedUnseenClass = 0;
      const encode = (piece: SourceChunk) => {
        const { table: t, kept } = filtered(piece.table);
        const c = encoder.encode(t, kept, piece.rowStart);
        droppedMissingLabel += c.droppedMissingLabel;
        droppedUnseenClass += c.droppedUnseenClass;
        return c;
      };
      const firstRows = encode(firstPiece);
      const trainIn = (c: EncodedChunk) => c.part.reduce((n, p) => n + (p === 0 ? 1 : 0), 0);
      const firstTrainRows = trainIn(firstRows);
      // A small file is counted before the first batch, so a batch above its training rows is fitted
      // or refused as when the file is loaded whole: one whose first piece is all of it, or one of
      // several pieces (Parquet row groups, Arrow batches) holding at most 4 batches of rows, whose
      // pieces are read and encoded once more here (without the side effects of `encode`). A larger
      // file is counted only as it streams: its batches hold what is there.
      let peeked: SourceChunk | null | undefined;
      if (pieces.count === null) peeked = await pieces.read(1, columns);
      const onePiece = pieces.count === 1 || peeked === null;
      let trainRows: number | null = onePiece ? firstTrainRows : null;
      if (!onePiece && pieces.count !== null && pieces.totalRows !== null && pieces.totalRows <= 4 * asked) {
        trainRows = firstTrainRows;
        for (let k = 1; k < pieces.count; k++) {
          const piece = await pieces.read(k, columns);
          if (!piece) break;
          const kept = expr ? filterRows(piece.table, expr).rows : null;
          const chunk = kept
            ? encoder.encode(tableRows(piece.table, kept), { rows: kept, of: piece.table.rows }, piece.rowStart)
            : encoder.encode(piece.table, undefined, piece.rowStart);
          trainRows += trainIn(chunk);
        }
      }
      let batchSize = asked;
      if (trainRows !== null && asked > trainRows) {
        if (fitBatch && trainRows > 0) batchSize = trainRows;
        else
          throw new ConfigError(
            'batchSize',
            `batch size ${asked} is larger than the ${trainRows} training rows of ${name} ` +
              `(set it to ${trainRows} or less)`,
          );
      }
      const readPiece = (k: number) =>
        k === 1 && peeked !== undefined ? Promise.resolve(peeked) : pieces.read(k, columns);
      // Rows the file holds (Parquet says; otherwise estimated from the bytes the first piece took).
      const rowsInFile =
        pieces.totalRows ??
        Math.ceil(((firstPiece.rowStart + firstPiece.table.rows) * pieces.size) / Math.max(1, firstPiece.end));
      const hold = !pieces.rereadable || rowsInFile * (dim + 2) * 4 <= holdBytes;
      runs.get(runId)?.stop();
      let stopped = false;
      let closeWindow: (() => void) | null = null;
      const onStop = () => {
        stopped = true;
        // A producer waiting for the window to drain would wait for ever, holding the window.
        closeWindow?.();
      };
      const finishFirstPass = (x: Float32Array, y: Float32Array, rows: number) => {
        firstPassOver = true;
        server.sendValidation(x, y, rows, unmatched ? [...unmatched.values()] : []);
      };
      let server: BatchServer;
      if (hold) {
        const data = new GrowingRows(dim);
        data.append(firstRows);
        const batcher = new StreamingBatcher(data, { batchSize, epochs, seed });
        server = serveBatches(port, batcher, dim, batchSize, Math.max(1, prefetch), onStop);
        // The rest decodes between batches: one piece per macrotask, so recycled buffers are refilled in between.
        void (async () => {
          try {
            for (let k = 1; !stopped; k++) {
              const piece = await readPiece(k);
              if (!piece) break;
              data.append(encode(piece));
              server.wake();
              await new Promise((r) => setTimeout(r, 0));
            }
          } catch (e) {
            server.fail((e as Error).message);
            return;
          } finally {
            data.finished = true;
            const val = data.rowsOf(1);
            const vx = new Float32Array(val.length * dim);
            val.forEach((r, i) => vx.set(data.x.subarray(r * dim, (r + 1) * dim), i * dim));
            finishFirstPass(
              vx,
              Float32Array.from(val, (r) => data.y[r]),
              val.length,
            );
            server.wake();
          }
        })();
      } else {
        const batcher = new WindowBatcher(dim, { batchSize, epochs, seed });
        closeWindow = () => batcher.close();
        server = serveBatches(port, batcher, dim, batchSize, Math.max(1, prefetch), onStop);
        const cap = Math.max(1, Math.min(VALIDATION_SAMPLE_ROWS, Math.floor(VALIDATION_SAMPLE_BYTES / (4 * dim))));
        // The pieces as decoded in the first epoch go to the piece cache; later epochs read them there.
        const store = blob ? await pieceCache?.catch(() => null) : null;
        const key = store ? await streamedKey(name, blob!, columns) : '';
        const keep = async (k: number, table: DataTable) => {
          if (!store) return;
          const wanted = new Set(columns);
          await store.put(
            key,
            k,
            serializeTable({ ...table, columns: table.columns.filter((c) => wanted.has(c.name)) }),
          );
        };
        // A piece from the cache when it is there (a damaged entry is a miss), else from the file and into the cache.
        const read = async (k: number): Promise<SourceChunk | null> => {
          const hit = store ? await store.get(key, k).catch(() => null) : null;
          if (hit) {
            try {
              return { table: { ...deserializeTable(hit, name), name }, rowStart: pieces.rowStart(k), end: 0 };
            } catch {
              // Read it from the file.
            }
          }
          const piece = await pieces.read(k, columns);
          if (piece) await keep(k, piece.table).catch(() => undefined);
          return piece;
        };
        const count = pieces.count!;
        const val = new RowSample(dim, cap, seed);
        const order = new Rng(seed ^ 0x0e90c4);
        void (async () => {
          try {
            const push = async (c: EncodedChunk, epoch: number) => {
              batcher.push(c, epoch);
              server.wake();
              while (!stopped && batcher.backlog >= batcher.window && batcher.currentEpoch < epochs)
                await batcher.taken();
            };
            val.add(firstRows, 1);
            await keep(0, firstPiece.table).catch(() => undefined);
            await push(firstRows, 0);
            for (let k = 1; k < count && !stopped; k++) {
              const piece = await read(k);
              if (!piece) throw new DataError(`${name}: piece ${k + 1} of the file is gone (did the file change?)`);
              const c = encode(piece);
              val.add(c, 1);
              await push(c, 0);
            }
            batcher.endPass(0);
            finishFirstPass(val.x.slice(0, val.rows * dim), val.y.slice(0, val.rows), val.rows);
            server.wake();
            // Later epochs: the pieces again, in a seeded order (a file-level shuffle before the window's).
            for (let epoch = 1; epoch < epochs && !stopped; epoch++) {
              for (const k of order.shuffle(Int32Array.from({ length: count }, (_, i) => i))) {
                if (stopped) return;
                const piece = await read(k);
                if (!piece) throw new DataError(`${name}: piece ${k + 1} of the file is gone (did the file change?)`);
                await push(encode(piece), epoch);
              }
              batcher.endPass(epoch);
              server.wake();
            }
          } catch (e) {
            server.fail((e as Error).message);
          }
        })();
      }
      runs.set(runId, server);
      return {
        runId,
        task: {
          task: encoder.task,
          dim,
          outputs: encoder.classes ? encoder.classes.length : 1,
          val: null,
          targetStd: encoder.target?.std ?? null,
        },
        classes: encoder.classes,
        trainRows: trainRows ?? firstTrainRows,
        ...(batchSize !== asked ? { batchSize } : {}),
        featureNames: encoder.featureNames,
        preprocessing: preprocessingOf(spec.label, encoder),
        droppedMissingLabel: droppedMissingLabel + droppedUnseenClass,
        label: spec.label,
        features: spec.features,
        streamed: { held: hold, pieces: pieces.rereadable ? 'file' : 'memory', counted: trainRows !== null },
      };
    },

    runData({ datasetId, config, inputs }) {
      const d = runData(tableOf(datasetId), config, inputs);
      return transfer(d, [
        d.x.buffer,
        d.y.buffer,
        d.train.buffer,
        d.val.buffer,
        d.test.buffer,
        d.order.buffer,
      ] as ArrayBuffer[]);
    },

    async duplicates({ datasetId }) {
      await cacheWrite;
      return dedupRows(tableOf(datasetId), 'exact').report;
    },

    quality({ datasetId, features, split, dedup, fpr, radius }) {
      const table = tableOf(datasetId);
      // Repeats are always counted (exactly when dedup is off); leaks are looked for in the
      // rows a run with this dedup mode would train on.
      const deduped = dedupRows(table, dedup === 'none' ? 'exact' : dedup, {
        columns: [features.label, ...features.features],
        fpr,
      });
      const enc = encodeTable(table, features, split, { rows: dedup === 'none' ? undefined : deduped.keep });
      return { dedup: deduped.report, leaks: leakReport(table, enc, features.features, { radius }) };
    },

    neighbours({ datasetId, features, row, k }) {
      const table = tableOf(datasetId);
      const key = JSON.stringify([datasetId, features]);
      let entry = neighbourCache.get(key);
      if (!entry) {
        // Statistics over all rows: the inspector is about the data, not a split.
        const enc = encodeTable(table, features, { train: 1, val: 0, test: 0, seed: 1 }, { anyClasses: true });
        entry = { enc, tree: neighbourIndex(enc) };
        neighbourCache.clear();
        neighbourCache.set(key, entry);
      }
      if (!Number.isInteger(row) || row < 0 || row >= table.rows)
        throw new DataError(`row ${row} does not exist in ${table.name} (rows 0 to ${table.rows - 1})`);
      const found = nearestRows(entry.enc, entry.tree, row, k);
      const label = getColumn(table, features.label);
      const featureCols = features.features.map((f) => getColumn(table, f));
      const values: Record<string, string | number | null> = {};
      for (const c of featureCols.slice(0, 12)) values[c.name] = cellValue(c, row);
      const image = imageOf(featureCols, [row, ...found.map((n) => n.row)]);
      return transfer(
        {
          row,
          label: cellValue(label, row),
          values,
          neighbours: found.map((n) => ({ ...n, label: cellValue(label, n.row) })),
          image,
        },
        image ? image.pixels.map((p) => p.buffer as ArrayBuffer) : [],
      );
    },

    forget({ datasetId }) {
      tables.delete(datasetId);
      neighbourCache.clear();
    },
  };
}

/** Encoded rows a streaming run keeps for its later epochs; beyond this each epoch reads the file again. */
export const STREAM_HOLD_BYTES = 512 * 2 ** 20;
/** Validation rows a streaming run that reads its file again keeps: a seeded sample of at most this many. */
export const VALIDATION_SAMPLE_ROWS = 50_000;
/** ...and of at most this many bytes of encoded rows. */
const VALIDATION_SAMPLE_BYTES = 64 * 2 ** 20;

/**
 * The piece cache's key of a streamed file and the columns read: a hash of its name, size, last
 * change, first and last 64 KB (a file changed in place gets a new key) and the columns.
 */
async function streamedKey(name: string, blob: Blob, columns: readonly string[] | undefined): Promise<string> {
  const edge = 1 << 16;
  const head = new Uint8Array(await blob.slice(0, edge).arrayBuffer());
  const tail = new Uint8Array(await blob.slice(Math.max(0, blob.size - edge)).arrayBuffer());
  const lastModified = (blob as Partial<File>).lastModified ?? 0;
  const about = new TextEncoder().encode(JSON.stringify([name, blob.size, lastModified, columns ?? null]));
  const all = new Uint8Array(about.length + head.length + tail.length);
  all.set(about);
  all.set(head, about.length);
  all.set(tail, about.length + head.length);
  return sha256Hex(all);
}

/** A file's pieces for streaming: from the source by slices (Parquet, Arrow), or decoded from its bytes. */
interface Pieces {
  readonly size: number;
  readonly totalRows: number | null;
  /** True when pieces are read from the file each time (and can be read again in any order). */
  readonly rereadable: boolean;
  /** Pieces in the file and where each starts (rereadable files). */
  readonly count: number | null;
  rowStart(k: number): number;
  read(k: number, columns?: readonly string[]): Promise<SourceChunk | null>;
}

/**
 * Opens a streamed file: a Parquet or Arrow file piece by piece from its source (a Blob by
 * slices), any other format read whole (it must fit in memory) and then decoded chunk by chunk.
 */
async function openPieces(name: string, bytes?: ArrayBuffer, blob?: Blob): Promise<Pieces> {
  if (!bytes && !blob) throw new DataError(`${name}: no file to stream`);
  // Bytes already in memory are read piece by piece too; only a Blob's pieces are read again each epoch.
  const source = blob ? blobSource(blob) : bytesSource(new Uint8Array(bytes!));
  const chunked = await openChunked(source, name);
  if (chunked)
    return {
      size: source.size,
      totalRows: chunked.totalRows,
      rereadable: !!blob,
      count: chunked.pieces(),
      rowStart: (k) => chunked.rowStart(k),
      read: (k, c) => chunked.read(k, c),
    };
  if (blob) checkFitsInMemory(name, blob.size, memoryLimit(), 'only Parquet and Arrow files stream from disk');
  const data = bytes ? new Uint8Array(bytes) : new Uint8Array(await blob!.arrayBuffer());
  await prepareReader(data, name);
  const chunks = readChunks(data, name);
  let next = 0;
  let rowStart = 0;
  return {
    size: data.length,
    totalRows: null,
    rereadable: false,
    count: null,
    rowStart: () => {
      throw new Error(`pieces of ${name} are read in order`);
    },
    async read(k) {
      if (k !== next) throw new Error(`pieces of ${name} are read in order (asked ${k}, next ${next})`);
      const r = chunks.next();
      if (r.done) return null;
      next++;
      const piece = { table: r.value, rowStart, end: data.length };
      rowStart += r.value.rows;
      return piece;
    },
  };
}

/** An image dataset whose pixel columns are exactly the encoded features, in order: its shape (see PreparedRun). */
function imageShapeOf(table: DataTable, featureNames: readonly string[]): Pick<PreparedRun, 'imageShape'> {
  for (const im of table.images ?? []) {
    const n = im.shape[0] * im.shape[1] * im.shape[2];
    if (featureNames.length === n && featureNames.every((f, j) => f === `${im.name}.${j}`))
      return { imageShape: [im.shape[0], im.shape[1], im.shape[2]] };
  }
  return {};
}

/** The raw-row preprocessing of a run's encoding (either encoder). */
function preprocessingOf(
  label: string,
  enc: Pick<EncodedDataset, 'task' | 'classes' | 'target' | 'inputs' | 'dim' | 'featureNames'>,
): Preprocessing {
  return {
    label,
    task: enc.task,
    classes: enc.classes,
    target: enc.target,
    output: outputKind(enc.task, enc.classes),
    inputs: enc.inputs,
    dim: enc.dim,
    featureNames: enc.featureNames,
  };
}
