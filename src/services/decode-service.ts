/**
 * The decode worker's logic: read one or several files with progress, fingerprint them,
 * take the decoded table from the cache or decode it, compute the schema statistics, and
 * hand the table back with its buffers transferred. Cancel terminates the decode worker, so
 * nothing already loaded is touched; after a load that went well the worker (and its Parquet
 * helper) serve the next load, already compiled and warm (see workers/clients.ts). The Parquet
 * helper is a worker the decode worker starts (workers/parquet-helper.ts); elsewhere there is none.
 */
import { concatTables } from '../core/data/concat';
import { chooseLabel, defaultFeatures, featuresFromStats } from '../core/data/encode';
import { blobSource, openChunked } from '../core/data/source-chunks';
import { StreamStats } from '../core/data/stream-stats';
import { checkFitsInMemory, memoryLimit } from '../core/data/limits';
import { hdf5DeadlineMs } from '../core/data/hdf5';
import { aFormat, prepareReader, readTable, sniffFormat } from '../core/data/read';
import {
  chunkOrder,
  claim,
  claimsAvailable,
  createClaims,
  decodeClaimed,
  decodeTasks,
  mergeParts,
  planParts,
  readParquetMetadata,
  withSkipped,
  type DataTablePart,
} from '../core/data/parquet';
import { DataError } from '../core/data/table';
import { tableStats, type ColumnStats } from '../core/data/stats';
import { decodeStats, statsKey } from './stats-cache';
import { deserializeTable, tableBuffers } from '../core/data/table-codec';
import type { DataTable } from '../core/data/table';
import { datasetFingerprint, sha256Hex, sourceNotes } from './data-service';
import { transfer, type Handlers, type Transferring } from './transfer';
import type { DatasetSummary, DecodeApi, DecodeProgress, ParquetPartApi, StreamedSummary } from './protocol';
import type { TableCache } from './cache';

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

/** The longest the decode worker waits for the Parquet helper to be up before it starts claiming. */
const HELPER_WAIT_MS = 200;

/** Files smaller than this are decoded on one core (a second worker costs more than it saves). */
const PARALLEL_MIN_BYTES = 2 << 20;

/**
 * A second decoder of Parquet column chunks beside this one (the decode worker's helper worker,
 * workers/parquet-helper.ts). It is started as soon as a load may need it, before the file is
 * read and hashed: a nested worker starts only while its parent's thread is free, so one
 * started just before a synchronous decode would start after it.
 */
export interface ParquetHelper {
  /** Settles when the helper answers (or fails to start). */
  readonly ready: Promise<unknown>;
  /** Set when a call failed for another reason than a bad file: the helper is replaced. */
  broken: boolean;
  /**
   * Decodes the helper's share; rejects with a DataError when the file is bad, with another error when the helper could
   * not run.
   */
  decode(
    job: ParquetPartApi['decode']['args'] | Transferring<ParquetPartApi['decode']['args']>,
  ): Promise<DataTablePart[]>;
  terminate(): void;
}

/** Whether any of the files is a Parquet file large enough for the helper (from its size and first bytes). */
async function mayUseHelper(files: readonly { name: string; blob: Blob }[]): Promise<boolean> {
  for (const f of files) {
    if (f.blob.size < PARALLEL_MIN_BYTES) continue;
    const head = new Uint8Array(await f.blob.slice(0, 4).arrayBuffer());
    if (sniffFormat(head, f.name) === 'parquet') return true;
  }
  return false;
}

/**
 * Parquet with several row groups: the helper worker decodes column chunks beside this one,
 * then the parts are merged (dictionaries unified). Where threads can share memory (the page
 * is cross-origin isolated), the two claim chunks from the two ends of one list until they
 * meet, so the split follows the real decoding cost and the helper's start-up time; elsewhere
 * the chunks are split in advance by bytes (planParts). Returns null where none of this
 * applies (no helper, not Parquet, small, one row group), so the caller decodes on one core.
 * A DataError from either side is the file's error. `threads` is 2 when the helper decoded
 * at least one chunk.
 */
async function readParquetOnTwoCores(
  bytes: Uint8Array,
  name: string,
  helper: ParquetHelper | null,
): Promise<{ table: DataTable; threads: number } | null> {
  if (!helper || bytes.length < PARALLEL_MIN_BYTES || sniffFormat(bytes, name) !== 'parquet') return null;
  const info = readParquetMetadata(bytes, name);
  if (info.rowGroups.length < 2) return null;
  const plans = planParts(info, 2);
  if (plans.length < 2) return null;
  let theirs: Promise<DataTablePart[]>;
  let mine: DataTablePart[];
  /** With claims: whether the helper took no chunk (then `mine` is the whole file). */
  let helperIdle = () => false;
  if (claimsAvailable()) {
    // Normally up by now (it started before the file was read); a slow start is waited for
    // briefly, then the claims give it only what is left.
    await Promise.race([helper.ready, new Promise((resolve) => setTimeout(resolve, HELPER_WAIT_MS))]);
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    const chunks = chunkOrder(info);
    const claims = createClaims(chunks.length);
    theirs = helper.decode({ bytes: shared.buffer as SharedArrayBuffer, info, chunks, claims });
    mine = decodeClaimed(shared, info, chunks, () => claim(claims, 'front'));
    helperIdle = () => Atomics.load(claims, 1) === 0;
  } else {
    const copy = bytes.slice().buffer;
    theirs = helper.decode(transfer({ bytes: copy, info, tasks: plans[1] }, [copy]));
    mine = decodeTasks(bytes, info, plans[0]);
  }
  let other: DataTablePart[];
  try {
    other = await theirs;
  } catch (e) {
    if (e instanceof DataError) throw e;
    helper.broken = true;
    // The helper could not run. If it claimed nothing, this worker decoded every chunk;
    // otherwise decode again on one core.
    if (!helperIdle()) return null;
    other = [];
  }
  const columnOrder = info.columns.filter((c) => c.unsupported === undefined).map((c) => c.name);
  const merged = mergeParts([...mine, ...other], columnOrder);
  // With claims, a helper that was not up before this worker had taken every chunk did nothing.
  // The columns left out are listed as the one-core reader lists them.
  return { table: withSkipped({ ...merged, name, format: 'parquet' }, info), threads: other.length > 0 ? 2 : 1 };
}

/**
 * The schema statistics of a Parquet or Arrow file read piece by piece from `blob` (a file too
 * large to load; the CLI's `train --stream`), with progress; nothing of the pieces is kept. The
 * default label is chosen on the first piece (as a streaming run chooses it), the features from
 * the streamed statistics.
 */
export async function streamedSummary(
  name: string,
  blob: Blob,
  emit: (p: DecodeProgress) => void = () => undefined,
): Promise<StreamedSummary> {
  const t0 = performance.now();
  const file = await openChunked(blobSource(blob), name);
  if (!file) throw new DataError(`${name}: only Parquet and Arrow files stream from disk`);
  const stats = new StreamStats();
  let first: DataTable | null = null;
  let last = 0;
  for (let k = 0; k < file.pieces(); k++) {
    const piece = (await file.read(k))!;
    first ??= piece.table;
    stats.add(piece.table);
    const now = performance.now();
    if (now - last > 100) {
      emit({ name, phase: 'scan', loaded: piece.end, total: blob.size });
      last = now;
    }
  }
  if (!first || stats.rows === 0) throw new DataError(`${name}: the file holds no rows`);
  const columns = stats.result();
  const { name: label, reason } = chooseLabel(first);
  return {
    name,
    format: file.format,
    bytes: blob.size,
    rows: stats.rows,
    columns,
    defaultLabel: label,
    defaultLabelReason: reason,
    // A column whose type changes between pieces would stop a run at the change: not a default feature.
    defaultFeatures: featuresFromStats(columns, stats.rows, label).filter((f) => !stats.changed.has(f)),
    ...(stats.changed.size ? { typeChanged: [...stats.changed].map(([column, reason]) => ({ column, reason })) } : {}),
    ...(first.skipped?.length ? { skipped: [...first.skipped] } : {}),
    statsMs: performance.now() - t0,
  };
}

/**
 * The decode service: `cache` holds decoded tables by fingerprint, `emit` posts progress, and
 * `startHelper` starts a Parquet helper where there can be one (null: none, decode on one core).
 */
export function createDecodeService(
  cache: Promise<TableCache>,
  emit: (p: DecodeProgress) => void,
  startHelper: () => ParquetHelper | null = () => null,
): Handlers<DecodeApi> {
  let keptHelper: ParquetHelper | null = null;
  return {
    streamStats: ({ name, blob }) => streamedSummary(name, blob, emit),
    async decode({ files, group }) {
      const t0 = performance.now();
      const total = files.reduce((n, f) => n + f.blob.size, 0);
      const label = files.length === 1 ? files[0].name : `${files[0].name} + ${files.length - 1} more`;
      checkFitsInMemory(label, total, memoryLimit());
      const tables: DataTable[] = [];
      const fingerprints: string[] = [];
      let cached = 0;
      let cacheKey: string | undefined;
      let threads = 1;
      let cachedStats: ColumnStats[] | null = null;
      // The helper stays for the next load of this (reused) decode worker, warm like it.
      const helper = (await mayUseHelper(files)) ? (keptHelper ??= startHelper()) : null;
      try {
        const c = await cache;
        for (const f of files) {
          const bytes = await readWithProgress(f.blob, f.name, emit);
          const fileSha = await sha256Hex(bytes);
          const hdf5 = sniffFormat(bytes.subarray(0, 1 << 21), f.name) === 'hdf5';
          if (group !== undefined && !hdf5)
            throw new DataError(
              `${f.name}: a group is chosen in HDF5 files only; this is ${aFormat(sniffFormat(bytes, f.name))}`,
            );
          // An HDF5 file's table depends on the group asked for: cached under the file and the request.
          // (hashed: the key is a file name in OPFS, and a group path has slashes).
          const key = hdf5 ? await sha256Hex(new TextEncoder().encode(`${fileSha}#${group ?? ''}`)) : fileSha;
          if (hdf5) cacheKey = key;
          const hit = await c.get(key).catch(() => null);
          let table: DataTable | null = null;
          if (hit) {
            try {
              table = { ...deserializeTable(hit, `${f.name} (cached)`), name: f.name };
              cached++;
              if (files.length === 1) cachedStats = decodeStats(await c.get(statsKey(key)).catch(() => null), table);
            } catch {
              table = null;
            }
          }
          if (!table) {
            emit({ name: f.name, phase: 'decode', loaded: 0, total: bytes.length });
            // The long-lived data worker writes the cache entry after adopting the table
            // (this worker is terminated as soon as it answers).
            const parallel = await readParquetOnTwoCores(bytes, f.name, helper);
            if (parallel) threads = Math.max(threads, parallel.threads);
            await prepareReader(bytes, f.name);
            // HDF5's C library can loop on a damaged file: the main thread stops the load past this deadline.
            if (hdf5)
              emit({
                name: f.name,
                phase: 'decode',
                loaded: 0,
                total: bytes.length,
                deadlineMs: hdf5DeadlineMs(bytes.length),
              });
            table = parallel?.table ?? readTable(bytes, f.name, group === undefined ? undefined : { group });
          }
          fingerprints.push(await datasetFingerprint(fileSha, table));
          tables.push(table);
        }
        const table = concatTables(tables, label);
        emit({ name: label, phase: 'stats', loaded: 0, total: table.rows });
        const { name: lbl, reason: labelReason } = chooseLabel(table);
        const summary: Omit<DatasetSummary, 'id'> = {
          name: label,
          format: table.format,
          bytes: total,
          rows: table.rows,
          columns: cachedStats ?? tableStats(table),
          fingerprint:
            fingerprints.length === 1
              ? fingerprints[0]
              : await sha256Hex(new TextEncoder().encode(fingerprints.join(','))),
          defaultLabel: lbl,
          defaultLabelReason: labelReason,
          defaultFeatures: defaultFeatures(table, lbl),
          decodeMs: performance.now() - t0,
          cache: c.kind === 'none' ? null : { kind: c.kind, hit: cached === files.length },
          ...(cacheKey !== undefined && files.length === 1 ? { cacheKey } : {}),
          decodeThreads: threads,
          ...sourceNotes(table),
        };
        return transfer({ table, summary }, tableBuffers(table));
      } finally {
        if (helper?.broken) {
          helper.terminate();
          keptHelper = null;
        }
      }
    },
  };
}
