/**
 * Every file of the Arrow IPC conformance corpus (apache/arrow-testing's integration files,
 * copied in src/fixtures/conformance/arrow-testing) either loads with its usable columns equal, value by value,
 * to the expected values of its `.json.gz` twin (Arrow integration JSON), with the other columns
 * listed as skipped, or is refused by design with the reason written in REFUSED below.
 * The expected columns are derived from the JSON alone: its schema says which fields the
 * workbench can use (and how structs and fixed-size lists flatten), its batches give the values.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readArrow } from './arrow';
import { DataError, type Column } from './table';
import { referenceBucket } from './fixtures/bucket-reference';

const ROOT = 'src/fixtures/conformance/arrow-testing';

/** Files refused by design, by case name (both the file and the stream form), with the reason. */
const REFUSED: Record<string, { why: string; message: RegExp }> = {
  generated_union: {
    why: 'only union columns',
    message: /no column of this Arrow file can be used for training: "[^"]+" \(Union</,
  },
  generated_map: { why: 'only a map column', message: /no column .*\(Map<Utf8, Int32>\): it holds key-value pairs/ },
  generated_map_non_canonical: {
    why: 'only a map column',
    message: /no column .*\(Map<Utf8, Int32>\): it holds key-value pairs/,
  },
  generated_null_trivial: { why: 'only a Null column', message: /no column .*"f0" \(Null\): it holds no values/ },
  generated_nested_large_offsets: {
    why: 'only large lists',
    message: /no column .*\(LargeList<Int32>\): it holds a list of varying length/,
  },
  generated_recursive_nested: {
    why: 'only lists of lists and lists of structs',
    message: /no column .*\(List<List<Int16>>\)/,
  },
  generated_list_view: {
    why: 'only list views (read through the rewrite of arrow-ipc-patch.ts, lists of varying length)',
    message:
      /no column .*"lv" \(ListView<Float32>\): it holds a list of varying length.*"llv" \(LargeListView<Float32>\)/,
  },
};
/** Refused in one folder only (none now: intervals load as their parts). */
const REFUSED_IN: Record<string, Record<string, { why: string; message: RegExp }>> = {};
/**
 * Loaded files whose expected values are not copied (too large); their 1.0.0 twins' columns are checked by type and
 * rows.
 */
const VALUES_NOT_COPIED = new Set(['1.0.0-littleendian/generated_decimal', '1.0.0-littleendian/generated_decimal256']);

interface JsonType {
  name: string;
  bitWidth?: number;
  precision?: string;
  scale?: number;
  unit?: string;
  listSize?: number;
}
interface JsonField {
  name: string;
  type: JsonType;
  children: JsonField[];
  dictionary?: { id: number };
}
interface JsonColumn {
  name: string;
  count: number;
  VALIDITY?: number[];
  DATA?: (number | string | boolean)[];
  /** Utf8View / BinaryView: each value inlined, or a slice of a variadic buffer (hex). */
  VIEWS?: { SIZE: number; INLINED?: string; BUFFER_INDEX?: number; OFFSET?: number }[];
  VARIADIC_DATA_BUFFERS?: string[];
  children?: JsonColumn[];
}
interface JsonFile {
  schema: { fields: JsonField[] };
  batches: { count: number; columns: JsonColumn[] }[];
  dictionaries?: { id: number; data: { columns: JsonColumn[] } }[];
}

type Cell = number | string | null;
const TO_MS: Record<string, (x: number) => number> = {
  SECOND: (x) => x * 1000,
  MILLISECOND: (x) => x,
  MICROSECOND: (x) => x / 1e3,
  NANOSECOND: (x) => x / 1e6,
};
const num = (x: number | string | boolean) => (typeof x === 'string' ? Number(BigInt(x)) : Number(x));

/** A JSON type the workbench turns into a training column (a leaf), by the reader's rules. */
function usableLeaf(t: JsonType): boolean {
  return [
    'int',
    'floatingpoint',
    'bool',
    'utf8',
    'largeutf8',
    'utf8view',
    'date',
    'timestamp',
    'time',
    'duration',
    'decimal',
    'binary',
    'largebinary',
    'fixedsizebinary',
    'binaryview',
  ].includes(t.name);
}

/** Hex text as bytes. */
const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

const bucket = referenceBucket;

/** A leaf column's JSON values as the cells the reader should produce (null for missing). */
function leafCells(field: JsonField, col: JsonColumn, dicts: Map<number, JsonColumn>): Cell[] {
  const t = field.type;
  const valid = (i: number) => !col.VALIDITY || col.VALIDITY[i] === 1;
  const binary = ['binary', 'largebinary', 'fixedsizebinary', 'binaryview'].includes(t.name);
  const data =
    col.DATA ??
    (col.VIEWS ?? []).map((v) =>
      v.INLINED !== undefined
        ? v.INLINED
        : binary
          ? col.VARIADIC_DATA_BUFFERS![v.BUFFER_INDEX!].slice(2 * v.OFFSET!, 2 * (v.OFFSET! + v.SIZE))
          : viewString(col, v.BUFFER_INDEX!, v.OFFSET!, v.SIZE),
    );
  return Array.from({ length: col.count }, (_, i): Cell => {
    if (!valid(i)) return null;
    const x = data[i];
    if (field.dictionary) {
      const d = dicts.get(field.dictionary.id)!;
      const k = Number(x);
      return d.VALIDITY && d.VALIDITY[k] === 0 ? null : String(d.DATA![k]);
    }
    if (binary) return bucket(hexBytes(String(x)));
    switch (t.name) {
      case 'utf8':
      case 'largeutf8':
      case 'utf8view':
        return String(x);
      case 'bool':
        return x === true ? 1 : 0;
      case 'floatingpoint':
        return t.precision === 'DOUBLE' ? Number(x) : Math.fround(Number(x));
      case 'date':
        return t.unit === 'DAY' ? Number(x) : Math.floor(num(x) / 86_400_000);
      case 'timestamp':
      case 'time':
      case 'duration':
        return TO_MS[t.unit!](num(x));
      case 'decimal':
        return Number(`${String(x)}e${-(t.scale ?? 0)}`);
      default:
        return num(x);
    }
  });
}

/** The UTF-8 string at `offset` (`size` bytes) of a view column's variadic buffer `index`. */
function viewString(col: JsonColumn, index: number, offset: number, size: number): string {
  const hex = col.VARIADIC_DATA_BUFFERS![index].slice(2 * offset, 2 * (offset + size));
  return new TextDecoder().decode(Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16)));
}

/** The training columns a field flattens to, as [name, cells], from the JSON alone; [] when it is skipped. */
function expectedColumns(
  field: JsonField,
  name: string,
  col: JsonColumn,
  dicts: Map<number, JsonColumn>,
): [string, Cell[]][] {
  const t = field.type;
  const mask = (cells: Cell[], valid?: number[]) => (valid ? cells.map((c, i) => (valid[i] === 1 ? c : null)) : cells);
  if (field.dictionary && t.name === 'struct') {
    // A dictionary of structs: the entries flatten like a struct, each row takes its entry's values.
    const entries = dicts.get(field.dictionary.id)!;
    const plain: JsonField = { ...field, dictionary: undefined };
    return expectedColumns(plain, name, entries, dicts).map(([n, values]) => [
      n,
      Array.from({ length: col.count }, (_, i) =>
        col.VALIDITY && col.VALIDITY[i] === 0 ? null : values[Number(col.DATA![i])],
      ),
    ]);
  }
  if (field.dictionary)
    return ['utf8', 'largeutf8', 'int', 'floatingpoint', 'bool', 'decimal'].includes(t.name)
      ? [[name, leafCells(field, col, dicts)]]
      : [];
  if (t.name === 'runendencoded') {
    // Each row takes the value of the first run whose end lies beyond it.
    const [ends, values] = col.children!;
    const runEnds = (ends.DATA ?? []).map(num);
    const inner = expectedColumns(field.children[1], name, values, dicts);
    return inner.map(([n, cells]) => [
      n,
      Array.from({ length: col.count }, (_, i) => cells[runEnds.findIndex((e) => e > i)]),
    ]);
  }
  if (t.name === 'struct') {
    return field.children
      .flatMap((f, j) => expectedColumns(f, `${name}.${f.name}`, col.children![j], dicts))
      .map(([n, cells]) => [n, mask(cells, col.VALIDITY)] as [string, Cell[]]);
  }
  if (t.name === 'interval') {
    // One column per part, named with its unit (the reader's rule).
    const parts: [string, string][] =
      t.unit === 'YEAR_MONTH'
        ? [['months', '']]
        : t.unit === 'DAY_TIME'
          ? [
              ['days', 'days'],
              ['ms', 'milliseconds'],
            ]
          : [
              ['months', 'months'],
              ['days', 'days'],
              ['ns', 'nanoseconds'],
            ];
    const valid = (i: number) => !col.VALIDITY || col.VALIDITY[i] === 1;
    return parts.map(([suffix, key]) => [
      `${name}.${suffix}`,
      Array.from({ length: col.count }, (_, i): Cell => {
        if (!valid(i)) return null;
        const x = col.DATA![i] as unknown;
        return key === '' ? Number(x) : num((x as Record<string, number | string>)[key]);
      }),
    ]);
  }
  if (t.name === 'fixedsizelist') {
    const inner = expectedColumns(field.children[0], name, col.children![0], dicts);
    if (inner.length !== 1 || ['utf8', 'largeutf8'].includes(field.children[0].type.name)) return [];
    const size = t.listSize!;
    return Array.from({ length: size }, (_, j) => [
      `${name}.${j}`,
      mask(
        Array.from({ length: col.count }, (_, i) => inner[0][1][i * size + j]),
        col.VALIDITY,
      ),
    ]);
  }
  return usableLeaf(t) ? [[name, leafCells(field, col, dicts)]] : [];
}

function cells(col: Column): Cell[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (c) => (c < 0 ? null : col.dictionary[c]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}

const folders = readdirSync(ROOT).filter((d) => !/\.(txt|md)$/.test(d));

describe('Arrow IPC conformance corpus (apache/arrow-testing integration files)', () => {
  for (const folder of folders) {
    const cases = [
      ...new Set(
        readdirSync(`${ROOT}/${folder}`)
          .filter((f) => /\.(arrow_file|stream)$/.test(f))
          .map((f) => f.replace(/\.(arrow_file|stream)$/, '')),
      ),
    ].sort();
    for (const name of cases) {
      const refused = REFUSED_IN[folder]?.[name] ?? REFUSED[name];
      const title = refused
        ? `refused by design (${refused.why})`
        : VALUES_NOT_COPIED.has(`${folder}/${name}`)
          ? 'loads (values not copied: checked on the cpp-21.0.0 case)'
          : 'loads with the expected values';
      it(`${folder}/${name}: ${title}`, () => {
        for (const form of ['arrow_file', 'stream']) {
          const file = `${name}.${form}`;
          const bytes = readFileSync(`${ROOT}/${folder}/${file}`);
          if (refused) {
            expect(() => readArrow(bytes, file), file).toThrow(DataError);
            expect(() => readArrow(bytes, file), file).toThrow(refused.message);
            continue;
          }
          const table = readArrow(bytes, file);
          const jsonPath = `${ROOT}/${folder}/${name}.json.gz`;
          if (VALUES_NOT_COPIED.has(`${folder}/${name}`)) {
            expect(existsSync(jsonPath)).toBe(false);
            expect(table.columns.every((c) => c.type === 'float')).toBe(true);
            continue;
          }
          const json = JSON.parse(gunzipSync(readFileSync(jsonPath)).toString('utf8')) as JsonFile;
          const dicts = new Map((json.dictionaries ?? []).map((d) => [d.id, d.data.columns[0]]));
          const rows = json.batches.reduce((n, b) => n + b.count, 0);
          expect(table.rows, file).toBe(rows);
          // The expected columns, batch by batch, concatenated.
          const fields = json.schema.fields;
          const expected: [string, Cell[]][] = [];
          const skipped: string[] = [];
          fields.forEach((f, k) => {
            const perBatch = json.batches.map((b) => expectedColumns(f, f.name, b.columns[k], dicts));
            const shape = expectedColumns(f, f.name, { name: f.name, count: 0, children: emptyChildren(f) }, dicts);
            if (shape.length === 0) skipped.push(f.name);
            shape.forEach(([n], j) => expected.push([n, perBatch.flatMap((cols) => cols[j][1])]));
          });
          // A column named like an earlier one is skipped, after the others (the first keeps the name).
          const named = new Set<string>();
          for (let j = 0; j < expected.length; j++) {
            const n = expected[j][0];
            if (!named.has(n)) named.add(n);
            else skipped.push(expected.splice(j--, 1)[0][0]);
          }
          expect(
            table.columns.map((c) => c.name),
            `${file}: the columns read`,
          ).toEqual(expected.map(([n]) => n));
          table.columns.forEach((c, j) => expect(cells(c), `${file} column ${c.name}`).toEqual(expected[j][1]));
          expect(
            (table.skipped ?? []).map((s) => s.name),
            `${file}: the columns skipped`,
          ).toEqual(skipped);
          for (const s of table.skipped ?? []) expect(s.reason.length, `${file} ${s.name}`).toBeGreaterThan(10);
        }
      });
    }
  }
});

/** An empty JSON column with the field's shape (to ask which columns a field flattens to). */
function emptyChildren(f: JsonField): JsonColumn[] {
  return f.children.map((c) => ({ name: c.name, count: 0, children: emptyChildren(c) }));
}
