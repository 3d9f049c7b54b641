/**
 * Parquet and Arrow files read piece by piece from where they lie (a `File` the user picked,
 * a file on disk in the CLI), never whole: the footer first, then one row group or record
 * batch at a time through `ByteSource.read`. This is how a file larger than the tab's memory
 * trains (streaming mode, see services/data-service.ts): at any moment only one piece's bytes
 * and decoded columns are held.
 *
 * - Parquet: the footer gives every row group's column chunks and their byte ranges; a piece
 *   reads only the chunks of the columns asked for (a 60-column file trained on 5 columns reads
 *   5 columns' bytes), copies them into one compact buffer, and decodes it with the same
 *   decoder as a whole file.
 * - Arrow (IPC file or stream): messages are walked in order (length, metadata, body); a record
 *   batch becomes a small stream of the schema, the dictionary batches before it and the batch
 *   itself, read by the same checked reader as a whole file (`readChunks`). Where each batch
 *   lies is remembered, so a later epoch can read pieces in any order.
 */
import { Flat, Bad } from './arrow-ipc-check';
import { readChunks } from './chunks';
import { footerLengthOf, parseFooter } from './parquet/metadata';
import { asDataError, withFileName } from './parquet/errors';
import { decodeRowGroups, selectColumns } from './parquet/part';
import { mergeParts } from './parquet/merge';
import { withSkipped } from './parquet/reader';
import type { ParquetColumnChunkInfo, ParquetFileInfo } from './parquet/types';
import { DataError, type DataTable } from './table';

/** Random access to a file's bytes. */
export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset + length), exactly (a source that returns fewer is a cut-off file). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A `Blob` (a `File`, or Node's `fs.openAsBlob`) as a source: each read is a `slice`. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** Bytes already in memory as a source (tests, and files small enough to have been read whole). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/** One piece: its rows, and where its first row is in the file. */
export interface SourceChunk {
  table: DataTable;
  /** Position in the file of the piece's first row. */
  rowStart: number;
  /** The byte where the piece ends in the file (what is left after it estimates the rows to come). */
  end: number;
}

/** A Parquet or Arrow file opened for reading piece by piece. */
export interface ChunkedFile {
  readonly format: 'parquet' | 'arrow';
  /** Rows in the file (Parquet's footer says; an Arrow file's messages are walked when it opens). */
  readonly totalRows: number;
  /** Pieces in the file (row groups, record batches). */
  pieces(): number;
  /** Where piece `k`'s first row is in the file. */
  rowStart(k: number): number;
  /**
   * Piece `k` (0-based, in file order), with only `columns` decoded when given (Parquet; an
   * Arrow batch is read whole and its other columns dropped). Null when the file has no piece `k`.
   */
  read(k: number, columns?: readonly string[]): Promise<SourceChunk | null>;
}

/** Bytes one piece may need before it is refused (a row group of several GB cannot be read piecewise either). */
export const MAX_PIECE_BYTES = 1 << 30;

const human = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

async function readExactly(source: ByteSource, offset: number, length: number, fileName: string): Promise<Uint8Array> {
  if (offset < 0 || length < 0 || offset + length > source.size)
    throw new DataError(
      `${fileName}: bytes ${offset}..${offset + length} lie outside the file's ${source.size} bytes (the file is truncated or damaged)`,
    );
  if (length > MAX_PIECE_BYTES)
    throw new DataError(
      `${fileName}: one piece of the file needs ${human(length)} at once, more than the ${human(MAX_PIECE_BYTES)} ` +
        'a piece may take (write it with smaller row groups or record batches)',
    );
  const bytes = await source.read(offset, length);
  if (bytes.length !== length)
    throw new DataError(`${fileName}: the file ended at byte ${offset + bytes.length}, before byte ${offset + length}`);
  return bytes;
}

/**
 * Opens `source` for piecewise reading when it is a Parquet file or an Arrow IPC file or stream
 * (by its first bytes); null for other formats, which are read whole.
 */
export async function openChunked(source: ByteSource, fileName: string): Promise<ChunkedFile | null> {
  const head = await source.read(0, Math.min(source.size, 8));
  const is = (s: string) => head.length >= s.length && [...s].every((ch, i) => head[i] === ch.charCodeAt(0));
  if (is('PAR1')) return openParquet(source, head, fileName);
  if (is('ARROW1')) return openArrowPieces(source, fileName, true);
  if (head.length >= 8 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff)
    return openArrowPieces(source, fileName, false);
  return null;
}

async function openParquet(source: ByteSource, head: Uint8Array, fileName: string): Promise<ChunkedFile> {
  const n = source.size;
  const tail8 = await source.read(Math.max(0, n - 8), Math.min(n, 8));
  const footerLength = withFileName(fileName, () => footerLengthOf(head, tail8, n));
  const tail = await readExactly(source, n - 8 - footerLength, footerLength + 8, fileName);
  const info = withFileName(fileName, () => parseFooter(head, tail, n, fileName));
  return {
    format: 'parquet',
    totalRows: info.numRows,
    pieces: () => info.rowGroups.length,
    rowStart: (k) => info.rowGroups[k].rowStart,
    async read(k, columns) {
      if (k < 0 || k >= info.rowGroups.length) return null;
      const names = withFileName(fileName, () =>
        selectColumns(info, columns && [...new Set(columns)]).map((c) => c.name),
      );
      const group = info.rowGroups[k];
      const wanted = new Set(withFileName(fileName, () => selectColumns(info, names)).map((c) => c.index));
      const { bytes, rebased } = await compactChunks(
        source,
        fileName,
        group.columns.filter((_, i) => wanted.has(i)),
      );
      const local: ParquetFileInfo = {
        ...info,
        rowGroups: info.rowGroups.map((g, i) =>
          i === k ? { ...g, columns: g.columns.map((c) => rebased.get(c) ?? c) } : g,
        ),
      };
      let table: DataTable;
      try {
        const part = decodeRowGroups(bytes, local, [k], names);
        table =
          part.columns.length === 0
            ? { name: fileName, format: 'parquet', rows: part.rows, columns: [] }
            : mergeParts([part], names);
      } catch (e) {
        throw asDataError(fileName, e);
      }
      const end = Math.max(...group.columns.map((c) => c.start + c.compressedSize));
      return { table: withSkipped({ ...table, name: fileName }, info), rowStart: group.rowStart, end };
    },
  };
}

/**
 * The column chunks' bytes copied into one buffer (ranges that touch or nearly touch are read
 * in one `read`), with each chunk's info moved to where its bytes now are.
 */
async function compactChunks(
  source: ByteSource,
  fileName: string,
  chunks: readonly ParquetColumnChunkInfo[],
): Promise<{ bytes: Uint8Array; rebased: Map<ParquetColumnChunkInfo, ParquetColumnChunkInfo> }> {
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  const total = sorted.reduce((t, c) => t + c.compressedSize, 0);
  if (total > MAX_PIECE_BYTES)
    throw new DataError(
      `${fileName}: one row group's columns need ${human(total)} at once, more than the ${human(MAX_PIECE_BYTES)} ` +
        'a piece may take (write the file with smaller row groups)',
    );
  const bytes = new Uint8Array(total);
  const rebased = new Map<ParquetColumnChunkInfo, ParquetColumnChunkInfo>();
  const GAP = 64 << 10;
  let at = 0;
  for (let i = 0; i < sorted.length;) {
    // A run of chunks whose gaps are small: one read, the gaps dropped while copying.
    let j = i + 1;
    let end = sorted[i].start + sorted[i].compressedSize;
    while (j < sorted.length && sorted[j].start <= end + GAP && sorted[j].start >= sorted[j - 1].start) {
      end = Math.max(end, sorted[j].start + sorted[j].compressedSize);
      j++;
    }
    const from = sorted[i].start;
    const span = await readExactly(source, from, end - from, fileName);
    for (let c = i; c < j; c++) {
      const chunk = sorted[c];
      bytes.set(span.subarray(chunk.start - from, chunk.start - from + chunk.compressedSize), at);
      rebased.set(chunk, { ...chunk, start: at });
      at += chunk.compressedSize;
    }
    i = j;
  }
  return { bytes, rebased };
}

/** Where one encapsulated message lies. */
interface MessageAt {
  offset: number;
  /** Bytes from `offset` to the end of the body. */
  size: number;
  headerType: number;
  /** Rows (record batches only). */
  rows: number;
}

const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

async function openArrowPieces(source: ByteSource, fileName: string, fileForm: boolean): Promise<ChunkedFile> {
  const n = source.size;
  const what = `not a readable Arrow IPC ${fileForm ? 'file' : 'stream'}`;
  const bad = (message: string) => new DataError(`${fileName}: ${what}: ${message}`);
  // Messages lie in [start, limit): after the 8-byte magic and before the footer (file form).
  let limit = n;
  let footer: Uint8Array | null = null;
  if (fileForm) {
    if (n < 18) throw new DataError(`${fileName}: the Arrow file is truncated (${n} bytes)`);
    const tail = await source.read(n - 10, 10);
    if (String.fromCharCode(...tail.subarray(4)) !== 'ARROW1')
      throw new DataError(
        `${fileName}: the Arrow file is truncated (it does not end with the ARROW1 marker after its footer)`,
      );
    const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
    if (footerLength <= 0 || footerLength > n - 18)
      throw bad(`the footer declares ${footerLength} bytes, but the file holds ${n - 18} before it`);
    limit = n - 10 - footerLength;
    footer = await readExactly(source, limit, footerLength, fileName);
  }
  let pos = fileForm ? 8 : 0;
  let ended = false;
  const messages: MessageAt[] = [];
  /** Record batches found so far, by position in `messages`, and where each one's rows start. */
  const batches: number[] = [];
  const rowStarts: number[] = [];
  let rowsSoFar = 0;
  /** Reads the next message's framing and metadata; false at the end. */
  const walk = async (): Promise<boolean> => {
    if (ended) return false;
    const index = messages.length + 1;
    if (pos + 8 > limit) {
      ended = true;
      return false;
    }
    const prefix = await readExactly(source, pos, 8, fileName);
    const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
    let metaAt = pos + 4;
    let length = view.getInt32(0, true);
    if (length === -1) {
      length = view.getInt32(4, true);
      metaAt = pos + 8;
    }
    if (length === 0) {
      ended = true;
      return false;
    }
    if (length < 0 || metaAt + length > limit)
      throw bad(`message ${index} declares ${length} bytes of metadata, but ${Math.max(0, limit - metaAt)} are left`);
    const meta = await readExactly(source, metaAt, length, fileName);
    let headerType: number;
    let bodyLength: number;
    let rows = 0;
    try {
      const fb = new Flat(new DataView(meta.buffer, meta.byteOffset, meta.length), 0, meta.length);
      const msg = fb.root();
      const typeField = fb.field(msg, 1);
      headerType = typeField === null ? 0 : fb.u8(typeField);
      const bodyField = fb.field(msg, 3);
      bodyLength = bodyField === null ? 0 : fb.i64(bodyField);
      const header = fb.field(msg, 2);
      if (headerType === 3 && header !== null) {
        const lengthField = fb.field(fb.deref(header), 0);
        rows = lengthField === null ? 0 : fb.i64(lengthField);
      }
    } catch (e) {
      if (e instanceof Bad) throw bad(`message ${index}: ${e.message}`);
      throw e;
    }
    if (headerType < 1 || headerType > 3)
      throw bad(
        `message ${index} has header type ${headerType}, which is none of schema, dictionary batch or record batch`,
      );
    if (index === 1 && headerType !== 1 && !fileForm) throw bad('the first message is not the schema');
    const end = metaAt + length + bodyLength;
    if (bodyLength < 0 || end > limit)
      throw new DataError(
        `${fileName}: the Arrow ${fileForm ? 'file' : 'stream'} is cut off in the middle of a record batch (its ` +
          `body needs ${bodyLength} bytes, ${Math.max(0, limit - metaAt - length)} are there): the file is truncated`,
      );
    messages.push({ offset: pos, size: end - pos, headerType, rows });
    if (headerType === 3) {
      batches.push(messages.length - 1);
      rowStarts.push(rowsSoFar);
      rowsSoFar += rows;
    }
    pos = end;
    return true;
  };
  const walkToBatch = async (k: number): Promise<boolean> => {
    while (batches.length <= k) if (!(await walk())) return false;
    return true;
  };
  // The schema message; a file whose messages start without one (apache-arrow's JavaScript writer
  // keeps it in the footer only) gets one made from the footer's schema.
  const hasSchema = (await walk()) && messages[0].headerType === 1;
  if (!hasSchema && !footer) throw bad('it holds no schema message');
  const schema = hasSchema
    ? await readExactly(source, messages[0].offset, messages[0].size, fileName)
    : schemaFromFooter(footer!, bad);
  const dictionaries = new Map<number, Uint8Array>();
  // Every message's framing up front (a few bytes each): a file cut off or damaged in its last
  // batch is refused before training starts, and the rows and pieces are known.
  await walkToBatch(Number.MAX_SAFE_INTEGER);
  return {
    format: 'arrow',
    totalRows: rowsSoFar,
    pieces: () => batches.length,
    rowStart: (k) => rowStarts[k],
    async read(k, columns) {
      if (k < 0 || !(await walkToBatch(k))) {
        if (k !== 0) return null;
        // No record batch: one piece of no rows with the schema's columns, as a whole read gives.
        const empty = new Uint8Array(schema.length + EOS.length);
        empty.set(schema);
        empty.set(EOS, schema.length);
        return { table: pick(readOne(empty), columns), rowStart: 0, end: n };
      }
      const at = batches[k];
      // The schema, every dictionary batch before this record batch (in order: deltas and
      // replacements apply as they did in the file), the batch, and the end marker.
      const parts: Uint8Array[] = [schema];
      for (let i = 0; i < at; i++) {
        if (messages[i].headerType !== 2) continue;
        let d = dictionaries.get(i);
        if (!d) dictionaries.set(i, (d = await readExactly(source, messages[i].offset, messages[i].size, fileName)));
        parts.push(d);
      }
      parts.push(await readExactly(source, messages[at].offset, messages[at].size, fileName));
      parts.push(EOS);
      const stream = new Uint8Array(parts.reduce((t, p) => t + p.length, 0));
      let o = 0;
      for (const p of parts) {
        stream.set(p, o);
        o += p.length;
      }
      const m = messages[at];
      return { table: pick(readOne(stream), columns), rowStart: rowStarts[k], end: m.offset + m.size };
    },
  };
  function readOne(stream: Uint8Array): DataTable {
    const read = readChunks(stream, fileName).next();
    if (read.done) throw bad('a record batch could not be read');
    return read.value;
  }
}

/**
 * An encapsulated Schema message built around the Schema table of an Arrow file's footer: the
 * footer is copied whole (its flatbuffer offsets are relative, so they stay valid) after a small
 * Message table (version, header type Schema, header, body length 0) that points into it.
 */
function schemaFromFooter(footer: Uint8Array, bad: (m: string) => DataError): Uint8Array {
  let schemaAt: number;
  let version = 4;
  try {
    const fb = new Flat(new DataView(footer.buffer, footer.byteOffset, footer.length), 0, footer.length);
    const root = fb.root();
    const v = fb.field(root, 0);
    if (v !== null) version = fb.u16(v);
    const f = fb.field(root, 1);
    if (f === null) throw new Bad('the footer has no schema');
    schemaAt = fb.deref(f);
  } catch (e) {
    if (e instanceof Bad) throw bad(e.message);
    throw e;
  }
  const COPY = 40;
  const metaLength = (COPY + footer.length + 7) & ~7;
  const out = new Uint8Array(8 + metaLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xffffffff, true);
  dv.setInt32(4, metaLength, true);
  const m = 8;
  dv.setUint32(m, 16, true); // root: the Message table at 16
  // vtable at 4: its size, the table's size, and the offsets of version, header_type, header, bodyLength.
  [12, 24, 4, 6, 8, 16].forEach((x, i) => dv.setUint16(m + 4 + 2 * i, x, true));
  dv.setInt32(m + 16, 12, true); // table 16 - vtable 4
  dv.setInt16(m + 20, version, true);
  dv.setUint8(m + 22, 1); // Schema
  dv.setUint32(m + 24, COPY + schemaAt - 24, true);
  // bodyLength (at 32) stays 0.
  out.set(footer, m + COPY);
  return out;
}

/** The table with only `columns` (all when not given). */
function pick(table: DataTable, columns?: readonly string[]): DataTable {
  if (!columns) return table;
  const keep = new Set(columns);
  return { ...table, columns: table.columns.filter((c) => keep.has(c.name)) };
}
