/**
 * What a worker runs: decode its share of a file (tasks from planParts) and list the buffers to
 * transfer back. Protocol-free, so the browser data worker and Node worker_threads share it.
 */
import type { Column } from '../table';
import { decodeRowGroups, type DataTablePart } from './part';
import type { PartTask } from './plan';
import type { ParquetFileInfo } from './types';

/** Decodes each task into a part. */
export function decodeTasks(bytes: Uint8Array, info: ParquetFileInfo, tasks: readonly PartTask[]): DataTablePart[] {
  return tasks.map((t) => decodeRowGroups(bytes, info, t.rowGroups, t.columns));
}

function buffersOf(c: Column): ArrayBufferLike[] {
  if (c.kind === 'categorical') return [c.codes.buffer];
  return c.valid ? [c.values.buffer, c.valid.buffer] : [c.values.buffer];
}

/** The ArrayBuffers behind the parts' columns, for postMessage's transfer list (each listed once). */
export function transferList(parts: readonly DataTablePart[]): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const p of parts) {
    for (const c of p.columns) {
      for (const b of buffersOf(c.column)) if (b instanceof ArrayBuffer) set.add(b);
    }
  }
  return [...set];
}
