/**
 * Child process of the HDF5 fuzz test: reads seeded cases with the project's reader (h5wasm
 * underneath) and prints one JSON line per case (see `cases.ts`). Sources come from the parent
 * on stdin (JSON: `[{ name, base64 }]`: files h5py and h5wasm wrote, with chunking, gzip,
 * shuffle and Fletcher-32 filters, compound, enum and string datasets, several groups). Seven
 * cases in eight damage one (bit flips, HDF5's object signatures and lengths written over its
 * structures, cuts, inserted and removed chunks); the eighth is a hostile file (a signature and
 * nothing else, a superblock pointing past the end, a file of zeros after its signature...).
 * Raw HDF5 data carries no checksum unless the writer asked for one, so a table that reads is
 * checked for its structure, not its values (the reader's tests compare values against h5py).
 * Each case is read in a worker thread (`hdf5-fuzz-worker.test-support.ts`): the HDF5 C library
 * can loop forever on a damaged file, and nothing stops it from inside, so a read that runs past
 * DEADLINE_MS is stopped as the workbench stops its decode worker (a DataError there, naming the
 * deadline) and a fresh thread takes the next case. Node-only, hence a test-support file.
 *   node --import tsx src/core/data/fuzz/hdf5-fuzz-child.test-support.ts SEED CASES [DUMP] < sources.json
 */
import { Worker } from 'node:worker_threads';
import { Rng } from '../rng';
import type { CaseLine, FuzzCase } from './cases';
import { mutateBytes } from './mutate';

/** A read still running after this long is stopped (the workbench's deadline is 15 s and up). */
const DEADLINE_MS = 5_000;

const [seed, cases, dump] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);
const sources = await (async () => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; base64: string }[];
  return list.map((s) => ({ name: s.name, bytes: new Uint8Array(Buffer.from(s.base64, 'base64')) }));
})();

const enc = new TextEncoder();
const SIGNATURE = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a);
/** Byte strings HDF5 gives meaning to: object signatures, undefined addresses, huge lengths, versions. */
const SPECIAL = [
  ...['OHDR', 'OCHK', 'TREE', 'HEAP', 'SNOD', 'GCOL', 'FRHP', 'FHDB', 'BTHD', 'BTLF', 'FSHD', 'FSSE', 'EAHD'].map((s) =>
    enc.encode(s),
  ),
  SIGNATURE,
  new Uint8Array(8).fill(0xff),
  Uint8Array.of(0xff, 0xff, 0xff, 0x7f),
  Uint8Array.of(0, 0, 0, 0x80, 0, 0, 0, 0),
  new Uint8Array(8),
  Uint8Array.of(0),
  Uint8Array.of(1),
  Uint8Array.of(2),
  Uint8Array.of(3),
  Uint8Array.of(0x7f),
];

const HOSTILE: ((s: FuzzCase) => Uint8Array)[] = [
  () => SIGNATURE.slice(),
  () => Uint8Array.from([...SIGNATURE, ...new Uint8Array(4096)]),
  () => Uint8Array.from([...SIGNATURE, ...Array.from({ length: 4096 }, () => rng.int(256))]),
  // A real superblock, then the rest of the file gone or zeroed.
  (s) => s.bytes.slice(0, 96 + rng.int(200)),
  (s) => Uint8Array.from(s.bytes, (b, i) => (i < 96 ? b : 0)),
  // The file twice (its addresses point into the first copy), or behind a user block of 512 bytes.
  (s) => Uint8Array.from([...s.bytes, ...s.bytes]),
  (s) => Uint8Array.from([...new Uint8Array(512), ...s.bytes]),
];

const make = (i: number): FuzzCase => {
  const src = sources[rng.int(sources.length)];
  if (i % 8 === 7) return { name: src.name, bytes: HOSTILE[(i >> 3) % HOSTILE.length](src) };
  return { name: src.name, bytes: mutateBytes(rng, src.bytes, SPECIAL) };
};

const WORKER_SOURCE = `const { workerData } = require('node:worker_threads');
import(workerData.api).then(({ tsImport }) => tsImport(workerData.file, workerData.file));`;

/** A reading thread, started and ready. */
function startWorker(): Promise<Worker> {
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      api: import.meta.resolve('tsx/esm/api'),
      file: new URL('./hdf5-fuzz-worker.test-support.ts', import.meta.url).href,
    },
    stderr: true,
  });
  w.stderr.resume(); // the HDF5 library's diagnostics
  return new Promise((resolve, reject) => {
    w.once('message', () => resolve(w));
    w.once('error', reject);
  });
}

let worker = await startWorker();
for (let i = 0; i < cases; i++) {
  const c = make(i);
  if (dump !== undefined && !Number.isNaN(dump)) {
    if (dump !== i) continue;
    process.stdout.write(Buffer.from(c.bytes).toString('base64'));
    break;
  }
  const t0 = performance.now();
  const reply = await new Promise<{ outcome: string; message: string; ms: number }>((resolve) => {
    const timer = setTimeout(() => {
      worker.removeAllListeners('message');
      void worker.terminate();
      resolve({
        outcome: 'DataError',
        message: `${c.name}: stopped at the deadline (${DEADLINE_MS} ms): the HDF5 library was looping`,
        ms: performance.now() - t0,
      });
    }, DEADLINE_MS);
    worker.once('message', (m: { outcome: string; message: string; ms: number }) => {
      clearTimeout(timer);
      resolve(m);
    });
    worker.postMessage({ name: c.name, bytes: c.bytes });
  });
  if (reply.message.startsWith(`${c.name}: stopped at the deadline`)) worker = await startWorker();
  const line: CaseLine = {
    i,
    outcome: reply.outcome,
    message: reply.message.slice(0, 2000),
    bytes: c.bytes.length,
    // A stopped read is not a hang of the reader's own: the deadline is what ended it.
    ms: Math.round(Math.min(reply.ms, DEADLINE_MS)),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
await worker.terminate();
