import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quoteNonFinite, quoteUnsafeIntegers, readJson } from './json';
import { MAX_JSON_COLUMNS } from './limits';
import { DataError, type DataTable } from './table';
import { Rng } from './rng';

// Every table is checked cell by cell against JSON.parse of the same bytes.

const VEGA = 'node_modules/vega-datasets/data/';
const enc = new TextEncoder();
const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'null', 'NULL', '?']);
const DATE_RE = /^\d{4}([-/])\d{2}\1\d{2}$/;
const TS_RE = /^\d{4}([-/])\d{2}\1\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** A date in ISO order written with slashes (2015/01/31) as ISO's dashes, for Date.parse. */
const iso = (v: string) => (v[4] === '/' ? `${v.slice(0, 4)}-${v.slice(5, 7)}-${v.slice(8)}` : v);

type Rec = Record<string, unknown>;

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && MISSING.has(v));
// Dates with an English month name ("Jun 12 1998", "June 12, 1998", "12-Jun-1998"), as [y, m, d].
const MONTHS = 'january february march april may june july august september october november december'.split(' ');
const monthNamed = (w: string) => {
  const l = w.toLowerCase();
  return 1 + MONTHS.findIndex((m) => l === m || l === m.slice(0, 3) || (m === 'september' && l === 'sept'));
};
function namedDate(v: string): number | null {
  const a = /^([A-Za-z]+) (\d{1,2}),? (\d{4})$/.exec(v);
  const b = /^(\d{1,2})([ -])([A-Za-z]+)\2(\d{4})$/.exec(v);
  const [y, m, d] = a ? [+a[3], monthNamed(a[1]), +a[2]] : b ? [+b[4], monthNamed(b[3]), +b[1]] : [0, 0, 0];
  if (m === 0) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? t.getTime() : null;
}
const timeKind = (v: string) =>
  (DATE_RE.test(v) && !Number.isNaN(Date.parse(iso(v)))) || namedDate(v) !== null
    ? 'date'
    : TS_RE.test(v) && !Number.isNaN(refTime(v))
      ? 'timestamp'
      : 'text';

function refTime(v: string): number {
  let s = iso(v).replace(' ', 'T');
  if (s.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(s.slice(10))) s += 'Z';
  return Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
}

/** The column type the documented rules give, stated independently of the reader. */
function refType(values: unknown[]): string {
  const kinds = new Set<string>();
  for (const v of values) {
    if (isMissing(v)) continue;
    if (typeof v === 'number') kinds.add(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? 'int' : 'float');
    else if (typeof v === 'boolean') kinds.add('bool');
    else if (typeof v === 'string') kinds.add(timeKind(v));
    else kinds.add('text');
  }
  const all = (...ks: string[]) => kinds.size > 0 && [...kinds].every((k) => ks.includes(k));
  if (all('int')) return 'int';
  if (all('int', 'float')) return 'float';
  if (all('bool')) return 'bool';
  if (all('date')) return 'date';
  if (all('date', 'timestamp')) return 'timestamp';
  return 'categorical';
}

/**
 * A record as the documented flattening reads it, stated independently of the reader: nested
 * objects become `outer.inner` fields in the order met, arrays and scalars stay values. `objects`
 * collects the dotted names that held an object somewhere.
 */
function flattenRef(rec: Rec, objects: Set<string>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(rec)) {
    const name = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      objects.add(name);
      out.push(...flattenRef(v as Rec, objects, `${name}.`));
    } else out.push([name, v]);
  }
  return out;
}

function expectMatchesJsonParse(table: DataTable, nested: Rec[]): void {
  const objects = new Set<string>();
  const records = nested.map((r) => new Map(flattenRef(r, objects)));
  const named = [...new Set(records.flatMap((r) => [...r.keys()]))].filter(
    (k) => !objects.has(k) || records.some((r) => !isMissing(r.get(k))),
  );
  // Lists of numbers (or nulls) of one length wherever present: one column per position.
  const keys: string[] = [];
  for (const k of named) {
    const lists = records.map((r) => r.get(k)).filter((v) => v !== null && v !== undefined);
    const width = lists.length > 0 && Array.isArray(lists[0]) ? (lists[0] as unknown[]).length : 0;
    const numeric = (v: unknown) =>
      Array.isArray(v) && v.length === width && v.every((x) => x === null || typeof x === 'number');
    if (width === 0 || width > 4096 || !lists.every(numeric)) {
      keys.push(k);
      continue;
    }
    for (let j = 0; j < width; j++) {
      keys.push(`${k}.${j}`);
      for (const r of records) {
        const v = r.get(k);
        if (Array.isArray(v)) r.set(`${k}.${j}`, v[j]);
      }
    }
  }
  expect(table.format).toBe('json');
  expect(table.rows).toBe(records.length);
  expect(table.columns.map((c) => c.name)).toEqual(keys);
  for (const col of table.columns) {
    const values = records.map((r) => r.get(col.name));
    expect(col.type, col.name).toBe(refType(values));
    values.forEach((v, r) => {
      const where = `${col.name} row ${r}: ${JSON.stringify(v)}`;
      if (col.kind === 'categorical') {
        if (isMissing(v)) expect(col.codes[r], where).toBe(-1);
        else expect(col.dictionary[col.codes[r]], where).toBe(typeof v === 'object' ? JSON.stringify(v) : String(v));
        return;
      }
      expect(col.valid === null || col.valid[r] === 1, where).toBe(!isMissing(v));
      if (isMissing(v)) return;
      const x = col.values[r];
      if (col.type === 'date')
        expect(x, where).toBe((namedDate(v as string) ?? Date.parse(iso(v as string))) / 86_400_000);
      else if (col.type === 'timestamp') expect(x, where).toBe(refTime(v as string));
      else expect(x, where).toBe(Number(v));
    });
  }
}

describe('readJson on vega-datasets, against JSON.parse', () => {
  const files = readdirSync(VEGA).filter((f) => f.endsWith('.json') && statSync(VEGA + f).size < 2_000_000);
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(VEGA + file));
    const data: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const isRecords = (v: unknown): v is Rec[] =>
      Array.isArray(v) && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
    // One object whose one key holds a non-empty list of records (GeoJSON's features) is read as that list.
    const wrapped =
      data !== null && typeof data === 'object' && !Array.isArray(data)
        ? Object.entries(data).filter(([, v]) => isRecords(v) && v.length > 0)
        : [];
    const records = isRecords(data) ? data : wrapped.length === 1 ? (wrapped[0][1] as Rec[]) : null;
    it(`${file} ${records ? 'matches' : 'is refused: not an array of records'}`, () => {
      if (!records) return void expect(() => readJson(bytes, file)).toThrow(`${file}: `);
      const table = readJson(bytes, file);
      expectMatchesJsonParse(table, records);
      // The keys around a wrapped list are reported as skipped, by name.
      expect(table.skipped?.map((k) => k.name) ?? []).toEqual(
        isRecords(data) ? [] : Object.keys(data as Rec).filter((k) => k !== wrapped[0][0]),
      );
    });
  }
  it('types the columns of penguins, cars and flights-2k as expected', () => {
    const types = (f: string) =>
      Object.fromEntries(readJson(new Uint8Array(readFileSync(VEGA + f)), f).columns.map((c) => [c.name, c.type]));
    expect(types('penguins.json')).toMatchObject({
      Species: 'categorical',
      'Beak Length (mm)': 'float',
      'Body Mass (g)': 'int',
    });
    expect(types('cars.json')).toMatchObject({
      Name: 'categorical',
      Cylinders: 'int',
      Year: 'date',
      Origin: 'categorical',
    });
    expect(types('flights-2k.json')).toMatchObject({ delay: 'int', distance: 'int', origin: 'categorical' });
  });
});

describe('readJson inputs', () => {
  const json = (s: string, name = 'test.json') => readJson(enc.encode(s), name);
  it('reads newline-delimited records like the array form', () => {
    const recs = JSON.parse(readFileSync(`${VEGA}penguins.json`, 'utf8')) as Rec[];
    const nd = json(recs.map((r) => JSON.stringify(r)).join('\r\n') + '\n', 'p.ndjson');
    expect({ ...nd, name: '', format: '' }).toEqual({ ...json(JSON.stringify(recs)), name: '', format: '' });
  });
  it('unions keys, mixes types by the stated rule and splits a list of numbers', () => {
    const t = json(
      '[{"a":1,"b":"x"},{"a":2.5,"c":true},{"a":null,"b":3,"d":{"k":[1]}},{"e":"2020-01-01","f":"2020-01-01T00:00:01Z"},{"e":"NA","f":"2020-01-02"}]',
    );
    expectMatchesJsonParse(
      t,
      JSON.parse(
        '[{"a":1,"b":"x"},{"a":2.5,"c":true},{"a":null,"b":3,"d":{"k":[1]}},{"e":"2020-01-01","f":"2020-01-01T00:00:01Z"},{"e":"NA","f":"2020-01-02"}]',
      ) as Rec[],
    );
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'a:float',
      'b:categorical',
      'c:bool',
      'd.k.0:int',
      'e:date',
      'f:timestamp',
    ]);
  });
  it('keeps strings that look like numbers as text', () =>
    expect(json('[{"n":"12"},{"n":"13"}]').columns[0].type).toBe('categorical'));
  it('rejects bad input with a specific message', () => {
    expect(() => json('')).toThrow(new DataError('test.json: empty file'));
    expect(() => json(' \n ')).toThrow(new DataError('test.json: empty file'));
    expect(() => json('[{"a":1},\n{"a":2,}]')).toThrow(
      new DataError(
        "test.json: line 2, column 8: invalid JSON: '}' where a key in double quotes should be (a comma " +
          "before '}' is not allowed)",
      ),
    );
    expect(() => json('[{"a":1}, 3]')).toThrow(
      new DataError('test.json: element 1 is a number, expected an object (a record)'),
    );
    expect(() => json('[{"a":1}, [1]]')).toThrow(
      new DataError('test.json: element 1 is an array, expected an object (a record)'),
    );
    expect(() => json('{"a":1}\n  {"a":2\n')).toThrow(
      new DataError(
        "test.json: line 2, column 9: invalid JSON: the text ends inside an object, where ',' or '}' should " +
          'follow (is the file cut short?) (expected one JSON object per line, or a JSON array of records)',
      ),
    );
    expect(() => json('nul')).toThrow(
      new DataError(
        "test.json: line 1, column 1: invalid JSON: 'n' where a value should be (a string in double quotes, " +
          'a number, true, false, null, an object or an array)',
      ),
    );
    expect(() => json('null')).toThrow(
      new DataError('test.json: expected a JSON array of records, found a single null'),
    );
    expect(() => json('{"type":"Topology","arcs":[]}')).toThrow(
      new DataError(
        'test.json: expected a JSON array of records (or one record per line), found one object with keys ' +
          'type, arcs and no list of records under any of them',
      ),
    );
    expect(() => json('"just a string"')).toThrow(
      new DataError('test.json: expected a JSON array of records, found a single string'),
    );
    expect(() => readJson(new Uint8Array([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]), 'bad.json')).toThrow(
      new DataError('bad.json: not a text file (it is not valid UTF-8)'),
    );
  });
});

describe('integers beyond 2^53 - 1 keep their digits (as text)', () => {
  const json = (s: string) => readJson(enc.encode(s), 'ids.json');
  const texts = (t: DataTable, name: string) => {
    const col = t.columns.find((c) => c.name === name);
    if (col?.kind !== 'categorical') throw new Error(`${name} is ${col?.type}`);
    return Array.from(col.codes, (c) => (c < 0 ? null : col.dictionary[c]));
  };

  it('an ID column of tweet-sized integers is categorical with every digit, in arrays and NDJSON', () => {
    const ids = ['1234567890123456789', '1234567890123456790', '-9007199254740993'];
    for (const text of [
      `[${ids.map((id, i) => `{"id": ${id}, "v": ${i}}`).join(',\n')}]`,
      ids.map((id, i) => `{"id":${id},"v":${i}}`).join('\r\n'),
      `{"data": [${ids.map((id) => `{"id":${id}}`).join(',')}]}`,
    ]) {
      const t = json(text);
      expect(texts(t, 'id')).toEqual(ids);
    }
    // Safe integers, fractions and exponents stay numbers; strings are left as they are.
    const t = json('[{"a":9007199254740991,"b":12345678901234567890.5,"c":1e20,"s":"x\\"12345678901234567890"}]');
    expect(t.columns.map((c) => c.type)).toEqual(['float', 'float', 'float', 'categorical']);
    expect(texts(t, 's')).toEqual(['x"12345678901234567890']);
  });

  it('a syntax error is placed in the file as written, not in the quoted text', () => {
    expect(() => json('[{"id":12345678901234567890,"x":01}]')).toThrow('ids.json: line 1, column 33: invalid JSON');
    expect(() => json('{"id":12345678901234567890}\n{"id":12345678901234567891,}\n')).toThrow(
      'ids.json: line 2, column 28: invalid JSON',
    );
  });

  it('quoting leaves every document JSON.parse reads the same, but for unsafe integers as strings (2,000 seeded)', () => {
    const rng = new Rng(5);
    const big = () =>
      `${rng.int(2) ? '-' : ''}${1 + rng.int(9)}${Array.from({ length: 15 + rng.int(6) }, () => rng.int(10)).join('')}`;
    for (let n = 0; n < 2000; n++) {
      // A value and what it should parse to after quoting.
      const value = (depth: number): [string, unknown] => {
        const k = rng.int(depth > 2 ? 6 : 8);
        if (k === 0) {
          const b = big();
          return Math.abs(Number(b)) > Number.MAX_SAFE_INTEGER ? [b, b] : [b, Number(b)];
        }
        if (k === 1) {
          const f = `${big()}.5`;
          return [f, Number(f)];
        }
        if (k === 2) {
          const str = `${rng.int(2) ? '\\"' : ''}${big()}${rng.int(2) ? '\\\\' : ''}`;
          return [`"${str}"`, JSON.parse(`"${str}"`) as string];
        }
        if (k === 3) return [String(rng.int(1000)), 0];
        if (k === 4) return ['null', null];
        if (k === 5) return ['"\\u0031234567890123456789"', '1234567890123456789'];
        const parts = Array.from({ length: rng.int(4) }, () => value(depth + 1));
        if (k === 6) return [`[${parts.map((p) => p[0]).join(', ')}]`, parts.map((p) => p[1])];
        return [
          `{${parts.map((p, i) => `"k${i}": ${p[0]}`).join(',')}}`,
          Object.fromEntries(parts.map((p, i) => [`k${i}`, p[1]])),
        ];
      };
      const [text, expected] = value(0);
      const parsed: unknown = JSON.parse(quoteUnsafeIntegers(text));
      // Small integers stand for themselves: compare them as written.
      const fixedSmall = JSON.parse(JSON.stringify(parsed), (_k, v: unknown) =>
        typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1000 ? 0 : v,
      );
      expect(fixedSmall, text).toEqual(expected);
    }
  });
});

describe('records wrapped in one object (GeoJSON features, {"data": [...]})', () => {
  const json = (s: string) => readJson(enc.encode(s), 'wrapped.json');

  it("vega's earthquakes.json (a GeoJSON FeatureCollection): one row per feature, coordinates as numbers", () => {
    const bytes = new Uint8Array(readFileSync(`${VEGA}earthquakes.json`));
    const t = readJson(bytes, 'earthquakes.json');
    const geo = JSON.parse(new TextDecoder().decode(bytes)) as {
      features: { properties: { mag: number }; geometry: { coordinates: number[] } }[];
    };
    expect(t.rows).toBe(geo.features.length);
    const col = (name: string) => {
      const c = t.columns.find((k) => k.name === name);
      if (!c || c.kind !== 'numeric') throw new Error(`no numeric column ${name}`);
      return Array.from(c.values);
    };
    expect(col('properties.mag')).toEqual(geo.features.map((f) => f.properties.mag));
    expect(col('geometry.coordinates.2')).toEqual(geo.features.map((f) => f.geometry.coordinates[2]));
    expect(t.skipped).toEqual(
      ['type', 'metadata', 'bbox'].map((name, i) => ({
        name,
        type: ['string', 'object', 'array'][i],
        reason: 'a key of the object around the records (the rows are the records in "features")',
      })),
    );
  });

  it('reads the one list of records whatever its key and layout, beside scalars and lists of numbers', () => {
    const recs = [{ a: 1, b: 'x' }, { a: 2 }, { a: 3, b: 'y' }];
    for (const text of [
      JSON.stringify({ data: recs }),
      JSON.stringify({ total: 3, ids: [1, 2, 3], results: recs, next: null }, null, 2),
      `{"results":\r\n${JSON.stringify(recs)}}`,
    ]) {
      const t = json(text);
      expectMatchesJsonParse(t, recs);
      expect(t.skipped?.every((k) => /records in "(data|results)"/.test(k.reason)) ?? true).toBe(true);
    }
    expect(json(JSON.stringify({ total: 3, ids: [1, 2, 3], results: recs, next: null })).skipped).toEqual([
      { name: 'total', type: 'number', reason: expect.stringContaining('"results"') as string },
      { name: 'ids', type: 'array', reason: expect.stringContaining('"results"') as string },
      { name: 'next', type: 'null', reason: expect.stringContaining('"results"') as string },
    ]);
  });

  it('many keys beside the records are listed up to 32, the rest counted', () => {
    const o: Rec = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    o.rows = [{ v: 1 }];
    const skipped = json(JSON.stringify(o)).skipped ?? [];
    expect(skipped.length).toBe(33);
    expect(skipped.slice(0, 32).map((k) => k.name)).toEqual(Array.from({ length: 32 }, (_, i) => `k${i}`));
    expect(skipped[32].name).toBe('(18 more keys)');
  });

  it('no list of records, an empty one, or several are refused, naming the keys', () => {
    expect(() => json('{"type":"FeatureCollection","features":[]}')).toThrow(
      new DataError(
        'wrapped.json: expected a JSON array of records (or one record per line), found one object with keys ' +
          'type, features and no list of records under any of them',
      ),
    );
    // A list that holds anything but objects is not records.
    expect(() => json('{"features":[{"a":1}, 2]}')).toThrow('found one object with keys features and no list');
    expect(() => json('{}')).toThrow('found one object with keys (none) and no list');
    expect(() => json('{"nodes":[{"id":1},{"id":2}],"links":[{"s":1,"t":2}]}')).toThrow(
      new DataError(
        'wrapped.json: one object with 2 lists of records, "nodes" (2 records), "links" (1 record); the workbench ' +
          'reads one table per file: save the list to train on as a JSON array of its own',
      ),
    );
    // A record of the list that is refused is named by the list's key.
    expect(() => json(`{"data":[{"a":${'['.repeat(70)}${']'.repeat(70)}}]}`)).toThrow(
      'wrapped.json: "data" element 0: field "a" nests more than 64 levels deep',
    );
  });
});

describe('nested objects are flattened into dotted columns', () => {
  const json = (s: string) => readJson(enc.encode(s), 'nested.json');
  const cells = (t: DataTable, name: string): unknown[] => {
    const col = t.columns.find((c) => c.name === name);
    if (!col) throw new Error(`no column ${name} in ${t.columns.map((c) => c.name).join(', ')}`);
    return Array.from({ length: t.rows }, (_, r) =>
      col.kind === 'categorical'
        ? col.codes[r] < 0
          ? null
          : col.dictionary[col.codes[r]]
        : col.valid !== null && col.valid[r] === 0
          ? null
          : col.values[r],
    );
  };

  it("vega's weekly-weather: record.high and forecast.low.high are numbers, equal to JSON.parse's", () => {
    const bytes = new Uint8Array(readFileSync(`${VEGA}weekly-weather.json`));
    const t = readJson(bytes, 'weekly-weather.json');
    const recs = JSON.parse(new TextDecoder().decode(bytes)) as {
      day: string;
      record: { high: number; low: number };
      actual?: { high: number; low: number } | null;
      forecast?: { low: { high: number } };
    }[];
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'day:categorical',
      'record.high:int',
      'record.low:int',
      'normal.high:int',
      'normal.low:int',
      'actual.high:int',
      'actual.low:int',
      'id:int',
      'forecast.high.high:int',
      'forecast.high.low:int',
      'forecast.low.high:int',
      'forecast.low.low:int',
    ]);
    expect(cells(t, 'record.low')).toEqual(recs.map((r) => r.record.low));
    // Forecast days have no actual: the field is missing there, as for a missing key.
    expect(cells(t, 'actual.high')).toEqual(recs.map((r) => r.actual?.high ?? null));
    expect(cells(t, 'forecast.low.high')).toEqual(recs.map((r) => r.forecast?.low.high ?? null));
  });

  it('flattens at any depth, with missing, null and empty objects, and keeps a mixed list as text', () => {
    const t = json(
      '[{"id":1,"a":{"b":{"c":1.5,"d":"x"},"e":[1,"two"]}},' +
        '{"id":2,"a":null},' +
        '{"id":3,"a":{"b":{}}},' +
        '{"id":4},' +
        '{"id":5,"a":{"b":{"c":2,"f":true}}}]',
    );
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'id:int',
      'a.b.c:float',
      'a.b.d:categorical',
      'a.e:categorical',
      'a.b.f:bool',
    ]);
    expect(cells(t, 'a.b.c')).toEqual([1.5, null, null, null, 2]);
    expect(cells(t, 'a.e')).toEqual(['[1,"two"]', null, null, null, null]);
    expect(cells(t, 'a.b.f')).toEqual([null, null, null, null, 1]);
  });

  it('a list of numbers of one length becomes numbered columns; any other list stays its JSON text', () => {
    const t = json(
      '[{"emb":[0.5,1,null],"px":[1,2],"odd":[1],"deep":[[1]],"mix":[1,true],"none":[]},' +
        '{"emb":[1.5,2,3],"px":[3,4],"odd":[1,2],"deep":[[2]],"mix":[2,false],"none":[]},' +
        '{"emb":null},' +
        '{"px":[5,6.5]}]',
    );
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'emb.0:float',
      'emb.1:int',
      'emb.2:int',
      'px.0:int',
      'px.1:float',
      'odd:categorical',
      'deep:categorical',
      'mix:categorical',
      'none:categorical',
    ]);
    expect(cells(t, 'emb.0')).toEqual([0.5, 1.5, null, null]);
    expect(cells(t, 'emb.2')).toEqual([null, 3, null, null]);
    expect(cells(t, 'px.1')).toEqual([2, 4, null, 6.5]);
    expect(cells(t, 'odd')).toEqual(['[1]', '[1,2]', null, null]);
    // Longer than MAX_LIST_COLUMNS (4,096): its text, not 5,000 columns.
    const long = json(JSON.stringify([{ v: Array.from({ length: 5000 }, (_, i) => i) }, { v: null }]));
    expect(long.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['v:categorical']);
  });

  it('a key holding objects in some records and values in others gives both columns', () => {
    const t = json('[{"a":{"x":1}},{"a":7},{"a":{"x":2}},{"a":null}]');
    expect(t.columns.map((c) => c.name)).toEqual(['a.x', 'a']);
    expect(cells(t, 'a.x')).toEqual([1, null, 2, null]);
    expect(cells(t, 'a')).toEqual([null, 7, null, null]);
  });

  it('names made alike by the dots are told apart (the first met keeps the name), and an empty key is named', () => {
    const t = json('[{"a.x":1,"a":{"x":2},"":3},{"a.x":4,"a":{"x":5},"":6}]');
    expect(t.columns.map((c) => c.name)).toEqual(['a.x', 'a.x_2', 'column_3']);
    expect(cells(t, 'a.x')).toEqual([1, 4]);
    expect(cells(t, 'a.x_2')).toEqual([2, 5]);
    expect(cells(t, 'column_3')).toEqual([3, 6]);
  });

  it('nested fields count toward the column cap, named by their dotted path', () => {
    const inner = Object.fromEntries(Array.from({ length: MAX_JSON_COLUMNS + 1 }, (_, i) => [`k${i}`, i]));
    expect(() => json(JSON.stringify([{ id: 0, o: inner }]))).toThrow(
      new DataError(
        `nested.json: more than ${MAX_JSON_COLUMNS.toLocaleString('en-US')} distinct keys (columns) in the ` +
          `records (element 0 adds "o.k${MAX_JSON_COLUMNS - 1}"); ` +
          'a table needs records that share their keys, such as {"id": 123, "value": 4} rather than {"123": 4}',
      ),
    );
  });

  it('objects nested up to the limit flatten into one long name; deeper is refused', () => {
    const nest = (n: number) => '{"x":'.repeat(n) + '1' + '}'.repeat(n);
    const t = json(`[{"a":${nest(63)}}]`);
    expect(t.columns.map((c) => c.name)).toEqual([['a', ...Array<string>(63).fill('x')].join('.')]);
    expect(() => json(`[{"a":${nest(65)}}]`)).toThrow(
      new DataError('nested.json: element 0: field "a" nests more than 64 levels deep'),
    );
  });
});

describe('deeply nested values', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  it('a value nested 10,000 levels deep is refused with a message, not a stack overflow (array and NDJSON)', () => {
    const enc = new TextEncoder();
    expect(() => readJson(enc.encode(`[{"a": 1, "b": ${deep(10_000)}}, {"a": 2, "b": 3}]`), 'deep.json')).toThrow(
      new DataError('deep.json: element 0: field "b" nests more than 64 levels deep'),
    );
    expect(() => readJson(enc.encode(`{"a": 1, "b": 3}\n{"a": 2, "b": ${deep(10_000)}}\n`), 'deep.ndjson')).toThrow(
      new DataError('deep.ndjson: line 2: field "b" nests more than 64 levels deep'),
    );
  });

  it("nesting up to the limit is kept as the value's JSON text", () => {
    const t = readJson(new TextEncoder().encode(`[{"a": 1, "b": ${deep(64)}}, {"a": 2, "b": [1]}]`), 'ok.json');
    const b = t.columns.find((c) => c.name === 'b')!;
    expect(b.kind).toBe('categorical');
    if (b.kind === 'categorical') expect(b.dictionary[b.codes[0]]).toBe(deep(64));
  });
});

describe('records with keys of their own (issue 12, item 7)', () => {
  const enc = new TextEncoder();
  const ndjson = (lines: string[]) => enc.encode(lines.join('\n') + '\n');

  it('20,000 records each with its own key are refused at the 4,097th key, naming the file and the limit', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ [`k${i}`]: i }));
    expect(() => readJson(ndjson(lines), 'own-keys.ndjson')).toThrow(
      new DataError(
        `own-keys.ndjson: more than ${MAX_JSON_COLUMNS.toLocaleString('en-US')} distinct keys (columns) in ` +
          `the records (line 4097 adds "k4096"); ` +
          'a table needs records that share their keys, such as {"id": 123, "value": 4} rather than {"123": 4}',
      ),
    );
    // The array form is refused the same way, naming the element.
    expect(() => readJson(enc.encode(`[${lines.join(',')}]`), 'own-keys.json')).toThrow(
      /^own-keys\.json: more than 4,096 distinct keys \(columns\) in the records \(element 4096 adds "k4096"\)/,
    );
  });

  it(
    'just under the cap (4,096 columns, most cells missing) every cell matches a plain JSON.parse ' + 'of each line',
    () => {
      // 819 records: a shared "id" and 5 keys of their own each: 1 + 819 * 5 = 4,096 keys.
      const lines = Array.from({ length: 819 }, (_, i) => {
        const rec: Rec = { id: i };
        for (let k = 0; k < 5; k++)
          rec[`r${i}_${k}`] = k === 0 ? `s${i}` : k === 1 ? i * 0.5 : k === 2 ? i % 2 === 0 : k === 3 ? null : i;
        return JSON.stringify(rec);
      });
      const t = readJson(ndjson(lines), 'wide.ndjson');
      const refs = lines.map((l) => JSON.parse(l) as Rec);
      const keys = [...new Set(refs.flatMap((r) => Object.keys(r)))];
      expect(keys).toHaveLength(MAX_JSON_COLUMNS);
      expect(t.rows).toBe(819);
      expect(t.columns.map((c) => c.name)).toEqual(keys);
      const wrong: string[] = [];
      for (const col of t.columns) {
        const values = refs.map((r) => r[col.name]);
        if (col.type !== refType(values)) wrong.push(`${col.name}: type ${col.type}, expected ${refType(values)}`);
        for (let r = 0; r < refs.length; r++) {
          const v = values[r];
          let got: unknown;
          if (col.kind === 'categorical') got = col.codes[r] < 0 ? null : col.dictionary[col.codes[r]];
          else
            got =
              col.valid !== null && col.valid[r] === 0
                ? null
                : col.type === 'bool'
                  ? col.values[r] === 1
                  : col.values[r];
          const want = isMissing(v) ? null : v;
          if (got !== want) wrong.push(`${col.name} row ${r}: ${String(got)}, expected ${String(want)}`);
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
    },
  );

  it(
    'a few thousand keys over many empty records (a table nearly all missing, far larger than the ' +
      'file) is refused',
    () => {
      const lines = [...Array.from({ length: 4000 }, (_, i) => `{"k${i}":${i}}`), ...Array<string>(200_000).fill('{}')];
      const bytes = ndjson(lines);
      expect(() => readJson(bytes, 'sparse.ndjson')).toThrow(
        new DataError(
          `sparse.ndjson: the records hold 4,000 distinct keys but each only a few of them: a table of 204,000 ` +
            (`rows x 4,000 columns, 99% of it missing, is too large ` +
              `for a file of ${bytes.length.toLocaleString('en-US')} bytes`),
        ),
      );
    },
  );

  it(
    'a key a record lacks is missing there, even one named like an Object property (toString, ' +
      'constructor, __proto__)',
    () => {
      const t = readJson(enc.encode('{"toString":1,"constructor":"c","__proto__":2}\n{"a":2}\n'), 'proto.ndjson');
      expect(t.columns.map((c) => c.name)).toEqual(['toString', 'constructor', '__proto__', 'a']);
      for (const col of t.columns.slice(0, 3)) {
        if (col.kind === 'categorical') expect([...col.codes], col.name).toEqual([0, -1]);
        else expect([...col.valid!], col.name).toEqual([1, 0]);
      }
    },
  );

  it('NDJSON lines may end in LF, CRLF or CR (none can occur inside a JSON string)', () => {
    const t = readJson(enc.encode('{"a":1}\r{"a":2}\r\n{"a":3}\n\r{"a":"x\\r"}'), 'eol.ndjson');
    expect(t.rows).toBe(4);
    const a = t.columns[0];
    expect(a.kind === 'categorical' && a.dictionary).toEqual(['1', '2', '3', 'x\r']);
  });
});

describe("NaN and the infinities as Python's json.dumps writes them (bare NaN, Infinity, -Infinity)", () => {
  /** Python writes the file and reads it back: its json.loads is the reference for every cell. */
  function python(script: string): { text: string; loaded: unknown } {
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [text, loaded] = r.stdout.split('\n\u0001\n');
    return { text, loaded: JSON.parse(loaded) };
  }
  const writer = (rows: string, ndjson: boolean) =>
    [
      'import json, math, random',
      'random.seed(7)',
      `rows = ${rows}`,
      ndjson ? 'text = "\\n".join(json.dumps(r) for r in rows)' : 'text = json.dumps(rows, indent=1)',
      // The reference: what json.loads reads back, with the non-finite values spelled out.
      ndjson ? 'back = [json.loads(l) for l in text.split("\\n")]' : 'back = json.loads(text)',
      'spell = lambda v: {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}[repr(v)] if isinstance(v, float) and not math.isfinite(v) else v',
      'fix = lambda o: {k: fix(v) for k, v in o.items()} if isinstance(o, dict) else [fix(v) for v in o] if isinstance(o, list) else spell(o)',
      'print(text + "\\n\\u0001\\n" + json.dumps(fix(back), allow_nan=False))',
    ].join('\n');
  const ROWS =
    '[{"x": random.choice([float("nan"), float("inf"), -float("inf"), random.random(), None]), ' +
    '"y": random.choice(["a", "b"]), "v": [random.random(), float("nan")], ' +
    '"o": {"w": random.choice([float("inf"), 1.5])}, "t": random.choice(["NaN", "Infinity", "x"])} for i in range(300)]';
  const num = (v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

  for (const ndjson of [false, true])
    it(`${ndjson ? 'NDJSON' : 'an array'}: the values are json.loads', numbers in number columns, strings stay text`, () => {
      const { text, loaded } = python(writer(ROWS, ndjson));
      expect(text).toMatch(/NaN/);
      const t = readJson(enc.encode(text), 'py.json');
      const rows = loaded as Rec[];
      expect(t.rows).toBe(rows.length);
      const col = (name: string) => t.columns.find((c) => c.name === name)!;
      for (const [name, get] of [
        ['x', (r: Rec) => r.x],
        ['v.0', (r: Rec) => (r.v as unknown[])[0]],
        ['v.1', (r: Rec) => (r.v as unknown[])[1]],
        ['o.w', (r: Rec) => (r.o as Rec).w],
      ] as const) {
        const c = col(name);
        expect(c.kind === 'numeric' && c.type, name).toBe('float');
        if (c.kind !== 'numeric') continue;
        rows.forEach((r, i) => {
          const want = get(r);
          if (want === null) expect(c.valid?.[i], `${name} row ${i}`).toBe(0);
          else expect(Object.is(c.values[i], num(want)) || c.values[i] === num(want), `${name} row ${i}`).toBe(true);
        });
      }
      // A string "NaN" is a string: JSON says so.
      const s = col('t');
      expect(s.kind).toBe('categorical');
      if (s.kind === 'categorical') expect(new Set(s.dictionary)).toEqual(new Set(rows.map((r) => r.t)));
    });

  it('a bare word beside text in one column shows as its word; a list with one stays numbered columns', () => {
    const t = readJson(enc.encode('[{"a": NaN, "b": [1, -Infinity]}, {"a": "x", "b": [2, 3]}]'), 'm.json');
    const a = t.columns.find((c) => c.name === 'a')!;
    expect(a.kind === 'categorical' && a.dictionary).toEqual(['NaN', 'x']);
    const b1 = t.columns.find((c) => c.name === 'b.1')!;
    expect(b1.kind === 'numeric' && Array.from(b1.values)).toEqual([-Infinity, 3]);
  });

  it('only where a value stands: as a key, glued to other letters or in a string it is not read; errors keep their place', () => {
    const bad: [string, RegExp][] = [
      ['[{NaN: 1}]', /line 1, column 3: invalid JSON/],
      ['[{"a": 1, NaN: 2}]', /line 1, column 11: invalid JSON/],
      ['[{"a": NaNx}]', /line 1, column 11: invalid JSON/],
      ['[{"a": nan}]', /line 1, column 8: invalid JSON: 'n' where a value should be/],
      // The first real error, after a NaN that is fine.
      ['[{"a": NaN},\n {"a": 1,}]', /line 2, column 10: invalid JSON/],
      ['{"a": Infinity}\n{"a": -Infinity}\n{"a": +Infinity}', /line 3, column 7: invalid JSON/],
    ];
    for (const [text, want] of bad) expect(() => readJson(enc.encode(text), 'bad.json'), text).toThrow(want);
    const t = readJson(enc.encode('[{"a": "NaN", "b": " Infinity"}, {"a": "x", "b": "y"}]'), 's.json');
    expect(t.columns.map((c) => c.kind)).toEqual(['categorical', 'categorical']);
    // Without those words the text is returned as it is.
    const plain = '[{"a": 1, "Na": "Infinity"}]';
    expect(quoteNonFinite(plain)).toBe(plain);
  });
});
