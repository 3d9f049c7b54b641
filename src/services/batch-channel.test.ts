/**
 * The trainer's side of a run's batch channel: what it hands the training loop when the data
 * side fails, whether the failure arrives before the loop asks for a batch or while it waits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PortBatchSource } from './batch-channel';
import { DataError } from '../core/data/table';

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
