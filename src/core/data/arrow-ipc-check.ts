/**
 * Checks an Arrow IPC file or stream's framing against the bytes that exist, before
 * apache-arrow reads it: every message length, every footer block, every record batch's
 * node and buffer lists and its row count. apache-arrow trusts these numbers: a huge negative
 * metadata length or a footer block off by one byte made it loop forever, and a node count of
 * 2^31 made it allocate without limit. Each problem becomes a DataError that says what is
 * wrong, in the file's terms.
 *
 * Layout (Arrow columnar format, "IPC"): a stream is encapsulated messages, each
 * [0xFFFFFFFF] [int32 metadata length] [Message flatbuffer] [body of Message.bodyLength bytes],
 * ended by a zero length; a file is "ARROW1\0\0", a stream, the Footer flatbuffer, its int32
 * length and "ARROW1". Only what the checks need of the flatbuffers is read here.
 */
import { DataError } from './table';
import { CODEC_NAMES, maxUncompressed } from './arrow-compression';

/** Rows a record batch may declare (typed arrays and the trainer index rows with int32). */
const MAX_ROWS = 2 ** 31 - 1;

/** Damaged framing: the message says what is wrong, without the file name. */
export class Bad extends Error {}

/** A body that runs past the end of the bytes: in a stream, the file was cut off. */
class Cut extends Bad {
  constructor(
    readonly needs: number,
    readonly left: number,
    message: string,
  ) {
    super(message);
  }
}

/** Bounds-checked little-endian reads of a flatbuffer living in bytes [start, end). */
export class Flat {
  constructor(
    private readonly view: DataView,
    private readonly start: number,
    private readonly end: number,
  ) {}

  private at(pos: number, size: number): number {
    if (pos < this.start || pos + size > this.end) throw new Bad('a flatbuffer offset points outside its message');
    return pos;
  }

  u16 = (p: number) => this.view.getUint16(this.at(p, 2), true);
  i32 = (p: number) => this.view.getInt32(this.at(p, 4), true);
  u32 = (p: number) => this.view.getUint32(this.at(p, 4), true);
  u8 = (p: number) => this.view.getUint8(this.at(p, 1));

  /** An int64 as a number; one beyond 2^53 is refused (no real length or offset is that large). */
  i64(p: number): number {
    const lo = this.u32(p);
    const hi = this.view.getInt32(this.at(p + 4, 4), true);
    if (hi < -0x200000 || hi >= 0x200000) throw new Bad('a 64-bit length or offset is out of any real range');
    return hi * 2 ** 32 + lo;
  }

  /** The root table's position. */
  root(): number {
    return this.start + this.u32(this.start);
  }

  /** Position of field `i` of the table at `t`, or null when absent. */
  field(t: number, i: number): number | null {
    const vt = t - this.i32(t);
    const vtLength = this.u16(vt);
    if (vtLength < 4 || vtLength % 2) throw new Bad('a flatbuffer vtable is malformed');
    if (4 + 2 * i >= vtLength) return null;
    const off = this.u16(vt + 4 + 2 * i);
    return off === 0 ? null : t + off;
  }

  /** The table or vector an offset field at `p` points to. */
  deref(p: number): number {
    return p + this.u32(p);
  }

  /** The UTF-8 string an offset field at `p` points to (at most 200 bytes of it). */
  text(p: number): string {
    const { length, first } = this.vector(this.deref(p), 1);
    const bytes = new Uint8Array(this.view.buffer, this.view.byteOffset + first, Math.min(length, 200));
    return new TextDecoder().decode(bytes);
  }

  /** Length and first element of the vector at `v`, checked to fit `elementSize` bytes per element. */
  vector(v: number, elementSize: number): { length: number; first: number } {
    const length = this.u32(v);
    if (v + 4 + length * elementSize > this.end)
      throw new Bad(`a list of ${length} entries is longer than its message`);
    return { length, first: v + 4 };
  }
}

interface MessageInfo {
  /** Bytes from the message's start to the end of its body. */
  size: number;
  headerType: number;
}

/** Where the checked numbers sit in the bytes (the tests damage them there). */
export interface IpcLayout {
  messages: {
    lengthAt: number;
    headerType: number;
    rowsAt: number | null;
    nodesAt: number | null;
    buffersAt: number | null;
  }[];
  /** Footer blocks (file form): the position of each block's int64 offset. */
  blocks: number[];
}

const HEADER = { dictionaryBatch: 2, recordBatch: 3 } as const;

/** A top-level column: its name and the index of its node in a record batch. */
interface ColumnNode {
  name: string;
  node: number;
}

/** What the schema told about record batches. */
interface SchemaFacts {
  columnNodes: ColumnNode[] | null;
}

/** Checks the encapsulated message at `pos` (metadata and body inside [pos, limit)); null at the end marker. */
function checkMessage(
  view: DataView,
  pos: number,
  limit: number,
  index: number,
  facts: SchemaFacts,
  layout?: IpcLayout,
): MessageInfo | null {
  // Fewer bytes than a length (or a continuation marker alone) at the end: the stream ends
  // there without its end-of-stream marker, as apache-arrow reads it too.
  if (pos + 4 > limit) return null;
  let at = pos;
  let length = view.getInt32(at, true);
  if (length === -1) {
    if (at + 8 > limit) return null;
    at += 4;
    length = view.getInt32(at, true);
  }
  const lengthAt = at;
  at += 4;
  if (length === 0) return null;
  if (length < 0 || at + length > limit)
    throw new Bad(
      `message ${index} declares ${length} bytes of metadata, but ${Math.max(0, limit - at)} bytes are left`,
    );
  const fb = new Flat(view, at, at + length);
  const msg = fb.root();
  const typeField = fb.field(msg, 1);
  const headerType = typeField === null ? 0 : fb.u8(typeField);
  // Schema, dictionary batch and record batch are the messages of an IPC file or stream; with
  // any other header type apache-arrow can loop without advancing.
  if (headerType < 1 || headerType > 3)
    throw new Bad(
      `message ${index} has header type ${headerType}, which is none of schema, dictionary batch or record batch`,
    );
  const bodyField = fb.field(msg, 3);
  const bodyLength = bodyField === null ? 0 : fb.i64(bodyField);
  const bodyStart = at + length;
  if (bodyLength < 0 || bodyStart + bodyLength > limit) {
    const left = Math.max(0, limit - bodyStart);
    throw new Cut(
      bodyLength,
      left,
      `message ${index} declares a body of ${bodyLength} bytes, but ${left} bytes are left`,
    );
  }
  const entry = {
    lengthAt,
    headerType,
    rowsAt: null as number | null,
    nodesAt: null as number | null,
    buffersAt: null as number | null,
  };
  const headerField = fb.field(msg, 2);
  if (headerField !== null && headerType === 1) facts.columnNodes = checkSchema(fb, fb.deref(headerField));
  if (headerField !== null && (headerType === HEADER.recordBatch || headerType === HEADER.dictionaryBatch)) {
    let batch = fb.deref(headerField);
    if (headerType === HEADER.dictionaryBatch) {
      const data = fb.field(batch, 1);
      batch = data === null ? -1 : fb.deref(data);
    }
    if (batch >= 0) {
      if (layout) {
        entry.rowsAt = fb.field(batch, 0);
        const nodes = fb.field(batch, 1);
        const buffers = fb.field(batch, 2);
        entry.nodesAt = nodes === null ? null : fb.deref(nodes);
        entry.buffersAt = buffers === null ? null : fb.deref(buffers);
      }
      checkRecordBatch(
        fb,
        batch,
        view,
        bodyStart,
        bodyLength,
        index,
        headerType === HEADER.recordBatch ? facts.columnNodes : null,
      );
    }
  }
  layout?.messages.push(entry);
  return { size: bodyStart + bodyLength - pos, headerType };
}

/** Offset vectors a table may hold (fields, children, custom metadata): each checked to fit. */
function checkOffsetVector(fb: Flat, table: number, fieldIndex: number): { length: number; first: number } | null {
  const f = fb.field(table, fieldIndex);
  return f === null ? null : fb.vector(fb.deref(f), 4);
}

/**
 * A schema's fields, their children and custom metadata, to any depth (at most 64): every list
 * fits its message. apache-arrow walks them without looking, and a damaged count made it
 * build millions of fields.
 */
function checkSchema(fb: Flat, schema: number): ColumnNode[] {
  checkOffsetVector(fb, schema, 2);
  const stack: [number, number][] = [];
  const fields = checkOffsetVector(fb, schema, 1);
  for (let i = 0; fields && i < fields.length; i++) stack.push([fb.deref(fields.first + 4 * i), 1]);
  let seen = 0;
  while (stack.length) {
    const [field, depth] = stack.pop()!;
    if (depth > 64) throw new Bad('the schema nests fields more than 64 levels deep');
    if (++seen > 100_000) throw new Bad('the schema declares more than 100,000 fields');
    checkOffsetVector(fb, field, 6);
    // Field: name 0, nullable 1, type_type 2 (a ubyte), type 3, dictionary 4, children 5, custom_metadata 6.
    const children = checkOffsetVector(fb, field, 5);
    for (let i = 0; children && i < children.length; i++) stack.push([fb.deref(children.first + 4 * i), depth + 1]);
  }
  // A record batch lists one node per field, parents first; a dictionary-encoded field is one
  // node (its values come in dictionary batches). The walk above bounded depth and count.
  const nodes = (field: number): number => {
    if (fb.field(field, 4) !== null) return 1;
    const children = checkOffsetVector(fb, field, 5);
    let n = 1;
    for (let i = 0; children && i < children.length; i++) n += nodes(fb.deref(children.first + 4 * i));
    return n;
  };
  const columnNodes: ColumnNode[] = [];
  for (let i = 0, at = 0; fields && i < fields.length; i++) {
    const field = fb.deref(fields.first + 4 * i);
    const nameAt = fb.field(field, 0);
    columnNodes.push({ name: nameAt === null ? `#${i + 1}` : fb.text(nameAt), node: at });
    at += nodes(field);
  }
  return columnNodes;
}

/**
 * Rows (or values of a column node) a body of `bodyLength` bytes can hold: a value takes at
 * least one bit (booleans, validity bits), so more than 8 per body byte would be a batch of
 * nothing but missing values, which the reader would still allocate arrays for.
 */
const rowsFor = (bodyLength: number) => Math.min(MAX_ROWS, Math.max(1024, 8 * bodyLength));

/** A record batch's row count, node list and buffer list against its message and body. */
function checkRecordBatch(
  fb: Flat,
  batch: number,
  view: DataView,
  bodyStart: number,
  bodyLength: number,
  index: number,
  columnNodes: ColumnNode[] | null,
): void {
  const buffers = pairsOf(fb, batch, 2);
  buffers.forEach(([offset, length], i) => {
    if (offset < 0 || length < 0 || offset + length > bodyLength) {
      throw new Bad(
        `record batch ` +
          `in message ${index}: buffer ${i} (${length} bytes at ${offset}) lies outside its ${bodyLength}-byte body`,
      );
    }
  });
  // A compressed body holds more values than its bytes: bound the rows by what it decompresses to.
  const compression = fb.field(batch, 3);
  const body =
    compression === null ? bodyLength : checkCompressed(fb, fb.deref(compression), buffers, view, bodyStart, index);
  const lengthField = fb.field(batch, 0);
  const rows = lengthField === null ? 0 : fb.i64(lengthField);
  if (rows < 0 || rows > MAX_ROWS)
    throw new Bad(`record batch in message ${index} declares ${rows} rows (at most ${MAX_ROWS} can be read)`);
  if (rows > rowsFor(body))
    throw new Bad(
      `record batch in message ${index} declares ${rows} rows, more than its ${bodyLength}-byte body can hold`,
    );
  const nodes = pairsOf(fb, batch, 1);
  nodes.forEach(([n, nulls], i) => {
    if (n < 0 || n > rowsFor(body) || nulls < 0 || nulls > n)
      throw new Bad(
        `record batch ` +
          (`in message ${index}: column node ${i} declares ${n} values with ${nulls} missing, which ` +
            `its ${bodyLength}-byte body cannot hold`),
      );
  });
  // Every column of a batch has the batch's rows: apache-arrow pads a shorter one with missing
  // values, which would read as data that is not in the file.
  columnNodes?.forEach(({ name, node }) => {
    if (node >= nodes.length)
      throw new Bad(`record batch in message ${index} lists ${nodes.length} column nodes, fewer than its schema needs`);
    if (nodes[node][0] !== rows)
      throw new Bad(
        `record batch in message ${index}: column "${name}" holds ${nodes[node][0]} values for the batch's ${rows} rows`,
      );
  });
}

/**
 * A compressed batch (BodyCompression: codec LZ4_FRAME or ZSTD, method BUFFER): every non-empty
 * buffer starts with its int64 uncompressed length, -1 (stored as it is) or at most what its
 * compressed bytes can hold. Returns the bytes the body holds once decompressed.
 */
function checkCompressed(
  fb: Flat,
  compression: number,
  buffers: [number, number][],
  view: DataView,
  bodyStart: number,
  index: number,
): number {
  const codecField = fb.field(compression, 0);
  const codec = codecField === null ? 0 : fb.u8(codecField);
  const methodField = fb.field(compression, 1);
  const method = methodField === null ? 0 : fb.u8(methodField);
  if (codec > 1)
    throw new Bad(
      `record batch in message ${index} is compressed with codec ${codec}, which is neither LZ4_FRAME nor ZSTD`,
    );
  if (method !== 0)
    throw new Bad(`record batch in message ${index} is compressed by method ${method}, not buffer by buffer`);
  let total = 0;
  buffers.forEach(([offset, length], i) => {
    if (length === 0) return;
    const where = `record batch in message ${index}: compressed buffer ${i}`;
    if (length < 8) throw new Bad(`${where} has ${length} bytes, too few for its 8-byte uncompressed length`);
    const at = bodyStart + offset;
    const lo = view.getUint32(at, true);
    const hi = view.getInt32(at + 4, true);
    if (hi === -1 && lo === 0xffffffff) {
      total += length - 8;
      return;
    }
    const declared = hi * 2 ** 32 + lo;
    const most = maxUncompressed(codec, length - 8);
    if (declared < 0 || declared > most)
      throw new Bad(
        `${where} declares ${declared} bytes uncompressed, but ${length - 8} bytes ` +
          `of ${CODEC_NAMES[codec]} hold at most ${most}`,
      );
    total += declared;
  });
  return total;
}

/**
 * A vector of 16-byte structs of two int64 (a record batch's FieldNode {length, null_count} and
 * Buffer {offset, length} lists) as number pairs; empty when the field is absent.
 */
function pairsOf(fb: Flat, table: number, fieldIndex: number): [number, number][] {
  const f = fb.field(table, fieldIndex);
  if (f === null) return [];
  const v = fb.vector(fb.deref(f), 16);
  return Array.from({ length: v.length }, (_, i) => [fb.i64(v.first + 16 * i), fb.i64(v.first + 16 * i + 8)]);
}

/** Walks a stream of messages in [start, limit); returns where the end marker (or the bytes) ended. */
function checkStream(view: DataView, start: number, limit: number, layout?: IpcLayout): void {
  let pos = start;
  const facts: SchemaFacts = { columnNodes: null };
  for (let index = 1; pos < limit; index++) {
    const m = checkMessage(view, pos, limit, index, facts, layout);
    if (m === null) return;
    pos += m.size;
  }
}

/** Footer blocks: each must point at a message that lies, whole, before the footer. */
function checkFile(view: DataView, size: number, layout?: IpcLayout): void {
  const footerLength = view.getInt32(size - 10, true);
  const footerEnd = size - 10;
  if (footerLength <= 0 || footerLength > footerEnd - 8)
    throw new Bad(
      `the footer declares ${footerLength} bytes, but the file holds ${Math.max(0, footerEnd - 8)} before it`,
    );
  const footerStart = footerEnd - footerLength;
  const fb = new Flat(view, footerStart, footerEnd);
  const footer = fb.root();
  const schema = fb.field(footer, 1);
  const facts: SchemaFacts = { columnNodes: schema === null ? null : checkSchema(fb, fb.deref(schema)) };
  for (const [fieldIndex, what] of [
    [2, 'dictionary'],
    [3, 'record batch'],
  ] as const) {
    const f = fb.field(footer, fieldIndex);
    if (f === null) continue;
    const blocks = fb.vector(fb.deref(f), 24);
    for (let i = 0; i < blocks.length; i++) {
      const at = blocks.first + 24 * i;
      layout?.blocks.push(at);
      const offset = fb.i64(at);
      const metaLength = fb.i32(at + 8);
      const bodyLength = fb.i64(at + 16);
      const where = `footer ${what} block ${i}`;
      if (offset < 8 || metaLength <= 0 || bodyLength < 0 || offset + metaLength + bodyLength > footerStart) {
        throw new Bad(
          `${where} (${metaLength} + ${bodyLength} bytes at ${offset}) lies outside ` +
            `the file's ${footerStart} bytes of messages`,
        );
      }
      let m: MessageInfo | null;
      try {
        m = checkMessage(view, offset, footerStart, i + 1, facts);
      } catch (e) {
        if (e instanceof Bad)
          throw new Bad(`${where} at byte ${offset} does not start a readable message (${e.message})`);
        throw e;
      }
      if (m === null || m.size > metaLength + bodyLength)
        throw new Bad(`${where} at byte ${offset} does not start a message of its declared size`);
      const expected = fieldIndex === 2 ? HEADER.dictionaryBatch : HEADER.recordBatch;
      if (m.headerType !== expected)
        throw new Bad(`${where} at byte ${offset} holds a message of header type ${m.headerType}, not a ${what}`);
    }
  }
}

/**
 * Throws a DataError naming the file when its Arrow IPC framing does not fit its bytes; with
 * `layout`, also records where the checked numbers sit.
 */
export function checkArrowIpc(bytes: Uint8Array, fileName: string, fileForm: boolean, layout?: IpcLayout): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (fileForm) {
      checkFile(view, bytes.length, layout);
      checkStream(view, 8, bytes.length - 10 - Math.max(0, view.getInt32(bytes.length - 10, true)), layout);
    } else checkStream(view, 0, bytes.length, layout);
  } catch (e) {
    if (e instanceof Cut && !fileForm && e.needs > 0) {
      throw new DataError(
        `${fileName}: the Arrow stream is cut off in the middle of a record batch (its ` +
          `body needs ${e.needs} bytes, ${e.left} are there): the file is truncated`,
      );
    }
    if (e instanceof Bad)
      throw new DataError(`${fileName}: not a readable Arrow IPC ${fileForm ? 'file' : 'stream'}: ${e.message}`);
    throw e;
  }
}
