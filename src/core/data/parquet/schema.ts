/**
 * Turns the flattened Parquet schema (SchemaElement list) into leaf columns, and decides for
 * each leaf what it decodes to, or why it cannot be read.
 */
import type { LogicalType } from '../table';
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
  | { kind: 'string' | 'enum' | 'json' | 'bson' | 'uuid' | 'float16' | 'date' | 'unknown' | 'map' | 'list' | 'variant' | 'geometry' }
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
    if (id === 5) return { kind: 'decimal', scale: optInt(inner ?? {}, 1, W) ?? 0, precision: optInt(inner ?? {}, 2, W) ?? 0 };
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
  if (t !== undefined && PHYSICAL_TYPES[t] === undefined) fail(`${W} is corrupt (column "${name}" has unknown physical type ${t})`);
  return {
    name,
    type: t === undefined ? null : PHYSICAL_TYPES[t],
    typeLength: optInt(s, 2, W) ?? 0,
    repetition: rep === undefined ? 'REQUIRED' : (REPETITIONS[rep] ?? fail(`${W} is corrupt (column "${name}" has unknown repetition ${rep})`)),
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
      return { type: 'float', conversion: { kind: 'decimal', scale: decimal.scale }, annotation };
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
      if (lg.kind === 'date' || conv === 'DATE') return { type: 'date', conversion: { kind: 'int32' }, annotation: 'DATE' };
      if (lg.kind === 'time' || conv === 'TIME_MILLIS') return { type: 'int', conversion: { kind: 'int32' }, annotation: 'TIME(MILLIS)' };
      const unsigned32 = (lg.kind === 'integer' && !lg.signed && lg.bitWidth === 32) || conv === 'UINT_32';
      if (unsigned32) return { type: 'int', conversion: { kind: 'uint32' }, annotation: 'UINT32' };
      const annotation = lg.kind === 'integer' ? `${lg.signed ? 'INT' : 'UINT'}${lg.bitWidth}` : (conv ?? '');
      return { type: 'int', conversion: { kind: 'int32' }, annotation };
    }
    case 'INT64': {
      if (lg.kind === 'timestamp' || lg.kind === 'time') {
        const type: LogicalType = lg.kind === 'timestamp' ? 'timestamp' : 'int';
        return { type, conversion: { kind: 'scaled64', divisor: TIME_DIVISOR[lg.unit] }, annotation: `${lg.kind.toUpperCase()}(${lg.unit})` };
      }
      if (conv === 'TIMESTAMP_MILLIS' || conv === 'TIMESTAMP_MICROS') {
        return { type: 'timestamp', conversion: { kind: 'scaled64', divisor: conv === 'TIMESTAMP_MILLIS' ? 1 : 1e3 }, annotation: conv };
      }
      if (conv === 'TIME_MICROS') return { type: 'int', conversion: { kind: 'scaled64', divisor: 1e3 }, annotation: 'TIME(MICROS)' };
      const unsigned = (lg.kind === 'integer' && !lg.signed) || conv === 'UINT_64';
      if (unsigned) return { type: 'int', conversion: { kind: 'uint64' }, annotation: 'UINT64' };
      return { type: 'int', conversion: { kind: 'int64' }, annotation: lg.kind === 'integer' ? `INT${lg.bitWidth}` : (conv ?? '') };
    }
    case 'BYTE_ARRAY': {
      const annotation = lg.kind === 'none' ? (conv ?? '') : lg.kind.toUpperCase();
      return { type: 'categorical', conversion: { kind: 'string' }, annotation };
    }
    case 'FIXED_LEN_BYTE_ARRAY': {
      if (lg.kind === 'float16' && e.typeLength === 2) return { type: 'float', conversion: { kind: 'float16' }, annotation: 'FLOAT16' };
      const annotation = lg.kind !== 'none' ? lg.kind.toUpperCase() : (conv ?? `${e.typeLength} bytes`);
      return refuse(annotation);
    }
  }
}

/**
 * Walks the depth-first schema list and returns its leaves in column-chunk order. Leaves that
 * sit under a group or are REPEATED are kept (they occupy a column chunk) but marked unsupported.
 */
export function readSchema(list: readonly ThriftValue[]): ParquetColumnInfo[] {
  if (list.length === 0) fail(`${W} is corrupt (the schema is empty)`);
  const elements = list.map(readElement);
  const leaves: ParquetColumnInfo[] = [];
  let pos = 1;
  const walk = (path: string[], def: number, rep: number, nested: string | null, count: number, depth: number): void => {
    if (depth > 64) fail(`${W} is corrupt (schema nested more than 64 deep)`);
    for (let i = 0; i < count; i++) {
      if (pos >= elements.length) fail(`${W} is corrupt (the schema announces more children than it holds)`);
      const e = elements[pos++];
      const p = [...path, e.name];
      const d = def + (e.repetition === 'REQUIRED' ? 0 : 1);
      const r = rep + (e.repetition === 'REPEATED' ? 1 : 0);
      const kind = e.logical.kind === 'list' || e.converted === 'LIST' ? 'LIST' : e.logical.kind === 'map' || e.converted === 'MAP' ? 'MAP' : 'group';
      if (e.numChildren > 0 || e.type === null) {
        walk(p, d, r, nested ?? `${kind} "${p.join('.')}"`, e.numChildren, depth + 1);
        continue;
      }
      const name = p.join('.');
      const base = {
        name,
        index: leaves.length,
        physicalType: e.type,
        typeLength: e.typeLength,
        repetition: e.repetition,
        maxDefinitionLevel: d,
        maxRepetitionLevel: r,
      };
      if (nested !== null || e.repetition === 'REPEATED') {
        const why = nested !== null ? `it is nested inside ${nested}` : 'it is REPEATED';
        leaves.push({ ...base, annotation: '', type: null, conversion: null, unsupported: `nested and repeated columns are not supported (${why})` });
        continue;
      }
      if (e.type === 'FIXED_LEN_BYTE_ARRAY' && e.typeLength <= 0) fail(`${W} is corrupt (column "${name}" is FIXED_LEN_BYTE_ARRAY with length ${e.typeLength})`);
      leaves.push({ ...base, ...decide(e) });
    }
  };
  walk([], 0, 0, null, elements[0].numChildren, 0);
  if (pos !== elements.length) fail(`${W} is corrupt (the schema holds ${elements.length - pos} elements outside its tree)`);
  return leaves;
}
