/**
 * Child process of the CSV fuzz test: reads seeded cases with the project's reader and prints
 * one JSON line per case (see `cases.ts`). Seven cases in eight are real files (handed over on
 * stdin by the parent) damaged by `mutateBytes`; the eighth is one of the hostile inputs below.
 *   node --import tsx src/core/data/fuzz/csv-fuzz-child.ts SEED CASES [DUMP] < sources.json
 */
import { sniffDelimiter } from '../csv-tokenize';
import { readTable } from '../read';
import { Rng } from '../rng';
import type { DataTable } from '../table';
import { bomLength } from '../text';
import { readSources, runCases, type FuzzCase } from './cases';
import { mutateBytes } from './mutate';

const [seed, cases, dump] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);
const sources = await readSources();
const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
const concat = (...parts: (Uint8Array | string)[]) => {
  const bs = parts.map((p) => (typeof p === 'string' ? bytes(p) : p));
  const out = new Uint8Array(bs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
};
const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

/** Byte strings a CSV reader gives meaning to. */
const SPECIAL = [
  ...[
    '"',
    '""',
    ',',
    '\t',
    ';',
    '|',
    '\n',
    '\r',
    '\r\n',
    '\n\r',
    ' ',
    'NA',
    'null',
    'NaN',
    '-Infinity',
    '1e309',
    '-0',
    '.',
    'e',
    '-',
    '+',
    '007',
    '2147483648',
  ],
  ...[
    '2020-02-30',
    '2020-01-01T25:00',
    '2020-01-01 12:00:00.123456+05:30',
    '1999-12-31T23:59:59Z',
    'TRUE',
    'false',
    '"a""b"',
    '"a\nb"',
    '9'.repeat(400),
  ],
]
  .map(bytes)
  .concat([
    BOM,
    Uint8Array.of(0),
    Uint8Array.of(0xff),
    Uint8Array.of(0xc3),
    Uint8Array.of(0xe2, 0x82),
    Uint8Array.of(0xff, 0xfe),
  ]);

const digits = (n: number) => {
  const b = new Uint8Array(n);
  for (let k = 0; k < n; k++) b[k] = 48 + rng.int(10);
  if (b[0] === 48) b[0] = 49;
  return b;
};
const rows = (n: number, row: (r: number) => string) => Array.from({ length: n }, (_, r) => row(r)).join('\n');

/** Inputs built to hurt: huge fields, odd line ends, BOMs, NULs, very wide or very long files. */
const HOSTILE: ((source: FuzzCase) => Uint8Array)[] = [
  // A numeric field of 125,000 digits or more (overflowed the stack in `infer.ts` once).
  () =>
    concat(
      'id,x\n',
      rows(5, (r) => `${r},${r * 1.5}`),
      '\n5,',
      ['', '-', '+', '.'][rng.int(4)],
      digits(125_000 + rng.int(200_000)),
      ['', '.5', 'e7', 'e-999999', 'x'][rng.int(5)],
      '\n6,7\n',
    ),
  // `;` and tab files with decimal commas: grouped thousands, mixed with plain numbers or text,
  // signs, spaces, a huge run of digits, groups of the wrong size, a bare comma.
  () => {
    const d = rng.int(2) ? ';' : '\t';
    const pool = [
      '1,5',
      '-2,25',
      '+0,001',
      ' 3,5 ',
      '1.234,5',
      '12.345.678,9',
      '1.234',
      '7',
      'NA',
      '',
      '1.5',
      '1.23,4',
      ',5',
      '5,',
      '1,2,3',
      'x',
      '1.234.5678',
      `${digits(1000 + rng.int(200_000))},${digits(3)}`,
    ];
    const k = 1 + rng.int(pool.length);
    return concat(
      `a${d}b${d}c\n`,
      rows(2 + rng.int(30), (r) => [pool[rng.int(k)], String(r), pool[rng.int(3)]].join(d)),
      '\n',
    );
  },
  // Thousands grouped by commas, quoted in comma files and bare in `;` and tab files: with points,
  // currency signs (one or two per column), plain numbers and text mixed in, groups of the wrong
  // size, a huge run of groups.
  () => {
    const d = [',', ';', '\t'][rng.int(3)];
    const pool = [
      '1,234',
      '-12,345,678',
      '+1,234.5',
      ' 999,999 ',
      '1,234,567.25',
      '7',
      '2.5',
      'NA',
      '',
      '1,23',
      '1234,567',
      ',123',
      '1,234.',
      '1,234,5678',
      'x',
      '9,007,199,254,740,993',
      '$4.99',
      '-$5',
      '$-1,234.5',
      '€1,200',
      '£0.5',
      '$',
      '5$',
      `1${',123'.repeat(1000 + rng.int(50_000))}`,
    ];
    const k = 1 + rng.int(pool.length);
    const field = (v: string) => (d === ',' ? `"${v}"` : v);
    return concat(
      `a${d}b\n`,
      rows(2 + rng.int(30), (r) => [field(pool[rng.int(k)]), String(r)].join(d)),
      '\n',
    );
  },
  // A field of a million quotes: doubled inside a quoted field, bare, or left unbalanced.
  () => {
    const q = '"'.repeat(1_000_000);
    return bytes(['a,b\n1,"' + q + '"\n2,x\n', 'a,b\n1,x' + q + '\n2,y\n', 'a,b\n1,' + q + '"\n', '"' + q][rng.int(4)]);
  },
  // The source with its line ends mixed: LF, CRLF, CR, LF CR.
  (s) => {
    const ends = ['\n', '\r\n', '\r', '\n\r'];
    return bytes(new TextDecoder().decode(s.bytes).replace(/\r?\n/g, () => ends[rng.int(4)]));
  },
  // Byte order marks: doubled at the start, or at the start of every line.
  (s) => {
    const text = new TextDecoder().decode(s.bytes);
    return rng.int(2) ? concat(BOM, BOM, s.bytes) : concat(...text.split('\n').flatMap((l) => [BOM, l, '\n']));
  },
  // NUL bytes in the first 4 KiB or after them.
  (s) => {
    const b = s.bytes.slice();
    for (let k = 1 + rng.int(3); k > 0; k--) b[rng.int(2) ? rng.int(Math.min(4096, b.length)) : rng.int(b.length)] = 0;
    return b;
  },
  // Very wide: 20,000 columns, or 30,000 columns all named alike (the names get _2, _3 ...).
  () => {
    const n = rng.int(2) ? 20_000 : 30_000;
    const same = n === 30_000;
    const header = Array.from({ length: n }, (_, c) => (same ? 'a' : `c${c}`)).join(',');
    return bytes(`${header}\n${rows(2, (r) => Array.from({ length: n }, (_, c) => (c + r) % 7).join(','))}\n`);
  },
  // A million blank lines (LF, CR or CRLF) around two records.
  () => {
    const blank = ['\n', '\r', '\r\n'][rng.int(3)].repeat(1_000_000);
    return bytes(`${blank}a,b${blank}1,2${blank}`);
  },
  // One line of two million bytes: no delimiter at all, or a delimiter every byte.
  () => bytes(rng.int(2) ? 'x'.repeat(2_000_000) : ','.repeat(2_000_000)),
  // 100,000 rows of distinct strings (the categorical dictionary's hash table grows many times).
  () => bytes(`k,v\n${rows(100_000, (r) => `s${(r * 7919) % 100_003},${r}`)}\n`),
  // Tricky numbers and dates mixed in one column.
  () => {
    const pool = [
      '1e309',
      '-1e309',
      '4.9e-324',
      '2.2250738585072014e-308',
      '9007199254740993',
      '0.1',
      '-0',
      '1e-400',
      'NaN',
      'Infinity',
      '2020-01-01',
      '2020-01-01T00:00:00Z',
      '0000-01-01',
      '9999-12-31T23:59:59.999999999Z',
      'Jun 12 1998',
      'Nov 1 2000',
      '29-Feb-2001',
      'September 30 0000',
      '12-Jun-98',
      'Sept 1 9999',
      '00',
      '.5',
      '5.',
      '',
    ];
    return bytes(`v\n${rows(2000, () => pool[rng.int(pool.length)])}\n`);
  },
  // Not UTF-8: UTF-16 with a BOM, or bad bytes after the first 4 KiB.
  (s) =>
    rng.int(2)
      ? concat(Uint8Array.of(0xff, 0xfe), bytes('a\0,\0b\0\n\0'))
      : concat(
          s.bytes,
          rows(300, (r) => `${r}`.padEnd(20, ' ')),
          Uint8Array.of(0xc3, 0x28),
          '\n',
        ),
  // A record that ends early or runs long far down the file; a quote opened on the last byte.
  (s) =>
    concat(s.bytes, ['1\n', '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20\n', '"', ',"', '\n"\n'][rng.int(5)]),
  // Nothing but delimiters, quotes and line ends.
  () => bytes(Array.from({ length: 100_000 }, () => [',', '"', '\n', '\r', '\t', ';'][rng.int(6)]).join('')),
];

const make = (i: number): FuzzCase => {
  const src = sources[rng.int(sources.length)];
  if (i % 8 === 7) return { name: src.name, bytes: HOSTILE[(i >> 3) % HOSTILE.length](src) };
  return { name: src.name, bytes: mutateBytes(rng, src.bytes, SPECIAL) };
};

/**
 * A plain, string-based reading of the same text by the rules `readCsv` documents (RFC 4180
 * quoting, records ending at LF, CRLF or CR, blank lines skipped), written apart from the
 * byte-level tokenizer: the records as arrays of field strings, or null where it refuses.
 */
function plainRecords(text: string, d: string): string[][] | null {
  if (d === ' ') return blankSeparatedRecords(text);
  const out: string[][] = [];
  const n = text.length;
  const eol = (c: string) => c === '\n' || c === '\r';
  let i = 0;
  while (i < n && eol(text[i])) i++;
  let row: string[] = [];
  while (i < n) {
    let field = '';
    if (text[i] === '"') {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return null;
        field += text.slice(j, q);
        if (text[q + 1] === '"') {
          field += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < n && text[i] !== d && !eol(text[i])) return null;
    } else {
      let j = i;
      while (j < n && text[j] !== d && !eol(text[j])) j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (i < n && text[i] === d) {
      i++;
      if (i < n) continue;
      row.push('');
    }
    out.push(row);
    row = [];
    while (i < n && eol(text[i])) i++;
  }
  return out;
}

/**
 * The plain reading of text whose columns are separated by runs of spaces and tabs: each line
 * split on blanks, quoted fields (which may hold blanks, doubled quotes and line ends) kept whole,
 * lines of blanks skipped; null where a quote is never closed or text follows a closing one.
 */
function blankSeparatedRecords(text: string): string[][] | null {
  const out: string[][] = [];
  let row: string[] = [];
  // Blanks, a line end, a quoted field, or an unquoted one, one after another from the start.
  const token = /([ \t]+)|(\r\n|\r|\n)|"((?:[^"]|"")*)"|([^ \t\r\n]+)/y;
  while (token.lastIndex < text.length) {
    const m = token.exec(text)!;
    if (m[1] !== undefined) continue;
    if (m[2] !== undefined) {
      if (row.length > 0) out.push(row);
      row = [];
    } else if (m[3] !== undefined) {
      if (token.lastIndex < text.length && !' \t\r\n'.includes(text[token.lastIndex])) return null;
      row.push(m[3].replaceAll('""', '"'));
    } else if (m[4].startsWith('"')) return null;
    else row.push(m[4]);
  }
  if (row.length > 0) out.push(row);
  return out;
}

const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'null', 'NULL', '?']);
/** The reader's number syntax (see infer.ts), and numbers with a decimal comma and dots grouping thousands. */
const PLAIN_NUMBER = /^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN|[+-]?Infinity)$/;
const CONTINENTAL = /^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$/;
/** Numbers with commas grouping thousands (`1,234,567.5`), or a currency sign (`-$4.99`). */
const GROUPED = /^(?:[$£€¥][+-]?|[+-]?[$£€¥]?)(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$/;

/**
 * The reader's table against `plainRecords`: shape, every categorical string, every number and boolean, which cells are
 * missing.
 */
function check(t: DataTable, c: FuzzCase): string {
  const start = bomLength(c.bytes);
  const delimiter = sniffDelimiter(c.bytes, start);
  const records = plainRecords(new TextDecoder().decode(c.bytes.subarray(start)), delimiter);
  if (records === null) return 'read, where a plain reading finds an unclosed quote or text after a closing quote';
  const header = records.length - t.rows;
  if (header !== 0 && header !== 1) return `${t.rows} rows, a plain reading finds ${records.length} records`;
  if (records.some((r) => r.length !== t.columns.length))
    return `${t.columns.length} columns, a plain reading finds records of other lengths`;
  for (let ci = 0; ci < t.columns.length; ci++) {
    const col = t.columns[ci];
    // A numeric column where some value is no plain number: written with decimal commas (`1.234,5`),
    // or with commas grouping thousands (`1,234,567.5`); either reading is accepted below.
    const unusual =
      col.kind === 'numeric' &&
      records.slice(header).some((rec) => {
        const s = rec[ci].trim();
        return !MISSING.has(s) && !PLAIN_NUMBER.test(s);
      });
    for (let r = 0; r < t.rows; r++) {
      const raw = records[r + header][ci];
      const where = `column ${ci} row ${r} (${JSON.stringify(raw.slice(0, 40))})`;
      if (col.kind === 'categorical') {
        if (
          MISSING.has(raw.replace(/^[ \t]+|[ \t]+$/g, '')) ? col.codes[r] !== -1 : col.dictionary[col.codes[r]] !== raw
        )
          return (
            `${where}: read ` +
            `as ${col.codes[r] < 0 ? 'missing' : JSON.stringify(col.dictionary[col.codes[r]].slice(0, 40))}`
          );
        continue;
      }
      const s = raw.trim();
      const present = col.valid === null || col.valid[r] === 1;
      if (present === MISSING.has(s)) return `${where}: read as ${present ? 'a value' : 'missing'}`;
      if (!present) continue;
      const v = col.values[r];
      if (col.type === 'int' || col.type === 'float') {
        const wants = unusual
          ? [
              delimiter !== ',' && CONTINENTAL.test(s) ? Number(s.replace(/\./g, '').replace(',', '.')) : NaN,
              GROUPED.test(s) ? Number(s.replace(/[,$£€¥]/g, '')) : NaN,
            ]
          : [Number(s.replace(/^\+(?=Inf)/, ''))];
        if (!wants.some((want) => v === want || (v !== v && want !== want)))
          return `${where}: read as ${v}, Number() gives ${wants.join(' or ')}`;
      } else if (col.type === 'bool' && v !== (s.toLowerCase() === 'true' ? 1 : 0)) return `${where}: read as ${v}`;
    }
  }
  return '';
}

runCases(cases, make, readTable, check, dump);
