/**
 * The trainer's side of a run's batch channel: what it hands the training loop when the data
 * side fails, whether the failure arrives before the loop asks for a batch or while it waits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrefetchBytes, PortBatchSource, serveBatches } from './batch-channel';
import { ConfigError } from '../core/errors';
import { Batcher } from '../core/data/batcher';
import { iota } from '../core/data/rng';
import { DataError } from '../core/data/table';
import { stubEngine } from '../core/train/test-engine';
import { DEFAULT_SETTINGS, makeRunConfig } from '../core/train/run-config';
import { READ_EVERY, train, type BatchSource } from '../core/train/trainer';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function source() {
  const ch = new MessageChannel();
  channels.push(ch);
  return { source: new PortBatchSource(ch.port1), data: ch.port2 };
}

describe('PortBatchSource', () => {
  it("fails the batch the loop waits for with a DataError carrying the data side's message", async () => {
    const { source: s, data } = source();
    const next = s.next();
    data.postMessage({ type: 'error', message: 'flights.csv: line 12 has 3 fields, the header 4' });
    const err = await next.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe('flights.csv: line 12 has 3 fields, the header 4');
  });

  it('fails every later request the same way once failed, keeping the first reason', async () => {
    const { source: s } = source();
    s.fail('the data worker stopped unexpectedly');
    s.fail('a second reason');
    await expect(s.next()).rejects.toThrow(new DataError('the data worker stopped unexpectedly'));
    await expect(s.next()).rejects.toBeInstanceOf(DataError);
  });
});

describe('the default prefetch depth against the loop that drains it', () => {
  /**
   * The trainer's loop over a real channel, the data side in this thread (as the CLI runs it): it
   * takes batches without yielding between two reads of the losses (every READ_EVERY steps; the
   * fake engine's read waits as a GPU's would), so the batches it recycled arrive only at a read.
   * Counted: the steps that found no batch queued, after the first read.
   */
  async function emptyTakes(depth: number): Promise<number> {
    const ch = new MessageChannel();
    channels.push(ch);
    const dim = 3;
    const batchSize = 8;
    const batcher = new Batcher({
      x: Float32Array.from({ length: 400 * dim }, (_, i) => i),
      y: new Float32Array(400),
      dim,
      rows: iota(400),
      batchSize,
      epochs: 4,
      seed: 1,
    });
    const server = serveBatches(ch.port2, batcher, dim, batchSize, depth);
    const port = new PortBatchSource(ch.port1);
    let step = 0;
    let empty = 0;
    const source: BatchSource = {
      next: () => {
        if (step++ > READ_EVERY && port.queued === 0) empty++;
        return port.next();
      },
      recycle: (b) => port.recycle(b),
    };
    const engine = stubEngine({ readDelayMs: 5 });
    const config = makeRunConfig(
      { ...DEFAULT_SETTINGS, batchSize, epochs: 4, backend: 'cpu', prefetch: depth },
      {
        fingerprint: 'f',
        name: 'x.csv',
        rows: 400,
        label: 'y',
        features: ['x'],
        dedup: 'none',
        split: { train: 1, val: 0, test: 0, seed: 1 },
      },
    );
    const summary = await train(
      config,
      { task: 'regression', dim, outputs: 1, val: null },
      source,
      () => engine,
      { onSteps: () => undefined, onEpoch: () => undefined, shouldStop: () => false, waitWhilePaused: async () => {} },
      { flushMs: 0 },
    );
    server.stop();
    expect(summary.status).toBe('done');
    // Every batch of the 4 epochs was trained: the channel lost none.
    expect(step).toBe(4 * (400 / batchSize) + 1);
    return empty;
  }

  it('is above the reads: the queue never runs dry between two reads of the losses', async () => {
    expect(DEFAULT_SETTINGS.prefetch).toBeGreaterThan(READ_EVERY);
    expect(await emptyTakes(DEFAULT_SETTINGS.prefetch)).toBe(0);
    // The depth of before (4): dry every few steps, each a wait for the data side.
    expect(await emptyTakes(4)).toBeGreaterThan(5 * READ_EVERY);
  });
});

describe('the batch buffers a prefetch depth holds', () => {
  it('refuses, before allocating, a depth whose buffers pass 1 GiB, naming prefetch and the depth that fits', () => {
    // Batch 65536 of 1000 inputs: x 65536 x 1000 floats and y 65536 floats, 4 bytes each.
    const one = 4 * 65536 * 1001;
    expect(one * 4).toBeLessThanOrEqual(2 ** 30);
    expect(one * 5).toBeGreaterThan(2 ** 30);
    expect(() => checkPrefetchBytes(4, 65536, 1000)).not.toThrow();
    expect(() => checkPrefetchBytes(12, 65536, 1000)).toThrow(
      new ConfigError(
        'prefetch',
        '12 batch buffers of 250.3 MB each (batch 65536 x 1000 inputs) are 3003.0 MB, more than the 1024.0 MB ' +
          'the data side may hold (set prefetch to 4 or less, or a smaller batch)',
      ),
    );
    // One buffer alone too large: the batch is what to change. The teacher's logits count too.
    expect(() => checkPrefetchBytes(1, 1 << 20, 300)).toThrow(/\(set a smaller batchSize\)$/);
    expect(() => checkPrefetchBytes(4, 65536, 1000, 100)).toThrow(/set prefetch to 3 or less/);
    // serveBatches refuses before it fills (or allocates) anything.
    const ch = new MessageChannel();
    channels.push(ch);
    let filled = 0;
    const filler = {
      fill: () => {
        filled++;
        return { size: 0, epoch: 0, index: 0, lastInEpoch: true };
      },
    };
    expect(() => serveBatches(ch.port2, filler, 1000, 1 << 20, 12)).toThrow(ConfigError);
    expect(filled).toBe(0);
    // The default depth at a large MNIST-sized batch holds well under the limit.
    expect(() => checkPrefetchBytes(DEFAULT_SETTINGS.prefetch, 4096, 784)).not.toThrow();
  });
});
