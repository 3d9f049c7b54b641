/**
 * Seeded fuzz of the TFRecord reader (issue 16): real datasets written as tf.Example records
 * (by the tests' writer and by @roboflow/tfrecords), damaged in their framing, in one record's
 * protobuf (re-framed with valid checksums, so the parser is reached) and in their gzip stream,
 * plus hostile files, read in a child process with a time and heap limit: no hang, every outcome
 * a table that agrees with google-protobuf's decoding or a DataError in the file's terms.
 * `TRAINBENCH_FUZZ_CASES` sets the campaign size (npm run fuzz: a longer one).
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from './campaign.test-support';

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 600);

describe(`TFRecord reader fuzz (${CASES} damaged and hostile files)`, () => {
  it('no hang, no internal error text: a table that matches google-protobuf, or a DataError, for every case', () => {
    const { lines, counts } = runCampaign({
      child: 'src/core/data/fuzz/tfrecord-fuzz-child.ts',
      seed: 17,
      cases: CASES,
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
