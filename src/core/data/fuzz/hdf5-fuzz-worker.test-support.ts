/**
 * The HDF5 fuzz child's reading thread: reads each case it is sent with the project's reader and
 * answers with its outcome. It runs in a worker thread so the child can stop it when the HDF5 C
 * library loops on a damaged file, as the workbench stops its decode worker (`hdf5DeadlineMs`).
 */
import { parentPort } from 'node:worker_threads';
import { prepareReader, readTable } from '../read';
import { DataError } from '../table';
import { tableProblems } from './cases';

const port = parentPort!;
port.on('message', async ({ name, bytes }: { name: string; bytes: Uint8Array }) => {
  const t0 = performance.now();
  try {
    await prepareReader(bytes, name);
    const t = readTable(bytes, name);
    const problem = tableProblems(t);
    port.postMessage({ outcome: problem ? 'bad table' : 'table', message: problem, ms: performance.now() - t0 });
  } catch (e) {
    const outcome = e instanceof DataError ? 'DataError' : e instanceof Error ? e.name : typeof e;
    port.postMessage({ outcome, message: e instanceof Error ? e.message : String(e), ms: performance.now() - t0 });
  }
});
port.postMessage({ ready: true });
