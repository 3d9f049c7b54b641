/**
 * Parquet ingest benchmark: Trainbench's reader against hyparquet and parquet-wasm, in one process.
 *
 *   npx tsx bench/ingest.ts [--json] [--reps N] [--anchor-reps N] [--warmup N] [--workers N] [--file PATH]
 *
 * Input: node_modules/vega-datasets/data/flights-3m.parquet (3M rows x 5 columns, ZSTD,
 * dictionary pages, written by Polars), read once into memory (a SharedArrayBuffer, so the
 * workers see it without a copy). Every case starts from those bytes:
 * - trainbench, N workers: footer, one message per worker_threads worker (started and warmed
 *   before timing, as the browser's data worker is); with two workers they claim column chunks
 *   from the two ends of one list until they meet (claims.ts), with more each gets a fixed
 *   share (planParts); parts transferred back, mergeParts; ends with typed columns and
 *   categorical codes.
 * - trainbench, 1 thread: readParquet on the main thread.
 * - hyparquet columnar: parquetRead with onChunk (hyparquet-compressors for ZSTD).
 * - hyparquet rows: parquetReadObjects.
 * - parquet-wasm: readParquet to a wasm Arrow table, then to an apache-arrow JS Table via IPC
 *   (the anchor as issue 3 names it: int64 stays BigInt, strings stay UTF-8 bytes).
 * - parquet-wasm + conversion: the same, then what a user does to train on it: BigInt64 to
 *   Float64Array, strings to codes through a Map (the same output as ours).
 * Each case runs in its own block: `warmup` untimed runs (default 5: the workers' JIT needs a
 * few runs, as a long-lived data worker has had), then reps (default 5, anchors too unless
 * --anchor-reps); median, min, max in ms. Order: ours, parquet-wasm, hyparquet columnar, hyparquet
 * rows (least garbage first; see timeAll). Ratios are anchor median /
 * trainbench median. The load average is printed next to the machine. Progress goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { machineLine, summarise, type Result } from './harness';
import { Worker } from 'node:worker_threads';
import { tableFromIPC } from 'apache-arrow';
import { parquetRead, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { readParquet as wasmReadParquet } from 'parquet-wasm/node';
import type { DataTable } from '../src/core/data/table';
import {
  chunkOrder,
  createClaims,
  mergeParts,
  planParts,
  readParquet,
  readParquetMetadata,
  type DataTablePart,
} from '../src/core/data/parquet/index';

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
const WARMUP = Math.max(0, argNum('--warmup', 5));
const WORKERS = Math.max(1, argNum('--workers', Math.min(availableParallelism(), 8)));
const FILE = argStr('--file', 'node_modules/vega-datasets/data/flights-3m.parquet');
const NAME = FILE.split('/').pop() ?? FILE;

const progress = (msg: string) => process.stderr.write(`[ingest] ${msg}\n`);

// The file, once, in shared memory.
const fileBytes = readFileSync(FILE);
const shared = new Uint8Array(new SharedArrayBuffer(fileBytes.length));
shared.set(fileBytes);
const plainCopy = () =>
  fileBytes.buffer.slice(fileBytes.byteOffset, fileBytes.byteOffset + fileBytes.byteLength) as ArrayBuffer;

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
const workerBoot =
  `import('tsx/esm/api').then((tsx) => { tsx.register(); ` + `return import(${JSON.stringify(workerUrl.href)}); });`;
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

/**
 * Two workers claim column chunks from the two ends of one list until they meet (what the
 * browser's decode worker and its helper do); other pool sizes get fixed shares (planParts).
 */
async function trainbenchParallel(): Promise<DataTable> {
  const info = readParquetMetadata(shared, NAME);
  infoForPool = info;
  let jobs: object[];
  if (pool.length === 2) {
    const chunks = chunkOrder(info);
    const claims = createClaims(chunks.length);
    jobs = (['front', 'back'] as const).map((side) => ({ chunks, claims, side }));
  } else {
    jobs = planParts(info, pool.length).map((tasks) => ({ tasks }));
  }
  const parts = (await Promise.all(jobs.map((job, i) => ask(pool[i], job)))).flat();
  return mergeParts(
    parts,
    info.columns.map((c) => c.name),
  );
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

function parquetWasmTable() {
  const wasmTable = wasmReadParquet(new Uint8Array(fileBytes));
  return tableFromIPC(wasmTable.intoIPCStream());
}

function parquetWasm(): number {
  return parquetWasmTable().numRows;
}

/**
 * What a user of parquet-wasm does next to get training columns: 64-bit integers to
 * Float64Array (timestamps to ms), strings to dictionary codes through a Map.
 */
function parquetWasmToColumns(): number {
  const table = parquetWasmTable();
  let n = 0;
  for (const field of table.schema.fields) {
    const col = table.getChild(field.name);
    if (!col) continue;
    const arr = col.toArray() as ArrayLike<unknown>;
    if (arr instanceof BigInt64Array) {
      const scale = String(field.type).includes('MICRO') ? 1e3 : 1;
      const out = new Float64Array(arr.length);
      for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i]) / scale;
      n += out.length;
    } else {
      const codes = new Int32Array(arr.length);
      const dict = new Map<unknown, number>();
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        let k = dict.get(v);
        if (k === undefined) dict.set(v, (k = dict.size));
        codes[i] = v === null ? -1 : k;
      }
      n += codes.length + dict.size;
    }
  }
  return n;
}

// --- timing ---

interface Case {
  readonly name: string;
  readonly reps: number;
  readonly run: () => Promise<number> | number;
}

/**
 * Each case in its own block: its warm-up runs, then its timed runs. Blocks rather than rounds
 * across the cases: an anchor that leaves hundreds of megabytes of garbage (hyparquet's row
 * objects) would otherwise have V8 sweep and mark it on helper threads during the next case's
 * runs, which on a two-core machine slows that case (our two workers most: 65 ms alone,
 * 100-150 ms interleaved). The cases run in order of the garbage they leave, least first, so
 * that no case runs after a heavier one. (A forced collection before each run is no cure: it
 * resets V8's heap sizing, and the next run pays for growing it again, 50 % on ours.)
 */
async function timeAll(cases: readonly Case[]): Promise<Result[]> {
  const results: Result[] = [];
  for (const c of cases) {
    for (let i = 0; i < WARMUP; i++) {
      progress(`${c.name}: warm-up ${i + 1}/${WARMUP}`);
      sink += await c.run();
    }
    const ms: number[] = [];
    for (let r = 0; r < c.reps; r++) {
      const t0 = performance.now();
      sink += await c.run();
      ms.push(performance.now() - t0);
      progress(`${c.name}: run ${r + 1}/${c.reps}: ${ms[r].toFixed(1)} ms`);
    }
    results.push(summarise(c.name, ms));
  }
  return results;
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
const results = await timeAll([
  { name: ours, reps: REPS, run: async () => digest(await trainbenchParallel()) },
  { name: 'trainbench, 1 thread (readParquet)', reps: REPS, run: () => digest(readParquet(shared, NAME)) },
  { name: 'parquet-wasm 0.8 readParquet -> apache-arrow Table', reps: ANCHOR_REPS, run: parquetWasm },
  { name: 'parquet-wasm 0.8 -> Arrow -> typed columns + codes', reps: ANCHOR_REPS, run: parquetWasmToColumns },
  { name: 'hyparquet 1.33 columnar (parquetRead onChunk)', reps: ANCHOR_REPS, run: hyparquetColumnar },
  { name: 'hyparquet 1.33 rows (parquetReadObjects)', reps: ANCHOR_REPS, run: hyparquetRows },
]);
await Promise.all(pool.map((w) => w.terminate()));

const base = results[0].median;
const named = (prefix: string) => results.find((r) => r.name.startsWith(prefix))!;
const ratio = (r: Result) => Math.round((r.median / base) * 100) / 100;
const ratios: Record<string, number> = {
  'hyparquet columnar / trainbench': ratio(named('hyparquet 1.33 columnar')),
  'hyparquet rows / trainbench': ratio(named('hyparquet 1.33 rows')),
  'parquet-wasm / trainbench': ratio(named('parquet-wasm 0.8 readParquet')),
  'parquet-wasm + conversion / trainbench': ratio(named('parquet-wasm 0.8 -> Arrow')),
  'best anchor / trainbench': Math.min(...results.slice(2).map(ratio)),
  '1 thread / workers': ratio(results[1]),
};
const machine = `${machineLine()}, load average ${loadavg()[0].toFixed(1)} at the end`;

if (asJson) {
  console.log(
    JSON.stringify({
      stage: 'ingest',
      machine,
      file: NAME,
      reps: REPS,
      anchorReps: ANCHOR_REPS,
      warmup: WARMUP,
      workers: WORKERS,
      poolStartMs,
      results,
      ratios,
      sink,
    }),
  );
} else {
  console.log(
    `Parquet ingest of ${NAME} (${(fileBytes.length / 1e6).toFixed(1)} MB), ${REPS} reps ` +
      `(anchors ${ANCHOR_REPS}) after ${WARMUP} warm-up runs each, on ${machine}`,
  );
  console.log(`(worker pool of ${WORKERS} started once before timing: ${poolStartMs} ms)`);
  console.log(`${'case'.padEnd(62)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`);
  for (const r of results)
    console.log(
      `${r.name.padEnd(62)} ${r.median.toFixed(1).padStart(9)} ${r.min.toFixed(1).padStart(9)} ${r.max.toFixed(1).padStart(9)}  ms`,
    );
  for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(62)} ${v.toFixed(2).padStart(9)}x`);
  console.log(`(sink ${sink})`);
}
