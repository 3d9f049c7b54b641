/**
 * worker_threads side of bench/ingest.ts: decodes its share of a Parquet file with the same
 * core functions the browser's decode worker and its helper use, and posts the parts back with
 * their buffers transferred. Messages: { id, bytes, info, tasks } (a fixed share) or
 * { id, bytes, info, chunks, claims, side } (chunks claimed from one end) in; { id, parts } or
 * { id, error } out.
 */
import { parentPort } from 'node:worker_threads';
import {
  claim,
  decodeClaimed,
  decodeTasks,
  transferList,
  type ChunkRef,
  type ClaimSide,
  type ParquetFileInfo,
  type PartTask,
} from '../src/core/data/parquet/index';

interface Job {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly info: ParquetFileInfo;
  readonly tasks?: PartTask[];
  readonly chunks?: ChunkRef[];
  readonly claims?: Int32Array;
  readonly side?: ClaimSide;
}

parentPort?.on('message', (job: Job) => {
  try {
    const { claims, side, chunks } = job;
    const parts =
      claims && side && chunks
        ? decodeClaimed(job.bytes, job.info, chunks, () => claim(claims, side))
        : decodeTasks(job.bytes, job.info, job.tasks ?? []);
    parentPort?.postMessage({ id: job.id, parts }, transferList(parts));
  } catch (e) {
    parentPort?.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
