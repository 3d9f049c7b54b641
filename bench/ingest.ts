/**
 * Parquet ingest benchmark: Trainbench's reader against hyparquet and parquet-wasm, in one process.
 *
 *   npx tsx bench/ingest.ts [--json] [--reps N] [--anchor-reps N] [--warmup N] [--workers N] [--file PATH]
 *
 * Input: node_modules/vega-datasets/data/flights-3m.parquet (3M rows x 5 columns, ZSTD,
 * dictionary pages, written by Polars), read once into memory (a SharedArrayBuffer, so the
 * workers see it without a copy). Every case starts from those bytes:
 * - trainbench, N workers: footer, planParts, one message per worker_threads worker (started
 *   and warmed before timing, as the browser's data worker is), decodeRowGroups there, parts
 *   transferred back, mergeParts; ends with typed columns and categorical codes.
 * - trainbench, 1 thread: readParquet on the main thread.
 * - hyparquet columnar: parquetRead with onChunk (hyparquet-compressors for ZSTD).
 * - hyparquet rows: parquetReadObjects.
 * - parquet-wasm: readParquet to a wasm Arrow table, then to an apache-arrow JS Table via IPC.
 * `warmup` untimed runs each (default 3: the workers' JIT needs a few runs, as a long-lived
 * data worker has had), then reps (default 5, anchors too unless --anchor-reps); median, min,
 * max in ms. Ratios are anchor median / trainbench median. Progress goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { tableFromIPC } from 'apache-arrow';
import { parquetRead, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { readParquet as wasmReadParquet } from 'parquet-wasm/node';
import type { DataTable } from '../src/core/data/table';
import { mergeParts, planParts, readParquet, readParquetMetadata, type DataTablePart } from '../src/core/data/parquet/index';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const argNum = (flag: string, dflt: number) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const argStr = (flag: string, dflt: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? String(args[i + 1]) : dflt;
};
const REPS = Math.max(5, argNum('--reps', 5));
const ANCHOR_REPS = Math.max(1, argNum('--anchor-reps', REPS));
const WARMUP = Math.max(0, argNum('--warmup', 3));
const WORKERS = Math.max(1, argNum('--workers', Math.min(availableParallelism(), 8)));
const FILE = argStr('--file', 'node_modules/vega-datasets/data/flights-3m.parquet');
const NAME = FILE.split('/').pop() ?? FILE;

const progress = (msg: string) => process.stderr.write(`[ingest] ${msg}\n`);

// The file, once, in shared memory.
const fileBytes = readFileSync(FILE);
const shared = new Uint8Array(new SharedArrayBuffer(fileBytes.length));
shared.set(fileBytes);
const plainCopy = () => fileBytes.buffer.slice(fileBytes.byteOffset, fileBytes.byteOffset + fileBytes.byteLength) as ArrayBuffer;

let sink = 0;
/** A checksum over sampled rows of every column (strings through the dictionary), so no work can be skipped. */
function digest(t: DataTable): number {
  let s = t.rows;
  for (const c of t.columns) {
    for (let i = 0; i < t.rows; i += 997) {
      let v: number;
      if (c.kind === 'categorical') {
        const k = c.codes[i];
        v = k < 0 ? -1 : c.dictionary[k].charCodeAt(0) * 7 + c.dictionary[k].length;
      } else {
        v = c.valid && c.valid[i] === 0 ? -1 : Number(c.values[i]);
      }
      s = (s * 31 + v) % 1e9;
    }
  }
  return s;
}

// --- the worker pool ---
interface Reply {
  readonly id: number;
  readonly parts?: DataTablePart[];
  readonly error?: string;
}
const workerUrl = new URL('./ingest-worker.ts', import.meta.url);
// Workers do not inherit tsx's loader: register it in the worker, then load the TS entry.
const workerBoot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
const pool: Worker[] = [];
let nextId = 0;
function startPool(): Promise<void> {
  for (let i = 0; i < WORKERS; i++) pool.push(new Worker(workerBoot, { eval: true }));
  return Promise.all(pool.map((w) => ask(w, { tasks: [] }))).then(() => undefined);
}
function ask(w: Worker, job: object): Promise<DataTablePart[]> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (r: Reply) => {
      if (r.id !== id) return;
      w.off('message', onMessage);
      if (r.error !== undefined) reject(new Error(r.error));
      else resolve(r.parts ?? []);
    };
    w.on('message', onMessage);
    w.on('error', reject);
    w.postMessage({ id, bytes: shared, info: infoForPool, ...job });
  });
}
let infoForPool = readParquetMetadata(shared, NAME);

async function trainbenchParallel(): Promise<DataTable> {
  const info = readParquetMetadata(shared, NAME);
  infoForPool = info;
  const plan = planParts(info, pool.length);
  const parts = (await Promise.all(plan.map((tasks, i) => ask(pool[i], { tasks })))).flat();
  return mergeParts(parts, info.columns.map((c) => c.name));
}

// --- anchors ---
async function hyparquetColumnar(): Promise<number> {
  let n = 0;
  await parquetRead({
    file: plainCopy(),
    compressors,
    onChunk: (c) => {
      n += c.columnData.length;
    },
  });
  return n;
}

async function hyparquetRows(): Promise<number> {
  const rows = await parquetReadObjects({ file: plainCopy(), compressors });
  return rows.length;
}

function parquetWasm(): number {
  const wasmTable = wasmReadParquet(new Uint8Array(fileBytes));
  const table = tableFromIPC(wasmTable.intoIPCStream());
  return table.numRows;
}

// --- timing ---
interface Result {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: 'ms';
}

async function time(name: string, reps: number, fn: () => Promise<number> | number): Promise<Result> {
  for (let i = 0; i < WARMUP; i++) {
    progress(`${name}: warm-up ${i + 1}/${WARMUP}`);
    sink += await fn();
  }
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    sink += await fn();
    ms.push(performance.now() - t0);
    progress(`${name}: run ${i + 1}/${reps} ${ms[i].toFixed(1)} ms`);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { name, median: round(ms[Math.floor(ms.length / 2)]), min: round(ms[0]), max: round(ms[ms.length - 1]), unit: 'ms' };
}

const t0 = performance.now();
await startPool();
const poolStartMs = Math.round((performance.now() - t0) * 10) / 10;
progress(`${WORKERS} workers started in ${poolStartMs} ms`);

// Both of our paths must give the same table.
const single = readParquet(shared, NAME);
const parallel = await trainbenchParallel();
if (digest(single) !== digest(parallel)) throw new Error('parallel and single-threaded results differ');

const ours = `trainbench, ${WORKERS} workers (bytes -> typed columns + codes)`;
const results: Result[] = [
  await time(ours, REPS, async () => digest(await trainbenchParallel())),
  await time('trainbench, 1 thread (readParquet)', REPS, () => digest(readParquet(shared, NAME))),
  await time('hyparquet 1.33 columnar (parquetRead onChunk)', ANCHOR_REPS, hyparquetColumnar),
  await time('hyparquet 1.33 rows (parquetReadObjects)', ANCHOR_REPS, hyparquetRows),
  await time('parquet-wasm 0.8 readParquet -> apache-arrow Table', ANCHOR_REPS, parquetWasm),
];
await Promise.all(pool.map((w) => w.terminate()));

const base = results[0].median;
const ratio = (r: Result) => Math.round((r.median / base) * 100) / 100;
const ratios: Record<string, number> = {
  'hyparquet columnar / trainbench': ratio(results[2]),
  'hyparquet rows / trainbench': ratio(results[3]),
  'parquet-wasm / trainbench': ratio(results[4]),
  'best anchor / trainbench': Math.min(ratio(results[2]), ratio(results[3]), ratio(results[4])),
  '1 thread / workers': ratio(results[1]),
};
const machine = `${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${arch()}, Node ${process.version}`;

if (asJson) {
  console.log(JSON.stringify({ stage: 'ingest', machine, file: NAME, reps: REPS, anchorReps: ANCHOR_REPS, warmup: WARMUP, workers: WORKERS, poolStartMs, results, ratios, sink }));
} else {
  console.log(`Parquet ingest of ${NAME} (${(fileBytes.length / 1e6).toFixed(1)} MB), ${REPS} reps (anchors ${ANCHOR_REPS}) after ${WARMUP} warm-up runs each, on ${machine}`);
  console.log(`(worker pool of ${WORKERS} started once before timing: ${poolStartMs} ms)`);
  console.log(`${'case'.padEnd(62)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`);
  for (const r of results) console.log(`${r.name.padEnd(62)} ${r.median.toFixed(1).padStart(9)} ${r.min.toFixed(1).padStart(9)} ${r.max.toFixed(1).padStart(9)}  ms`);
  for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(62)} ${v.toFixed(2).padStart(9)}x`);
  console.log(`(sink ${sink})`);
}
