import { DataError, type Column, type DataTable } from './table';

/**
 * A decoded table as one ArrayBuffer, for the decode cache (OPFS / IndexedDB) and for moving
 * a table between workers in one piece. Layout: magic `TBT1`, a u32 header length, a JSON
 * header (names, types, dictionaries, offsets), then each typed array 8-byte aligned.
 * `deserializeTable` makes views into the buffer: no copy.
 */
const MAGIC = [0x54, 0x42, 0x54, 0x31]; // "TBT1"

type Dtype = 'f64' | 'f32' | 'i32' | 'u8';
const CTORS = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;

interface ArrayRef {
  dtype: Dtype;
  offset: number;
  length: number;
}

interface ColumnHeader {
  kind: Column['kind'];
  name: string;
  type: Column['type'];
  values: ArrayRef;
  valid: ArrayRef | null;
  dictionary?: readonly string[];
  /** A hashed bytes column (`CategoricalColumn.bytes`). */
  bytes?: true;
}

function dtypeOf(a: ArrayBufferView): Dtype {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

/** Every distinct ArrayBuffer behind a table's columns (the transfer list for postMessage). */
export function tableBuffers(table: DataTable): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const c of table.columns) {
    if (c.kind === 'categorical') set.add(c.codes.buffer as ArrayBuffer);
    else {
      set.add(c.values.buffer as ArrayBuffer);
      if (c.valid) set.add(c.valid.buffer as ArrayBuffer);
    }
  }
  return [...set];
}

export function serializeTable(table: DataTable): Uint8Array {
  const arrays: ArrayBufferView[] = [];
  const ref = (a: Float64Array | Float32Array | Int32Array | Uint8Array): ArrayRef => {
    arrays.push(a);
    return { dtype: dtypeOf(a), offset: -1, length: a.length };
  };
  const columns: ColumnHeader[] = table.columns.map((c) =>
    c.kind === 'categorical'
      ? {
          kind: c.kind,
          name: c.name,
          type: c.type,
          values: ref(c.codes),
          valid: null,
          dictionary: c.dictionary,
          ...(c.bytes ? { bytes: true as const } : {}),
        }
      : { kind: c.kind, name: c.name, type: c.type, values: ref(c.values), valid: c.valid ? ref(c.valid) : null },
  );
  // Offsets are relative to the data section, so the header length does not feed back into them.
  let at = 0;
  const refs = columns.flatMap((c) => (c.valid ? [c.values, c.valid] : [c.values]));
  refs.forEach((r, i) => {
    at = (at + 7) & ~7;
    r.offset = at;
    at += arrays[i].byteLength;
  });
  const header = new TextEncoder().encode(
    JSON.stringify({
      name: table.name,
      format: table.format,
      rows: table.rows,
      columns,
      ...(table.skipped?.length ? { skipped: table.skipped } : {}),
      ...(table.hdf5 ? { hdf5: table.hdf5 } : {}),
      ...(table.images?.length ? { images: table.images } : {}),
    }),
  );
  const dataStart = (8 + header.length + 7) & ~7;
  const out = new Uint8Array(dataStart + at);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  refs.forEach((r, i) =>
    out.set(new Uint8Array(arrays[i].buffer, arrays[i].byteOffset, arrays[i].byteLength), dataStart + r.offset),
  );
  return out;
}

export function deserializeTable(buffer: ArrayBuffer, what = 'cached table'): DataTable {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new DataError(`${what}: not a serialised table`);
  const headerLength = new DataView(buffer).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new DataError(`${what}: header runs past the end`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Omit<
    DataTable,
    'columns'
  > & { columns: ColumnHeader[] };
  const dataStart = (8 + headerLength + 7) & ~7;
  const view = (r: ArrayRef) => {
    const Ctor = CTORS[r.dtype];
    const byteOffset = dataStart + r.offset;
    if (byteOffset + r.length * Ctor.BYTES_PER_ELEMENT > buffer.byteLength)
      throw new DataError(`${what}: column data runs past the end`);
    return new Ctor(buffer, byteOffset, r.length);
  };
  const columns: Column[] = header.columns.map((c) =>
    c.kind === 'categorical'
      ? {
          kind: 'categorical',
          name: c.name,
          type: 'categorical',
          codes: view(c.values) as Int32Array,
          dictionary: c.dictionary ?? [],
          ...(c.bytes === true ? { bytes: true as const } : {}),
        }
      : {
          kind: 'numeric',
          name: c.name,
          type: c.type as Exclude<Column['type'], 'categorical'>,
          values: view(c.values),
          valid: c.valid ? (view(c.valid) as Uint8Array) : null,
        },
  );
  const skipped = Array.isArray(header.skipped)
    ? header.skipped.filter(
        (k) => typeof k?.name === 'string' && typeof k.type === 'string' && typeof k.reason === 'string',
      )
    : [];
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const hdf5 =
    header.hdf5 && typeof header.hdf5.group === 'string' && strings(header.hdf5.groups)
      ? { group: header.hdf5.group, groups: header.hdf5.groups }
      : null;
  const images = Array.isArray(header.images)
    ? header.images.filter(
        (im) =>
          typeof im?.name === 'string' &&
          Array.isArray(im.shape) &&
          im.shape.length === 3 &&
          (im.shape as unknown[]).every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0),
      )
    : [];
  return {
    name: header.name,
    format: header.format,
    rows: header.rows,
    columns,
    ...(skipped.length ? { skipped } : {}),
    ...(hdf5 ? { hdf5 } : {}),
    ...(images.length ? { images } : {}),
  };
}
