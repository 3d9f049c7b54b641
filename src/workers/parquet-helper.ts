/**
 * The decode worker's Parquet helper: a nested worker (parquet-part.worker.ts) that decodes its
 * share of a file's column chunks, as the decode service sees it (services/decode-service.ts).
 */
import { DataError } from '../core/data/table';
import type { ParquetHelper } from '../services/decode-service';
import type { ParquetPartApi } from '../services/protocol';
import { asPort, RpcClient, WorkerError } from './rpc';

/** Starts the helper worker; null where this scope cannot start workers. */
export function startParquetHelper(): ParquetHelper | null {
  if (typeof Worker === 'undefined') return null;
  try {
    const worker = new Worker(new URL('./parquet-part.worker.ts', import.meta.url), {
      type: 'module',
      name: 'trainbench-parquet-part',
    });
    const client = new RpcClient<ParquetPartApi>(asPort(worker));
    worker.addEventListener('error', () => client.failAll('the Parquet helper worker failed to start'));
    return {
      ready: client.call('ping', {}).catch(() => undefined),
      broken: false,
      // A bad file is the file's error (a DataError), as it would be on one core.
      decode: (job) =>
        client.call('decode', job).catch((e: unknown) => {
          throw e instanceof WorkerError && e.kind === 'DataError' ? new DataError(e.message) : e;
        }),
      terminate: () => worker.terminate(),
    };
  } catch {
    return null;
  }
}
