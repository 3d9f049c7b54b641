/**
 * The TFRecord reader (src/core/data/tfrecord.ts) against the JavaScript a user would pick to
 * read the same file into columns, in one process:
 * - @roboflow/tfrecords' TFRecordsReader (checks both CRC-32Cs, decodes each record with
 *   google-protobuf), then the columns pulled out of its messages (on the first 2,000 records
 *   only: it rebuilds its CRC table for every checksum, about 1 ms a record);
 * - google-protobuf alone (the library's generated Example class, no checksums at all), the
 *   parse a hand-rolled reader would start from.
 * Data: the first `--records` rows of vega-datasets' flights-200k (five columns: three ints,
 * two strings) as tf.Example records, plain and gzip (our inflater against zlib + the same).
 * Warm-up, `--reps` repetitions alternating the cases, medians and ratios.
 *
 *   npx tsx bench/tfrecord.ts [--json] [--reps N] [--records N]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readArrow } from '../src/core/data/arrow';
import type { Column } from '../src/core/data/table';
import { readTfRecord } from '../src/core/data/tfrecord';
import { exampleBytes, frameOffsets, frameRecords, type FeatureValue } from '../src/core/data/tfrecord.test-support';
import { alternating, benchArgs, machineLine, summarise } from './harness';

const require = createRequire(import.meta.url);
interface Lists {
  getBytesList(): { getValueList_asU8(): Uint8Array[] } | undefined;
  getFloatList(): { getValueList(): number[] } | undefined;
  getInt64List(): { getValueList(): number[] } | undefined;
}
interface Message {
  getContext(): { getFeatureMap(): { get(k: string): Lists | undefined } };
}
const { TFRecordsReader } = require('@roboflow/tfrecords/src/tensorFlowReader.js') as {
  TFRecordsReader: new (b: Buffer) => { imageMessages: Message[] };
};
const pb = require('@roboflow/tfrecords/src/tensorFlowRecordsProtoBuf_pb.js') as {
  TFRecordsImageMessage: { deserializeBinary(b: Uint8Array): Message };
};

const { asJson, flag } = benchArgs();
const REPS = Math.max(1, Number(flag('--reps', '5')));
const RECORDS = Math.max(1000, Number(flag('--records', '100000')));
const log = (m: string) => process.stderr.write(`[tfrecord] ${m}\n`);

const flights = readArrow(
  new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow')),
  'flights-200k.arrow',
);
const rows = Math.min(RECORDS, flights.rows);
const value = (c: Column, i: number): FeatureValue | null => {
  if (c.kind === 'categorical') return c.codes[i] < 0 ? null : { bytes: [c.dictionary[c.codes[i]]] };
  if (c.valid && !c.valid[i]) return null;
  const v = Number(c.values[i]);
  return Number.isInteger(v) ? { ints: [v] } : { floats: [v] };
};
const file = frameRecords(
  Array.from({ length: rows }, (_, i) =>
    exampleBytes(
      flights.columns.flatMap((c) => {
        const v = value(c, i);
        return v ? [[c.name, v] as [string, FeatureValue]] : [];
      }),
    ),
  ),
);
const gz = new Uint8Array(gzipSync(file));
const names = flights.columns.map((c) => c.name);
const text = new TextDecoder();
log(`${rows} records, ${file.length} bytes (${gz.length} gzip), features ${names.join(', ')}`);

/** Columns out of google-protobuf messages, as a user would pull them: numbers to Float64Array, strings decoded. */
function columnsOf(messages: Message[]): number {
  let check = 0;
  for (const name of names) {
    const nums = new Float64Array(messages.length);
    const strs: string[] = [];
    for (let i = 0; i < messages.length; i++) {
      const f = messages[i].getContext().getFeatureMap().get(name);
      if (!f) continue;
      const b = f.getBytesList()?.getValueList_asU8();
      if (b && b.length) strs.push(text.decode(b[0]));
      else nums[i] = (f.getInt64List()?.getValueList() ?? f.getFloatList()?.getValueList() ?? [0])[0];
    }
    check += nums[messages.length - 1] + strs.length;
  }
  return check;
}

const offsets = frameOffsets(file);
// @roboflow/tfrecords rebuilds its CRC table on every checksum (about 1 ms a record here): it reads the first 2,000
// records only, against trainbench on the same slice.
const SMALL = Math.min(2000, rows);
const small = file.subarray(0, offsets[SMALL] ?? file.length);
let sink = 0;
const cases: [string, () => void][] = [
  ['trainbench readTfRecord', () => void (sink += readTfRecord(file, 'f.tfrecord').rows)],
  [`trainbench readTfRecord, ${SMALL} records`, () => void (sink += readTfRecord(small, 'f.tfrecord').rows)],
  [
    `@roboflow/tfrecords reader + columns, ${SMALL} records`,
    () => void (sink += columnsOf(new TFRecordsReader(Buffer.from(small)).imageMessages)),
  ],
  [
    'google-protobuf parse (no CRC) + columns',
    () => {
      const view = new DataView(file.buffer, file.byteOffset);
      const messages = offsets.map((p) =>
        pb.TFRecordsImageMessage.deserializeBinary(file.subarray(p + 12, p + 12 + view.getUint32(p, true))),
      );
      sink += columnsOf(messages);
    },
  ],
  ['trainbench readTfRecord (gzip)', () => void (sink += readTfRecord(gz, 'f.tfrecord.gz').rows)],
  [
    'zlib gunzip + google-protobuf parse + columns',
    () => {
      const plain = new Uint8Array(gunzipSync(gz));
      const view = new DataView(plain.buffer, plain.byteOffset);
      const messages = frameOffsets(plain).map((p) =>
        pb.TFRecordsImageMessage.deserializeBinary(plain.subarray(p + 12, p + 12 + view.getUint32(p, true))),
      );
      sink += columnsOf(messages);
    },
  ],
];
const times = alternating(cases, 1, REPS, 'tfrecord');
const results = cases.map(([name], i) => summarise(name, times[i]));
const m = (i: number) => results[i].median;
const ratios = {
  [`@roboflow/tfrecords / trainbench (${SMALL} records)`]: m(2) / m(1),
  'google-protobuf parse (no CRC) / trainbench': m(3) / m(0),
  'gzip: zlib + google-protobuf / trainbench': m(5) / m(4),
};
if (asJson) {
  process.stdout.write(JSON.stringify({ stage: 'tfrecord', machine: machineLine(), rows, results, ratios }) + '\n');
} else {
  const lines = [
    `TFRecord read of flights-200k's first ${rows} records (${(file.length / 2 ** 20).toFixed(1)} MiB), ${REPS} reps, medians · ${machineLine()}`,
    ...results.map((r) => `${r.name.padEnd(48)} ${String(r.median).padStart(10)} ms (${r.min}-${r.max})`),
    ...Object.entries(ratios).map(([k, v]) => `${k}: ${v.toFixed(1)}x`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
log(`sink ${sink}`);
