/**
 * The data service on a thread of its own, as the browser runs it (its data worker): the
 * batch-preparation bench (bench/prepare.ts, `bench/gpu.ts --only=prepare`) measures the data
 * wait both ways. In one thread the data side fills its batches only when the trainer's loop
 * yields, so every fill is wait; with a thread of its own it fills while the trainer steps.
 *
 * The thread runs the same module file as its caller (`entry`, the bundle on the GPU machine or
 * the .ts file through tsx), which must call `serveDataThread()` first and return at once when
 * it answers true. Calls travel over a MessagePort through the workers' RPC layer
 * (src/workers/rpc.ts), the run's batch port inside them, as in the browser.
 */
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { createDataService } from '../src/services/data-service';
import type { DataApi } from '../src/services/protocol';
import type { ServiceClient } from '../src/services/run-pipeline';
import { RpcClient, serve, type PortLike } from '../src/workers/rpc';

const MARK = 'trainbench-data-thread';
let served = false;

/** In a data thread started by `dataThread`: serves the data service (once) and answers true. */
export function serveDataThread(): boolean {
  const data = workerData as { mark?: string; port?: MessagePort } | null;
  if (isMainThread || data?.mark !== MARK || !data.port) return false;
  if (served) return true;
  served = true;
  serve<DataApi>(data.port as unknown as PortLike, createDataService());
  data.port.start();
  return true;
}

/** Starts the data service on its own thread (running `entry`); `close` ends the thread. */
export function dataThread(entry: URL): { client: ServiceClient<DataApi>; close: () => Promise<void> } {
  const { port1, port2 } = new MessageChannel();
  const options = {
    workerData: { mark: MARK, port: port2 },
    transferList: [port2 as unknown as import('node:worker_threads').MessagePort],
  };
  // A .ts file (bench/prepare.ts run by tsx) needs tsx's loader registered in the thread first.
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`,
        { ...options, eval: true },
      )
    : new Worker(entry, options);
  worker.unref();
  const client = new RpcClient<DataApi>(port1 as unknown as PortLike);
  return {
    client,
    close: async () => {
      client.dispose();
      port1.close();
      await worker.terminate();
    },
  };
}
