/**
 * `readTable`'s choice of reader for a file whose name says nothing (UCI's `iris.data`, a download
 * saved without an extension), checked against the same bytes read under the name that says, and
 * the formats it does not read named by their first bytes, whatever the file is called.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable, sniffFormat } from './read';
import { DataError, type DataTable } from './table';

const DATA = 'node_modules/vega-datasets/data';
const bytesOf = (name: string) => new Uint8Array(readFileSync(`${DATA}/${name}`));
/** A table without its name, to compare two reads of one file under two names. */
const unnamed = (t: DataTable) => ({ ...t, name: '' });

describe('a file whose name says nothing of its format', () => {
  it('is read as CSV or JSON from its text, as the same bytes under a telling name', () => {
    for (const [file, as] of [
      ['seattle-weather.csv', 'csv'],
      ['unemployment.tsv', 'csv'],
      ['cars.json', 'json'],
    ] as const) {
      const bytes = bytesOf(file);
      for (const name of ['download', 'weather.data', 'cars.dat']) {
        expect(sniffFormat(bytes, name), `${file} as ${name}`).toBe(as);
        expect(unnamed(readTable(bytes, name)), `${file} as ${name}`).toEqual(unnamed(readTable(bytes, file)));
      }
    }
    // Without a header (as iris.data comes): columns named by position, all rows kept.
    const iris = new TextEncoder().encode('5.1,3.5,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n');
    const t = readTable(iris, 'iris.data');
    expect(t.rows).toBe(2);
    expect(t.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3', 'column_4', 'column_5']);
    // Prose (a README, a log) is not taken for a one-column table; named .csv, each line is a value.
    const prose = new TextEncoder().encode('hello world\nthis is not a table\n');
    expect(sniffFormat(prose, 'notes.xyz')).toBeNull();
    expect(() => readTable(prose, 'notes.xyz')).toThrow(
      /notes\.xyz: not a dataset .*it is text, but its first line has no comma, tab, semicolon or \|/,
    );
    expect(readTable(prose, 'notes.csv').columns.map((c) => c.name)).toEqual(['hello world']);
    // A delimiter inside quotes on the first line does not count; one after them does.
    expect(sniffFormat(new TextEncoder().encode('"a,b"\n1\n'), 'q')).toBeNull();
    expect(sniffFormat(new TextEncoder().encode('"a,b";c\n1;2\n'), 'q')).toBe('csv');
    // Columns aligned by spaces (UCI's housing.data, numpy's savetxt) are a table, split on the blanks.
    const housing = new TextEncoder().encode(' 0.00632  18.00   2.310  0  24.00\n 0.02731   0.00   7.070  0  21.60\n');
    expect(sniffFormat(housing, 'housing.data')).toBe('csv');
    const h = readTable(housing, 'housing.data');
    expect([h.rows, h.columns.length]).toEqual([2, 5]);
    expect(h.columns[4].kind === 'numeric' && Array.from(h.columns[4].values)).toEqual([24, 21.6]);
  });

  it('names a format it does not read by its first bytes, even under a .csv name', () => {
    const cases: [number[], RegExp][] = [
      [
        [0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0],
        /it is a ZIP archive \(an Excel \.xlsx workbook is one\): save the sheet as CSV/,
      ],
      [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], /it is an old Excel \.xls workbook/],
      [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], /it is a NumPy \.npy array/],
      [[0x80, 0x04, 0x95, 0, 0, 0, 0, 0], /it is a Python pickle/],
      [[0x4f, 0x62, 0x6a, 0x01, 0, 0, 0, 0], /it is an Avro container file/],
    ];
    for (const [head, message] of cases)
      for (const name of ['book.csv', 'data', 'x.parquet']) {
        const bytes = Uint8Array.from([...head, ...new Array<number>(64).fill(0)]);
        expect(() => readTable(bytes, name), `${head} as ${name}`).toThrow(DataError);
        expect(() => readTable(bytes, name), `${head} as ${name}`).toThrow(message);
      }
    // Other binary bytes: the extension's reader says what is wrong, without one none is guessed.
    const other = Uint8Array.from([0x01, 0x02, 0x00, 0xff, 0x00, 0x11, 0x00, 0x00]);
    expect(() => readTable(other, 'data')).toThrow(/the first bytes match none of them/);
    expect(() => readTable(other, 'other.csv')).toThrow(/other\.csv: not a text file \(NUL byte at offset 2/);
    // Text that begins like one of them is still text: a CSV whose first column is ORCID.
    const orcid = readTable(new TextEncoder().encode('ORCID,score\n0000-0002-1825-0097,3\nx,4\n'), 'people.csv');
    expect(orcid.columns.map((c) => c.name)).toEqual(['ORCID', 'score']);
  });
});
