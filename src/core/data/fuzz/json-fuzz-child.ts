/**
 * Child process of the JSON fuzz test: reads seeded cases with the project's reader and prints
 * one JSON line per case (see `cases.ts`). Seven cases in eight are real files (handed over on
 * stdin by the parent, as arrays of records and as NDJSON) damaged by `mutateBytes`; the eighth
 * is one of the hostile inputs below. A table that reads is checked against a plain decoding
 * with JSON.parse: the same rows, the same columns, the same present values per column.
 *   node --import tsx src/core/data/fuzz/json-fuzz-child.ts SEED CASES [DUMP] < sources.json
 */
import { uniqueNames } from '../names';
import { readTable } from '../read';
import { Rng } from '../rng';
import { isPresent, type DataTable } from '../table';
import { readSources, runCases, type FuzzCase } from './cases';
import { mutateBytes } from './mutate';

const [seed, cases, dump] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);
const sources = await readSources();
const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
const BOM = '\ufeff';

/** Byte strings a JSON reader gives meaning to. */
const SPECIAL = [
  ...[
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
    '"',
    '\\',
    '\\u',
    '\\ud800',
    '\\u0000',
    'null',
    'true',
    'false',
    '1e999',
    '-',
    '-0',
    '0.',
    '01',
    '\n',
    '\r',
    '\r\n',
    ' ',
    'NaN',
    '{}',
    '[]',
  ],
  ...[
    '{"__proto__":1}',
    '{"constructor":{}}',
    '"toString"',
    '"2020-01-01"',
    '"NA"',
    '9'.repeat(400),
    '12345678901234567890',
    '-9007199254740993',
    BOM,
    '\0',
    '\u2028',
  ],
]
  .map(bytes)
  .concat([Uint8Array.of(0xff), Uint8Array.of(0xc3), Uint8Array.of(0xe2, 0x82)]);

const digits = (n: number) => {
  let s = String(1 + rng.int(9));
  const chunk = Array.from({ length: 1000 }, () => rng.int(10)).join('');
  while (s.length < n) s += chunk;
  return s;
};
const nest = (n: number, open: string, close: string, inner: string) => open.repeat(n) + inner + close.repeat(n);
const ndjson = (n: number, rec: (r: number) => string, eol = '\n') =>
  Array.from({ length: n }, (_, r) => rec(r)).join(eol) + eol;
const lineEnds = (s: string) => {
  const ends = ['\n', '\r\n', '\r', '\n\r'];
  return s.replace(/\r?\n/g, () => ends[rng.int(4)]);
};

/** Inputs built to hurt: huge numbers, deep nesting, a million quotes, odd line ends, BOMs, NULs, keys without end. */
const HOSTILE: ((source: FuzzCase) => string)[] = [
  // A numeric field of 125,000 digits or more.
  () => {
    const big = ['', '-'][rng.int(2)] + digits(125_000 + rng.int(100_000)) + ['', '.5', 'e7', 'e-999999'][rng.int(4)];
    return rng.int(2) ? `[{"a":1,"b":2},{"a":${big},"b":3}]` : ndjson(3, (r) => `{"a":${r === 1 ? big : r}}`);
  },
  // Nesting 10,000 deep: in a field, as the whole file, as records' objects, or cut short.
  () => {
    const n = 10_000 + rng.int(10_000);
    const k = rng.int(5);
    if (k === 0) return `[{"a":1,"b":${nest(n, '[', ']', '1')}},{"a":2,"b":3}]`;
    if (k === 1) return nest(n, '[', ']', '');
    if (k === 2) return ndjson(2, (r) => (r ? `{"a":${nest(n, '{"x":', '}', '1')}}` : '{"a":1}'));
    if (k === 3) return '['.repeat(n);
    return `[{"a":${nest(n, '{"x":', '}', '1').slice(0, -n / 2)}`;
  },
  // A field of a million quotes: escaped (a valid string), or bare (invalid).
  () => {
    const q = rng.int(2) ? '\\"'.repeat(1_000_000) : '"'.repeat(1_000_000);
    return rng.int(2) ? `[{"a":"${q}"},{"a":"x"}]` : ndjson(2, (r) => (r ? `{"a":"${q}"}` : '{"a":"y"}'));
  },
  // NDJSON with its line ends mixed: LF, CRLF, CR, LF CR; and a pretty-printed array with them.
  (s) => {
    const recs = recordsOf(s);
    return lineEnds(rng.int(2) ? recs.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(recs, null, 2));
  },
  // Byte order marks: doubled at the start, or at the start of every NDJSON line.
  (s) =>
    rng.int(2)
      ? BOM + BOM + textOf(s)
      : recordsOf(s)
          .map((r) => BOM + JSON.stringify(r))
          .join('\n'),
  // NUL bytes: raw inside a string, between tokens, or escaped.
  () =>
    [
      '[{"a":"x\0y"}]',
      '[{"a":1},\0{"a":2}]',
      '[{"a":"\\u0000"},{"a":"b"}]',
      '\0[{"a":1}]',
      ndjson(3, (r) => `{"a":${r}}\0`),
    ][rng.int(5)],
  // Records with thousands of distinct keys: one record with 10,000, a key per record, a sparse tail.
  () => {
    const k = rng.int(4);
    if (k === 0) return `[{${Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',')}}]`;
    if (k === 1) return ndjson(20_000, (r) => `{"k${r}":${r}}`);
    if (k === 2) return ndjson(4_000, (r) => `{"k${r}":${r}}`) + '{}\n'.repeat(200_000);
    return ndjson(4_096, (r) => `{"k${r}":"${r}"}`);
  },
  // Keys named like Object properties, in some records only.
  () =>
    ndjson(50, (r) =>
      JSON.stringify({
        a: r,
        ...(r % 3 === 0 ? { ['__proto__']: r, constructor: 'c' } : {}),
        ...(r % 5 === 0 ? { toString: r, hasOwnProperty: [r] } : {}),
      }),
    ),
  // A key of a million characters; lone surrogates; 300,000 tiny records.
  () =>
    [
      `[{"${'k'.repeat(1_000_000)}":1}]`,
      '[{"a":"\\ud800"},{"a":"\\udc00x"}]',
      `[${Array<string>(300_000).fill('{"a":1}').join(',')}]`,
      ndjson(300_000, () => '{}'),
    ][rng.int(4)],
  // Tricky numbers and strings mixed in one field.
  () => {
    const pool = [
      '1e400',
      '-1e400',
      '1e-400',
      '-0',
      '9007199254740993',
      '2147483648',
      '-2147483649',
      '0.1',
      '"2020-01-01"',
      '"2020-02-30"',
      '"2020-01-01T00:00:00Z"',
      '"NA"',
      '""',
      'null',
      'true',
      '"12"',
      '[]',
      '{}',
    ];
    return `[${Array.from({ length: 2000 }, () => `{"v":${pool[rng.int(pool.length)]}}`).join(',')}]`;
  },
  // Nesting of 64 levels (kept as text) and 65 (refused).
  () => `[{"a":${nest(64 + rng.int(2), '[', ']', '1')}},{"a":1}]`,
  // Nested objects whose dotted names collide (`"a.b"` beside `{"a": {"b"}}`), empty keys, a key
  // holding objects in some records and values or nulls in others, empty objects.
  () => {
    const keys = ['a', 'b', 'a.b', '', 'a.', '.b'];
    const scalars = [null, 1, 2.5, 'x', 'NA', '2020-01-01', true, [1], [1, null], [2.5, 3], [], [[1]], [1, 'x']];
    const record = (depth: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--)
        o[keys[rng.int(keys.length)]] = depth < 3 && rng.int(2) ? record(depth + 1) : scalars[rng.int(scalars.length)];
      return o;
    };
    return ndjson(1 + rng.int(40), () => JSON.stringify(record(0)));
  },
  // Lists under one key: numbers of one length (numbered columns), or lengths, types and nesting
  // that keep them text; missing or null in some records; one list 4,097 long.
  () => {
    const pool = [[1], [1, 2], [3.5, null], [null, null], null, [1, 2, 3], ['x', 1], [[1], 2], [], [true, 1]];
    const k = 2 + rng.int(pool.length - 1);
    const long = rng.int(8) === 0 ? Array.from({ length: 4097 }, (_, i) => i) : null;
    return ndjson(2 + rng.int(20), (r) =>
      JSON.stringify(r === 0 && long ? { v: long } : rng.int(6) ? { id: r, v: pool[rng.int(k)] } : { id: r }),
    );
  },
  // Records wrapped in one object: GeoJSON's features beside other keys, an API's `data`, or two
  // lists of records (refused).
  (s) => {
    const recs = recordsOf(s);
    const k = rng.int(3);
    if (k === 0) return JSON.stringify({ type: 'FeatureCollection', features: recs, bbox: [1, 2] });
    if (k === 1) return JSON.stringify({ meta: { n: recs.length }, data: recs.slice(0, 50), list: [1, 2] }, null, 2);
    return JSON.stringify({ nodes: recs, links: recs.slice(0, 3) });
  },
  // Not records: a bare value, an object, an array of arrays, an empty array.
  () =>
    ['1', '"x"', 'null', 'true', '{"type":"FeatureCollection","features":[]}', '[[1,2],[3,4]]', '[]', '[null]', '{}'][
      rng.int(9)
    ],
];

function textOf(s: FuzzCase): string {
  return new TextDecoder().decode(s.bytes);
}

/** A source's records (an array of records, NDJSON, or one object's only list of objects). */
function recordsOf(s: FuzzCase): Record<string, unknown>[] {
  const text = textOf(s);
  if (text.trimStart().startsWith('[')) return JSON.parse(text) as Record<string, unknown>[];
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    // NDJSON: read by lines below.
  }
  if (whole !== null && typeof whole === 'object') {
    const lists = Object.values(whole).filter(
      (v) =>
        Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x)),
    );
    if (lists.length !== 1) throw new Error('the reader read an object without one list of records');
    return lists[0] as Record<string, unknown>[];
  }
  return text
    .split(/\r\n?|\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const make = (i: number): FuzzCase => {
  const src = sources[rng.int(sources.length)];
  if (i % 8 === 7) return { name: src.name, bytes: bytes(HOSTILE[(i >> 3) % HOSTILE.length](src)) };
  return { name: src.name, bytes: mutateBytes(rng, src.bytes, SPECIAL) };
};

const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'null', 'NULL', '?']);

/**
 * A record's leaves as the documented flattening has them, by path (the keys from the record
 * down, as JSON: unambiguous whatever the keys hold); `objects` collects the paths that held an
 * object. Recursion is fine: the reader has refused nesting past 64 before this runs.
 */
function leaves(rec: Record<string, unknown>, objects: Set<string>, path: string[] = []): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(rec)) {
    const p = [...path, k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      objects.add(JSON.stringify(p));
      for (const [kk, vv] of leaves(v as Record<string, unknown>, objects, p)) out.set(kk, vv);
    } else out.set(JSON.stringify(p), v);
  }
  return out;
}

const isValue = (v: unknown) => v !== null && v !== undefined && !(typeof v === 'string' && MISSING.has(v));

/** The reader's table against a plain decoding: rows, column names in order, and which cells hold a value. */
function check(t: DataTable, c: FuzzCase): string {
  const objects = new Set<string>();
  const records = recordsOf({
    name: c.name,
    bytes: c.bytes.subarray(c.bytes[0] === 0xef && c.bytes[1] === 0xbb && c.bytes[2] === 0xbf ? 3 : 0),
  }).map((r) => leaves(r, objects));
  if (t.rows !== records.length) return `${t.rows} rows, a plain decoding has ${records.length}`;
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const r of records)
    for (const k of r.keys())
      if (!seen.has(k)) {
        seen.add(k);
        paths.push(k);
      }
  // A path that held objects and otherwise only missing values is the objects' fields alone.
  const kept = paths.filter((p) => !objects.has(p) || records.some((r) => isValue(r.get(p))));
  // A list of numbers (or nulls) of one length wherever present: one column per position.
  const cols: { name: string; cell: (r: Map<string, unknown>) => unknown }[] = [];
  for (const p of kept) {
    const name = (JSON.parse(p) as string[]).join('.');
    const lists = records.map((r) => r.get(p)).filter((v) => v !== null && v !== undefined);
    const width = Array.isArray(lists[0]) ? lists[0].length : 0;
    const numeric = (v: unknown) =>
      Array.isArray(v) && v.length === width && v.every((x) => x === null || typeof x === 'number');
    if (width === 0 || width > 4096 || !lists.every(numeric)) cols.push({ name, cell: (r) => r.get(p) });
    else
      for (let j = 0; j < width; j++)
        cols.push({ name: `${name}.${j}`, cell: (r) => (r.get(p) as unknown[] | null | undefined)?.[j] });
  }
  if (t.columns.length !== cols.length) return `${t.columns.length} columns, a plain decoding has ${cols.length}`;
  const names = uniqueNames(cols.map((c) => c.name));
  for (let ci = 0; ci < t.columns.length; ci++) {
    const col = t.columns[ci];
    if (col.name !== names[ci])
      return `column ${ci} is named ${JSON.stringify(col.name).slice(0, 50)}, not as in a plain decoding`;
    // Cell by cell only while that stays cheap (a case of 4,096 sparse columns has 16 M cells).
    if (t.rows * t.columns.length > 2_000_000) continue;
    for (let r = 0; r < records.length; r++) {
      const present = isValue(cols[ci].cell(records[r]));
      if (isPresent(col, r) !== present)
        return `column ${ci} row ${r}: ${present ? 'a value' : 'missing'} in a plain decoding`;
    }
  }
  return '';
}

runCases(cases, make, readTable, check, dump);
