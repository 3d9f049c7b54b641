/**
 * Child process of the TFRecord fuzz test: reads seeded cases with the project's reader and
 * prints one JSON line per case (see `cases.ts`). Sources come from the parent on stdin: real
 * datasets (vega-datasets' penguins, cars, movies) written as tf.Example records by the tests'
 * writer and by @roboflow/tfrecords, plain and gzip. Cases damage them at four levels:
 * - the file's bytes (framing: lengths and checksums, which must catch nearly everything);
 * - whole records dropped, repeated, moved or taken from another dataset (valid files whose
 *   features come and go and change kind);
 * - one record's protobuf, re-framed with valid checksums (so the Example parser is reached);
 * - the gzip stream of a file;
 * and one case in eight is a hostile file (lengths near 2^64, 11-byte varints, a million
 * values in one list, thousands of feature names, 100,000 empty records...).
 * A table that reads is checked against google-protobuf's decoding of the same records (the
 * tf.Example classes @roboflow/tfrecords generated): every column's values, record by record.
 *   node --import tsx src/core/data/fuzz/tfrecord-fuzz-child.ts SEED CASES [DUMP] < sources.json
 */
import exampleProto from '@roboflow/tfrecords/src/tensorFlowRecordsProtoBuf_pb.js';
import { byteBucket, bucketName } from '../byte-buckets';
import { crc32, crc32c } from '../crc32';
import { gunzip } from '../parquet/gzip';
import { readTable } from '../read';
import { Rng } from '../rng';
import { isPresent, type DataTable } from '../table';
import { maskCrc } from '../tfrecord';
import { exampleBytes, frameOffsets, frameRecords } from '../tfrecord.test-support';
import { runCases, type FuzzCase } from './cases';
import { mutateBytes } from './mutate';

const [seed, cases, dump] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);

/** The parent's files on stdin (JSON: `[{ name, base64, gzip }]`, framed records and their gzip), and the gzip
 * member of 64 MiB of zeros the bomb repeats. */
interface Source {
  name: string;
  records: Uint8Array[];
  gzip: Uint8Array;
}
const fromBase64 = (b: string) => new Uint8Array(Buffer.from(b, 'base64'));
const input = await (async () => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    files: { name: string; base64: string; gzip: string }[];
    zeros64m: string;
  };
})();
const sources: Source[] = input.files.map((f) => {
  const file = fromBase64(f.base64);
  const at = frameOffsets(file);
  return {
    name: f.name,
    records: at.map((p, i) => file.slice(p + 12, (at[i + 1] ?? file.length) - 4)),
    gzip: fromBase64(f.gzip),
  };
});
const zeros64m = fromBase64(input.zeros64m);

/** A gzip stream of stored deflate blocks (no compression): a valid stream any inflater reads. */
function storedGzip(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65_535));
  const out = new Uint8Array(10 + data.length + blocks * 5 + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
  let p = 10;
  for (let b = 0; b < blocks; b++) {
    const piece = data.subarray(b * 65_535, (b + 1) * 65_535);
    out.set(
      [
        b === blocks - 1 ? 1 : 0,
        piece.length & 0xff,
        piece.length >>> 8,
        ~piece.length & 0xff,
        (~piece.length >>> 8) & 0xff,
      ],
      p,
    );
    out.set(piece, p + 5);
    p += 5 + piece.length;
  }
  const view = new DataView(out.buffer);
  view.setUint32(p, crc32(data), true);
  view.setUint32(p + 4, data.length, true);
  return out;
}

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
  // int64s beyond 2^53 - 1 (kept as their digits), beside small ones, packed or not, in lists.
  () =>
    frameRecords(
      Array.from({ length: 50 }, (_, r) =>
        exampleBytes({
          id: { ints: [BigInt.asIntN(64, (BigInt(rng.int(1 << 30)) << 34n) + BigInt(r))], packed: r % 2 === 0 },
          pair: { ints: [r, -(2n ** 53n) - BigInt(rng.int(1000))] },
          small: { ints: [rng.int(1000)] },
        }),
      ),
    ),
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
  // A gzip stream that inflates to more than 1 GiB of zeros (a bomb: 17 members of 64 MiB), or to records then garbage.
  () =>
    rng.int(2)
      ? Uint8Array.from({ length: zeros64m.length * 17 }, (_, i) => zeros64m[i % zeros64m.length])
      : storedGzip(Uint8Array.from([...frameRecords([exampleBytes({ a: { ints: [1] } })]), 1, 2, 3])),
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
    return { name: src.name, bytes: k === 5 ? storedGzip(framed) : framed };
  }
  return { name: `${src.name}.gz`, bytes: mutateBytes(rng, src.gzip, SPECIAL) };
};

/** Checks a table against google-protobuf's decoding of the same records ('' when they agree). */
function check(t: DataTable, c: FuzzCase): string {
  let plain = c.bytes;
  if (plain[0] === 0x1f && plain[1] === 0x8b) plain = gunzip(plain, 2 ** 30);
  if (frameOffsets(plain).length !== t.rows) return `${t.rows} rows for ${frameOffsets(plain).length} records`;
  type Lists = {
    bytesList?: { valueList: string[] };
    floatList?: { valueList: number[] };
    int64List?: { valueList: (number | string)[] };
  };
  let records: { context?: { featureMap: [string, Lists][] } }[];
  try {
    const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    records = frameOffsets(plain).map(
      (p) =>
        exampleProto.TFRecordsImageMessage.deserializeBinary(
          plain.subarray(p + 12, p + 12 + view.getUint32(p, true)),
        ).toObject() as (typeof records)[number],
    );
  } catch {
    return ''; // google-protobuf refuses what this reader took: no reference to compare with
  }
  if (records.length !== t.rows) return '';
  for (const col of t.columns) {
    for (let r = 0; r < t.rows; r++) {
      const map = new Map(records[r].context?.featureMap ?? []);
      let lists = map.get(col.name);
      let j = 0;
      // A numbered column `name.j` of a fixed-length list (only when there is no feature of its own name).
      const numbered = /^(.*)\.(\d+)$/.exec(col.name);
      if (!lists && numbered) {
        lists = map.get(numbered[1]);
        j = Number(numbered[2]);
      }
      const values = (lists?.bytesList ?? lists?.floatList ?? lists?.int64List)?.valueList ?? [];
      const where = `column ${col.name}, record ${r + 1}`;
      if (col.kind === 'categorical') {
        if (values.length === 0) {
          if (col.codes[r] !== -1) return `${where}: a value where google-protobuf has none`;
          continue;
        }
        if (lists?.int64List) {
          // Integers beyond 2^53 - 1 kept as their digits; google-protobuf gives the nearest double.
          const text = col.dictionary[col.codes[r]] ?? '';
          if (!/^-?\d+$/.test(text) || Number(text) !== Number(values[j]))
            return `${where}: ${text} vs google-protobuf's ${values[j]}`;
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
