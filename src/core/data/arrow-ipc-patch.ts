/**
 * apache-arrow 21 does not know three types of the Arrow format: RunEndEncoded, ListView and
 * LargeListView. A file with one of them would be refused whole, although its other columns
 * (and the run-end encoded ones, once expanded) can train. This rewrites such a file, before
 * apache-arrow reads it, into a stream apache-arrow does read:
 *
 * - RunEndEncoded (no buffers of its own; children run_ends and values) becomes a Struct of
 *   those two children, with an empty validity buffer inserted in each record batch's buffer
 *   list (a run-end encoded array has no missing values of its own). The reader expands the
 *   runs (`arrow.ts`).
 * - ListView and LargeListView (validity, offsets, sizes; one child) become List and LargeList
 *   with the sizes buffer dropped. The reader lists them as skipped (a list of varying length per
 *   row is never a training column), so their offsets are never read.
 *
 * Only the schema's type tags (one byte each, both types' tables are empty) and the buffer lists
 * of record batches change; bodies are copied as they are. The output is always a stream (a file's
 * messages in order, its footer dropped). The framing has been checked (`arrow-ipc-check.ts`)
 * before this runs.
 */
import { Bad, Flat } from './arrow-ipc-check';
import { DataError } from './table';

/** A type apache-arrow cannot read, as the file declared it. */
export type PatchedKind = 'RunEndEncoded' | 'ListView' | 'LargeListView';

export interface ArrowPatch {
  /** The rewritten stream. */
  bytes: Uint8Array;
  /** The original type of each rewritten field, by its path: top-level index, then child indices, joined by '.'. */
  kinds: Map<string, PatchedKind>;
}

/** Schema.fbs's Type union tags this module needs. */
const TYPE = {
  Null: 1,
  Binary: 4,
  Utf8: 5,
  List: 12,
  Struct: 13,
  Union: 14,
  FixedSizeList: 16,
  Map: 17,
  LargeBinary: 19,
  LargeUtf8: 20,
  LargeList: 21,
  RunEndEncoded: 22,
  BinaryView: 23,
  Utf8View: 24,
  ListView: 25,
  LargeListView: 26,
} as const;

/** What each unreadable tag is rewritten to. */
const REWRITE: Record<number, { to: number; kind: PatchedKind }> = {
  [TYPE.RunEndEncoded]: { to: TYPE.Struct, kind: 'RunEndEncoded' },
  [TYPE.ListView]: { to: TYPE.List, kind: 'ListView' },
  [TYPE.LargeListView]: { to: TYPE.LargeList, kind: 'LargeListView' },
};

/** MetadataVersion V5 (Arrow 1.0): unions lost their validity buffer. */
const V5 = 4;

interface FieldInfo {
  name: string;
  type: number;
  /** Absolute position of the field's type tag byte. */
  tagAt: number;
  dictionary: boolean;
  dense: boolean;
  children: FieldInfo[];
  path: string;
}

interface MessageAt {
  /** Metadata [metaStart, metaEnd) and body [metaEnd, end). */
  metaStart: number;
  metaEnd: number;
  end: number;
  headerType: number;
}

/** The messages of a stream in [start, limit), until its end marker. */
function messages(view: DataView, start: number, limit: number): MessageAt[] {
  const out: MessageAt[] = [];
  let pos = start;
  while (pos + 4 <= limit) {
    let length = view.getInt32(pos, true);
    let at = pos + 4;
    if (length === -1) {
      if (pos + 8 > limit) break;
      length = view.getInt32(at, true);
      at += 4;
    }
    if (length <= 0) break;
    const fb = new Flat(view, at, at + length);
    const msg = fb.root();
    const typeField = fb.field(msg, 1);
    const bodyField = fb.field(msg, 3);
    const bodyLength = bodyField === null ? 0 : fb.i64(bodyField);
    const end = at + length + bodyLength;
    if (end > limit) throw new Bad('a message runs past the end of the bytes');
    out.push({ metaStart: at, metaEnd: at + length, end, headerType: typeField === null ? 0 : fb.u8(typeField) });
    pos = end;
  }
  return out;
}

function readFields(fb: Flat, vectorField: number | null, parent: string): FieldInfo[] {
  if (vectorField === null) return [];
  const v = fb.vector(fb.deref(vectorField), 4);
  return Array.from({ length: v.length }, (_, i) => {
    const f = fb.deref(v.first + 4 * i);
    const path = parent === '' ? String(i) : `${parent}.${i}`;
    const nameAt = fb.field(f, 0);
    const tagAt = fb.field(f, 2);
    const type = tagAt === null ? 0 : fb.u8(tagAt);
    let dense = false;
    if (type === TYPE.Union) {
      const t = fb.field(f, 3);
      const mode = t === null ? null : fb.field(fb.deref(t), 0);
      dense = mode !== null && fb.u16(mode) === 1;
    }
    return {
      name: nameAt === null ? `#${i + 1}` : fb.text(nameAt),
      type,
      tagAt: tagAt ?? -1,
      dictionary: fb.field(f, 4) !== null,
      dense,
      children: readFields(fb, fb.field(f, 5), path),
      path,
    };
  });
}

/** Every field of the tree, parents first (the order of a record batch's nodes and buffers). */
function* preorder(fields: FieldInfo[]): Generator<FieldInfo> {
  for (const f of fields) {
    yield f;
    yield* preorder(f.children);
  }
}

/** The fields whose type apache-arrow cannot read. */
const unreadable = (fields: FieldInfo[]) => [...preorder(fields)].filter((f) => REWRITE[f.type]);

/**
 * One record batch's buffer list as apache-arrow must see it after the rewrite: the original
 * entries, with an empty one for each run-end encoded field and each list view's sizes dropped.
 */
function rewriteBuffers(
  fields: FieldInfo[],
  buffers: [number, number][],
  variadic: number[],
  version: number,
): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  let views = 0;
  const keep = (n: number) => {
    for (let i = 0; i < n; i++) {
      if (next >= buffers.length) throw new Bad('a record batch lists fewer buffers than its schema needs');
      out.push(buffers[next++]);
    }
  };
  const visit = (list: FieldInfo[]) => {
    for (const f of list) {
      // A dictionary-encoded field is one node of validity and indices; its values come in dictionary batches.
      if (f.dictionary) {
        keep(2);
        continue;
      }
      switch (f.type) {
        case TYPE.RunEndEncoded:
          out.push([0, 0]);
          break;
        case TYPE.ListView:
        case TYPE.LargeListView:
          keep(2);
          if (next >= buffers.length) throw new Bad('a record batch lists fewer buffers than its schema needs');
          next++;
          break;
        case TYPE.Null:
          break;
        case TYPE.Struct:
        case TYPE.FixedSizeList:
          keep(1);
          break;
        case TYPE.Union:
          keep((f.dense ? 2 : 1) + (version < V5 ? 1 : 0));
          break;
        case TYPE.Binary:
        case TYPE.Utf8:
        case TYPE.LargeBinary:
        case TYPE.LargeUtf8:
          keep(3);
          break;
        case TYPE.BinaryView:
        case TYPE.Utf8View:
          keep(2 + (variadic[views++] ?? 0));
          break;
        default:
          // Primitives (validity, values), List, LargeList and Map (validity, offsets).
          keep(2);
      }
      visit(f.children);
    }
  };
  visit(fields);
  if (next !== buffers.length) throw new Bad('a record batch lists more buffers than its schema needs');
  return out;
}

/** An int64 vector of a table as numbers (variadic buffer counts). */
function int64s(fb: Flat, table: number, index: number): number[] {
  const f = fb.field(table, index);
  if (f === null) return [];
  const v = fb.vector(fb.deref(f), 8);
  return Array.from({ length: v.length }, (_, i) => fb.i64(v.first + 8 * i));
}

function pairs(fb: Flat, table: number, index: number): [number, number][] {
  const f = fb.field(table, index);
  if (f === null) return [];
  const v = fb.vector(fb.deref(f), 16);
  return Array.from({ length: v.length }, (_, i) => [fb.i64(v.first + 16 * i), fb.i64(v.first + 16 * i + 8)]);
}

const pad8 = (n: number) => (n + 7) & ~7;

/** One encapsulated message: continuation marker, metadata length, metadata (padded to 8), body. */
function frame(meta: Uint8Array, body: Uint8Array): Uint8Array {
  const length = pad8(meta.length);
  const out = new Uint8Array(8 + length + body.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, length, true);
  out.set(meta, 8);
  out.set(body, 8 + length);
  return out;
}

/**
 * The stream apache-arrow can read in place of `bytes`, or null when the file holds none of the
 * three types. Throws a DataError (naming the column) for one inside a dictionary's values,
 * which is not rewritten.
 */
export function patchUnreadableTypes(bytes: Uint8Array, fileName: string, fileForm: boolean): ArrowPatch | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = fileForm ? bytes.length - 10 - view.getInt32(bytes.length - 10, true) : bytes.length;
  try {
    const list = messages(view, fileForm ? 8 : 0, limit);
    const schemaAt = list.find((m) => m.headerType === 1);
    if (!schemaAt) return null;
    const sfb = new Flat(view, schemaAt.metaStart, schemaAt.metaEnd);
    const msg = sfb.root();
    const versionAt = sfb.field(msg, 0);
    const version = versionAt === null ? 0 : sfb.u16(versionAt);
    const headerAt = sfb.field(msg, 2);
    if (headerAt === null) return null;
    const fields = readFields(sfb, sfb.field(sfb.deref(headerAt), 1), '');
    const patched = unreadable(fields);
    if (patched.length === 0) return null;
    const inDictionary = [...preorder(fields)]
      .filter((f) => f.dictionary)
      .flatMap((f) => unreadable(f.children).map((u) => [f, u] as const));
    if (inDictionary.length) {
      const [f, u] = inDictionary[0];
      throw new DataError(
        `${fileName}: column "${f.name}" is dictionary-encoded with ${REWRITE[u.type].kind} values, which this ` +
          `reader cannot read (apache-arrow does not know the type); written as a plain column, it would be`,
      );
    }
    const kinds = new Map(patched.map((f) => [f.path, REWRITE[f.type].kind]));
    const parts: Uint8Array[] = [];
    for (const m of list) {
      // A copy (a Node Buffer's slice would share, and the caller's bytes must stay as they are).
      const meta = new Uint8Array(bytes.subarray(m.metaStart, m.metaEnd));
      const body = bytes.subarray(m.metaEnd, m.end);
      if (m === schemaAt) {
        for (const f of patched) meta[f.tagAt - m.metaStart] = REWRITE[f.type].to;
        parts.push(frame(meta, body));
        continue;
      }
      if (m.headerType !== 3) {
        parts.push(frame(meta, body));
        continue;
      }
      const fb = new Flat(view, m.metaStart, m.metaEnd);
      const header = fb.field(fb.root(), 2);
      if (header === null) {
        parts.push(frame(meta, body));
        continue;
      }
      const batch = fb.deref(header);
      const buffers = rewriteBuffers(fields, pairs(fb, batch, 2), int64s(fb, batch, 4), version);
      const buffersField = fb.field(batch, 2);
      if (buffersField === null) throw new Bad('a record batch has no buffer list');
      // The new list goes after the metadata, its int64 entries 8-aligned; the field's offset
      // (relative and forward, as flatbuffers' are) is pointed at it.
      const at = pad8(meta.length + 4) - 4;
      const grown = new Uint8Array(pad8(at + 4 + 16 * buffers.length));
      grown.set(meta);
      const g = new DataView(grown.buffer);
      g.setUint32(at, buffers.length, true);
      buffers.forEach(([offset, length], i) => {
        g.setBigInt64(at + 4 + 16 * i, BigInt(offset), true);
        g.setBigInt64(at + 12 + 16 * i, BigInt(length), true);
      });
      const fieldAt = buffersField - m.metaStart;
      g.setUint32(fieldAt, at - fieldAt, true);
      parts.push(frame(grown, body));
    }
    const total = parts.reduce((n, p) => n + p.length, 0) + 8;
    const out = new Uint8Array(total);
    let pos = 0;
    for (const p of parts) {
      out.set(p, pos);
      pos += p.length;
    }
    new DataView(out.buffer).setInt32(pos, -1, true);
    return { bytes: out, kinds };
  } catch (e) {
    if (e instanceof Bad)
      throw new DataError(`${fileName}: not a readable Arrow IPC ${fileForm ? 'file' : 'stream'}: ${e.message}`);
    throw e;
  }
}
