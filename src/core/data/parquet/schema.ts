/**
 * Turns the flattened Parquet schema (SchemaElement list) into leaf columns, and decides for
 * each leaf what it decodes to, or why it cannot be read.
 */
import type { LogicalType, SkippedColumn } from '../table';
import { fail } from './errors';
import { asStruct, optInt, optString, optStruct, type ThriftStruct, type ThriftValue } from './thrift';
import {
  CONVERTED_TYPES,
  PHYSICAL_TYPES,
  type Conversion,
  type ConvertedType,
  type ParquetColumnInfo,
  type PhysicalType,
  type Repetition,
} from './types';

const REPETITIONS: readonly Repetition[] = ['REQUIRED', 'OPTIONAL', 'REPEATED'];

/** The LogicalType union of parquet.thrift, reduced to what decides decoding. */
type Logical =
  | { kind: 'none' }
  | {
      kind:
        | 'string'
        | 'enum'
        | 'json'
        | 'bson'
        | 'uuid'
        | 'float16'
        | 'date'
        | 'unknown'
        | 'map'
        | 'list'
        | 'variant'
        | 'geometry';
    }
  | { kind: 'decimal'; scale: number; precision: number }
  | { kind: 'time' | 'timestamp'; unit: 'MILLIS' | 'MICROS' | 'NANOS' }
  | { kind: 'integer'; bitWidth: number; signed: boolean };

interface SchemaElement {
  name: string;
  type: PhysicalType | null;
  typeLength: number;
  repetition: Repetition;
  numChildren: number;
  converted: ConvertedType | null;
  scale: number;
  precision: number;
  logical: Logical;
}

const W = 'the file footer (schema)';

function timeUnit(s: ThriftStruct | undefined): 'MILLIS' | 'MICROS' | 'NANOS' {
  const unit = s ? optStruct(s, 2, W) : undefined;
  if (unit?.[1] !== undefined) return 'MILLIS';
  if (unit?.[2] !== undefined) return 'MICROS';
  if (unit?.[3] !== undefined) return 'NANOS';
  return fail(`${W} is corrupt (a TIME or TIMESTAMP type has no unit)`);
}

function readLogical(s: ThriftStruct | undefined): Logical {
  if (!s) return { kind: 'none' };
  const simple: Record<number, Logical> = {
    1: { kind: 'string' },
    2: { kind: 'map' },
    3: { kind: 'list' },
    4: { kind: 'enum' },
    6: { kind: 'date' },
    11: { kind: 'unknown' },
    12: { kind: 'json' },
    13: { kind: 'bson' },
    14: { kind: 'uuid' },
    15: { kind: 'float16' },
    16: { kind: 'variant' },
    17: { kind: 'geometry' },
    18: { kind: 'geometry' },
  };
  for (const key of Object.keys(s)) {
    const id = Number(key);
    if (simple[id]) return simple[id];
    const inner = optStruct(s, id, W);
    if (id === 5)
      return { kind: 'decimal', scale: optInt(inner ?? {}, 1, W) ?? 0, precision: optInt(inner ?? {}, 2, W) ?? 0 };
    if (id === 7) return { kind: 'time', unit: timeUnit(inner) };
    if (id === 8) return { kind: 'timestamp', unit: timeUnit(inner) };
    if (id === 10) {
      const bitWidth = optInt(inner ?? {}, 1, W) ?? 64;
      const signed = inner?.[2] !== false;
      return { kind: 'integer', bitWidth, signed };
    }
  }
  return { kind: 'none' };
}

function readElement(v: ThriftValue): SchemaElement {
  const s = asStruct(v, W);
  const t = optInt(s, 1, W);
  const rep = optInt(s, 3, W);
  const conv = optInt(s, 6, W);
  const name = optString(s, 4, W);
  if (name === undefined) fail(`${W} is corrupt (a schema element has no name)`);
  if (t !== undefined && PHYSICAL_TYPES[t] === undefined)
    fail(`${W} is corrupt (column "${name}" has unknown physical type ${t})`);
  return {
    name,
    type: t === undefined ? null : PHYSICAL_TYPES[t],
    typeLength: optInt(s, 2, W) ?? 0,
    repetition:
      rep === undefined
        ? 'REQUIRED'
        : (REPETITIONS[rep] ?? fail(`${W} is corrupt (column "${name}" has unknown repetition ${rep})`)),
    numChildren: optInt(s, 5, W) ?? 0,
    converted: conv === undefined ? null : (CONVERTED_TYPES[conv] ?? null),
    scale: optInt(s, 7, W) ?? 0,
    precision: optInt(s, 8, W) ?? 0,
    logical: readLogical(optStruct(s, 10, W)),
  };
}

interface Decision {
  type: LogicalType | null;
  conversion: Conversion | null;
  annotation: string;
  unsupported?: string;
}

const TIME_DIVISOR = { MILLIS: 1, MICROS: 1e3, NANOS: 1e6 } as const;

/** Decides what a flat leaf decodes to, from its physical type and annotations. */
function decide(e: SchemaElement): Decision {
  const t = e.type as PhysicalType;
  const lg = e.logical;
  const conv = e.converted;
  const refuse = (annotation: string): Decision => ({
    type: null,
    conversion: null,
    annotation,
    unsupported: `type ${t}${annotation ? ` (${annotation})` : ''} is not supported`,
  });
  // DECIMAL first: it can sit on four physical types.
  const decimal = lg.kind === 'decimal' ? lg : conv === 'DECIMAL' ? { scale: e.scale, precision: e.precision } : null;
  if (decimal) {
    const annotation = `DECIMAL(${decimal.precision},${decimal.scale})`;
    if (t === 'INT32' || t === 'INT64' || t === 'BYTE_ARRAY' || t === 'FIXED_LEN_BYTE_ARRAY') {
      return {
        type: 'float',
        conversion: { kind: 'decimal', scale: decimal.scale, bigEndian: t === 'FIXED_LEN_BYTE_ARRAY' },
        annotation,
      };
    }
    return refuse(annotation);
  }
  switch (t) {
    case 'BOOLEAN':
      return { type: 'bool', conversion: { kind: 'bool' }, annotation: '' };
    case 'FLOAT':
      return { type: 'float', conversion: { kind: 'float32' }, annotation: '' };
    case 'DOUBLE':
      return { type: 'float', conversion: { kind: 'float64' }, annotation: '' };
    case 'INT96':
      return { type: 'timestamp', conversion: { kind: 'int96' }, annotation: 'INT96 timestamp' };
    case 'INT32': {
      if (lg.kind === 'date' || conv === 'DATE')
        return { type: 'date', conversion: { kind: 'int32' }, annotation: 'DATE' };
      if (lg.kind === 'time' || conv === 'TIME_MILLIS')
        return { type: 'int', conversion: { kind: 'int32' }, annotation: 'TIME(MILLIS)' };
      const unsigned32 = (lg.kind === 'integer' && !lg.signed && lg.bitWidth === 32) || conv === 'UINT_32';
      if (unsigned32) return { type: 'int', conversion: { kind: 'uint32' }, annotation: 'UINT32' };
      const annotation = lg.kind === 'integer' ? `${lg.signed ? 'INT' : 'UINT'}${lg.bitWidth}` : (conv ?? '');
      return { type: 'int', conversion: { kind: 'int32' }, annotation };
    }
    case 'INT64': {
      if (lg.kind === 'timestamp' || lg.kind === 'time') {
        const type: LogicalType = lg.kind === 'timestamp' ? 'timestamp' : 'int';
        return {
          type,
          conversion: { kind: 'scaled64', divisor: TIME_DIVISOR[lg.unit] },
          annotation: `${lg.kind.toUpperCase()}(${lg.unit})`,
        };
      }
      if (conv === 'TIMESTAMP_MILLIS' || conv === 'TIMESTAMP_MICROS') {
        return {
          type: 'timestamp',
          conversion: { kind: 'scaled64', divisor: conv === 'TIMESTAMP_MILLIS' ? 1 : 1e3 },
          annotation: conv,
        };
      }
      if (conv === 'TIME_MICROS')
        return { type: 'int', conversion: { kind: 'scaled64', divisor: 1e3 }, annotation: 'TIME(MICROS)' };
      const unsigned = (lg.kind === 'integer' && !lg.signed) || conv === 'UINT_64';
      if (unsigned) return { type: 'int', conversion: { kind: 'uint64' }, annotation: 'UINT64' };
      return {
        type: 'int',
        conversion: { kind: 'int64' },
        annotation: lg.kind === 'integer' ? `INT${lg.bitWidth}` : (conv ?? ''),
      };
    }
    case 'BYTE_ARRAY': {
      const annotation = lg.kind === 'none' ? (conv ?? '') : lg.kind.toUpperCase();
      return { type: 'categorical', conversion: { kind: 'string' }, annotation };
    }
    case 'FIXED_LEN_BYTE_ARRAY': {
      if (lg.kind === 'float16' && e.typeLength === 2)
        return { type: 'float', conversion: { kind: 'float16' }, annotation: 'FLOAT16' };
      // Split into one column per part by readSchema.
      if (conv === 'INTERVAL' && e.typeLength === 12)
        return { type: 'float', conversion: { kind: 'interval', part: 0 }, annotation: 'INTERVAL' };
      const annotation = lg.kind !== 'none' ? lg.kind.toUpperCase() : (conv ?? `${e.typeLength} bytes`);
      // An INTERVAL of another width, or a FLOAT16 not of 2 bytes, is damage, not bytes.
      if (conv === 'INTERVAL' || lg.kind === 'float16') return refuse(annotation);
      // Ids, hashes, UUIDs: hashed into buckets (byte-buckets.ts), used only when a user picks them.
      return { type: 'categorical', conversion: { kind: 'bytes' }, annotation };
    }
  }
}

/** A schema element with its children (the footer lists the tree depth first). */
interface Node {
  readonly e: SchemaElement;
  readonly children: Node[];
}

const ONE_VALUE = 'one value per row is needed to train';
const NOT_A_FEATURE = 'not a number or a category';

/** The Parquet type of a node as a user reads it: `int64`, `list<int64>`, `map<utf8,int32>`, `struct<a: int32>`. */
function typeName(n: Node, withRepetition = true): string {
  const { e } = n;
  const rep = withRepetition && e.repetition === 'REPEATED' ? 'REPEATED ' : '';
  if (n.children.length === 0) return rep + primitiveName(e);
  const list = e.logical.kind === 'list' || e.converted === 'LIST';
  const map = e.logical.kind === 'map' || e.converted === 'MAP' || e.converted === 'MAP_KEY_VALUE';
  if (list && n.children.length === 1) {
    const inner = n.children[0];
    // Three levels (LIST > repeated group > element), or the legacy two-level forms, where the
    // repeated field is the element (a primitive, a group of several fields, or one named
    // `array` or `<list>_tuple`: the backward-compatibility rules of the Parquet format).
    const legacy = inner.e.name === 'array' || inner.e.name === `${e.name}_tuple`;
    const element =
      inner.children.length === 1 && inner.e.repetition === 'REPEATED' && !legacy ? inner.children[0] : inner;
    return `${rep}list<${typeName(element, element !== inner)}>`;
  }
  if (map && n.children.length === 1 && n.children[0].children.length > 0) {
    const kv = n.children[0].children;
    return `${rep}map<${kv.map((c) => typeName(c)).join(',')}>`;
  }
  if (e.logical.kind === 'variant') return `${rep}variant`;
  return `${rep}struct<${n.children.map((c) => `${c.e.name}: ${typeName(c)}`).join(', ')}>`;
}

function primitiveName(e: SchemaElement): string {
  const lg = e.logical;
  if (lg.kind === 'decimal' || e.converted === 'DECIMAL')
    return `decimal(${lg.kind === 'decimal' ? `${lg.precision},${lg.scale}` : `${e.precision},${e.scale}`})`;
  switch (e.type) {
    case 'BYTE_ARRAY':
      return lg.kind === 'string' ||
        lg.kind === 'enum' ||
        lg.kind === 'json' ||
        e.converted === 'UTF8' ||
        e.converted === 'ENUM' ||
        e.converted === 'JSON'
        ? 'utf8'
        : 'binary';
    case 'FIXED_LEN_BYTE_ARRAY':
      return `FIXED_LEN_BYTE_ARRAY(${e.typeLength})${lg.kind === 'uuid' ? ' UUID' : e.converted === 'INTERVAL' ? ' INTERVAL' : ''}`;
    case 'BOOLEAN':
      return 'bool';
    case null:
      return 'group';
    default:
      return e.type.toLowerCase();
  }
}

/** A group read as dotted columns: not a list, map or variant (REPEATED is checked apart). */
function isStruct(e: SchemaElement): boolean {
  const k = e.logical.kind;
  return (
    k !== 'list' &&
    k !== 'map' &&
    k !== 'variant' &&
    e.converted !== 'LIST' &&
    e.converted !== 'MAP' &&
    e.converted !== 'MAP_KEY_VALUE'
  );
}

/** Why a nested node cannot become one training column. */
function nestedReason(n: Node): string {
  const { e } = n;
  if (e.logical.kind === 'list' || e.converted === 'LIST') return `a list column: ${ONE_VALUE}`;
  if (e.logical.kind === 'map' || e.converted === 'MAP' || e.converted === 'MAP_KEY_VALUE')
    return `a map column: ${ONE_VALUE}`;
  if (e.logical.kind === 'variant') return `a variant column (values of varying shape): ${NOT_A_FEATURE}`;
  return `a repeated column (any number of values per row): ${ONE_VALUE}`;
}

/** Why a flat leaf that `decide` refused cannot be read, in a user's words. */
function leafReason(e: SchemaElement, unsupported: string): string {
  if (e.type !== 'FIXED_LEN_BYTE_ARRAY') return unsupported;
  if (e.logical.kind === 'float16') return `a FLOAT16 of ${e.typeLength} bytes (a FLOAT16 is 2): ${NOT_A_FEATURE}`;
  if (e.converted === 'INTERVAL')
    return `an INTERVAL of ${e.typeLength} bytes (an INTERVAL is 12: months, days, milliseconds): ${NOT_A_FEATURE}`;
  return unsupported;
}

/**
 * Walks the depth-first schema list and returns its leaves in column-chunk order. Flat leaves
 * and the leaves of structs (non-repeated groups without a LIST or MAP annotation, named by
 * their dotted path) are read; a leaf of a struct is missing where the struct is. Lists, maps,
 * REPEATED fields and types no training column takes keep their leaves (they occupy column
 * chunks) but carry `skipped`: one entry per such column of the file, shared by its leaves.
 */
export function readSchema(list: readonly ThriftValue[]): ParquetColumnInfo[] {
  if (list.length === 0) fail(`${W} is corrupt (the schema is empty)`);
  const elements = list.map(readElement);
  let pos = 1;
  const build = (count: number, depth: number): Node[] => {
    if (depth > 64) fail(`${W} is corrupt (schema nested more than 64 deep)`);
    const out: Node[] = [];
    for (let i = 0; i < count; i++) {
      if (pos >= elements.length) fail(`${W} is corrupt (the schema announces more children than it holds)`);
      const e = elements[pos++];
      const group = e.numChildren > 0 || e.type === null;
      out.push({ e, children: group ? build(e.numChildren, depth + 1) : [] });
    }
    return out;
  };
  const roots = build(elements[0].numChildren, 0);
  if (pos !== elements.length)
    fail(`${W} is corrupt (the schema holds ${elements.length - pos} elements outside its tree)`);
  const leaves: ParquetColumnInfo[] = [];
  /** Column chunks so far (one per leaf of the schema; an INTERVAL's three columns share one). */
  let chunks = 0;
  const walk = (
    nodes: readonly Node[],
    path: readonly string[],
    def: number,
    rep: number,
    skipped: SkippedColumn | null,
  ): void => {
    for (const n of nodes) {
      const { e } = n;
      const p = [...path, e.name];
      const name = p.join('.');
      const d = def + (e.repetition === 'REQUIRED' ? 0 : 1);
      const r = rep + (e.repetition === 'REPEATED' ? 1 : 0);
      const group = n.children.length > 0 || e.type === null;
      let skip = skipped;
      if (!skip && (e.repetition === 'REPEATED' || (group && !isStruct(e)))) {
        skip = { name, type: typeName(n), reason: nestedReason(n) };
      }
      if (group) {
        walk(n.children, p, d, r, skip);
        continue;
      }
      const base = {
        name,
        index: chunks++,
        physicalType: e.type as PhysicalType,
        typeLength: e.typeLength,
        repetition: e.repetition,
        maxDefinitionLevel: d,
        maxRepetitionLevel: r,
      };
      if (skip) {
        leaves.push({
          ...base,
          annotation: '',
          type: null,
          conversion: null,
          unsupported: `${skip.type} is skipped: ${skip.reason}`,
          skipped: skip,
        });
        continue;
      }
      if (e.type === 'FIXED_LEN_BYTE_ARRAY' && e.typeLength <= 0)
        fail(`${W} is corrupt (column "${name}" is FIXED_LEN_BYTE_ARRAY with length ${e.typeLength})`);
      const decision = decide(e);
      if (decision.unsupported !== undefined) {
        const own = { name, type: typeName(n), reason: leafReason(e, decision.unsupported) };
        leaves.push({ ...base, ...decision, unsupported: `${own.type} is skipped: ${own.reason}`, skipped: own });
        continue;
      }
      if (leaves.some((l) => l.name === name)) {
        // A flat column named `a.b` beside a struct `a` with a leaf `b`: the first keeps the name.
        const own = { name, type: typeName(n), reason: 'another column of the file has the same name' };
        leaves.push({
          ...base,
          ...decision,
          type: null,
          conversion: null,
          unsupported: `${own.type} is skipped: ${own.reason}`,
          skipped: own,
        });
        continue;
      }
      if (decision.conversion?.kind === 'interval') {
        // A calendar interval as one column per part, named with its unit as the Arrow reader
        // names them: a month has no fixed length in days, nor a day in milliseconds.
        (['months', 'days', 'ms'] as const).forEach((unit, part) =>
          leaves.push({
            ...base,
            ...decision,
            name: `${name}.${unit}`,
            conversion: { kind: 'interval', part: part as 0 | 1 | 2 },
          }),
        );
        continue;
      }
      leaves.push({ ...base, ...decision });
    }
  };
  walk(roots, [], 0, 0, null);
  return leaves;
}

/** The file's columns that no table column comes from, once each (a list's leaves are one). */
export function skippedColumns(columns: readonly ParquetColumnInfo[]): SkippedColumn[] {
  const out: SkippedColumn[] = [];
  for (const c of columns) if (c.skipped && !out.some((s) => s.name === c.skipped?.name)) out.push(c.skipped);
  return out;
}
