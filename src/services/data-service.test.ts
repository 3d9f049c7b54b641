/**
 * The data service's refusals reach the page and the CLI as domain errors (a ConfigError naming
 * the field, a DataError naming the dataset), never as a plain Error or RangeError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDataService } from './data-service';
import { DataError } from '../core/data/table';
import { ConfigError } from '../core/errors';
import { transferredValue } from './transfer';
import type { TableCache } from './cache';
import type { PreparedRun } from './protocol';
import { PortBatchSource } from './batch-channel';
import { tableFromArrays } from 'apache-arrow';
import { Compression, writeFixture } from '../core/data/parquet/fixtures/synthetic';

const noCache: TableCache = { kind: 'none', get: async () => null, put: async () => undefined };
const csv = ['x,y', ...Array.from({ length: 10 }, (_, i) => `${i},${i % 2}`)].join('\n');
const bytes = () => new TextEncoder().encode(csv).buffer as ArrayBuffer;
const features = { label: 'y', features: ['x'] };
const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) c.port1.close();
});

describe('data service refusals', () => {
  it('a batch larger than the training rows is a ConfigError on batchSize naming the file', async () => {
    const service = createDataService(Promise.resolve(noCache));
    const { id } = transferredValue(await service.load({ name: 'ten.csv', bytes: bytes() }));
    const ch = new MessageChannel();
    channels.push(ch);
    const run = {
      runId: 'r',
      datasetId: id,
      features,
      split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
      batchSize: 100,
      epochs: 1,
      seed: 1,
      prefetch: 2,
      port: ch.port2,
    };
    const err = await Promise.resolve()
      .then(() => service.prepareRun(run))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('batchSize');
    expect((err as ConfigError).message).toBe(
      'batchSize: batch size 100 is larger than the 8 training rows of ten.csv (set it to 8 or less)',
    );
  });

  it('with fitBatch, a batch larger than the training rows serves all of them per batch and says so', async () => {
    const service = createDataService(Promise.resolve(noCache));
    const { id } = transferredValue(await service.load({ name: 'ten.csv', bytes: bytes() }));
    const ch = new MessageChannel();
    channels.push(ch);
    const split = { train: 0.8, val: 0.1, test: 0.1, seed: 1 };
    const base = { runId: 'f', datasetId: id, features, split, epochs: 2, seed: 1, prefetch: 2, port: ch.port2 };
    const prepared = transferredValue(await service.prepareRun({ ...base, batchSize: 100, fitBatch: true }));
    expect(prepared.trainRows).toBe(8);
    expect(prepared.batchSize).toBe(8);
    // The batches: one per epoch, each of the 8 training rows once.
    const source = new PortBatchSource(ch.port1);
    const sizes: number[] = [];
    const xs: number[][] = [];
    for (let b = await source.next(); b; b = await source.next()) {
      sizes.push(b.size);
      xs.push(Array.from(b.x.subarray(0, b.size)).sort((p, q) => p - q));
      source.recycle(b);
    }
    expect(sizes).toEqual([8, 8]);
    expect(xs[1]).toEqual(xs[0]);
    expect(new Set(xs[0]).size).toBe(8);
    // A batch that fits is served as asked, and prepareRun says nothing of it.
    const ch2 = new MessageChannel();
    channels.push(ch2);
    const fits = transferredValue(
      await service.prepareRun({ ...base, runId: 'g', port: ch2.port2, batchSize: 4, fitBatch: true }),
    );
    expect(fits.batchSize).toBeUndefined();
  });

  // A small streamed file is counted before the first batch: a CSV file (one piece), a Parquet
  // file of five row groups, and the same under a filter (its kept rows counted).
  const fifty = ['x,y', ...Array.from({ length: 50 }, (_, i) => `${i},${i % 3}`)].join('\n');
  const fiftyTable = tableFromArrays({
    x: Float64Array.from({ length: 50 }, (_, i) => i),
    y: Float64Array.from({ length: 50 }, (_, i) => i % 3),
  });
  const streamedFiles: [string, string | null, boolean, () => ArrayBuffer][] = [
    ['fifty.csv', null, true, () => new TextEncoder().encode(fifty).buffer as ArrayBuffer],
    [
      'fifty.parquet',
      null,
      false,
      () => writeFixture(fiftyTable, { compression: Compression.UNCOMPRESSED, rowGroupSize: 10 }).slice().buffer,
    ],
    [
      'fifty.parquet',
      'x < 42 and x != 7',
      false,
      () => writeFixture(fiftyTable, { compression: Compression.UNCOMPRESSED, rowGroupSize: 10 }).slice().buffer,
    ],
  ];
  it.each(streamedFiles)(
    'streamed %s (filter %s, one piece %s): a batch above its training rows is refused, or with fitBatch fitted, as loaded whole',
    async (name, where, onePiece, bytesOf) => {
      const service = createDataService(Promise.resolve(noCache));
      const split = { train: 0.8, val: 0.1, test: 0.1, seed: 4 };
      const stream = (runId: string, batchSize: number, fitBatch: boolean) => {
        const ch = new MessageChannel();
        channels.push(ch);
        const call = Promise.resolve().then(() =>
          service.prepareStreamingRun({
            runId,
            name,
            bytes: bytesOf(),
            features,
            where,
            split,
            batchSize,
            epochs: 2,
            seed: 1,
            prefetch: 2,
            port: ch.port2,
            fitBatch,
          }),
        );
        return { call, port: ch.port1 };
      };
      // The training rows, counted from the batches of a batch that fits.
      const fits = stream('a', 4, true);
      const small = transferredValue(await fits.call);
      expect(small.batchSize).toBeUndefined();
      expect(small.streamed).toEqual({ held: true, pieces: 'memory', counted: onePiece });
      const seen: number[] = [];
      const source = new PortBatchSource(fits.port);
      for (let b = await source.next(); b && b.epoch === 0; b = await source.next()) {
        seen.push(...b.x.subarray(0, b.size));
        source.recycle(b);
      }
      const train = seen.length;
      expect(new Set(seen).size).toBe(train);
      if (onePiece) expect(small.trainRows).toBe(train);
      expect(train).toBeGreaterThan(where ? 25 : 30);
      expect(train).toBeLessThan(where ? 41 : 50);
      // Asked: refused as a whole load refuses it, naming batchSize.
      const err = await stream('b', 100, false).call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toBe(
        `batchSize: batch size 100 is larger than the ${train} training rows of ${name} (set it to ${train} or less)`,
      );
      // Fitted: one batch of every training row per epoch, and prepared.batchSize says so.
      const fitted = stream('c', 100, true);
      const counted = transferredValue(await fitted.call);
      expect(counted.batchSize).toBe(train);
      expect(counted.trainRows).toBe(train);
      expect(counted.streamed).toEqual({ held: true, pieces: 'memory', counted: true });
      const whole = new PortBatchSource(fitted.port);
      const batches: number[][] = [];
      for (let b = await whole.next(); b; b = await whole.next()) {
        batches.push(Array.from(b.x.subarray(0, b.size)).sort((p, q) => p - q));
        whole.recycle(b);
      }
      expect(batches).toHaveLength(2);
      expect(batches[0]).toEqual([...seen].sort((p, q) => p - q));
      expect(batches[1]).toEqual(batches[0]);
    },
  );

  it('a row that does not exist, or a dataset no longer loaded, is a DataError saying which', async () => {
    const service = createDataService(Promise.resolve(noCache));
    const { id } = transferredValue(await service.load({ name: 'ten.csv', bytes: bytes() }));
    const ask = (datasetId: number, row: number) =>
      Promise.resolve()
        .then(() => service.neighbours({ datasetId, features, row, k: 3 }))
        .catch((e: unknown) => e);
    const missing = await ask(id, 10);
    expect(missing).toBeInstanceOf(DataError);
    expect((missing as Error).message).toBe('row 10 does not exist in ten.csv (rows 0 to 9)');
    const gone = await ask(id + 1, 0);
    expect(gone).toBeInstanceOf(DataError);
    expect((gone as Error).message).toBe(`dataset ${id + 1} is no longer loaded; load the file again`);
    expect(
      transferredValue(await service.neighbours({ datasetId: id, features, row: 4, k: 2 })).neighbours.map(
        (n) => n.row,
      ),
    ).toEqual([3, 5]);
  });

  it('a filtered run trains on the rows the filter keeps, deduplicated among them; its validation rows map back to the file', async () => {
    const service = createDataService(Promise.resolve(noCache));
    // 200 rows: x = i, y = i % 2, z = i % 7; rows 100..199 repeat rows 0..99 in x and y.
    const text = ['x,y,z', ...Array.from({ length: 200 }, (_, i) => `${i % 100},${i % 2},${i % 7}`)].join('\n');
    const { id } = transferredValue(
      await service.load({ name: 'two.csv', bytes: new TextEncoder().encode(text).buffer as ArrayBuffer }),
    );
    const prepare = (where: string | null, dedup: 'none' | 'exact') => {
      const ch = new MessageChannel();
      channels.push(ch);
      return transferredValue(
        service.prepareRun({
          runId: `r-${where}-${dedup}`,
          datasetId: id,
          features: { label: 'y', features: ['x'] },
          split: { train: 0.5, val: 0.5, test: 0, seed: 1 },
          batchSize: 4,
          epochs: 1,
          seed: 1,
          prefetch: 1,
          port: ch.port2,
          dedup,
          where,
        }) as PreparedRun,
      );
    };
    // z > 3 keeps rows with i % 7 in {4, 5, 6}: a reference count by hand.
    const kept = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 7 > 3);
    const a = prepare('z > 3', 'none');
    expect(a.trainRows + a.task.val!.rows).toBe(kept.length);
    expect(Array.from(a.valSourceRows!).every((r) => r % 7 > 3)).toBe(true);
    // Dedup among the kept rows only: rows whose (x, y) repeats an earlier kept row drop.
    const seen = new Set<number>();
    const unique = kept.filter((i) => (seen.has(i % 100) ? false : (seen.add(i % 100), true)));
    const b = prepare('z > 3', 'exact');
    expect(b.trainRows + b.task.val!.rows).toBe(unique.length);
    expect(b.dedup?.rows).toBe(kept.length);
    expect(() => prepare('z > 99', 'none')).toThrow('the filter keeps none of the 200 rows of two.csv');
    expect(() => prepare('w > 1', 'none')).toThrow(/names column "w", which two.csv does not have/);
  });
});
