/**
 * Seeded fuzz of the TFRecord reader (issue 16): real datasets written as tf.Example records
 * (by the tests' writer and by @roboflow/tfrecords), damaged in their framing, in one record's
 * protobuf (re-framed with valid checksums, so the parser is reached) and in their gzip stream,
 * plus hostile files, read in a child process with a time and heap limit: no hang, every outcome
 * a table that agrees with google-protobuf's decoding or a DataError in the file's terms.
 * `TRAINBENCH_FUZZ_CASES` sets the campaign size (npm run fuzz: a longer one).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exampleBytes, frameRecords, type FeatureValue } from '../tfrecord.test-support';
import { runCampaign } from './campaign.test-support';

const VEGA = 'node_modules/vega-datasets/data/';

/** A JSON dataset's records as tf.Example records (integers int64, other numbers float, strings bytes; nulls left out). */
function examplesOf(file: string, limit: number): Uint8Array {
  const recs = (JSON.parse(readFileSync(VEGA + file, 'utf8')) as Record<string, unknown>[]).slice(0, limit);
  return frameRecords(
    recs.map((r, i) => {
      const features: [string, FeatureValue][] = [];
      for (const [k, v] of Object.entries(r)) {
        if (typeof v === 'number') features.push([k, Number.isInteger(v) ? { ints: [v] } : { floats: [v] }]);
        else if (typeof v === 'string') features.push([k, { bytes: [v] }]);
        else if (typeof v === 'boolean') features.push([k, { ints: [v ? 1 : 0] }]);
      }
      features.push(['vec', { floats: [i, i / 2, -i], packed: i % 2 === 0 }]);
      return exampleBytes(features);
    }),
  );
}

/** Records written by @roboflow/tfrecords (google-protobuf). */
function roboflowFile(n: number): Uint8Array {
  const require = createRequire(import.meta.url);
  const { TFRecordsBuilder, FeatureType } = require('@roboflow/tfrecords/src/tensorFlowBuilder.js') as {
    TFRecordsBuilder: {
      new (): {
        addFeature(k: string, t: number, v: string | number): void;
        addArrayFeature(k: string, t: number, v: number[]): void;
        build(): Buffer;
      };
      buildTFRecords(records: Buffer[]): Buffer;
    };
    FeatureType: { String: number; Int64: number; Float: number };
  };
  const records = Array.from({ length: n }, (_, i) => {
    const b = new TFRecordsBuilder();
    b.addFeature('x', FeatureType.Float, i / 7);
    b.addFeature('label', FeatureType.String, ['a', 'b', 'c'][i % 3]);
    b.addFeature('n', FeatureType.Int64, i * 1000);
    b.addArrayFeature('pixels', FeatureType.Float, [i, i + 1, i + 2, i + 3]);
    return b.build();
  });
  return new Uint8Array(TFRecordsBuilder.buildTFRecords(records));
}

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 600);

describe(`TFRecord reader fuzz (${CASES} damaged and hostile files)`, () => {
  it('no hang, no internal error text: a table that matches google-protobuf, or a DataError, for every case', () => {
    const { lines, counts } = runCampaign({
      child: 'src/core/data/fuzz/tfrecord-fuzz-child.ts',
      seed: 17,
      cases: CASES,
      input: JSON.stringify({
        files: (
          [
            ['penguins.tfrecord', examplesOf('penguins.json', 400)],
            ['cars.tfrecords', examplesOf('cars.json', 400)],
            ['movies.tfrec', examplesOf('movies.json', 300)],
            ['robo.tfrecord', roboflowFile(200)],
          ] as const
        ).map(([name, file]) => ({
          name,
          base64: Buffer.from(file).toString('base64'),
          gzip: gzipSync(file).toString('base64'),
        })),
        zeros64m: gzipSync(new Uint8Array(64 << 20)).toString('base64'),
      }),
      msPerCase: 200,
    });
    // Damage is noticed (checksums, the parser), and damaged records that are still valid Examples read.
    expect(counts.DataError, JSON.stringify(counts)).toBeGreaterThan(CASES / 4);
    expect(counts.table, JSON.stringify(counts)).toBeGreaterThan(CASES / 20);
    const messages = lines.filter((l) => l.outcome === 'DataError').map((l) => l.message);
    expect(messages.some((m) => /fail their CRC-32C check/.test(m))).toBe(true);
    expect(messages.some((m) => /is not a tf\.Example/.test(m))).toBe(true);
  }, 900_000);
});
