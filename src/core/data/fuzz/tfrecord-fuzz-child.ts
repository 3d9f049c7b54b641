/**
 * Child process of the TFRecord fuzz test: reads seeded cases with the project's reader and
 * prints one JSON line per case (see `cases.ts`). Sources are real datasets (vega-datasets'
 * penguins, cars, movies) written as tf.Example records by the tests' writer and by
 * @roboflow/tfrecords, plain and gzip. Cases damage them at three levels:
 * - the file's bytes (framing: lengths and checksums, which must catch nearly everything);
 * - whole records dropped, repeated, moved or taken from another dataset (valid files whose
 *   features come and go and change kind);
 * - one record's protobuf, re-framed with valid checksums (so the Example parser is reached);
 * - the gzip stream of a file;
 * and one case in eight is a hostile file (lengths near 2^64, 11-byte varints, a million
 * values in one list, thousands of feature names, 100,000 empty records...).
 * A table that reads is checked against google-protobuf's decoding of the same records (through
 * @roboflow/tfrecords): every column's values, record by record.
 *   node --import tsx src/core/data/fuzz/tfrecord-fuzz-child.ts SEED CASES [DUMP]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { byteBucket, bucketName } from '../byte-buckets';
import { crc32c } from '../crc32';
import { readTable } from '../read';
import { Rng } from '../rng';
import { isPresent, type DataTable } from '../table';
import { maskCrc } from '../tfrecord';
import { exampleBytes, frameOffsets, frameRecords, type FeatureValue } from '../tfrecord.test-support';
import { runCases, type FuzzCase } from './cases';
import { mutateBytes } from './mutate';

const require = createRequire(import.meta.url);
const { TFRecordsBuilder, FeatureType } = require('@roboflow/tfrecords/src/tensorFlowBuilder.js') as {
  TFRecordsBuilder: {
    new (): {
      addFeature(k: string, t: number, v: string | number | Uint8Array): void;
      addArrayFeature(k: string, t: number, v: number[]): void;
      build(): Buffer;
    };
    buildTFRecords(records: Buffer[]): Buffer;
  };
  FeatureType: { String: number; Int64: number; Float: number };
};
const { TFRecordsReader } = require('@roboflow/tfrecords/src/tensorFlowReader.js') as {
  TFRecordsReader: new (b: Buffer) => { toArray(): unknown[] };
};

const [seed, cases, dump] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);
const VEGA = 'node_modules/vega-datasets/data/';

/** A JSON dataset's records as tf.Example records (integers int64, other numbers float, strings bytes; nulls left out). */
function examplesOf(file: string, limit: number): Uint8Array[] {
  const recs = (JSON.parse(readFileSync(VEGA + file, 'utf8')) as Record<string, unknown>[]).slice(0, limit);
  return recs.map((r, i) => {
    const features: [string, FeatureValue][] = [];
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === 'number') features.push([k, Number.isInteger(v) ? { ints: [v] } : { floats: [v] }]);
      else if (typeof v === 'string') features.push([k, { bytes: [v] }]);
      else if (typeof v === 'boolean') features.push([k, { ints: [v ? 1 : 0] }]);
    }
    features.push(['vec', { floats: [i, i / 2, -i], packed: i % 2 === 0 }]);
    return exampleBytes(features);
  });
}

function roboflowRecords(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const b = new TFRecordsBuilder();
    b.addFeature('x', FeatureType.Float, i / 7);
    b.addFeature('label', FeatureType.String, ['a', 'b', 'c'][i % 3]);
    b.addFeature('n', FeatureType.Int64, i * 1000);
    b.addArrayFeature('pixels', FeatureType.Float, [i, i + 1, i + 2, i + 3]);
    return new Uint8Array(b.build());
  });
}

interface Source {
  name: string;
  records: Uint8Array[];
}
const sources: Source[] = [
  { name: 'penguins.tfrecord', records: examplesOf('penguins.json', 400) },
  { name: 'cars.tfrecords', records: examplesOf('cars.json', 400) },
  { name: 'movies.tfrec', records: examplesOf('movies.json', 300) },
  { name: 'robo.tfrecord', records: roboflowRecords(200) },
];

/** Byte strings the format gives meaning to: tags of every wire type, long varints, big lengths. */
const SPECIAL = [
  [0x0a],
  [0x12],
  [0x1a],
  [0x0b],
  [0x0c],
  [0x0d],
  [0x08],
  [0x09],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0x00],
  [0x7f],
  [0x80],
  [0xff, 0xff, 0xff, 0x7f],
  [0x00, 0x00, 0xc0, 0x7f],
  [0x00, 0x00, 0x80, 0x7f],
].map((a) => Uint8Array.from(a));

const gz = (b: Uint8Array) => new Uint8Array(gzipSync(b));
const varint = (v: bigint) => {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    const low = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x > 0n ? low | 0x80 : low);
  } while (x > 0n);
  return out;
};
const tagged = (field: number, wire: number, body: number[]) => [
  (field << 3) | wire,
  ...varint(BigInt(body.length)),
  ...body,
];
/** A raw Example whose map entry holds `featureBody` under the key `k`. */
const rawExample = (featureBody: number[], key = [0x6b]) => {
  const entry = [...tagged(1, 2, key), ...tagged(2, 2, featureBody)];
  return Uint8Array.from(tagged(1, 2, tagged(1, 2, entry)));
};

/** Files built to hurt the reader. */
const HOSTILE: (() => Uint8Array)[] = [
  // A length near 2^64 (or 2^40, or 2^32) with a valid length checksum.
  () => {
    const f = frameRecords([exampleBytes({ a: { ints: [1] } })]);
    const view = new DataView(f.buffer);
    view.setUint32(4, [0xffffffff, 0x100, 1][rng.int(3)], true);
    view.setUint32(8, maskCrc(crc32c(f, 0, 0, 8)), true);
    return f;
  },
  // Varints of 10 and 11 bytes as a tag, a length, a value.
  () =>
    frameRecords([
      Uint8Array.from(
        [
          [0x8a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
          [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
          [0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        ][rng.int(3)],
      ),
    ]),
  // A million values in one list (packed varints, packed floats, unpacked floats), in some records.
  () => {
    const n = 1_000_000;
    const k = rng.int(3);
    const body =
      k === 0
        ? tagged(3, 2, tagged(1, 2, new Array<number>(n).fill(1)))
        : k === 1
          ? tagged(2, 2, tagged(1, 2, new Array<number>(n * 4).fill(0)))
          : tagged(
              2,
              2,
              Array.from({ length: 5 * 100_000 }, (_, i) => (i % 5 === 0 ? 0x0d : 0)),
            );
    return frameRecords([rawExample(body), exampleBytes({ k: { ints: [2] } })]);
  },
  // 4,096 values per record (the most columns a list may make) and 4,097.
  () => {
    const w = 4096 + rng.int(2);
    return frameRecords(
      Array.from({ length: 3 }, (_, r) => exampleBytes({ v: { floats: Array.from({ length: w }, (_, j) => r + j) } })),
    );
  },
  // Thousands of distinct feature names; one record with 10,000 features.
  () =>
    rng.int(2)
      ? frameRecords(Array.from({ length: 6000 }, (_, i) => exampleBytes({ [`f${i}`]: { floats: [i] } })))
      : frameRecords([
          exampleBytes(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, { ints: [i] }]))),
        ]),
  // 100,000 empty records, or empty Examples, or empty features.
  () => {
    const k = rng.int(3);
    const one = k === 0 ? new Uint8Array(0) : k === 1 ? exampleBytes({}) : exampleBytes({ a: { none: true } });
    return frameRecords(new Array<Uint8Array>(100_000).fill(one));
  },
  // A feature name of a million bytes; names that are not UTF-8; names that collide with numbered columns.
  () =>
    [
      frameRecords([exampleBytes({ ['k'.repeat(1_000_000)]: { ints: [1] } })]),
      frameRecords([rawExample(tagged(3, 2, tagged(1, 2, [5])), [0xff, 0xfe]), exampleBytes({ a: { ints: [1] } })]),
      frameRecords([exampleBytes({ 'v.0': { ints: [1] }, v: { ints: [1, 2] } })]),
    ][rng.int(3)],
  // Wrong wire types inside the lists; unknown fields everywhere; fields set twice.
  () => {
    const bodies = [
      tagged(1, 2, [0x08, 0x05]), // bytes_list value as a varint
      tagged(3, 2, [0x0d, 0, 0, 0, 0]), // int64 as fixed32
      tagged(2, 2, [0x08, 0x01]), // float as varint
      tagged(2, 2, tagged(1, 2, [0, 0, 0])), // packed floats of 3 bytes
      tagged(3, 2, tagged(1, 2, [0x80])), // packed int64 ending inside a varint
      [...tagged(2, 2, tagged(1, 2, [0, 0, 0x80, 0x3f])), ...tagged(2, 2, tagged(1, 2, [0, 0, 0, 0x40]))],
      [0x78, 0x01, ...tagged(3, 2, [0x10, 0x01, ...tagged(1, 2, [7]), 0x1d, 0, 0, 0, 0])],
    ];
    return frameRecords([rawExample(bodies[rng.int(bodies.length)]), exampleBytes({ k: { ints: [3] } })]);
  },
  // A gzip stream that inflates to 1 GB and more of zeros (a bomb), or to records then garbage.
  () =>
    rng.int(2)
      ? gz(new Uint8Array(64 << 20))
      : gz(Uint8Array.from([...frameRecords([exampleBytes({ a: { ints: [1] } })]), 1, 2, 3])),
];

const make = (i: number): FuzzCase => {
  const src = sources[rng.int(sources.length)];
  const file = frameRecords(src.records);
  if (i % 8 === 7) return { name: src.name, bytes: HOSTILE[(i >> 3) % HOSTILE.length]() };
  const k = i % 8;
  if (k < 2) return { name: src.name, bytes: mutateBytes(rng, file, SPECIAL) };
  if (k === 2) {
    // Whole records dropped, repeated, moved, or taken from another dataset (other features, other kinds).
    const records = src.records.slice();
    for (let n = 1 + rng.int(4); n > 0; n--) {
      const r = rng.int(records.length);
      const e = rng.int(4);
      if (e === 0 && records.length > 1) records.splice(r, 1);
      else if (e === 1) records.splice(rng.int(records.length + 1), 0, records[r]);
      else if (e === 2) records.splice(rng.int(records.length), 0, ...records.splice(r, 1));
      else {
        const other = sources[rng.int(sources.length)].records;
        records.splice(r, 0, other[rng.int(other.length)]);
      }
    }
    return { name: src.name, bytes: frameRecords(records) };
  }
  if (k < 6) {
    // One or two records' protobuf damaged, then framed with valid checksums.
    const records = src.records.slice();
    for (let n = 1 + rng.int(2); n > 0; n--) {
      const r = rng.int(records.length);
      records[r] = mutateBytes(rng, records[r], SPECIAL);
    }
    const framed = frameRecords(records);
    return { name: src.name, bytes: k === 5 ? gz(framed) : framed };
  }
  return { name: `${src.name}.gz`, bytes: mutateBytes(rng, gz(file), SPECIAL) };
};

/** Checks a table against google-protobuf's decoding of the same records ('' when they agree). */
function check(t: DataTable, c: FuzzCase): string {
  let plain = c.bytes;
  if (plain[0] === 0x1f && plain[1] === 0x8b) plain = new Uint8Array(gunzipSync(plain));
  if (frameOffsets(plain).length !== t.rows) return `${t.rows} rows for ${frameOffsets(plain).length} records`;
  type Lists = {
    bytesList?: { valueList: string[] };
    floatList?: { valueList: number[] };
    int64List?: { valueList: (number | string)[] };
  };
  let records: { context?: { featureMap: [string, Lists][] } }[];
  try {
    records = new TFRecordsReader(Buffer.from(plain)).toArray() as typeof records;
  } catch {
    return ''; // google-protobuf refuses what this reader took: no reference to compare with
  }
  if (records.length !== t.rows) return '';
  for (const col of t.columns) {
    for (let r = 0; r < t.rows; r++) {
      const map = new Map(records[r].context?.featureMap ?? []);
      let lists = map.get(col.name);
      let j = 0;
      if (!lists) {
        const dot = col.name.lastIndexOf('.');
        lists = map.get(col.name.slice(0, dot));
        j = Number(col.name.slice(dot + 1));
      }
      const values = (lists?.bytesList ?? lists?.floatList ?? lists?.int64List)?.valueList ?? [];
      const where = `column ${col.name}, record ${r + 1}`;
      if (col.kind === 'categorical') {
        if (values.length === 0) {
          if (col.codes[r] !== -1) return `${where}: a value where google-protobuf has none`;
          continue;
        }
        const bytes = Buffer.from(values[0] as string, 'base64');
        const want = col.bytes ? bucketName(byteBucket(bytes, 0, bytes.length)) : bytes.toString('utf8');
        if (col.dictionary[col.codes[r]] !== want) return `${where}: ${col.dictionary[col.codes[r]]} vs ${want}`;
        continue;
      }
      if (values.length === 0) {
        if (isPresent(col, r)) return `${where}: a value where google-protobuf has none`;
        continue;
      }
      const want = Number(values[j]);
      const got = Number(col.values[r]);
      const close =
        got === want || (Number.isNaN(got) && Number.isNaN(want)) || Math.abs(got - want) <= Math.abs(want) * 2 ** -52;
      if (!isPresent(col, r) || !close) return `${where}: ${got} vs google-protobuf's ${want}`;
    }
  }
  return '';
}

runCases(cases, make, readTable, check, dump);
