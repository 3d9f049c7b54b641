import { afterEach, describe, expect, it } from 'vitest';
import { asPort, RpcClient, serve, WorkerError } from './rpc';
import { transfer, transferredValue, unwrap } from '../services/transfer';

type Api = {
  add: { args: { a: number; b: number }; result: number };
  fail: { args: { why: string }; result: never };
  fill: { args: { buffer: ArrayBuffer }; result: Float32Array };
  slow: { args: { ms: number; tag: string }; result: string };
};

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function pair() {
  const ch = new MessageChannel();
  channels.push(ch);
  const events: unknown[] = [];
  const emit = serve<Api>(asPort(ch.port2), {
    add: ({ a, b }) => a + b,
    fail: ({ why }) => {
      const e = new Error(why);
      e.name = 'DataError';
      throw e;
    },
    fill: ({ buffer }) => {
      const f = new Float32Array(buffer).fill(7);
      return transfer(f, [f.buffer]);
    },
    slow: async ({ ms, tag }) => {
      await new Promise((r) => setTimeout(r, ms));
      return tag;
    },
  });
  const client = new RpcClient<Api, { n: number }>(asPort(ch.port1));
  client.onEvent((e) => events.push(e));
  return { client, emit, events, port: ch.port1 };
}

describe('rpc', () => {
  it('round-trips calls and matches replies to calls out of order', async () => {
    const { client } = pair();
    expect(await client.call('add', { a: 2, b: 40 })).toBe(42);
    const [a, b] = await Promise.all([
      client.call('slow', { ms: 30, tag: 'first' }),
      client.call('slow', { ms: 1, tag: 'second' }),
    ]);
    expect([a, b]).toEqual(['first', 'second']);
    expect(client.pendingCalls).toBe(0);
  });

  it(
    'hands a port over: a disposed client fails its pending calls and hears nothing more; a new ' + 'one takes over',
    async () => {
      const { client, emit, events, port } = pair();
      const pending = client.call('slow', { ms: 20, tag: 'late' });
      client.dispose();
      await expect(pending).rejects.toThrow('handed over');
      const next = new RpcClient<Api, { n: number }>(asPort(port));
      const seen: unknown[] = [];
      next.onEvent((e) => seen.push(e));
      expect(await next.call('add', { a: 1, b: 2 })).toBe(3);
      emit({ n: 5 });
      await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual([{ n: 5 }]);
      expect(events).toEqual([]);
    },
  );

  it('rejects with the worker error message and its kind', async () => {
    const { client } = pair();
    const err = await client.call('fail', { why: 'flights.parquet: corrupt footer' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).message).toBe('flights.parquet: corrupt footer');
    expect((err as WorkerError).kind).toBe('DataError');
  });

  it('refuses an unknown method', async () => {
    const { client } = pair();
    await expect(
      (client as unknown as RpcClient<{ nope: { args: null; result: null } }>).call('nope', null),
    ).rejects.toThrow('unknown method "nope"');
  });

  it('transfers buffers both ways instead of copying them', async () => {
    const { client } = pair();
    const buffer = new ArrayBuffer(16);
    const result = await client.call('fill', transfer({ buffer }, [buffer]));
    expect(buffer.byteLength).toBe(0); // detached: it moved
    expect(Array.from(result)).toEqual([7, 7, 7, 7]);
  });

  it('delivers events and fails pending calls when the worker dies', async () => {
    const { client, emit, events } = pair();
    emit({ n: 1 });
    emit({ n: 2 });
    await client.call('add', { a: 0, b: 0 });
    expect(events).toEqual([{ n: 1 }, { n: 2 }]);
    const pending = client.call('slow', { ms: 1000, tag: 'never' });
    client.failAll('the data worker crashed');
    await expect(pending).rejects.toThrow('the data worker crashed');
  });

  it('unwraps a value marked for transfer, and passes any other value through with no transfer list', () => {
    const buffer = new ArrayBuffer(8);
    const marked = transfer({ rows: 3 }, [buffer]);
    expect(unwrap(marked)).toEqual({ value: { rows: 3 }, transfer: [buffer] });
    expect(transferredValue(marked)).toEqual({ rows: 3 });
    const lookalike = { __transfer: 'yes', value: 1, transfer: [] };
    for (const plain of [null, undefined, 0, 'x', [1, 2], { value: 1 }, lookalike]) {
      expect(unwrap<unknown>(plain)).toEqual({ value: plain, transfer: [] });
      expect(transferredValue<unknown>(plain)).toBe(plain);
    }
  });
});
