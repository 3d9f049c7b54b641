/**
 * The CLI's decode thread (see decode.ts): reads one file, decodes it with the readers the
 * workbench uses, and transfers the table's typed arrays and the file's bytes back. It says
 * `ready` once its modules are loaded, so the time limit counts the decode, not start-up.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { prepareReader, readTable } from '../core/data/read';
import { tableBuffers } from '../core/data/table-codec';
import { DataError } from '../core/data/table';
import type { DecodeReply, DecodeRequest } from './decode';

const port = parentPort!;

port.on('message', async ({ path, name, group }: DecodeRequest) => {
  const t0 = performance.now();
  let reply: DecodeReply;
  let transfer: ArrayBuffer[] = [];
  try {
    // A copy into an ArrayBuffer of its own: a small file's Buffer can sit in Node's shared pool.
    const bytes = new Uint8Array(readFileSync(path));
    await prepareReader(bytes, name);
    const table = readTable(bytes, name, group === undefined ? undefined : { group });
    transfer = [...new Set([...tableBuffers(table), bytes.buffer])];
    reply = { type: 'table', table, bytes, decodeMs: performance.now() - t0 };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = { type: 'error', dataError: e instanceof DataError, message: err.message, stack: err.stack ?? err.message };
  }
  port.postMessage(reply, transfer);
});

port.postMessage({ type: 'ready' } satisfies DecodeReply);
