import { describe, expect, it } from 'vitest';
import { GrowingRows, RowSample, StreamingBatcher, WindowBatcher } from './stream-batcher';
import { StreamEncoder, rowFraction } from './stream-encoder';
import { Rng } from './rng';
import { Float64, Int64, RecordBatch, Table, tableToIPC, vectorFromArray, Utf8 } from 'apache-arrow';
import { bytesSource, openChunked } from './source-chunks';
import { StreamStats } from './stream-stats';
import { DataError, type DataTable } from './table';

const split = { train: 0.8, val: 0.1, test: 0.1, seed: 4 };

/** A table whose colour dictionary is listed in a different order in each chunk (as per-batch dictionaries are). */
function chunkOf(start: number, rows: number, reverse: boolean): DataTable {
  const rng = new Rng(start + 1);
  const colours = ['red', 'green', 'blue'];
  const dict = reverse ? [...colours].reverse() : colours;
  const value = (i: number) => colours[(start + i) % 3];
  return {
    name: 'stream.arrows',
    format: 'arrow',
    rows,
    columns: [
      {
        kind: 'numeric',
        name: 'id',
        type: 'float',
        values: Float64Array.from({ length: rows }, (_, i) => start + i),
        valid: null,
      },
      {
        kind: 'numeric',
        name: 'x',
        type: 'float',
        values: Float64Array.from({ length: rows }, () => rng.normal() * 2 + 1),
        valid: null,
      },
      {
        kind: 'categorical',
        name: 'colour',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, (_, i) => dict.indexOf(value(i))),
        dictionary: dict,
      },
      {
        kind: 'categorical',
        name: 'label',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, (_, i) => ((start + i) % 10 === 9 ? -1 : (start + i) % 2)),
        dictionary: ['even', 'odd'],
      },
    ],
  };
}

describe('StreamEncoder', () => {
  const spec = { label: 'label', features: ['id', 'x', 'colour'] };

  it('encodes by value across chunks with different dictionaries, and splits by file position', () => {
    const chunks = [chunkOf(0, 100, false), chunkOf(100, 50, true), chunkOf(150, 70, false)];
    const enc = new StreamEncoder(chunks[0], spec, split);
    expect(enc.featureNames).toEqual(['id', 'x', 'colour=red', 'colour=green', 'colour=blue']);
    const parts = chunks.map((c) => enc.encode(c));
    let position = 0;
    for (const [k, c] of chunks.entries()) {
      const p = parts[k];
      let r = 0;
      for (let i = 0; i < c.rows; i++, position++) {
        if (position % 10 === 9) continue; // missing label: dropped
        const row = p.x.subarray(r * enc.dim, (r + 1) * enc.dim);
        const colour = ['red', 'green', 'blue'][position % 3];
        expect(Array.from(row.subarray(2))).toEqual(['red', 'green', 'blue'].map((v) => (v === colour ? 1 : 0)));
        expect(p.y[r]).toBe(position % 2);
        const f = rowFraction(split.seed, position);
        expect(p.part[r]).toBe(f < 0.8 ? 0 : f < 0.9 ? 1 : 2);
        r++;
      }
      expect(p.rows).toBe(r);
      expect(p.droppedMissingLabel).toBe(c.rows - r);
    }
  });

  it("standardises with the first chunk's statistics (float64 reference)", () => {
    const first = chunkOf(0, 200, false);
    const enc = new StreamEncoder(first, spec, split);
    const xs = (first.columns[1] as { values: Float64Array }).values;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    const later = chunkOf(200, 20, false);
    const p = enc.encode(first) && enc.encode(later);
    const lx = (later.columns[1] as { values: Float64Array }).values;
    let r = 0;
    for (let i = 0; i < later.rows; i++) {
      if ((200 + i) % 10 === 9) continue;
      expect(p.x[r * enc.dim + 1]).toBeCloseTo((lx[i] - mean) / std, 5);
      r++;
    }
  });

  it('drops rows whose class first appears after the first chunk, and counts them', () => {
    const first = chunkOf(0, 20, false);
    const base = chunkOf(20, 10, false);
    const later: DataTable = {
      ...base,
      columns: [
        ...base.columns.slice(0, 3),
        {
          kind: 'categorical',
          name: 'label',
          type: 'categorical',
          codes: new Int32Array(10).fill(2),
          dictionary: ['even', 'odd', 'new'],
        },
      ],
    };
    const enc = new StreamEncoder(first, spec, split);
    const p = enc.encode(later);
    expect(p.rows).toBe(0);
    expect(p.droppedUnseenClass).toBe(10);
  });
});

describe('a streamed column that changes type between pieces', () => {
  // Two Arrow record batches typed on their own: IDs below 2^53 read as numbers in the first,
  // the second holds IDs past it, kept as their digits (text). Before, the encoder read the
  // text column's missing `values` as NaN and blamed the value's scale, and a text layout
  // given numbers crashed; the statistics skipped the piece in silence.
  const batch = (ids: bigint[], from: number) =>
    new Table({
      id: vectorFromArray(ids, new Int64()),
      x: vectorFromArray(
        ids.map((_, i) => from + i),
        new Float64(),
      ),
      label: vectorFromArray(
        ids.map((_, i) => ((from + i) % 2 ? 'a' : 'b')),
        new Utf8(),
      ),
    }).batches[0];
  const first = batch(
    Array.from({ length: 40 }, (_, i) => BigInt(i * 1000)),
    0,
  );
  const second = batch(
    Array.from({ length: 30 }, (_, i) => 2n ** 53n + BigInt(i)),
    40,
  );

  for (const [label, batches, from] of [
    ['numbers, then text', [first, second], 40],
    ['text, then numbers', [second, first], 30],
  ] as [string, RecordBatch[], number][]) {
    it(`is refused by a run naming the column and the row (${label}), and noted by the statistics`, async () => {
      const bytes = tableToIPC(new Table(batches), 'stream');
      const file = (await openChunked(bytesSource(bytes), 'ids.arrows'))!;
      expect(file.pieces()).toBe(2);
      const [a, b] = [(await file.read(0))!.table, (await file.read(1))!.table];
      expect(a.columns[0].kind).not.toBe(b.columns[0].kind);
      const enc = new StreamEncoder(a, { label: 'label', features: ['id', 'x'] }, split);
      enc.encode(a);
      const refusal = (f: () => unknown): DataError => {
        try {
          f();
        } catch (e) {
          return e as DataError;
        }
        throw new Error('not refused');
      };
      const err = refusal(() => enc.encode(b));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toContain(`column "id" reads as`);
      expect(err.message).toContain(`from row ${from} on`);
      expect(err.message).toContain('load the file whole');
      // The statistics go on (other columns may still train) and say which column changed, and why.
      const stats = new StreamStats();
      stats.add(a);
      stats.add(b);
      expect([...stats.changed]).toEqual([['id', err.message]]);
      expect(stats.rows).toBe(a.rows + b.rows);
      // The digits are named as the reason when the text is the long integers.
      expect(err.message.includes('2^53 - 1')).toBe(b.columns[0].kind === 'categorical');
    });
  }
});

describe('StreamingBatcher', () => {
  it('uses every training row exactly once per epoch while rows arrive, and waits when it must', () => {
    const dim = 1;
    const data = new GrowingRows(dim, 4);
    const total = 1000;
    const chunk = (from: number, n: number) => ({
      rows: n,
      x: Float32Array.from({ length: n }, (_, i) => from + i),
      y: Float32Array.from({ length: n }, (_, i) => from + i),
      part: Uint8Array.from({ length: n }, (_, i) => ((from + i) % 7 === 0 ? 1 : 0)),
      droppedMissingLabel: 0,
      droppedUnseenClass: 0,
    });
    const batchSize = 16;
    const b = new StreamingBatcher(data, { batchSize, epochs: 3, seed: 2, window: 64 });
    const xb = new Float32Array(batchSize);
    const yb = new Float32Array(batchSize);
    const seen: number[][] = [[], [], []];
    let arrived = 0;
    let waits = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const info = b.fill(xb, yb);
      if (info.waiting) {
        waits++;
        const n = Math.min(37, total - arrived);
        data.append(chunk(arrived, n));
        arrived += n;
        if (arrived === total) data.finished = true;
        continue;
      }
      if (info.size === 0) break;
      for (let i = 0; i < info.size; i++) {
        expect(xb[i]).toBe(yb[i]);
        expect(yb[i]).toBeLessThan(arrived); // never a row that has not arrived
        seen[info.epoch].push(yb[i]);
      }
    }
    const train = Array.from({ length: total }, (_, i) => i).filter((i) => i % 7 !== 0);
    expect(waits).toBeGreaterThan(5);
    for (const e of seen) expect([...e].sort((a, c) => a - c)).toEqual(train);
    expect(seen[0]).not.toEqual(train); // shuffled within the window
    expect(seen[1]).not.toEqual(seen[2]);
  });
});

describe('WindowBatcher (a file read again each epoch, rows not kept)', () => {
  const chunk = (ids: number[]) => ({
    rows: ids.length,
    x: Float32Array.from(ids),
    y: Float32Array.from(ids),
    part: Uint8Array.from(ids, (i) => (i % 7 === 0 ? 1 : 0)),
    droppedMissingLabel: 0,
    droppedUnseenClass: 0,
  });

  it('uses every training row exactly once per epoch, marks the last batch, and holds a bounded backlog', () => {
    const total = 1000;
    const epochs = 3;
    const batchSize = 16;
    const b = new WindowBatcher(1, { batchSize, epochs, seed: 2, window: 64 });
    // Each epoch's pieces of 37 rows in its own order; the producer runs ahead into the next epoch.
    const rng = new Rng(9);
    const pieces = Array.from({ length: Math.ceil(total / 37) }, (_, k) =>
      Array.from({ length: Math.min(37, total - 37 * k) }, (_, i) => 37 * k + i),
    );
    const queue: { epoch: number; ids: number[] | null }[] = [];
    for (let e = 0; e < epochs; e++) {
      for (const k of e === 0 ? pieces.keys() : rng.shuffle(Int32Array.from(pieces.keys())))
        queue.push({ epoch: e, ids: pieces[k] });
      queue.push({ epoch: e, ids: null });
    }
    const xb = new Float32Array(batchSize);
    const yb = new Float32Array(batchSize);
    const seen: number[][] = Array.from({ length: epochs }, () => []);
    const lasts: number[] = [];
    let maxBacklog = 0;
    for (let guard = 0; guard < 100_000; guard++) {
      // The producer pushes while the backlog is under a window (as the data worker does).
      while (queue.length && b.backlog < b.window) {
        const { epoch, ids } = queue.shift()!;
        if (ids) b.push(chunk(ids), epoch);
        else b.endPass(epoch);
      }
      maxBacklog = Math.max(maxBacklog, b.backlog);
      const info = b.fill(xb, yb);
      if (info.waiting) {
        expect(queue.length).toBeGreaterThan(0);
        continue;
      }
      if (info.size === 0) break;
      if (!info.lastInEpoch) expect(info.size).toBe(batchSize);
      for (let i = 0; i < info.size; i++) seen[info.epoch].push(yb[i]);
      if (info.lastInEpoch) lasts.push(info.epoch);
    }
    const train = Array.from({ length: total }, (_, i) => i).filter((i) => i % 7 !== 0);
    for (const e of seen) expect([...e].sort((a, c) => a - c)).toEqual(train);
    expect(b.served).toEqual([train.length, train.length, train.length]);
    expect(lasts).toEqual([0, 1, 2]);
    expect(maxBacklog).toBeLessThan(64 + 37);
    expect(seen[1]).not.toEqual(seen[2]);
  });

  it('never ends an epoch on an empty batch when the window empties exactly at a batch boundary', () => {
    const b = new WindowBatcher(1, { batchSize: 4, epochs: 2, seed: 1, window: 8 });
    const xb = new Float32Array(4);
    const yb = new Float32Array(4);
    const ids = [1, 2, 3, 4, 5, 6, 8, 9]; // no multiple of 7: all training rows
    b.push(chunk(ids), 0);
    const a = b.fill(xb, yb);
    expect(a).toMatchObject({ size: 4, lastInEpoch: false, waiting: false });
    expect(b.fill(xb, yb)).toMatchObject({ size: 0, waiting: true }); // 4 left: is it the end? not known yet
    b.endPass(0);
    expect(b.fill(xb, yb)).toMatchObject({ size: 4, lastInEpoch: true, epoch: 0 });
  });

  it('lets a waiting producer go when the run stops', async () => {
    const b = new WindowBatcher(1, { batchSize: 4, epochs: 3, seed: 1, window: 8 });
    b.push(chunk([1, 2, 3, 4, 5, 6, 8, 9, 10, 11]), 0);
    let released = false;
    const waiting = b.taken().then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    b.close();
    await waiting;
    expect(released).toBe(true);
    expect(b.backlog).toBe(0);
    await b.taken();
  });
});

describe('RowSample', () => {
  it('keeps a seeded uniform sample of at most cap rows of one part', () => {
    const s = new RowSample(1, 100, 3);
    const ids = Array.from({ length: 10_000 }, (_, i) => i);
    for (let k = 0; k < 100; k++) {
      const part = ids.slice(100 * k, 100 * (k + 1));
      s.add(
        {
          rows: 100,
          x: Float32Array.from(part),
          y: Float32Array.from(part),
          part: Uint8Array.from(part, (i) => (i % 2 ? 1 : 0)),
          droppedMissingLabel: 0,
          droppedUnseenClass: 0,
        },
        1,
      );
    }
    expect(s.rows).toBe(100);
    expect(s.seen).toBe(5000);
    const kept = Array.from(s.y);
    expect(new Set(kept).size).toBe(100);
    expect(kept.every((v) => v % 2 === 1)).toBe(true);
    expect(Array.from(s.x)).toEqual(kept);
    // Spread over the file: each fifth of it holds some of the sample.
    for (let q = 0; q < 5; q++) expect(kept.filter((v) => Math.floor(v / 2000) === q).length).toBeGreaterThan(8);
  });
});
