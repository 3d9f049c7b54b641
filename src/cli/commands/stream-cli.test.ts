/**
 * `train --stream` of a Parquet or Arrow file on the command line: never loaded whole (the file
 * is read from disk by slices, its statistics streamed, its fingerprint a streamed sha256), and
 * each epoch is every training row once (the steps a whole-file count of the seeded split gives).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSplit } from '../../core/data/split';
import { rowFraction } from '../../core/data/stream-encoder';
import { Compression, writeFixture } from '../../core/data/parquet/fixtures/synthetic';
import type { RunRecord } from '../../core/train/record';
import { runCli } from '../cli-process.test-support';

const dir = mkdtempSync(join(tmpdir(), 'trainbench-stream-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train --stream from disk', () => {
  it("trains a Parquet file piece by piece, with the whole file's fingerprint and every training row once", async () => {
    const flights = tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow')).slice(0, 60_000);
    const file = join(dir, 'flights.parquet');
    const bytes = writeFixture(flights, { compression: Compression.ZSTD, rowGroupSize: 10_000 });
    writeFileSync(file, bytes);
    const seed = 9;
    const r = await runCli([
      'train',
      '--data',
      file,
      '--stream',
      '--label',
      'delay',
      '--epochs',
      '2',
      '--batch',
      '1024',
      '--seed',
      String(seed),
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout) as RunRecord;
    expect(rec.summary.status).toBe('done');
    expect(rec.config.data.fingerprint).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(rec.config.data.rows).toBe(60_000);
    expect(rec.config.data.features).toEqual(['distance', 'time']);
    const split = defaultSplit(seed);
    let train = 0;
    for (let i = 0; i < 60_000; i++) if (rowFraction(split.seed, i) < split.train) train++;
    expect(rec.epochs).toHaveLength(2);
    const perEpoch = Math.ceil(train / 1024);
    expect(rec.steps.filter((s) => s.epoch === 0).length).toBe(perEpoch);
    expect(rec.steps.filter((s) => s.epoch === 1).length).toBe(perEpoch);
    // The record says it streamed (its split is by position, not the seeded shuffle of a whole load).
    expect(rec.config.data.stream).toBe(true);
    // Its model exports; its rows cannot be rebuilt from the file, so data and quantize are refused.
    const recordFile = join(dir, 'streamed-run.json');
    writeFileSync(recordFile, r.stdout);
    const onnx = await runCli(['export', recordFile, '--to', 'onnx', '--out', join(dir, 'onnx')]);
    expect(onnx.code, onnx.stderr).toBe(0);
    for (const args of [
      ['export', recordFile, '--to', 'pytorch', '--out', join(dir, 'pt'), '--data', file],
      ['quantize', recordFile, '--data', file],
    ]) {
      const refused = await runCli(args);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(
        /the run trained streaming \(its encoding fixed by the first piece of flights\.parquet, its split by each row's position\), so its training, validation and test rows cannot be rebuilt from the file/,
      );
    }
  });

  it('says it streamed from disk, and refuses a label the file does not have by its columns', async () => {
    const file = join(dir, 'small.parquet');
    writeFileSync(
      file,
      writeFixture(tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow')).slice(0, 5000), {
        compression: Compression.SNAPPY,
        rowGroupSize: 1000,
      }),
    );
    const ok = await runCli(['train', '--data', file, '--stream', '--epochs', '1', '--backend', 'cpu', '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('streamed from disk piece by piece');
    const bad = await runCli(['train', '--data', file, '--stream', '--label', 'nope', '--backend', 'cpu']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/"nope" is not a column of .*small\.parquet \(columns: delay, distance, time\)/);
  });
});
