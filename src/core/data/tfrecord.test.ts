// The TFRecord reader against files written by a second implementation (@roboflow/tfrecords,
// google-protobuf underneath) and read back by it, files from the tests' own writer for the
// encodings that library never writes (unpacked numbers, negative and 64-bit ints, repeated
// keys), gzip from Node's zlib, and damaged files, each refused with what is wrong.
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readChunks } from './chunks';
import { readTable, sniffFormat } from './read';
import { Rng } from './rng';
import { DataError, isPresent, type CategoricalColumn, type Column, type DataTable, type NumericColumn } from './table';
import { readTfRecord, readTfRecordChunks } from './tfrecord';
import { exampleBytes, frameOffsets, frameRecords, type FeatureValue } from './tfrecord.test-support';
import { thrown } from './parquet/fixtures/errors';

const require = createRequire(import.meta.url);
interface Builder {
  addFeature(key: string, type: number, value: string | number | Uint8Array): void;
  addArrayFeature(key: string, type: number, values: (string | number | Uint8Array)[]): void;
  build(): Buffer;
}
const { TFRecordsBuilder, FeatureType } = require('@roboflow/tfrecords/src/tensorFlowBuilder.js') as {
  TFRecordsBuilder: { new (): Builder; buildTFRecords(records: Buffer[]): Buffer };
  FeatureType: { String: number; Binary: number; Int64: number; Float: number };
};
const { TFRecordsReader } = require('@roboflow/tfrecords/src/tensorFlowReader.js') as {
  TFRecordsReader: new (b: Buffer) => { length: number; toArray(): unknown[] };
};

/** The records as google-protobuf decodes them (through @roboflow/tfrecords): name to value list (bytes as base64). */
function decodedBySecondLibrary(file: Uint8Array): Map<string, (number | string)[]>[] {
  type Lists = {
    bytesList?: { valueList: string[] };
    floatList?: { valueList: number[] };
    int64List?: { valueList: number[] };
  };
  const records = new TFRecordsReader(Buffer.from(file)).toArray() as { context: { featureMap: [string, Lists][] } }[];
  return records.map(
    (r) =>
      new Map(r.context.featureMap.map(([k, v]) => [k, (v.bytesList ?? v.floatList ?? v.int64List)?.valueList ?? []])),
  );
}

const col = (t: DataTable, name: string): Column => {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name} in ${t.columns.map((x) => x.name).join(', ')}`);
  return c;
};
const num = (t: DataTable, name: string, i: number): number | null => {
  const c = col(t, name) as NumericColumn;
  expect(c.kind).toBe('numeric');
  return isPresent(c, i) ? Number(c.values[i]) : null;
};
const text = (t: DataTable, name: string, i: number): string | null => {
  const c = col(t, name) as CategoricalColumn;
  expect(c.kind).toBe('categorical');
  return c.codes[i] < 0 ? null : c.dictionary[c.codes[i]];
};
const errorOf = (f: () => unknown): string => thrown(f, DataError).message;

/** Seeded records like a real dataset's, written by @roboflow/tfrecords. */
function roboflowFile(rows: number, seed: number) {
  const rng = new Rng(seed);
  const species = ['Adelie', 'Chinstrap', 'Gentoo', 'Ünïcode ✓'];
  const want = Array.from({ length: rows }, (_, i) => ({
    bill: Math.fround(30 + rng.next() * 30),
    year: 2007 + rng.int(3),
    big: (rng.int(2) ? -1 : 1) * (2 ** 40 + rng.int(1000)),
    species: species[rng.int(species.length)],
    blob: Uint8Array.of(0xff, 0xfe, rng.int(256)),
    pixels: Array.from({ length: 4 }, () => Math.fround(rng.next())),
    boxes: Array.from({ length: 1 + rng.int(3) }, () => rng.int(100)),
    flipper: i % 5 === 0 ? null : rng.int(50) + 170,
  }));
  const records = want.map((w) => {
    const b = new TFRecordsBuilder();
    b.addFeature('bill_length_mm', FeatureType.Float, w.bill);
    b.addFeature('year', FeatureType.Int64, w.year);
    b.addFeature('big', FeatureType.Int64, w.big);
    b.addFeature('species', FeatureType.String, w.species);
    b.addFeature('blob', FeatureType.Binary, w.blob);
    b.addArrayFeature('pixels', FeatureType.Float, w.pixels);
    b.addArrayFeature('boxes', FeatureType.Int64, w.boxes);
    if (w.flipper !== null) b.addFeature('flipper_length_mm', FeatureType.Int64, w.flipper);
    return b.build();
  });
  return { want, file: new Uint8Array(TFRecordsBuilder.buildTFRecords(records)) };
}

describe('TFRecord reader', () => {
  it('reads tf.Example files written by @roboflow/tfrecords: every value as that library reads it back', () => {
    const { want, file } = roboflowFile(300, 1);
    const t = readTable(file, 'penguins.tfrecord');
    expect(t.format).toBe('tfrecord');
    expect(t.rows).toBe(300);
    const other = decodedBySecondLibrary(file);
    expect(other).toHaveLength(300);
    for (let i = 0; i < t.rows; i++) {
      const o = other[i];
      expect(num(t, 'bill_length_mm', i)).toBe(o.get('bill_length_mm')![0]);
      expect(num(t, 'bill_length_mm', i)).toBe(want[i].bill);
      expect(num(t, 'year', i)).toBe(o.get('year')![0]);
      expect(num(t, 'big', i)).toBe(o.get('big')![0]);
      expect(num(t, 'big', i)).toBe(want[i].big);
      expect(text(t, 'species', i)).toBe(Buffer.from(o.get('species')![0] as string, 'base64').toString('utf8'));
      expect(text(t, 'species', i)).toBe(want[i].species);
      const pixels = o.get('pixels')!;
      for (let j = 0; j < 4; j++) expect(num(t, `pixels.${j}`, i)).toBe(pixels[j]);
      expect(num(t, 'flipper_length_mm', i)).toBe(o.get('flipper_length_mm')?.[0] ?? null);
      expect(num(t, 'flipper_length_mm', i)).toBe(want[i].flipper);
    }
    // Types: float32 floats, int32 ints where they fit, doubles where they do not; a bytes
    // feature that is not UTF-8 goes to hashed buckets, never a default feature.
    expect((col(t, 'bill_length_mm') as NumericColumn).values).toBeInstanceOf(Float32Array);
    expect((col(t, 'year') as NumericColumn).values).toBeInstanceOf(Int32Array);
    expect((col(t, 'big') as NumericColumn).values).toBeInstanceOf(Float64Array);
    expect(col(t, 'big').type).toBe('int');
    expect((col(t, 'blob') as CategoricalColumn).bytes).toBe(true);
    expect((col(t, 'flipper_length_mm') as NumericColumn).valid?.[0]).toBe(0);
    // Lists of varying length are left out, with the reason.
    expect(t.skipped).toEqual([
      {
        name: 'boxes',
        type: 'int64_list',
        reason: expect.stringMatching(/vary in length \(1 to 3 values per record\)/),
      },
    ]);
  });

  it('reads the encodings that library does not write: unpacked numbers, negative int64s, repeated keys, empty features', () => {
    const rows: [string, FeatureValue][][] = [
      [
        ['a', { floats: [1.5], packed: false }],
        ['b', { ints: [-5n], packed: false }],
        ['c', { ints: [-(2n ** 62n)] }],
        ['d', { bytes: ['x'] }],
        ['e', { ints: [3, 4] }],
      ],
      [
        ['a', { floats: [2.5] }],
        ['b', { ints: [7] }],
        ['c', { ints: [2n ** 53n] }],
        ['d', { none: true }],
        ['d', { bytes: ['y'] }], // the last entry of a repeated key holds
        ['e', { ints: [6, 7] }],
      ],
      [
        ['e', { ints: [8, 9], packed: false }],
        ['b', { none: true }],
        ['a', { floats: [] }],
        ['c', { ints: [0] }],
      ],
    ];
    const t = readTfRecord(frameRecords(rows.map(exampleBytes)), 'enc.tfrecord');
    expect(t.rows).toBe(3);
    expect([0, 1, 2].map((i) => num(t, 'a', i))).toEqual([1.5, 2.5, null]);
    expect([0, 1, 2].map((i) => num(t, 'b', i))).toEqual([-5, 7, null]);
    // Beyond 2^53 - 1: the exact digits, as text (BigInt's, written from BigInts).
    expect([0, 1, 2].map((i) => text(t, 'c', i))).toEqual([String(-(2n ** 62n)), String(2n ** 53n), '0']);
    expect([0, 1, 2].map((i) => text(t, 'd', i))).toEqual(['x', 'y', null]);
    expect([0, 1, 2].map((i) => [num(t, 'e.0', i), num(t, 'e.1', i)])).toEqual([
      [3, 4],
      [6, 7],
      [8, 9],
    ]);
  });

  it('keeps int64s beyond 2^53 - 1 as their exact digits, packed or not, per list position; others stay numbers', () => {
    const rng = new Rng(11);
    const base = 2n ** 53n;
    const ids: (bigint | null)[] = [];
    const records = Array.from({ length: 300 }, (_, r) => {
      // Neighbours around 2^53 (one double holds two of them), negatives, full-width values.
      const id =
        r % 7 === 6
          ? null
          : r % 3 === 0
            ? base + BigInt(r % 10)
            : r % 3 === 1
              ? -(base + BigInt(r))
              : BigInt.asIntN(64, (BigInt(rng.int(1 << 30)) << 33n) ^ BigInt(r));
      ids.push(id);
      const features: [string, FeatureValue][] = [
        ['small', { ints: [r * 1000], packed: r % 2 === 0 }],
        ['pair', { ints: [r, base + BigInt(r)], packed: r % 2 === 1 }],
      ];
      if (id !== null) features.push(['id', { ints: [id], packed: r % 2 === 0 }]);
      return exampleBytes(features);
    });
    const t = readTfRecord(frameRecords(records), 'ids.tfrecord');
    const col = (name: string) => t.columns.find((c) => c.name === name)!;
    expect(col('id').kind).toBe('categorical');
    expect(ids.map((_, r) => text(t, 'id', r))).toEqual(ids.map((v) => (v === null ? null : v.toString())));
    expect(new Set((col('id') as CategoricalColumn).dictionary).size).toBe(new Set(ids.filter((v) => v !== null)).size);
    expect(col('small').kind).toBe('numeric');
    expect(col('pair.0').kind).toBe('numeric');
    expect(ids.map((_, r) => num(t, 'pair.0', r))).toEqual(ids.map((_, r) => r));
    expect(ids.map((_, r) => text(t, 'pair.1', r))).toEqual(ids.map((_, r) => String(base + BigInt(r))));
  });

  it('reads gzip-compressed files (zlib), by content whatever the name, and refuses other gzip files', () => {
    const { file } = roboflowFile(200, 2);
    const plain = readTable(file, 'p.tfrecord');
    for (const name of ['p.tfrecord.gz', 'p.bin', 'p']) {
      const gz = new Uint8Array(gzipSync(file, { level: 6 }));
      expect(sniffFormat(gz, name)).toBe('tfrecord');
      const t = readTable(gz, name);
      expect(t.rows).toBe(200);
      expect(Array.from((col(t, 'pixels.3') as NumericColumn).values)).toEqual(
        Array.from((col(plain, 'pixels.3') as NumericColumn).values),
      );
    }
    // Plain TFRecord is found by its framing too, under any name.
    expect(sniffFormat(file, 'data.bin')).toBe('tfrecord');
    expect(errorOf(() => readTable(new Uint8Array(gzipSync('a,b\n1,2\n')), 'x.csv.gz'))).toBe(
      'x.csv.gz: a gzip-compressed file that does not hold TFRecord records (Trainbench inflates gzip only for ' +
        'TFRecord; decompress other files first)',
    );
    const badGz = new Uint8Array(gzipSync(file));
    badGz[badGz.length - 6] ^= 1; // the trailer's CRC-32
    expect(errorOf(() => readTable(badGz, 'p.tfrecord.gz'))).toMatch(
      /^p\.tfrecord\.gz: the gzip compression is damaged: checksum mismatch/,
    );
  });

  it('refuses damaged framing with the record and what is wrong', () => {
    const { file } = roboflowFile(20, 3);
    const at = frameOffsets(file);
    const name = 'd.tfrecord';
    const flip = (i: number) => {
      const b = file.slice();
      b[i] ^= 0x10;
      return b;
    };
    expect(errorOf(() => readTable(file.subarray(0, at[7] + 5), name))).toBe(
      `${name}: record 8 (at byte ${at[7]}): the file ends 5 bytes into a record header (a header is 12 bytes): it is cut off`,
    );
    expect(errorOf(() => readTable(file.subarray(0, at[7] + 40), name))).toMatch(
      new RegExp(`^${name}: record 8 \\(at byte ${at[7]}\\): declares \\d+ bytes of data, but the file has 24 after`),
    );
    expect(errorOf(() => readTable(flip(at[4] + 1), name))).toMatch(
      new RegExp(`^${name}: record 5 \\(at byte ${at[4]}\\): the length field fails its CRC-32C check`),
    );
    expect(errorOf(() => readTable(flip(at[4] + 30), name))).toMatch(
      new RegExp(`^${name}: record 5 \\(at byte ${at[4]}\\): its \\d+ bytes of data fail their CRC-32C check`),
    );
    expect(errorOf(() => readTable(flip(at[5] - 2), name))).toMatch(/record 5 .* fail their CRC-32C check/);
    expect(errorOf(() => readTable(flip(0), name))).toBe(
      `${name}: not a TFRecord file (its first 8 bytes are not a record length followed by its masked CRC-32C)`,
    );
  });

  it('refuses records that are not tf.Example, with the record, and files with no usable feature', () => {
    const junk = Uint8Array.of(0x0a, 0x7f, 1, 2); // features: 127 bytes declared, 2 there
    const file = frameRecords([exampleBytes({ a: { ints: [1] } }), junk]);
    expect(errorOf(() => readTable(file, 'j.tfrecord'))).toBe(
      `j.tfrecord: record 2 (at byte ${frameOffsets(file)[1]}) is not a tf.Example: a field declares 127 bytes, only 2 are left in its message`,
    );
    const group = frameRecords([Uint8Array.of(0x0b)]); // field 1, wire type 3 (start group)
    expect(errorOf(() => readTable(group, 'g.tfrecord'))).toMatch(/record 1 .* wire type 3/);
    const mixed = frameRecords([exampleBytes({ v: { ints: [1] } }), exampleBytes({ v: { bytes: ['one'] } })]);
    expect(errorOf(() => readTable(mixed, 'm.tfrecord'))).toBe(
      'm.tfrecord: no feature of the records can be a column ("v": its kind changes between records (int64_list in ' +
        'record 1, bytes_list in record 2))',
    );
    // Numbers of both kinds make one float column (a writer that wrote 39.0 as an int).
    const numbers = readTable(
      frameRecords([
        exampleBytes({ v: { ints: [2 ** 40 + 1] } }),
        exampleBytes({ v: { floats: [0.5] } }),
        exampleBytes({ v: { ints: [-3] } }),
      ]),
      'n.tfrecord',
    );
    expect(col(numbers, 'v').type).toBe('float');
    expect([0, 1, 2].map((i) => num(numbers, 'v', i))).toEqual([2 ** 40 + 1, 0.5, -3]);
    expect(errorOf(() => readTable(frameRecords([]), 'e.tfrecord'))).toBe('e.tfrecord: empty file');
    expect(errorOf(() => readTable(frameRecords([exampleBytes({})]), 'n.tfrecord'))).toMatch(
      /no feature of the records can be a column \(its records hold no features\)/,
    );
    const unnamed = readTable(frameRecords([exampleBytes({ '': { ints: [1] }, n: { ints: [2] } })]), 'u.tfrecord');
    expect(unnamed.columns.map((c) => c.name)).toEqual(['n']);
    expect(unnamed.skipped?.[0].reason).toMatch(/its name is empty/);
    const strings = frameRecords([exampleBytes({ s: { bytes: ['a', 'b'] }, n: { ints: [1] } })]);
    expect(readTable(strings, 's.tfrecord').skipped?.[0].reason).toMatch(/2 strings per record/);
  });

  it('refuses files whose records would make a table far larger than the file', () => {
    // 5,000 records, each with a feature name of its own: the 4,097th name is refused.
    const many = frameRecords(Array.from({ length: 5000 }, (_, i) => exampleBytes({ [`k${i}`]: { ints: [i] } })));
    expect(errorOf(() => readTable(many, 'k.tfrecord'))).toMatch(
      /record 4097 .* is not a tf.Example: it adds a 4097th distinct feature name \("k4096"\)/,
    );
  });

  it('streams chunk by chunk: the chunks hold the whole read, and a later record that changes shape is refused', () => {
    const { file } = roboflowFile(500, 4);
    const whole = readTfRecord(file, 's.tfrecord');
    const chunks = [...readTfRecordChunks(file, 's.tfrecord', 2000)];
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(500);
    let r = 0;
    for (const c of chunks) {
      expect(c.columns.map((x) => x.name)).toEqual(whole.columns.map((x) => x.name));
      for (let i = 0; i < c.rows; i++, r++) {
        expect(num(c, 'bill_length_mm', i)).toBe(num(whole, 'bill_length_mm', r));
        expect(num(c, 'flipper_length_mm', i)).toBe(num(whole, 'flipper_length_mm', r));
        expect(text(c, 'species', i)).toBe(text(whole, 'species', r));
      }
    }
    // readChunks picks the TFRecord chunker by content.
    expect([...readChunks(file, 's.bin')].reduce((n, c) => n + c.rows, 0)).toBe(500);
    const records = Array.from({ length: 300 }, (_, i) => exampleBytes({ x: { floats: [i] }, y: { ints: [i % 2] } }));
    records[250] = exampleBytes({ x: { floats: [1, 2] }, y: { ints: [0] } });
    expect(errorOf(() => [...readTfRecordChunks(frameRecords(records), 'c.tfrecord', 1000)])).toBe(
      'c.tfrecord: record 251: feature "x" holds 2 float_list values; the records read first hold 1 float_list value per record',
    );
  });
});
