import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Float64, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PreparedRun, TrainerEvent } from './protocol';
import { DEFAULT_SETTINGS, makeRunConfig } from '../core/train/run-config';
import { runPipeline } from './run-pipeline';
import { localClient, localServices } from './local-services';
import { createDataService } from './data-service';
import { createTrainerService } from './trainer-service';
import { createPieceCache, memoryPieceDir, type PieceCache } from './piece-cache';
import { checkArrowIpc, type IpcLayout } from '../core/data/arrow-ipc-check';
import { rowFraction } from '../core/data/stream-encoder';
import { filterRows } from '../core/data/filter';
import { readTable } from '../core/data/read';
import { Compression, writeFixture } from '../core/data/parquet/fixtures/synthetic';

/** flights-200k re-written as an Arrow stream of many record batches, the way a large file arrives. */
function chunkedFlights(batches: number): ArrayBuffer {
  const t = tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow'));
  const per = Math.ceil(t.numRows / batches);
  const parts = Array.from({ length: batches }, (_, k) => t.slice(k * per, (k + 1) * per));
  const bytes = tableToIPC(new Table(parts.flatMap((p) => p.batches)), 'stream');
  return bytes.slice().buffer;
}

describe('streaming mode (in process, tfjs-cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('starts training on the first record batch and still uses every training row once in epoch 0', async () => {
    const events: TrainerEvent[] = [];
    const services = localServices((e) => events.push(e));
    await services.trainer.call('init', { preferred: 'cpu' });
    const batchSize = 2048;
    const split = { train: 0.8, val: 0.1, test: 0.1, seed: 3 };
    const config = makeRunConfig(
      {
        ...DEFAULT_SETTINGS,
        backend: 'cpu',
        batchSize,
        epochs: 2,
        seed: 5,
        optimizer: { name: 'adam', learningRate: 0.01 },
      },
      {
        fingerprint: '',
        name: 'flights.arrows',
        rows: 200_000,
        label: 'delay',
        features: ['distance', 'time'],
        dedup: 'none',
        split,
      },
    );
    let atStart: PreparedRun | null = null;
    const { prepared, summary: result } = await runPipeline(config, services, {
      runId: 's1',
      source: { kind: 'stream', name: 'flights.arrows', bytes: chunkedFlights(40) },
      hooks: { onPrepared: (p) => (atStart = p) },
    });
    expect(atStart).toBe(prepared);
    // Training starts with only the first batch decoded.
    expect(prepared.trainRows).toBeGreaterThan(0);
    expect(prepared.trainRows).toBeLessThan((200_000 * 0.8) / 20);
    expect(prepared.task.task).toBe('regression');
    expect(result.status).toBe('done');
    const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
    // Every training row once per epoch: the steps of each epoch cover all train rows of the file.
    const trainRows = Array.from({ length: 200_000 }, (_, i) => i).length; // all rows have a delay
    const expectedTrain = Math.round(trainRows * 0.8);
    const perEpoch = steps.filter((s) => s.epoch === 0).length;
    expect(perEpoch).toBeGreaterThanOrEqual(Math.floor((expectedTrain * 0.97) / batchSize));
    expect(perEpoch).toBeLessThanOrEqual(Math.ceil((expectedTrain * 1.03) / batchSize));
    expect(steps.filter((s) => s.epoch === 1).length).toBe(perEpoch);
    // Validation rows arrived once the stream ended.
    expect(epochs).toHaveLength(2);
    expect(epochs[0].valLoss).not.toBeNull();
    expect(epochs[1].valLoss!).toBeLessThan(1.5);
  });

  it('filters each chunk as it arrives (data.where): the rows kept by the filter train, split by file position', async () => {
    const events: TrainerEvent[] = [];
    const services = localServices((e) => events.push(e));
    await services.trainer.call('init', { preferred: 'cpu' });
    const batchSize = 512;
    const split = { train: 0.8, val: 0.1, test: 0.1, seed: 3 };
    const where = 'delay > 30 and distance between 200 and 800';
    const config = makeRunConfig(
      { ...DEFAULT_SETTINGS, backend: 'cpu', batchSize, epochs: 1, seed: 5 },
      {
        fingerprint: '',
        name: 'flights.arrows',
        rows: 0,
        label: 'delay',
        features: ['distance', 'time'],
        dedup: 'none',
        split,
        where,
      },
    );
    const { summary: result } = await runPipeline(config, services, {
      runId: 'sw',
      source: { kind: 'stream', name: 'flights.arrows', bytes: chunkedFlights(40) },
    });
    expect(result.status).toBe('done');
    // The reference: the whole file read at once, the filter as Array.filter, the split by file position.
    const t = tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow'));
    const delay = t.getChild('delay')!.toArray() as ArrayLike<number>;
    const distance = t.getChild('distance')!.toArray() as ArrayLike<number>;
    let train = 0;
    for (let i = 0; i < t.numRows; i++)
      if (delay[i] > 30 && distance[i] >= 200 && distance[i] <= 800 && rowFraction(split.seed, i) < split.train)
        train++;
    const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
    expect(steps.length).toBe(Math.ceil(train / batchSize));
  });

  /** An Arrow stream of 4 record batches whose city column gains values batch by batch. */
  function cityBatches(): Uint8Array {
    const batches = [
      ['Oslo', 'Bergen'],
      ['Oslo', 'Tromso'],
      ['Bergen', 'Oslo'],
      ['Oslo', 'Trondheim'],
    ].map((cities, k) => {
      const x = Array.from({ length: 400 }, (_, i) => ((i * 37 + k * 11) % 100) / 10);
      return new Table({
        x: vectorFromArray(x, new Float64()),
        y: vectorFromArray(
          x.map((v) => 2 * v + 1),
          new Float64(),
        ),
        city: vectorFromArray(
          x.map((_, i) => cities[i % 2]),
          new Utf8(),
        ),
      }).batches;
    });
    return tableToIPC(new Table(batches.flat()), 'stream');
  }

  it("says after the first pass which of the filter's values no piece held, as the whole file would", async () => {
    const where = "city != 'bergen' and city != 'Tromso' and city != 'Trondhiem' and city != 'Narvik'";
    const bytes = cityBatches();
    // The reference: the whole file filtered at once (its values not listed: a piece holds only some).
    const whole = filterRows(readTable(bytes, 'cities.arrows'), where, undefined, { listValues: false }).notes;
    expect(whole).toHaveLength(3);
    // Read whole (rows held) and read again each epoch (the window path, epochs after the first re-encode).
    for (const holdBytes of [undefined, 0]) {
      const events: TrainerEvent[] = [];
      const services = localServices((e) => events.push(e));
      await services.trainer.call('init', { preferred: 'cpu' });
      const config = makeRunConfig(
        { ...DEFAULT_SETTINGS, backend: 'cpu', batchSize: 64, epochs: 2, seed: 5 },
        {
          fingerprint: '',
          name: 'cities.arrows',
          rows: 0,
          label: 'y',
          features: ['x', 'city'],
          dedup: 'none',
          split: { train: 0.8, val: 0.1, test: 0.1, seed: 3 },
          where,
        },
      );
      const { summary } = await runPipeline(config, services, {
        runId: `notes-${holdBytes}`,
        source: {
          kind: 'stream',
          name: 'cities.arrows',
          bytes: new Blob([bytes as Uint8Array<ArrayBuffer>]),
          ...(holdBytes === undefined ? {} : { holdBytes }),
        },
      });
      expect(summary.status).toBe('done');
      const said = events.filter((e) => e.type === 'filterNotes');
      expect(said).toHaveLength(1);
      const notes = said.flatMap((e) => (e.type === 'filterNotes' ? e.notes : []));
      expect([...notes].sort()).toEqual([...whole].sort());
      // 'Tromso' is in the second batch only; 'Trondhiem' gets the near value of the last batch.
      expect(notes.join('\n')).not.toContain('Tromso');
      expect(notes).toContain(`'bergen' is no value of "city" (did you mean 'Bergen'?)`);
      expect(notes).toContain(`'Trondhiem' is no value of "city" (did you mean 'Trondheim'?)`);
      expect(notes).toContain(`'Narvik' is no value of "city"`);
    }
  });

  /** flights-200k as Parquet in 20 row groups, behind a Blob that refuses to be read whole and counts its slices. */
  function slicedFlights() {
    const t = tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow'));
    const parquet = writeFixture(t, { compression: Compression.SNAPPY, rowGroupSize: 10_000 });
    const slices: number[] = [];
    class SlicesOnly extends Blob {
      override slice(start?: number, end?: number): Blob {
        slices.push((end ?? this.size) - (start ?? 0));
        return super.slice(start, end);
      }
      override arrayBuffer(): Promise<ArrayBuffer> {
        throw new Error('the whole file was read');
      }
    }
    return { rows: t.numRows, parquet, slices, blob: new SlicesOnly([parquet as Uint8Array<ArrayBuffer>]) };
  }

  /** Streams `blob` with rows not kept (each epoch reads again), through a data service with `pieces` as its piece cache. */
  async function streamAgain(blob: Blob, epochs: number, pieces: PieceCache | null = null) {
    const events: TrainerEvent[] = [];
    const services = {
      data: localClient(createDataService(null, Promise.resolve(pieces))),
      trainer: localClient(createTrainerService((e) => events.push(e))),
    };
    await services.trainer.call('init', { preferred: 'cpu' });
    const batchSize = 1024;
    const split = { train: 0.8, val: 0.1, test: 0.1, seed: 3 };
    const config = makeRunConfig(
      { ...DEFAULT_SETTINGS, backend: 'cpu', batchSize, epochs, seed: 5 },
      {
        fingerprint: '',
        name: 'flights.parquet',
        rows: 0,
        label: 'delay',
        features: ['distance'],
        dedup: 'none',
        split,
      },
    );
    const { prepared, summary } = await runPipeline(config, services, {
      runId: 'sp',
      source: { kind: 'stream', name: 'flights.parquet', bytes: blob, holdBytes: 0 },
    });
    return { prepared, summary, events, batchSize, split };
  }

  it('trains a Parquet File read by slices, reading it again each epoch when its rows are not kept', async () => {
    const { rows, parquet, slices, blob } = slicedFlights();
    const { prepared, summary, events, batchSize, split } = await streamAgain(blob, 2);
    expect(summary.status).toBe('done');
    expect(prepared.streamed).toEqual({ held: false, pieces: 'file', counted: false });
    // Each epoch is every training row once: as many steps as a whole-file count gives.
    let train = 0;
    for (let i = 0; i < rows; i++) if (rowFraction(split.seed, i) < split.train) train++;
    const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
    for (const epoch of [0, 1])
      expect(steps.filter((s) => s.epoch === epoch).length).toBe(Math.ceil(train / batchSize));
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
    expect(epochs.map((e) => e.valLoss !== null)).toEqual([true, true]);
    // Only the footer and the two columns' chunks were read, a row group at a time, in both epochs.
    expect(Math.max(...slices)).toBeLessThan(parquet.length / 10);
    const read = slices.reduce((a, b) => a + b, 0);
    expect(read).toBeGreaterThan(parquet.length / 10);
    expect(read).toBeLessThan(parquet.length * 2);
  });

  it('reads the epochs after the first from the piece cache, not the file', async () => {
    const once = slicedFlights();
    await streamAgain(once.blob, 1);
    const onePass = once.slices.reduce((a, b) => a + b, 0);
    const { slices, blob } = slicedFlights();
    const cache = createPieceCache(memoryPieceDir(), 1 << 30);
    const { summary, events } = await streamAgain(blob, 3, cache);
    expect(summary.status).toBe('done');
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(3);
    // One pass over the file (and the two 64 KB ends the cache key hashes): epochs 2 and 3 came from the cache.
    expect(slices.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(onePass + 2 * 65_536);
    const [entry] = await cache.datasets();
    expect(entry.bytes).toBeGreaterThan(0);
    // A second run of the same file and columns reads only the footer, the key's ends and the first
    // row group (its layout is fixed from the file) from the file: every other piece comes from the cache.
    const before = slices.length;
    await streamAgain(blob, 2, cache);
    expect(slices.slice(before).reduce((a, b) => a + b, 0)).toBeLessThan(2 * 65_536 + onePass / 8);
  });

  const cutConfig = (name: string) =>
    makeRunConfig(
      { ...DEFAULT_SETTINGS, backend: 'cpu', batchSize: 256, epochs: 1 },
      // No label or features in the config: the data service picks them from the first chunk.
      {
        fingerprint: '',
        name,
        rows: 0,
        label: '',
        features: [],
        dedup: 'none',
        split: { train: 0.8, val: 0.1, test: 0.1, seed: 3 },
      },
    );

  it("reports a chunk that fails to decode as the run's error, after training began on the first", async () => {
    const services = localServices();
    await services.trainer.call('init', { preferred: 'cpu' });
    // The last record batch's first data buffer (column "delay") claims half its bytes: the
    // framing is intact, the column is short.
    const bytes = new Uint8Array(chunkedFlights(10));
    const layout: IpcLayout = { messages: [], blocks: [] };
    checkArrowIpc(bytes, 'x', false, layout);
    const last = layout.messages.filter((m) => m.headerType === 3).at(-1)!;
    const view = new DataView(bytes.buffer);
    const entry = last.buffersAt! + 4 + 16 + 8;
    view.setBigInt64(entry, view.getBigInt64(entry, true) / 2n, true);
    let chosen = '';
    await expect(
      runPipeline(cutConfig('short.arrows'), services, {
        runId: 's2',
        source: { kind: 'stream', name: 'short.arrows', bytes: bytes.buffer },
        hooks: { onPrepared: (_, c) => (chosen = c.data.label) },
      }),
    ).rejects.toThrow(
      /short\.arrows: column "delay" has \d+ values \(1 per row\) for \d+ rows \(the file is damaged\)/,
    );
    expect(chosen).toBe('time');
  });

  it('refuses a stream cut off mid-batch before training (the framing is checked up front)', async () => {
    const services = localServices();
    await services.trainer.call('init', { preferred: 'cpu' });
    const whole = new Uint8Array(chunkedFlights(10));
    const cut = whole.slice(0, Math.floor(whole.length * 0.5)).buffer;
    let chosen = '';
    await expect(
      runPipeline(cutConfig('cut.arrows'), services, {
        runId: 's3',
        source: { kind: 'stream', name: 'cut.arrows', bytes: cut },
        hooks: { onPrepared: (_, c) => (chosen = c.data.label) },
      }),
    ).rejects.toThrow(/cut\.arrows: the Arrow stream is cut off in the middle of a record batch/);
    expect(chosen).toBe('');
  });
});
