/**
 * How the CLI reads a data file: checked first (exists, is a regular file, has bytes, fits
 * one read), then read and decoded in a worker thread under a time limit. A decode that runs
 * past the limit is stopped with `worker.terminate()`, which interrupts even a synchronous
 * loop (a damaged file once sent apache-arrow round one forever), and refused as bad input.
 */
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { DataError, type DataTable } from '../core/data/table';

/**
 * The thread loads decode-worker.ts through tsx's API: a worker thread does not get the loader
 * that `tsx` and `node --import tsx` install on the main thread.
 */
const WORKER_SOURCE = `const { workerData } = require('node:worker_threads');
import(workerData.api).then(({ tsImport }) => tsImport(workerData.file, workerData.file));`;
const TSX_API = import.meta.resolve('tsx/esm/api');
const WORKER_FILE = new URL('./decode-worker.ts', import.meta.url).href;

/** Seconds a decode may take unless `--time-limit` says otherwise. */
export const DEFAULT_TIME_LIMIT_S = 120;

/** The most bytes one read of a file can return in Node (2 GiB - 1). */
const MAX_FILE_BYTES = 2 ** 31 - 1;

export interface DecodeRequest {
  path: string;
  name: string;
  /** The HDF5 group to read (`--group`). */
  group?: string;
}

export type DecodeReply =
  | { type: 'ready' }
  | { type: 'table'; table: DataTable; bytes: Uint8Array; decodeMs: number }
  | { type: 'error'; dataError: boolean; message: string; stack: string };

/**
 * A failure that is not the data's fault as far as the code can tell (a bug, or a library's
 * error the readers did not translate). The CLI prints one line without its text; `detail`
 * (the stack) is shown with --debug.
 */
export class InternalError extends Error {
  override readonly name = 'InternalError';
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

export interface Decoded {
  table: DataTable;
  bytes: Uint8Array;
  decodeMs: number;
}

/** Refuses what is not a readable regular file with bytes in it, naming the file. */
export async function checkFile(path: string, o: { anySize?: boolean } = {}): Promise<number> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new DataError(`${path}: is a directory, not a data file`);
    if (!s.isFile()) throw new DataError(`${path}: is not a regular file`);
    size = s.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${path}: no such file (ENOENT)`);
    if (code === 'EACCES' || code === 'EPERM') throw new DataError(`${path}: permission denied (${code})`);
    if (code === 'ENOTDIR') throw new DataError(`${path}: a folder on its path is a file (ENOTDIR)`);
    throw new DataError(`${path}: cannot be read (${code ?? 'unknown error'})`);
  }
  if (size === 0) throw new DataError(`${path}: empty file (0 bytes)`);
  if (size > MAX_FILE_BYTES && !o.anySize)
    throw new DataError(
      `${path}: ${(size / 2 ** 30).toFixed(1)} GiB is more than one read can hold (2 GiB); ` +
        'a Parquet or Arrow file trains with train --stream, read piece by piece',
    );
  return size;
}

/**
 * Reads and decodes `path` in a worker thread; `name` is the table's name (and the name the
 * readers' messages use). Rejects with a DataError (bad file, or past `timeLimitS` seconds of
 * decoding) or an InternalError.
 */
export async function decodeFile(
  path: string,
  name: string,
  timeLimitS = DEFAULT_TIME_LIMIT_S,
  group?: string,
): Promise<Decoded> {
  await checkFile(path);
  // The readers' libraries may write to the console; what they write is not the user's answer.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { api: TSX_API, file: WORKER_FILE },
    stdout: true,
    stderr: true,
  });
  worker.stdout.resume();
  worker.stderr.resume();
  try {
    return await new Promise<Decoded>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        worker.removeAllListeners();
        worker.on('error', () => undefined);
        fn();
      };
      worker.on('message', (reply: DecodeReply) => {
        if (reply.type === 'ready') {
          timer = setTimeout(
            () =>
              settle(() =>
                reject(
                  new DataError(
                    `${path}: decoding took longer than the time limit of ${timeLimitS} s and was stopped ` +
                      `(--time-limit SECONDS sets the limit)`,
                  ),
                ),
              ),
            timeLimitS * 1000,
          );
          worker.postMessage({ path, name, ...(group === undefined ? {} : { group }) } satisfies DecodeRequest);
        } else if (reply.type === 'table') {
          settle(() => resolve(reply));
        } else {
          settle(() => {
            if (!reply.dataError) return reject(new InternalError(`${path}: could not be read`, reply.stack));
            const err = new DataError(reply.message);
            err.stack = reply.stack;
            reject(err);
          });
        }
      });
      worker.on('error', (e: Error & { code?: string }) => {
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
          settle(() => reject(new DataError(`${path}: decoding ran out of memory`)));
        else settle(() => reject(new InternalError(`${path}: could not be read`, e.stack ?? String(e))));
      });
      worker.on('exit', (code) =>
        settle(() =>
          reject(new InternalError(`${path}: could not be read`, `the decode thread exited with code ${code}`)),
        ),
      );
    });
  } finally {
    // Stops a decode still running (past the limit); the thread's memory goes with it.
    void worker.terminate();
  }
}
