import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { autoType, dsvFormat } from 'd3-dsv';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { readCsv, type Delimiter } from './csv';
import { assertFinite, checkFinite } from './finite';
import { MAX_CSV_COLUMNS } from './limits';
import { DataError, type Column, type DataTable } from './table';
import { Rng } from './rng';

// Every table is checked cell by cell against papaparse (field splitting, raw strings) and
// d3-dsv with autoType (numbers and dates), both reading the same text.

const VEGA = 'node_modules/vega-datasets/data/';
const enc = new TextEncoder();
const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'null', 'NULL', '?']);

/** An independent, regex-based statement of the inference rules documented in infer.ts. */
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT_RE = /^[+-]?\d+$/;
// Dates in ISO order, with '-' or '/' (the same one twice).
const DATE_RE = /^(\d{4})([-/])(\d{2})\2(\d{2})$/;
const TS_RE = /^(\d{4})([-/])(\d{2})\2(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

// Dates with an English month name: "Jun 12 1998", "June 12, 1998", "12 Jun 1998", "12-Jun-1998".
const MONTHS = 'january february march april may june july august september october november december'.split(' ');
const NAMED_MDY = /^([A-Za-z]+) (\d{1,2}),? (\d{4})$/;
const NAMED_DMY = /^(\d{1,2})([ -])([A-Za-z]+)\2(\d{4})$/;
/** The month a word names (full, three letters or 'sept', any case), 1-12, or 0. */
const monthNamed = (w: string) => {
  const l = w.toLowerCase();
  return 1 + MONTHS.findIndex((m) => l === m || l === m.slice(0, 3) || (m === 'september' && l === 'sept'));
};
/** [y, m, d] of a date with a month name, or null. */
function namedDate(s: string): [number, number, number] | null {
  let m = NAMED_MDY.exec(s);
  if (m && monthNamed(m[1]) > 0 && validDate(m[3], String(monthNamed(m[1])), m[2]))
    return [+m[3], monthNamed(m[1]), +m[2]];
  m = NAMED_DMY.exec(s);
  if (m && monthNamed(m[3]) > 0 && validDate(m[4], String(monthNamed(m[3])), m[1]))
    return [+m[4], monthNamed(m[3]), +m[1]];
  return null;
}

function validDate(y: string, m: string, d: string): boolean {
  const t = new Date(Date.UTC(+y, +m - 1, +d));
  return t.getUTCFullYear() === +y && t.getUTCMonth() === +m - 1 && t.getUTCDate() === +d;
}

function refKind(raw: string): 'missing' | 'int' | 'float' | 'bool' | 'date' | 'timestamp' | 'text' {
  const s = raw.trim();
  if (MISSING.has(s)) return 'missing';
  // Integers beyond 2^53 - 1 stay text (checked exactly, with BigInt).
  if (INT_RE.test(s) && (BigInt(s) > BigInt(Number.MAX_SAFE_INTEGER) || BigInt(s) < -BigInt(Number.MAX_SAFE_INTEGER)))
    return 'text';
  if (NUM_RE.test(s))
    return INT_RE.test(s) && Math.abs(Number(s)) <= 2 ** 31 && Number(s) >= -(2 ** 31) && Number(s) <= 2 ** 31 - 1
      ? 'int'
      : 'float';
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) return 'float';
  if (/^(true|false)$/i.test(s)) return 'bool';
  let m = DATE_RE.exec(s);
  if (m) return validDate(m[1], m[3], m[4]) ? 'date' : 'text';
  if (namedDate(s)) return 'date';
  m = TS_RE.exec(s);
  if (m && validDate(m[1], m[3], m[4]) && +m[5] < 24 && +m[6] < 60 && (m[8] === undefined || +m[8] < 60)) {
    const z = m[10];
    if (z && z !== 'Z' && (+z.slice(1, 3) > 23 || +z.slice(-2) > 59)) return 'text';
    return 'timestamp';
  }
  return 'text';
}

function refType(cells: string[]): Column['type'] {
  const kinds = new Set(cells.map(refKind));
  kinds.delete('missing');
  if (kinds.size === 0 || kinds.has('text')) return 'categorical';
  const only = (...ks: string[]) => [...kinds].every((k) => ks.includes(k));
  if (only('int')) return 'int';
  if (only('int', 'float')) return 'float';
  if (only('bool')) return 'bool';
  if (only('date')) return 'date';
  if (only('date', 'timestamp')) return 'timestamp';
  return 'categorical';
}

function refTime(raw: string): number {
  const named = namedDate(raw.trim());
  if (named) return Date.UTC(named[0], named[1] - 1, named[2]);
  let s = raw.trim().replace(' ', 'T');
  if (s[4] === '/') s = `${s.slice(0, 4)}-${s.slice(5, 7)}-${s.slice(8)}`;
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(s.slice(10))) s += s.length > 10 ? 'Z' : '';
  if (/[+-]\d{4}$/.test(s)) s = `${s.slice(0, -2)}:${s.slice(-2)}`;
  // Date.parse keeps milliseconds only; longer fractions are truncated like the reader does.
  s = s.replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(s);
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Compares every cell of `table` with the rows papaparse and d3-dsv read from `text`. */
function expectMatchesReferences(table: DataTable, text: string, delimiter: string, header = true): void {
  const papa = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: true, header: false });
  expect(papa.errors).toEqual([]);
  const d3 = dsvFormat(delimiter)
    .parseRows(text)
    .filter((r) => !(r.length === 1 && r[0] === ''));
  expect(d3).toEqual(papa.data);
  const rows = header ? papa.data.slice(1) : papa.data;
  expect(table.rows).toBe(rows.length);
  expect(table.columns.length).toBe(papa.data[0].length);
  if (header) expect(table.columns.map((c) => c.name)).toEqual(papa.data[0].map((n, i) => n || `column_${i + 1}`));
  table.columns.forEach((col, c) => {
    const cells = rows.map((r) => r[c]);
    expect(col.type, `column ${col.name}`).toBe(refType(cells));
    for (let r = 0; r < rows.length; r++) {
      const raw = cells[r];
      const where = `${col.name} row ${r}: ${JSON.stringify(raw)}`;
      if (col.kind === 'categorical') {
        if (MISSING.has(raw.replace(/^[ \t]+|[ \t]+$/g, ''))) expect(col.codes[r], where).toBe(-1);
        else expect(col.dictionary[col.codes[r]], where).toBe(raw);
        continue;
      }
      const present = col.valid === null || col.valid[r] === 1;
      expect(present, where).toBe(!MISSING.has(raw.trim()));
      if (!present) continue;
      const v = col.values[r];
      const auto = (autoType({ v: raw }) as { v: unknown }).v;
      if (col.type === 'int' || col.type === 'float') {
        expect(sameNumber(v, Number(raw)), where).toBe(true);
        expect(sameNumber(v, auto as number), `${where} (d3 autoType: ${String(auto)})`).toBe(true);
      } else if (col.type === 'bool') {
        expect(v, where).toBe(raw.trim().toLowerCase() === 'true' ? 1 : 0);
      } else if (col.type === 'date') {
        expect(v, where).toBe(refTime(raw) / 86_400_000);
        // d3's autoType reads ISO dates only (not 2015/01/01).
        if (/^\s*\d{4}-/.test(raw)) expect(v, where).toBe((auto as Date).getTime() / 86_400_000);
      } else {
        expect(v, where).toBe(refTime(raw));
      }
    }
  });
}

describe('readCsv on vega-datasets, against papaparse and d3-dsv', () => {
  const files = readdirSync(VEGA).filter((f) => /\.(csv|tsv)$/.test(f));
  it('finds the CSV and TSV files', () => expect(files.length).toBeGreaterThan(15));
  for (const file of files) {
    it(file, () => {
      const bytes = new Uint8Array(readFileSync(VEGA + file));
      const table = readCsv(bytes, file);
      expect(table.format).toBe('csv');
      expect(table.name).toBe(file);
      expectMatchesReferences(table, new TextDecoder().decode(bytes), file.endsWith('.tsv') ? '\t' : ',');
    });
  }
});

// --- Seeded synthetic files --------------------------------------------------------------

function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const WORDS = [
  'alpha',
  'beta',
  'é',
  '漢字',
  '🙂',
  'x y',
  'comma,inside',
  'semi;colon',
  'pi|pe',
  'tab\tin',
  'quote"in',
  'line\nbreak',
  'crlf\r\nbreak',
  'None',
  '-',
  ' pad ',
];

type Gen = (r: () => number) => string;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const pad2 = (n: number) => String(n).padStart(2, '0');
const GENERATORS: Record<string, Gen> = {
  int: (r) => String(Math.floor((r() - 0.5) * 2e6)),
  bigint: (r) => (r() < 0.5 ? String(Math.floor(r() * 2 ** 31)) : String(2 ** 31 + Math.floor(r() * 1e6))),
  float: (r) =>
    pick(r, [
      String((r() - 0.5) * 1e4),
      (r() * 100).toFixed(2),
      `${Math.floor(r() * 9) + 1}e${Math.floor(r() * 40) - 20}`,
      '.5',
      '-5.',
      '0.1234567890123456789',
      '+3.25',
      ' 7.5 ',
      '123456789012345678901234.0',
    ]),
  bool: (r) => pick(r, ['true', 'false', 'TRUE', 'False']),
  date: (r) => `${1900 + Math.floor(r() * 200)}-${pad2(1 + Math.floor(r() * 12))}-${pad2(1 + Math.floor(r() * 28))}`,
  timestamp: (r) =>
    `${1950 + Math.floor(r() * 100)}-${pad2(1 + Math.floor(r() * 12))}-${pad2(1 + Math.floor(r() * 28))}${pick(r, ['T', ' '])}${pad2(Math.floor(r() * 24))}:${pad2(Math.floor(r() * 60))}${pick(r, ['', ':07', ':59.5', ':00.123456'])}${pick(r, ['', 'Z', '+05:30', '-0800'])}`,
  text: (r) => pick(r, WORDS) + (r() < 0.5 ? String(Math.floor(r() * 50)) : ''),
  mixed: (r) => (r() < 0.9 ? String(Math.floor(r() * 100)) : pick(r, ['abc', '2020-01-01', 'true'])),
  lowcard: (r) => pick(r, ['red', 'green', 'blue']),
  nonfinite: (r) => pick(r, ['NaN', 'Infinity', '-Infinity', '1.5', '2']),
  notdate: (r) => pick(r, ['2021-02-29', '2020-13-01', '2020-1-1', '2020-01-01T25:00', '2020-02-30']),
};

function quoteField(v: string, delimiter: string, r: () => number): string {
  const needs = v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r') || v === '';
  if (!needs && r() > 0.1) return v;
  return `"${v.replaceAll('"', '""')}"`;
}

function synthetic(
  seed: number,
  rows: number,
  delimiter: Delimiter,
  eol: string,
  bom: boolean,
): { text: string; bytes: Uint8Array } {
  const r = rng(seed);
  const names = Object.keys(GENERATORS);
  const lines = [names.map((n) => `h_${n}`).join(delimiter)];
  for (let i = 0; i < rows; i++) {
    lines.push(
      names.map((n) => quoteField(r() < 0.08 ? pick(r, [...MISSING]) : GENERATORS[n](r), delimiter, r)).join(delimiter),
    );
  }
  const text = lines.join(eol) + (r() < 0.5 ? eol : '');
  return { text, bytes: enc.encode((bom ? '\ufeff' : '') + text) };
}

describe('readCsv on seeded synthetic files, against papaparse and d3-dsv', () => {
  const cases: [Delimiter, string, boolean][] = [
    [',', '\n', false],
    [',', '\r\n', true],
    ['\t', '\n', true],
    [';', '\r\n', false],
    ['|', '\n', false],
  ];
  cases.forEach(([delimiter, eol, bom], k) => {
    it(`delimiter ${JSON.stringify(delimiter)}, eol ${JSON.stringify(eol)}, bom ${bom}`, () => {
      const { text, bytes } = synthetic(1000 + k, 1500, delimiter, eol, bom);
      const sniffed = readCsv(bytes, 'synthetic.csv');
      const given = readCsv(bytes, 'synthetic.csv', { delimiter, header: true });
      expect(sniffed).toEqual(given);
      expectMatchesReferences(given, text, delimiter);
      // The inferred types cover each kind of generated column.
      const types = Object.fromEntries(given.columns.map((c) => [c.name, c.type]));
      expect(types).toMatchObject({
        h_int: 'int',
        h_bigint: 'float',
        h_float: 'float',
        h_bool: 'bool',
        h_date: 'date',
        h_timestamp: 'timestamp',
        h_text: 'categorical',
        h_mixed: 'categorical',
        h_nonfinite: 'float',
        h_notdate: 'categorical',
      });
    });
  });

  it('reads a file without a header as column_1.. and keeps the first row as data', () => {
    const { text, bytes } = synthetic(7, 200, ',', '\n', false);
    const body = text.slice(text.indexOf('\n') + 1);
    const table = readCsv(enc.encode(body), 'noheader.csv', { header: false });
    expect(table.columns[0].name).toBe('column_1');
    expectMatchesReferences(table, body, ',', false);
    expect(readCsv(bytes, 'h.csv', { header: false }).rows).toBe(201);
  });
});

// --- Hand-written inputs -----------------------------------------------------------------

const csv = (s: string, opts?: Parameters<typeof readCsv>[2]) => readCsv(enc.encode(s), 'test.csv', opts);
const cat = (t: DataTable, i: number) => {
  const c = t.columns[i];
  if (c.kind !== 'categorical') throw new Error(`column ${i} is ${c.type}`);
  return Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k]));
};
const num = (t: DataTable, i: number) => {
  const c = t.columns[i];
  if (c.kind !== 'numeric') throw new Error(`column ${i} is categorical`);
  return Array.from(c.values, (v, r) => (c.valid && !c.valid[r] ? null : v));
};

describe('readCsv quoting, line ends and layout', () => {
  it('reads quoted delimiters, newlines and doubled quotes', () => {
    const t = csv('a,b\n"x,1","line\none"\n"say ""hi""",plain\n');
    expect(cat(t, 0)).toEqual(['x,1', 'say "hi"']);
    expect(cat(t, 1)).toEqual(['line\none', 'plain']);
  });
  it('gives a bare quote and its doubled, quoted form one code', () => {
    const t = csv('a,n\na"b,1\n"a""b",2\n');
    expect(cat(t, 0)).toEqual(['a"b', 'a"b']);
    const c = t.columns[0];
    expect(c.kind === 'categorical' && c.dictionary).toEqual(['a"b']);
  });
  it('handles CR-only line ends, a missing final newline and blank lines', () => {
    expect(num(csv('x,y\r1,2\r\r3,4'), 1)).toEqual([2, 4]);
    expect(num(csv('\n\nx\n1\n\n2\n\n'), 0)).toEqual([1, 2]);
  });
  it('keeps an empty last field after a delimiter at the end of the file', () => {
    const t = csv('a,b\n1,');
    expect(t.rows).toBe(1);
    expect(cat(t, 1)).toEqual([null]);
  });
  it('strips a UTF-8 BOM from the first column name', () => {
    expect(readCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('id,v\n1,2\n')]), 'b.csv').columns[0].name).toBe(
      'id',
    );
  });
  it('names empty and repeated header fields', () => {
    expect(csv('a,,a,a\nx,y,z,w\n', { header: true }).columns.map((c) => c.name)).toEqual([
      'a',
      'column_2',
      'a_2',
      'a_3',
    ]);
    expect(csv('a,a_2,a,a,a_2\nx,y,z,w,v\n', { header: true }).columns.map((c) => c.name)).toEqual([
      'a',
      'a_2',
      'a_3',
      'a_4',
      'a_2_2',
    ]);
  });
  it(
    'names 30,000 columns named alike a, a_2 ... a_30000 (found by the fuzz: each name used to retry every ' +
      'suffix before it)',
    () => {
      const n = 30_000;
      const t = csv(
        `${Array<string>(n).fill('a').join(',')}
${Array<string>(n).fill('x').join(',')}
`,
        { header: true },
      );
      expect(t.columns.map((c) => c.name)).toEqual(Array.from({ length: n }, (_, c) => (c === 0 ? 'a' : `a_${c + 1}`)));
    },
  );
  it('sniffs each delimiter, ignoring ones inside quotes', () => {
    for (const d of [',', '\t', ';', '|'] as const) {
      const other = d === ',' ? ';' : ',';
      const t = csv(['name', 'v', 'w'].join(d) + `\n"a${other}b"${d}1${d}2\nc${d}3${d}4\n`);
      expect(t.columns.map((c) => c.name)).toEqual(['name', 'v', 'w']);
      expect(cat(t, 0)).toEqual([`a${other}b`, 'c']);
    }
    expect(csv('one column\n1\n2\n').columns.length).toBe(1);
  });
});

describe('readCsv: columns separated by runs of spaces (numpy savetxt, R write.table, UCI .data)', () => {
  it("reads numpy's savetxt layout ('%.18e', one space) as d3-dsv reads it with a space delimiter", () => {
    const rng = new Rng(41);
    const rows = Array.from({ length: 300 }, () =>
      Array.from({ length: 5 }, () => ((rng.next() - 0.5) * 10 ** (rng.int(9) - 3)).toExponential(18)).join(' '),
    );
    const text = rows.join('\n') + '\n';
    const t = readCsv(enc.encode(text), 'x.txt');
    const reference = dsvFormat(' ').parseRows(text);
    expect(t.rows).toBe(reference.length);
    expect(t.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3', 'column_4', 'column_5']);
    for (let c = 0; c < 5; c++) expect(num(t, c)).toEqual(reference.map((r) => Number(r[c])));
  });

  it('reads columns aligned by runs of spaces and tabs, with a header, as splitting each line on blanks does', () => {
    const rng = new Rng(42);
    const names = ['CRIM', 'ZN', 'CHAS', 'RM', 'CITY'];
    const cities = ['Boston', 'Quincy', 'Salem'];
    const lines = [names.map((n) => n.padStart(9)).join('')];
    for (let r = 0; r < 120; r++) {
      const cells = [
        (rng.next() * 90).toFixed(5),
        String(rng.int(100)),
        String(rng.int(2)),
        (3 + rng.next() * 6).toFixed(3),
        cities[rng.int(3)],
      ];
      // Leading blanks, widths that vary, a tab now and then, trailing blanks.
      lines.push(
        cells.map((v) => (rng.int(5) === 0 ? '\t' : ' '.repeat(1 + rng.int(3))) + v).join('') + ' '.repeat(rng.int(3)),
      );
    }
    const text = lines.join(rng.int(2) ? '\r\n' : '\n') + '\n\n   \n';
    const t = readCsv(enc.encode(text), 'housing.data');
    const reference = text
      .split(/\r?\n/)
      .map((l) => l.trim().split(/[ \t]+/))
      .filter((f) => f[0] !== '');
    expect(t.columns.map((c) => c.name)).toEqual(reference[0]);
    expect(t.rows).toBe(reference.length - 1);
    for (let c = 0; c < 4; c++) expect(num(t, c)).toEqual(reference.slice(1).map((r) => Number(r[c])));
    expect(cat(t, 4)).toEqual(reference.slice(1).map((r) => r[4]));
    expect(t.columns.map((c) => c.type)).toEqual(['float', 'int', 'int', 'float', 'categorical']);
  });

  it("reads values quoted as R's write.table quotes them, blanks and doubled quotes inside", () => {
    const t = csv('"city" "temp" "note"\n"New York" 3.5 "a ""b"" c"\n"Los Angeles"   20.25 ""\n');
    expect(t.columns.map((c) => c.name)).toEqual(['city', 'temp', 'note']);
    expect(cat(t, 0)).toEqual(['New York', 'Los Angeles']);
    expect(num(t, 1)).toEqual([3.5, 20.25]);
    expect(cat(t, 2)).toEqual(['a "b" c', null]);
  });

  it('reads decimal commas in a blank-separated file, and keeps delimited files as they were', () => {
    const t = csv('1,5 2,25\n-3,5 4\n');
    expect(num(t, 0)).toEqual([1.5, -3.5]);
    expect(num(t, 1)).toEqual([2.25, 4]);
    // A delimiter found the same number of times on every line still wins over the blanks.
    expect(csv('name;note\nAda Lovelace;first program\nAlan Turing;the machine\n').columns.map((c) => c.name)).toEqual([
      'name',
      'note',
    ]);
    // One column of text whose lines hold different numbers of words stays one column.
    const titles = csv('title\nHello world\nA longer title than that\nOne\n');
    expect(titles.columns.map((c) => c.name)).toEqual(['title']);
    expect(cat(titles, 0)).toEqual(['Hello world', 'A longer title than that', 'One']);
    // Tabs alone are a TSV's, whose fields may be empty: a ragged one is refused, not read by blanks.
    expect(() => csv('a\tb\n1\t\t2\n3\t\t4\n')).toThrow(
      'test.csv: line 2: expected 2 fields (as in the first row), found 3',
    );
    // One line is no evidence of columns: a header alone, or a single sentence, stays one field.
    expect(csv('just one line here').columns.map((c) => c.name)).toEqual(['just one line here']);
  });

  it('names the line and the counts of a ragged row, and what to do about it', () => {
    // Past the lines the delimiter is sniffed from, and where it is given.
    const rows = Array.from({ length: 30 }, (_, r) => `Boston ${r} ${r * 2}`).join('\n');
    expect(() => csv(`city a b\n${rows}\nNew York 2 3\n`)).toThrow(
      new DataError(
        'test.csv: line 32: expected 3 fields (as in the first row), found 4 ' +
          '(columns are separated by spaces here: quote a value that holds one)',
      ),
    );
    expect(() => csv('a b c\n1 2 3\nNew York 2 3\n', { delimiter: ' ' })).toThrow(
      new DataError(
        'test.csv: line 3: expected 3 fields (as in the first row), found 4 ' +
          '(columns are separated by spaces here: quote a value that holds one)',
      ),
    );
    expect(() => csv('a b\n1 2\n"x"y 2\n')).toThrow(
      'test.csv: line 3: unexpected text after the closing quote of field 1',
    );
    expect(() => csv('a b\n1 2\n3 "open\n4 5\n', { delimiter: ' ' })).toThrow(
      new DataError('test.csv: line 3: a quoted field opened here is never closed (unbalanced " quote)'),
    );
  });
});

describe('readCsv header detection', () => {
  it('takes a row of names as the header', () =>
    expect(csv('name,age\nann,31\n').columns.map((c) => c.name)).toEqual(['name', 'age']));
  it('takes a row holding a number as data', () => {
    const t = csv('ann,31\nbob,42\n');
    expect(t.columns.map((c) => c.name)).toEqual(['column_1', 'column_2']);
    expect(num(t, 1)).toEqual([31, 42]);
  });
  it('takes a row holding a date, a boolean or an empty field as data', () => {
    expect(csv('x,2020-01-01\ny,2020-01-02\n').rows).toBe(2);
    expect(csv('x,true\ny,false\n').rows).toBe(2);
    expect(csv('x,\ny,z\n').rows).toBe(2);
  });
  it('accepts an unnamed first column (a pandas index) when a named column below is typed', () => {
    const t = csv(',name,score\n0,ann,1.5\n1,bob,2.5\n');
    expect(t.columns.map((c) => c.name)).toEqual(['column_1', 'name', 'score']);
    expect(num(t, 2)).toEqual([1.5, 2.5]);
    expect(csv(',name\nx,ann\ny,bob\n').rows).toBe(3);
  });
  it('obeys header: true and header: false', () => {
    expect(csv('1,2\n3,4\n', { header: true }).columns.map((c) => c.name)).toEqual(['1', '2']);
    expect(csv('a,b\nc,d\n', { header: false }).rows).toBe(2);
  });
});

describe('readCsv types and missing values', () => {
  it('reads int32 ints as Int32Array and larger ones as floats', () => {
    const t = csv('a,b\n2147483647,2147483648\n-2147483648,1\n');
    expect(t.columns[0].type).toBe('int');
    expect(t.columns[0].kind === 'numeric' && t.columns[0].values).toBeInstanceOf(Int32Array);
    expect(t.columns[1].type).toBe('float');
    expect(num(t, 1)).toEqual([2147483648, 1]);
  });
  it('marks empty, NA, N/A, n/a, null and NULL missing in numeric and text columns', () => {
    const t = csv('x,s\n1,a\nNA,NA\nN/A,\nn/a,b\nnull,null\nNULL,NULL\n,c\n');
    expect(num(t, 0)).toEqual([1, null, null, null, null, null, null]);
    expect(cat(t, 1)).toEqual(['a', null, null, 'b', null, null, 'c']);
  });
  it('reads dates as days and timestamps as milliseconds since the epoch, UTC unless an offset is given', () => {
    const t = csv('d,t\n1970-01-02,1970-01-01T00:00:01Z\n2000-03-01,2000-01-01 01:00+01:00\n');
    expect(t.columns.map((c) => c.type)).toEqual(['date', 'timestamp']);
    expect(num(t, 0)).toEqual([1, 11017]);
    expect(num(t, 1)).toEqual([1000, Date.UTC(2000, 0, 1)]);
  });
  it('reads thousands grouped by commas as ICU writes them (en-US), quoted in comma files', () => {
    const rng = new Rng(3);
    const ints = Array.from({ length: 500 }, () => Math.round((rng.next() - 0.3) * 10 ** (1 + rng.int(9))) || 0);
    const floats = ints.map((v) => Number((v + rng.int(100) / 100).toFixed(2)));
    const us = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
    const text = `n,x\n${ints.map((v, i) => `"${us.format(v)}","${us.format(floats[i])}"`).join('\n')}\n`;
    const t = csv(text);
    expect(t.columns.map((c) => c.type)).toEqual(['int', 'float']);
    expect(Array.from((t.columns[0] as { values: Int32Array }).values)).toEqual(ints);
    expect(Array.from((t.columns[1] as { values: Float64Array }).values)).toEqual(floats);
    // Tab and ';' files: commas could be decimal marks there, so only a value grouping alone explains
    // (two commas, or a point after one) makes the column numbers; `1,234` alone is the decimal-comma rule's.
    expect(readCsv(enc.encode('a\tb\n1,234,567\t1\n5\t2\n'), 't.tsv').columns[0].type).toBe('int');
    expect(readCsv(enc.encode('a;b\n1,234.5;1\n5;2\n'), 't.csv').columns[0].type).toBe('float');
    expect(readCsv(enc.encode('a;b\n1,234;1\n5,678;2\n'), 't.csv').columns[0].type).toBe('categorical');
    // Not grouping: wrong group sizes, a bare comma, an exponent, an integer past 2^53 - 1, text.
    for (const odd of [
      '1,23',
      '1234,567',
      ',123',
      '1,234.',
      '1,234,5678',
      '1,234e5',
      '9,007,199,254,740,993',
      '1,234x',
    ])
      expect(csv(`a,b\n"${odd}",1\n"1,234",2\n`).columns[0].type, odd).toBe('categorical');
    // A first row of grouped numbers is data, not a header.
    expect(csv('"1,234",x\n"5,678",y\n').rows).toBe(2);
  });

  it('reads amounts with a currency sign as ICU writes them ($, €, £, ¥), one currency per column', () => {
    const rng = new Rng(4);
    const amounts = Array.from(
      { length: 300 },
      () => Number(((rng.next() - 0.4) * 10 ** (1 + rng.int(7))).toFixed(2)) || 0,
    );
    for (const currency of ['USD', 'EUR', 'GBP', 'JPY']) {
      const fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency });
      const want = amounts.map((a) => Number(fmt.format(a).replace(/[^0-9.-]/g, '')) || 0);
      const t = csv(`price,n\n${amounts.map((a, i) => `"${fmt.format(a)}",${i}`).join('\n')}\n`);
      expect(t.columns[0].type, `${currency} ${fmt.format(amounts[0])}`).not.toBe('categorical');
      expect(Array.from((t.columns[0] as { values: Float64Array }).values), currency).toEqual(want);
    }
    // Free apps are 0 beside $4.99; the sign may come before or after the minus.
    const t = csv('p\n0\n$4.99\n-$5\n$-7\n');
    expect(Array.from((t.columns[0] as { values: Float64Array }).values)).toEqual([0, 4.99, -5, -7]);
    // Two currencies are two units: text. So is a sign on its own or after the number.
    for (const odd of ['€5', '$', '5$', '$$5', '$ 5'])
      expect(csv(`p\n$4.99\n${odd}\n`).columns[0].type, odd).toBe('categorical');
  });

  it('reads percentages as ICU writes them as the number written, every value with its %', () => {
    const rng = new Rng(5);
    const shares = Array.from({ length: 300 }, () => Number(((rng.next() - 0.2) * 10 ** rng.int(5)).toFixed(1)));
    const fmt = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
    // ICU writes 0.123 as "12.3%": the number before the sign, as Number() reads it without the % and commas.
    const written = shares.map((v) => fmt.format(v / 100));
    const want = written.map((w) => Number(w.replace(/[%,]/g, '')));
    const t = csv(`pct,n\n${written.map((w, i) => `"${w}",${i}`).join('\n')}\n`);
    expect(t.columns[0].type).toBe('float');
    expect(Array.from((t.columns[0] as { values: Float64Array }).values)).toEqual(want);
    expect(csv('p\n12%\n-3 %\n100%\n').columns[0]).toMatchObject({
      type: 'int',
      values: Int32Array.from([12, -3, 100]),
    });
    // Decimal commas where the delimiter allows them; a first row of percentages is data.
    const semi = readCsv(enc.encode('12,5%;x\n7%;y\n'), 's.csv');
    expect(semi.rows).toBe(2);
    expect(Array.from((semi.columns[0] as { values: Float64Array }).values)).toEqual([12.5, 7]);
    // A plain number beside them (0.5: 50 % or 0.5 %?), a lone sign, a currency: text.
    for (const odd of ['0.5', '%', '$5%', '5%%', '%5'])
      expect(csv(`p\n12%\n${odd}\n`).columns[0].type, odd).toBe('categorical');
  });

  it("reads '?' as missing, as the UCI repository's files mark it (a numeric column stays numeric)", () => {
    // The first rows of UCI's adult.data, with its ', ' separators and a '?' in each column.
    const t = csv('age,workclass,hours,income\n39, State-gov, 40, <=50K\n50, ?, 13, >50K\n?, Private, ?, <=50K\n');
    expect(t.columns.map((c) => c.type)).toEqual(['int', 'categorical', 'int', 'categorical']);
    const [age, work, hours] = t.columns;
    expect(age.kind === 'numeric' && Array.from(age.valid ?? [])).toEqual([1, 1, 0]);
    expect(hours.kind === 'numeric' && Array.from(hours.valid ?? [])).toEqual([1, 1, 0]);
    expect(work.kind === 'categorical' && Array.from(work.codes, (c) => (c < 0 ? null : work.dictionary[c]))).toEqual([
      ' State-gov',
      null,
      ' Private',
    ]);
    // '??' and '?x' are text.
    expect(csv('a\n??\n1\n').columns[0].type).toBe('categorical');
  });

  it('keeps integers beyond 2^53 - 1 (IDs) as their exact text, so that neighbours stay apart', () => {
    const ids = ['1234567890123456789', '1234567890123456790', '-9007199254740992', '9007199254740993'];
    const t = csv(`id,v\n${ids.map((id, i) => `${id},${i}`).join('\n')}\n1,9\n`);
    const col = t.columns[0];
    if (col.kind !== 'categorical') throw new Error(`id is ${col.type}`);
    expect(Array.from(col.codes, (c) => col.dictionary[c])).toEqual([...ids, '1']);
    // The largest safe integers, a float written with a point or an exponent stay numbers.
    const ok = csv('a,b,c\n9007199254740991,-9007199254740991.0,1e300\n1,2,3\n');
    expect(ok.columns.map((c) => c.type)).toEqual(['float', 'float', 'float']);
    expect(Array.from((ok.columns[0] as { values: Float64Array }).values)).toEqual([9007199254740991, 1]);
  });

  it('reads dates with an English month name as ICU writes them (en-US, en-GB), and refuses near misses', () => {
    const rng = new Rng(7);
    const days = Array.from({ length: 1500 }, () => rng.int(200 * 365) - 60 * 365);
    const styles: [string, Intl.DateTimeFormatOptions][] = [
      ['en-US', { month: 'short', day: 'numeric', year: 'numeric' }], // Jun 12, 1998
      ['en-US', { month: 'long', day: 'numeric', year: 'numeric' }], // June 12, 1998
      ['en-GB', { month: 'short', day: 'numeric', year: 'numeric' }], // 12 Jun 1998
      ['en-GB', { month: 'long', day: '2-digit', year: 'numeric' }], // 12 June 1998
    ];
    for (const [locale, opts] of styles) {
      const fmt = new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' });
      const written = days.map((d) => fmt.format(new Date(d * 86_400_000)));
      // A date with a comma in it is quoted, as any CSV writer would.
      const t = csv(`d\n${written.map((w) => `"${w}"`).join('\n')}\n`);
      expect(t.columns[0].type, `${locale} ${written[0]}`).toBe('date');
      expect(Array.from((t.columns[0] as { values: Int32Array }).values)).toEqual(days);
    }
    // Also without the comma, with dashes (Oracle, Excel), 'Sept', upper case and in JSON-like text.
    const t = csv('d\nJun 12 1998\n12-Jun-1998\nSept 1 2000\nDEC 31 1999\n1 jan 2000\nFeb 29 2000\n');
    expect(Array.from((t.columns[0] as { values: Int32Array }).values)).toEqual(
      [
        [1998, 5, 12],
        [1998, 5, 12],
        [2000, 8, 1],
        [1999, 11, 31],
        [2000, 0, 1],
        [2000, 1, 29],
      ].map(([y, m, d]) => Date.UTC(y, m, d) / 86_400_000),
    );
    for (const miss of [
      'Feb 29 2001',
      'Jun 31 2000',
      'Jun 12 98',
      '12-Jun-98',
      'Juni 12 1998',
      'Jun 12  1998',
      'Jun-12-1998',
      '12 Jun, 1998',
      'Ju 12 1998',
      'Junee 12 1998',
      'Jun 123 1998',
      'Jun 1998',
      '12 Jun-1998',
      'Jun 12 19980',
    ]) {
      expect(refKind(miss), miss).toBe('text');
      expect(csv(`d\n"${miss}"\nJun 12 1998\n`).columns[0].type, miss).toBe('categorical');
    }
  });

  it('reads dates in ISO order with slashes (2015/01/31), not ones whose order cannot be told (01/02/2020)', () => {
    const t = readCsv(
      enc.encode(
        'd,ts,us,odd\n2015/01/31,2015/01/01 01:30:00,01/02/2020,2015/01-31\n2016-02-29,2016/02/29T23:59:59Z,03/04/2021,x\n',
      ),
      'slash.csv',
    );
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'd:date',
      'ts:timestamp',
      'us:categorical',
      'odd:categorical',
    ]);
    const [d, ts] = t.columns;
    if (d.kind !== 'numeric' || ts.kind !== 'numeric') throw new Error('not numeric');
    expect(Array.from(d.values)).toEqual([Date.UTC(2015, 0, 31) / 86_400_000, Date.UTC(2016, 1, 29) / 86_400_000]);
    expect(Array.from(ts.values)).toEqual([Date.UTC(2015, 0, 1, 1, 30), Date.UTC(2016, 1, 29, 23, 59, 59)]);
    expect(readCsv(enc.encode('d\n2015/02/29\n'), 'x.csv').columns[0].type).toBe('categorical');
  });

  it('keeps NaN and Infinity as values; checkFinite and assertFinite name the column', () => {
    const t = csv('x,y\nNaN,1\nInfinity,2\n-Infinity,3\n1.5,4\n');
    expect(t.columns[0].type).toBe('float');
    expect(num(t, 0)).toEqual([NaN, Infinity, -Infinity, 1.5]);
    expect(checkFinite(t)).toEqual([{ column: 'x', nan: 1, infinity: 1, negativeInfinity: 1 }]);
    expect(() => assertFinite(t)).toThrow(
      'test.csv: column "x" holds 1 NaN, 1 Infinity, 1 -Infinity (non-finite numbers cannot be trained on',
    );
    expect(() => assertFinite(csv('x\n1\n2\n'))).not.toThrow();
  });
  it('reads a column of only NaN and Infinity as a float column that checkFinite reports', () => {
    const t = csv('v\nNaN\nInfinity\nNaN\n');
    expect(t.columns[0].type).toBe('float');
    expect(checkFinite(t)).toEqual([{ column: 'v', nan: 2, infinity: 1, negativeInfinity: 0 }]);
  });
  it("reads NaN and infinities as numpy, pandas and R write them; Python's float() is the reference", () => {
    const words = ['nan', 'inf', 'infinity'];
    const forms = new Set<string>();
    for (const w of words)
      for (const sign of ['', '-', '+'])
        for (const cased of [w, w.toUpperCase(), w[0].toUpperCase() + w.slice(1), w === 'nan' ? 'NaN' : w])
          forms.add(sign + cased);
    // Near misses, which stay text.
    for (const t of ['infin', 'infinit', 'infinityy', 'nana', 'naan', 'in', '--inf', '+-nan', 'i nf', 'nan.', 'infs'])
      forms.add(t);
    const cells = [...forms];
    const ref = spawnSync(
      'python3',
      [
        '-c',
        'import json,sys\nout=[]\nfor s in json.load(sys.stdin):\n  try: out.append(repr(float(s)))\n  except ValueError: out.append(None)\nprint(json.dumps(out))',
      ],
      { input: JSON.stringify(cells), encoding: 'utf8' },
    );
    expect(ref.status, ref.stderr).toBe(0);
    const want = (JSON.parse(ref.stdout) as (string | null)[]).map((r) =>
      r === null ? null : r === 'nan' ? NaN : r === 'inf' ? Infinity : r === '-inf' ? -Infinity : Number(r),
    );
    for (let i = 0; i < cells.length; i++) {
      // One cell per file beside a number: a word float() reads makes the column float, else text.
      const t = csv(`v\n${cells[i]}\n1.5\n`);
      const col = t.columns[0];
      if (want[i] === null) expect(col.type, cells[i]).toBe('categorical');
      else {
        expect(col.type, cells[i]).toBe('float');
        expect(sameNumber(num(t, 0)[0] ?? 0, want[i]!), cells[i]).toBe(true);
      }
    }
    expect(want.filter((w) => w !== null).length).toBe(3 * 3 * 3 + 3);
  });
  it('parses numbers exactly as Number() does', () => {
    const r = rng(99);
    const strings: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const digits = Array.from({ length: 1 + Math.floor(r() * 20) }, () => Math.floor(r() * 10)).join('');
      const dot = Math.floor(r() * (digits.length + 1));
      let s = `${pick(r, ['', '-', '+'])}${digits.slice(0, dot)}.${digits.slice(dot)}`;
      if (r() < 0.3) s += `e${pick(r, ['', '-', '+'])}${Math.floor(r() * 330)}`;
      strings.push(s);
    }
    // Shortest round-trip forms (16-17 digits, the double-double path) and near-ties.
    for (let i = 0; i < 5000; i++) strings.push(String(r() * 10 ** Math.floor(r() * 30 - 15)));
    strings.push(
      '9007199254740993e0',
      '9007199254740992.5',
      '0.30000000000000004',
      '1.0000000000000002',
      '123456789012345678e0',
      '2.2250738585072014e-308',
      '1e23',
      '8.98846567431158e307',
    );
    const t = csv(`x\n${strings.join('\n')}\n`);
    expect(num(t, 0)).toEqual(strings.map(Number));
  });
});

describe('readCsv: numbers with a decimal comma (files Excel writes in most European locales)', () => {
  const numbers = (col: Column) => {
    if (col.kind !== 'numeric') throw new Error(`${col.name} is ${col.type}`);
    return Array.from(col.values, (v, r) => (col.valid && col.valid[r] === 0 ? null : v));
  };

  it("reads ICU's de-DE formatting back to the numbers formatted (`;` with grouped thousands, tab without)", () => {
    const rng = new Rng(31);
    const want = Array.from({ length: 400 }, (_, i) => {
      const magnitude = 10 ** rng.int(9);
      const v = Number(((rng.next() - 0.3) * magnitude).toFixed(rng.int(6)));
      return i % 37 === 0 ? null : v;
    });
    const ints = Array.from({ length: 400 }, () => rng.int(2_000_000_000) - 20_000_000);
    for (const [delimiter, grouping] of [
      [';', true],
      ['\t', false],
    ] as const) {
      const de = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 6, useGrouping: grouping });
      const text =
        `x${delimiter}n${delimiter}name\n` +
        want.map((v, i) => [v === null ? '' : de.format(v), de.format(ints[i]), `r${i}`].join(delimiter)).join('\n');
      const t = readCsv(enc.encode(text), 'de.csv');
      expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['x:float', 'n:int', 'name:categorical']);
      // ICU wrote them; the en-US digits of the same numbers, read by Number(), are the reference.
      const en = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6, useGrouping: false });
      expect(numbers(t.columns[0])).toEqual(want.map((v) => (v === null ? null : Number(en.format(v)))));
      expect(numbers(t.columns[1])).toEqual(ints);
    }
  });

  it('reads a headerless `;` file of decimal commas as data, not as a header, and sniffs `;` there', () => {
    const t = readCsv(enc.encode('1,5;2\n2,25;3\n-0,5;4\n'), 'h.csv');
    expect(t.columns.map((c) => c.name)).toEqual(['column_1', 'column_2']);
    expect(numbers(t.columns[0])).toEqual([1.5, 2.25, -0.5]);
    // More commas than semicolons, but each between two digits: `;` delimits.
    const three = readCsv(enc.encode('1,5;2,5;3,5\n4,5;5,5;6,5\n'), 'three.csv');
    expect(three.columns.map(numbers)).toEqual([
      [1.5, 4.5],
      [2.5, 5.5],
      [3.5, 6.5],
    ]);
    // Commas between digits and no other delimiter: a comma-delimited file of integers.
    expect(readCsv(enc.encode('1,2,3\n4,5,6\n'), 'ints.csv').columns.map(numbers)).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it('leaves as text a column mixing both conventions, and any decimal comma in a comma-delimited file', () => {
    const mixed = readCsv(enc.encode('a;b\n1,5;1\n1.5;2\n'), 'm.csv');
    expect(mixed.columns[0].type).toBe('categorical');
    const wrongGroups = readCsv(enc.encode('a;b\n1.23,4;1\n2;2\n'), 'g.csv');
    expect(wrongGroups.columns[0].type).toBe('categorical');
    const quoted = readCsv(enc.encode('a,b\n"1,5",1\n"2,5",2\n'), 'q.csv');
    expect(quoted.columns[0].type).toBe('categorical');
    // Every comma followed by three digits, no dots: English thousands as likely as decimals, so text;
    // one value that can only be continental (5,5) settles it.
    const thousands = readCsv(enc.encode('a\tb\n1,234\t1\n56,789\t2\n'), 't.tsv');
    expect(thousands.columns[0].type).toBe('categorical');
    const settled = readCsv(enc.encode('a;b\n1,234;1\n5,5;2\n'), 's.csv');
    expect(numbers(settled.columns[0])).toEqual([1.234, 5.5]);
    // Plain numbers in a `;` file keep the ordinary reading: 1.234 is one and a bit, not 1234.
    const plain = readCsv(enc.encode('a;b\n1.234;1\n2;2\n'), 'p.csv');
    expect(numbers(plain.columns[0])).toEqual([1.234, 2]);
  });
});

describe('readCsv bad input', () => {
  const fail =
    (input: string | Uint8Array, name = 'bad.csv') =>
    () =>
      readCsv(typeof input === 'string' ? enc.encode(input) : input, name);
  it('rejects an empty file', () => {
    expect(fail('')).toThrow(new DataError('bad.csv: empty file'));
    expect(fail('\ufeff\r\n\n')).toThrow(new DataError('bad.csv: empty file'));
  });
  it('names the line and the field counts of a ragged row', () => {
    expect(fail('a,b,c\n1,2,3\n4,5\n')).toThrow(
      new DataError('bad.csv: line 3: expected 3 fields (as in the first row), found 2'),
    );
    expect(fail('a,b\n1,2\n"x\ny",2,3\n')).toThrow(
      new DataError('bad.csv: line 3: expected 2 fields (as in the first row), found 3'),
    );
    expect(fail('a,b\r\n"multi\r\nline",1\r\n1,2,3\r\n')).toThrow(
      new DataError('bad.csv: line 4: expected 2 fields (as in the first row), found 3'),
    );
  });
  it('names the line where an unclosed quote opened', () => {
    expect(fail('a,b\n1,2\n3,"open\n4,5\n')).toThrow(
      new DataError('bad.csv: line 3: a quoted field opened here is never closed (unbalanced " quote)'),
    );
  });
  it('rejects text after a closing quote', () => {
    expect(fail('a,b\n"x"y,1\n')).toThrow('bad.csv: line 2: unexpected text after the closing quote of field 1');
  });
  it('rejects binary data, UTF-16 and invalid UTF-8', () => {
    expect(fail(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2]))).toThrow(
      new DataError('bad.csv: not a text file (NUL byte at offset 4; binary data?)'),
    );
    expect(fail(new Uint8Array([0xff, 0xfe, 0x61, 0, 0x2c, 0]))).toThrow(
      'bad.csv: not a text file Trainbench can read (it is UTF-16 text',
    );
    expect(fail(new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0xc3, 0x28, 0x2c, 0x31]))).toThrow(
      new DataError('bad.csv: not a text file (the first bytes are not valid UTF-8)'),
    );
    const late = enc.encode(`a,b\n${'x,1\n'.repeat(2000)}`);
    const bytes = new Uint8Array(late.length + 4);
    bytes.set(late);
    bytes.set([0xe9, 0x2c, 0x32, 0x0a], late.length); // Latin-1 "é,2"
    expect(fail(bytes)).toThrow(
      new DataError('bad.csv: line 2002: the text is not valid UTF-8 (is the file in another encoding?)'),
    );
  });
});

describe('very wide files', () => {
  it(
    `a first row of more than ${MAX_CSV_COLUMNS.toLocaleString('en-US')} fields is refused (found by the ` +
      `fuzz: a line of two million commas took 29 s as two million columns)`,
    () => {
      expect(() => readCsv(enc.encode(','.repeat(2_000_000)), 'commas.csv')).toThrow(
        new DataError(
          'commas.csv: line 1: more than 65,536 fields (columns) in the first row; is the delimiter right?',
        ),
      );
      // A delimiter at the very end adds the last (empty) field: still counted.
      expect(() => readCsv(enc.encode(','.repeat(MAX_CSV_COLUMNS)), 'end.csv')).toThrow(
        new DataError('end.csv: line 1: more than 65,536 fields (columns) in the first row; is the delimiter right?'),
      );
    },
  );
  it(`reads exactly ${MAX_CSV_COLUMNS.toLocaleString('en-US')} columns`, () => {
    const t = readCsv(
      enc.encode(
        `${Array.from({ length: MAX_CSV_COLUMNS }, (_, c) => `c${c}`).join(',')}\n${Array.from({ length: MAX_CSV_COLUMNS }, (_, c) => c).join(',')}\n`,
      ),
      'wide.csv',
    );
    expect(t.columns).toHaveLength(MAX_CSV_COLUMNS);
    const last = t.columns[MAX_CSV_COLUMNS - 1];
    expect(last.name).toBe(`c${MAX_CSV_COLUMNS - 1}`);
    expect(last.kind === 'numeric' && Array.from(last.values)).toEqual([MAX_CSV_COLUMNS - 1]);
  });
});

describe('fields that do not fit on the call stack', () => {
  it('a numeric field of 200,000 digits reads (as Infinity) instead of overflowing the stack', () => {
    const t = readCsv(new TextEncoder().encode(`a,b\n${'1'.repeat(200_000)}.5,2\n3,4\n`), 'big.csv');
    const a = t.columns[0];
    expect(a.kind).toBe('numeric');
    if (a.kind === 'numeric') expect(Array.from(a.values)).toEqual([Infinity, 3]);
    // Without the point it is an integer past 2^53: its text, whole.
    const id = readCsv(new TextEncoder().encode(`a,b\n${'1'.repeat(200_000)},2\n3,4\n`), 'big.csv').columns[0];
    expect(id.kind === 'categorical' && id.dictionary[0].length).toBe(200_000);
  });
});
