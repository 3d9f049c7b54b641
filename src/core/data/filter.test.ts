/**
 * Row filters against a reference: random tables (numbers with missing values, integers,
 * booleans, dates, categories) and random filters, each written as text for the parser and as a
 * JavaScript predicate over the rows; the rows kept must equal Array.filter's, with the range
 * indexes (index or scan, as the planner picks) and without. Then the parser's refusals, each
 * saying where, and the table restricted to the rows.
 */
import { describe, expect, it } from 'vitest';
import { columnIndex, filterRows, parseWhere, tableRows, FilterError, type IndexOf } from './filter';
import { readCsv } from './csv';
import { Rng } from './rng';
import type { DataTable, NumericColumn } from './table';

function table(rows: number, seed: number): DataTable {
  const rng = new Rng(seed);
  const day = 13_000;
  return {
    name: 'random.csv',
    format: 'csv',
    rows,
    columns: [
      {
        kind: 'numeric',
        name: 'delay',
        type: 'float',
        values: Float64Array.from({ length: rows }, () => Math.round(rng.normal() * 400) / 10),
        valid: Uint8Array.from({ length: rows }, () => (rng.next() < 0.9 ? 1 : 0)),
      },
      {
        kind: 'numeric',
        name: 'distance',
        type: 'int',
        values: Int32Array.from({ length: rows }, () => rng.int(1000)),
        valid: null,
      },
      {
        kind: 'numeric',
        name: 'late',
        type: 'bool',
        values: Uint8Array.from({ length: rows }, () => rng.int(2)),
        valid: null,
      },
      {
        kind: 'numeric',
        name: 'date',
        type: 'date',
        values: Int32Array.from({ length: rows }, () => day + rng.int(60)),
        valid: Uint8Array.from({ length: rows }, () => (rng.next() < 0.95 ? 1 : 0)),
      },
      {
        kind: 'categorical',
        name: 'carrier name',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, () => rng.int(5) - 1),
        dictionary: ['AA', 'UA', "O'Hare", 'WN'],
      },
    ],
  };
}

type Row = { delay: number | null; distance: number; late: boolean; date: number | null; carrier: string | null };
type Case = { text: string; test: (r: Row) => boolean };

function rowsOf(t: DataTable): Row[] {
  const [delay, distance, late, date, carrier] = t.columns as [
    NumericColumn,
    NumericColumn,
    NumericColumn,
    NumericColumn,
    Extract<DataTable['columns'][number], { kind: 'categorical' }>,
  ];
  return Array.from({ length: t.rows }, (_, i) => ({
    delay: delay.valid![i] ? delay.values[i] : null,
    distance: distance.values[i],
    late: late.values[i] === 1,
    date: date.valid![i] ? date.values[i] : null,
    carrier: carrier.codes[i] < 0 ? null : carrier.dictionary[carrier.codes[i]],
  }));
}

const iso = (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10);

/** A random condition, as text and as a predicate. */
function condition(rng: Rng): Case {
  const x = Math.round(rng.normal() * 300) / 10;
  const d = rng.int(1000);
  const day = 13_000 + rng.int(60);
  const carriers = ['AA', 'UA', "O'Hare", 'WN', 'ZZ'];
  const c = carriers[rng.int(carriers.length)];
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  switch (rng.int(12)) {
    case 0:
      return { text: `delay > ${x}`, test: (r) => r.delay !== null && r.delay > x };
    case 1:
      return { text: `delay <= ${x}`, test: (r) => r.delay !== null && r.delay <= x };
    case 2:
      return { text: `distance between ${d} and ${d + 50}`, test: (r) => r.distance >= d && r.distance <= d + 50 };
    case 3:
      return { text: `distance = ${d}`, test: (r) => r.distance === d };
    case 4:
      return { text: `distance != ${d}`, test: (r) => r.distance !== d };
    case 5: {
      const b = rng.int(2) === 1;
      return { text: `late = ${b}`, test: (r) => r.late === b };
    }
    case 6:
      return { text: `date >= '${iso(day)}'`, test: (r) => r.date !== null && r.date >= day };
    case 7:
      return { text: `"carrier name" = ${quote(c)}`, test: (r) => r.carrier === c };
    case 8:
      return { text: `"carrier name" != ${quote(c)}`, test: (r) => r.carrier !== null && r.carrier !== c };
    case 9:
      return {
        text: `"carrier name" in (${quote(c)}, 'WN')`,
        test: (r) => r.carrier === c || r.carrier === 'WN',
      };
    case 10:
      return { text: `delay is null`, test: (r) => r.delay === null };
    default:
      return {
        text: `distance in (${d}, ${(d + 7) % 1000}, -3)`,
        test: (r) => r.distance === d || r.distance === (d + 7) % 1000,
      };
  }
}

function randomFilter(rng: Rng, depth = 0): Case {
  const roll = rng.int(depth > 2 ? 1 : 4);
  if (roll === 0) return condition(rng);
  if (roll === 1) {
    const p = randomFilter(rng, depth + 1);
    return { text: `not (${p.text})`, test: (r) => !p.test(r) };
  }
  const a = randomFilter(rng, depth + 1);
  const b = randomFilter(rng, depth + 1);
  return roll === 2
    ? { text: `(${a.text}) and (${b.text})`, test: (r) => a.test(r) && b.test(r) }
    : { text: `(${a.text}) or (${b.text})`, test: (r) => a.test(r) || b.test(r) };
}

describe('filterRows', () => {
  it('keeps exactly the rows Array.filter keeps, through the range indexes or scans alike (300 random filters)', () => {
    const t = table(5000, 3);
    const rows = rowsOf(t);
    const cache = new Map<string, ReturnType<typeof columnIndex>>();
    const indexOf: IndexOf = (col) => {
      if (!cache.has(col.name)) cache.set(col.name, columnIndex(col));
      return cache.get(col.name)!;
    };
    const rng = new Rng(11);
    const paths = new Set<string>();
    for (let k = 0; k < 300; k++) {
      const f = randomFilter(rng);
      const want = rows.flatMap((r, i) => (f.test(r) ? [i] : []));
      const indexed = filterRows(t, f.text, indexOf);
      expect(Array.from(indexed.rows), f.text).toEqual(want);
      expect(Array.from(filterRows(t, f.text).rows), f.text).toEqual(want);
      for (const p of indexed.plan) paths.add(p.path);
    }
    // Both the index (selective conditions) and the scan (broad ones) were taken.
    expect([...paths].sort()).toEqual(['index', 'scan']);
  });

  it('keywords in any case, <> and ==, signs and exponents, quotes doubled inside strings', () => {
    const t = table(800, 5);
    const rows = rowsOf(t);
    const same = (text: string, test: (r: Row) => boolean) =>
      expect(Array.from(filterRows(t, text).rows), text).toEqual(rows.flatMap((r, i) => (test(r) ? [i] : [])));
    same(
      `delay > -1.5e1 AND NOT "carrier name" == 'O''Hare'`,
      (r) => r.delay !== null && r.delay > -15 && r.carrier !== "O'Hare",
    );
    same(`distance <> 5 Or delay is not null`, (r) => r.distance !== 5 || r.delay !== null);
    same(`"carrier name" not in ('AA')`, (r) => r.carrier !== 'AA');
  });

  it.each([
    ['', /the filter is empty/],
    ['delay >', /the filter ends early: expected a value/],
    ["carrier = 'AA", /at character 11: a string is not closed/],
    ['delay > 3 and', /ends early: expected a column name/],
    ['delay ~ 3', /at character 7: unexpected "~"/],
    ['(delay > 3', /ends early: expected "\)"/],
    ['delay > 3 distance < 2', /at character 11: expected "and", "or" or the end/],
    ['delay between 1 or 3', /at character 17: expected "and" after the lower bound/],
    ['delya > 3', /names column "delya", which random.csv does not have \(it has delay, distance/],
    ["delay > '3'", /column "delay" holds numbers; '3' is not one/],
    ['"carrier name" > \'AA\'', /holds categories: compare it with = or !=, not >/],
    ["date > 'soon'", /column "date" holds dates; 'soon' is not a date/],
    ['distance = true', /column "distance" is not true\/false/],
    [`${'not '.repeat(100)}delay > 1`, /nests more than 64 levels/],
    [`delay > ${'1'.repeat(400)}`, /is not a finite number/],
  ])('%j is refused: %s', (text, message) => {
    const t = table(10, 1);
    expect(() => filterRows(t, text)).toThrow(FilterError);
    expect(() => filterRows(t, text)).toThrow(message);
  });

  it('a value a categorical column never holds is a note beside the rows (a likely typo), with the value meant', () => {
    const t = table(800, 5);
    const carriers = new Set(rowsOf(t).map((r) => r.carrier));
    expect(carriers.has('AA') && carriers.has("O'Hare")).toBe(true);
    expect(carriers.has('aa') || carriers.has('AX') || carriers.has('zzzz')).toBe(false);
    const notes = (where: string) => filterRows(t, where).notes;
    expect(notes(`"carrier name" = 'AA'`)).toEqual([]);
    expect(notes(`"carrier name" in ('aa', 'AA', 'zzzz') or "carrier name" != 'aa'`)).toEqual([
      `'aa' is no value of "carrier name" (did you mean 'AA'?)`,
      `'zzzz' is no value of "carrier name" (its values: 'AA', 'UA', 'O'Hare', 'WN')`,
    ]);
    // One edit away, and a number written for a category.
    expect(notes(`"carrier name" = 'O''Hara' or "carrier name" = 7`)).toEqual([
      `'O'Hara' is no value of "carrier name" (did you mean 'O'Hare'?)`,
      `'7' is no value of "carrier name" (its values: 'AA', 'UA', 'O'Hare', 'WN')`,
    ]);
    // Not listed when asked not to (a streamed piece holds only some values), nor past eight values.
    expect(filterRows(t, `"carrier name" = 'zzzz'`, undefined, { listValues: false }).notes).toEqual([
      `'zzzz' is no value of "carrier name"`,
    ]);
    const nine = {
      ...t,
      columns: t.columns.map((c) =>
        c.name === 'carrier name' && c.kind === 'categorical'
          ? { ...c, dictionary: [...c.dictionary, 'B1', 'B2', 'B3', 'B4', 'B5'] }
          : c,
      ),
    };
    expect(filterRows(nine, `"carrier name" = 'zzzz'`).notes).toEqual([`'zzzz' is no value of "carrier name"`]);
    // The rows are what the filter says all the same: the typo keeps none of its own.
    expect(filterRows(t, `"carrier name" in ('aa', 'AA')`).rows).toEqual(filterRows(t, `"carrier name" = 'AA'`).rows);
  });

  it('matches a number written for a text column by its digits: IDs past 2^53 - 1 exactly, zip codes with their zeros', () => {
    // Read by the CSV reader: the IDs have no doubles of their own and stay text; the zip codes are text for a word.
    const csv = [
      'id,zip,x',
      '9007199254740993,02134,1',
      '9007199254740992,2134,2',
      '9007199254740994,unknown,3',
      '12,02134,4',
    ].join('\n');
    const t = readCsv(new TextEncoder().encode(csv), 'ids.csv');
    const x = (where: string) => {
      const { rows } = filterRows(t, where);
      const col = t.columns.find((c) => c.name === 'x') as NumericColumn;
      return Array.from(rows, (r) => col.values[r]);
    };
    expect(t.columns.map((c) => c.kind)).toEqual(['categorical', 'categorical', 'numeric']);
    // The literal's double is 2^53, the second row's ID: only the first row holds these digits.
    expect(x('id = 9007199254740993')).toEqual([1]);
    expect(x("id = '9007199254740993'")).toEqual([1]);
    expect(x('id in (9007199254740994, +12)')).toEqual([3, 4]);
    expect(x('id != 9007199254740993')).toEqual([2, 3, 4]);
    expect(filterRows(t, 'id = 9007199254740995').notes).toEqual([
      `'9007199254740995' is no value of "id" (did you mean '9007199254740993'?)`,
    ]);
    expect(x('zip = 02134')).toEqual([1, 4]);
    expect(x('zip = 2134')).toEqual([2]);
    // A number in another form than the text's still matches the text of its value, as before.
    expect(x('zip = 2134.0')).toEqual([2]);
  });

  it("reads a date or timestamp literal as the readers do, in UTC whatever the machine's time zone", () => {
    const start = Date.UTC(2020, 0, 1, 8);
    const t: DataTable = {
      name: 'times.csv',
      format: 'csv',
      rows: 48,
      columns: [
        {
          kind: 'numeric',
          name: 'ts',
          type: 'timestamp',
          values: Float64Array.from({ length: 48 }, (_, i) => start + i * 1_800_000),
          valid: null,
        },
        {
          kind: 'numeric',
          name: 'day',
          type: 'date',
          values: Int32Array.from({ length: 48 }, (_, i) => Date.UTC(2005, 4, 20) / 86_400_000 + i),
          valid: null,
        },
      ],
    };
    const before = process.env.TZ;
    // Date.parse would read '2020-01-01 10:00' and 'Jun 1 2005' at New York's midnight and ten o'clock.
    process.env.TZ = 'America/New_York';
    try {
      const kept = (where: string) => Array.from(filterRows(t, where).rows);
      const ref = (from: number, values: ArrayLike<number>) =>
        Array.from(values).flatMap((v, i) => (v >= from ? [i] : []));
      expect(kept("ts >= '2020-01-01 10:00'")).toEqual(
        ref(Date.UTC(2020, 0, 1, 10), (t.columns[0] as NumericColumn).values),
      );
      expect(kept("ts >= '2020-01-01T10:00:00+01:00'")).toEqual(
        ref(Date.UTC(2020, 0, 1, 9), (t.columns[0] as NumericColumn).values),
      );
      for (const lit of ['2005-06-01', '2005/06/01', 'Jun 1 2005', 'June 1, 2005', '1-Jun-2005'])
        expect(kept(`day >= '${lit}'`), lit).toEqual(
          ref(Date.UTC(2005, 5, 1) / 86_400_000, (t.columns[1] as NumericColumn).values),
        );
      expect(() => kept("day >= '06/01/2005'")).toThrow(
        "'06/01/2005' is not a date (write it as the data files' dates are read: '2005-06-01'",
      );
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('a filter longer than the limit is refused before it is read', () => {
    expect(() => parseWhere(`delay > 1 or ${'delay > 1 or '.repeat(400)}delay > 2`)).toThrow(/more than 4096/);
  });
});

describe('tableRows', () => {
  it('gathers every column at the rows, missing values and dictionaries kept', () => {
    const t = table(300, 8);
    const keep = filterRows(t, 'distance < 500 and delay is not null').rows;
    const sub = tableRows(t, keep, 'random.csv (filtered)');
    expect(sub.rows).toBe(keep.length);
    expect(sub.name).toBe('random.csv (filtered)');
    const all = rowsOf(t);
    expect(rowsOf(sub)).toEqual(Array.from(keep, (i) => all[i]));
    expect((sub.columns[2] as NumericColumn).values).toBeInstanceOf(Uint8Array);
  });
});
