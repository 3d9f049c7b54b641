/**
 * worker_threads side of bench/ingest.ts: decodes its share of a Parquet file with the same
 * core functions the browser data worker uses, and posts the parts back with their buffers
 * transferred. Messages: { id, bytes, info, tasks } in; { id, parts } or { id, error } out.
 */
import { parentPort } from 'node:worker_threads';
import { decodeTasks, transferList, type ParquetFileInfo, type PartTask } from '../src/core/data/parquet/index';

interface Job {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly info: ParquetFileInfo;
  readonly tasks: PartTask[];
}

parentPort?.on('message', (job: Job) => {
  try {
    const parts = decodeTasks(job.bytes, job.info, job.tasks);
    parentPort?.postMessage({ id: job.id, parts }, transferList(parts));
  } catch (e) {
    parentPort?.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
