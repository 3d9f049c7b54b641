/**
 * Index benchmark: Trainbench's KD-tree, row hashes, hash index and Bloom filter against the
 * libraries a user would pick instead, in one process.
 *
 *   npx tsx bench/index.ts [--json] [--reps N] [--seeded-rows]
 *
 * Cases (seeded data; one warm-up, then N >= 5 reps; median, min, max):
 * - 2-D, 1M uniform points: build vs kdbush 4.1 (Float64 coords, its default); 10k k-NN
 *   (k = 10) vs static-kdtree 1.0 `knn`; 10k radius queries (withinBatch; `within` one query a
 *   call is shown too) vs kdbush `within` (which neither sorts nor returns distances).
 * - 16-D, 200k points uniform in the unit cube: exact k-NN (k = 10) per query vs a tight
 *   brute-force scan of the same Float32Array and vs static-kdtree (4 queries a rep: ~80 ms each);
 *   also each walk pinned, the scan walk (a brute-force pass through the SIMD filter), and
 *   the adaptive walk with the SIMD filter off (scalar JS).
 * - 16-D, 200k points in 40 Gaussian clusters (sd 0.03), queries from the same clusters:
 *   the same against brute force.
 * - Rows: flights-3m.parquet read with the project's reader (5 columns), or, with
 *   --seeded-rows or when the file cannot be read, 3M seeded rows x 5 columns with 30 %
 *   copies. Bloom: hash the typed rows and add them (M rows/s) vs bloom-filters 3.0.4
 *   `add` of prebuilt row strings (string building not timed). Exact dedup: hashRows +
 *   HashIndex + duplicates() vs a JS Set of row strings.
 * Ratios are anchor / trainbench (above 1: trainbench faster). Progress goes to stderr.
 *
 * Each section (2-D, 16-D, rows) runs in its own Node process, one after another, and the
 * parent merges what they print: the garbage one section leaves (static-kdtree's arrays of
 * 1M points, the Set's 3M strings) would otherwise be collected during the next section's
 * timed runs (it took the Bloom case from 23 to 15 M rows/s). `--section 2d|16d|rows` runs one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineLine, type Result } from './harness';
import bloomFilters from 'bloom-filters';
import KDBush from 'kdbush';
import createKDTree from 'static-kdtree';
import { Rng } from '../src/core/data/rng';
import type { Column } from '../src/core/data/table';
import { BloomFilter } from '../src/core/index/bloom';
import { bloomDedup } from '../src/core/index/bloom-dedup';
import { HashIndex } from '../src/core/index/hash-index';
import { KdTree, Walk } from '../src/core/index/kdtree';
import { hashRows } from '../src/core/index/row-hash';

// bloom-filters is CommonJS: its named exports hang off the default import under Node's ESM.
const AnchorBloom = bloomFilters.BloomFilter;

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const argNum = (flag: string, dflt: number) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REPS = Math.max(5, argNum('--reps', 5));
const progress = (msg: string) => process.stderr.write(`[index] ${msg}\n`);

let sink = 0;

/** Times fn (one warm-up, then reps); `per` divides each time (ms per query), or `rate` turns it into M items/s. */
function time(name: string, fn: () => number, opts: { reps?: number; per?: number; rate?: number } = {}): Result {
  const reps = opts.reps ?? REPS;
  progress(`${name}: warm-up`);
  sink += fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    sink += fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const med = ms[Math.floor(ms.length / 2)];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  let r: Result;
  if (opts.rate !== undefined) {
    const m = opts.rate / 1000; // items per ms / 1000 = M items/s
    r = { name, median: round(m / med), min: round(m / ms[ms.length - 1]), max: round(m / ms[0]), unit: 'M rows/s' };
  } else {
    const per = opts.per ?? 1;
    r = {
      name,
      median: round(med / per),
      min: round(ms[0] / per),
      max: round(ms[ms.length - 1] / per),
      unit: per === 1 ? 'ms' : 'ms/query',
    };
  }
  progress(`${name}: ${r.median} ${r.unit} (min ${r.min}, max ${r.max})`);
  return r;
}

function uniform(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n * d);
  for (let i = 0; i < a.length; i++) a[i] = rng.next();
  return a;
}

/** n points around 40 centres (sd 0.03) in the unit cube; queries come from the same mixture. */
function clustered(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: 40 }, () => Array.from({ length: d }, () => rng.next()));
  const a = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(centres.length)];
    for (let j = 0; j < d; j++) a[i * d + j] = c[j] + rng.normal() * 0.03;
  }
  return a;
}

const rowsOf = (a: Float32Array, d: number): number[][] =>
  Array.from({ length: a.length / d }, (_, i) => Array.from(a.subarray(i * d, i * d + d)));

/** A tight brute-force k-NN: one pass over the Float32Array, top k kept by insertion. Returns a checksum of ids. */
function bruteKnn(pts: Float32Array, d: number, queries: Float32Array, k: number, out?: Int32Array): number {
  const n = pts.length / d;
  const m = queries.length / d;
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  let check = 0;
  for (let qi = 0; qi < m; qi++) {
    const qo = qi * d;
    bestD.fill(Infinity);
    let worst = Infinity;
    for (let p = 0; p < n; p++) {
      const base = p * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = pts[base + j] - queries[qo + j];
        s += t * t;
      }
      if (s >= worst) continue;
      let i = k - 1;
      while (i > 0 && bestD[i - 1] > s) {
        bestD[i] = bestD[i - 1];
        bestI[i] = bestI[i - 1];
        i--;
      }
      bestD[i] = s;
      bestI[i] = p;
      worst = bestD[k - 1];
    }
    if (out) out.set(bestI, qi * k);
    check += bestI[0];
  }
  return check;
}

const results: Result[] = [];
const add = (r: Result) => (results.push(r), r);
const ratios: Record<string, number> = {};
const ratio = (a: Result, b: Result) => Math.round((a.median / b.median) * 100) / 100;
const notes: string[] = [];

const SECTIONS = ['2d', '16d', 'rows'] as const;
const sectionArg = args.indexOf('--section');
const only = sectionArg >= 0 ? args[sectionArg + 1] : null;
if (only !== null && !(SECTIONS as readonly string[]).includes(only))
  throw new Error(`--section must be one of ${SECTIONS.join(', ')}`);
let rowsLabel = '';

// ---------------- 2-D ----------------
if (only === '2d') {
  const n = 1_000_000;
  const pts = uniform(n, 2, 1);
  const ours = add(time('kdtree 2-D 1M build (trainbench)', () => KdTree.build(pts, 2).size));
  const kb = add(
    time('kdbush 4.1 2-D 1M build', () => {
      const index = new KDBush(n);
      for (let i = 0; i < n; i++) index.add(pts[2 * i], pts[2 * i + 1]);
      return index.finish().numItems;
    }),
  );
  ratios['2-D build: kdbush / trainbench'] = ratio(kb, ours);

  const tree = KdTree.build(pts, 2);
  const m = 10_000;
  const q = uniform(m, 2, 2);
  const knn = add(time('kdtree 2-D 10k kNN k=10 (trainbench knnBatch)', () => tree.knnBatch(q, 10).ids[5]));
  progress('static-kdtree: building over 1M 2-D points');
  const sk = createKDTree(rowsOf(pts, 2));
  const qRows = rowsOf(q, 2);
  const skKnn = add(
    time('static-kdtree 1.0 2-D 10k kNN k=10', () => {
      let s = 0;
      for (const p of qRows) s += sk.knn(p, 10)[0];
      return s;
    }),
  );
  const mine = tree.knnBatch(q, 10).ids;
  let agree = 0;
  for (let i = 0; i < 100; i++)
    if (sk.knn(qRows[i], 10).join() === Array.from(mine.subarray(i * 10, i * 10 + 10)).join()) agree++;
  notes.push(`2-D: static-kdtree and trainbench agree on ${agree}/100 checked queries`);
  sk.dispose();
  ratios['2-D 10k kNN: static-kdtree / trainbench'] = ratio(skKnn, knn);

  const r = Math.sqrt(10 / (Math.PI * n)); // about 10 points per query
  const kbIndex = new KDBush(n);
  for (let i = 0; i < n; i++) kbIndex.add(pts[2 * i], pts[2 * i + 1]);
  kbIndex.finish();
  add(
    time('kdtree 2-D 10k radius queries (trainbench within, one call each)', () => {
      let s = 0;
      for (let i = 0; i < m; i++) s += tree.within(q.subarray(2 * i, 2 * i + 2), r).ids.length;
      return s;
    }),
  );
  const within = add(
    time('kdtree 2-D 10k radius queries (trainbench withinBatch)', () => tree.withinBatch(q, r).ids.length),
  );
  const kbWithin = add(
    time('kdbush 4.1 2-D 10k within', () => {
      let s = 0;
      for (let i = 0; i < m; i++) s += kbIndex.within(q[2 * i], q[2 * i + 1], r).length;
      return s;
    }),
  );
  ratios['2-D 10k radius: kdbush / trainbench'] = ratio(kbWithin, within);
}

// ---------------- 16-D ----------------
for (const shape of only === '16d' ? (['uniform', 'clustered'] as const) : []) {
  const n = 200_000;
  const d = 16;
  const mq = 400;
  // Queries are drawn like the points (the same centres when clustered) but are not in the tree.
  const all = shape === 'uniform' ? uniform(n + mq, d, 3) : clustered(n + mq, d, 3);
  const pts = all.slice(0, n * d);
  const q = all.slice(n * d);
  add(time(`kdtree 16-D ${shape} 200k build (trainbench)`, () => KdTree.build(pts, d).size));
  const tree = KdTree.build(pts, d);
  const ours = add(
    time(`kdtree 16-D ${shape} kNN k=10 (trainbench, adaptive walk)`, () => tree.knnBatch(q, 10).ids[3], { per: mq }),
  );
  notes.push(
    `16-D ${shape}: the adaptive walk was on ${['descend', 'sweep', 'scan'][tree.nextWalk]} after the timed runs`,
  );
  let simdScan: Result | undefined;
  for (const [label, walk] of [
    ['descend', Walk.Descend],
    ['sweep', Walk.Sweep],
    ['scan', Walk.Scan],
  ] as const) {
    tree.pinWalk(walk);
    const r = add(
      time(
        `kdtree 16-D ${shape} kNN k=10 (trainbench, ${label} pinned)`,
        () => tree.knnBatch(q.subarray(0, 100 * d), 10).ids[3],
        { per: 100 },
      ),
    );
    if (walk === Walk.Scan) simdScan = r;
  }
  tree.pinWalk(undefined);
  // The same tree without the WebAssembly SIMD filter: what the scalar JS walk costs.
  tree.useSimd(false);
  const scalar = add(
    time(
      `kdtree 16-D ${shape} kNN k=10 (trainbench, adaptive, scalar JS)`,
      () => tree.knnBatch(q.subarray(0, 100 * d), 10).ids[3],
      { per: 100 },
    ),
  );
  tree.useSimd(true);
  ratios[`16-D ${shape} kNN: scalar JS / SIMD (same tree)`] = ratio(scalar, ours);
  // The scan walk is a brute-force pass through the SIMD filter: the tree must beat it too.
  ratios[`16-D ${shape} kNN: SIMD brute-force scan / trainbench`] = ratio(simdScan!, ours);
  const bq = 40;
  const brute = add(
    time(`brute-force scan 16-D ${shape} kNN k=10`, () => bruteKnn(pts, d, q.subarray(0, bq * d), 10), { per: bq }),
  );
  const want = new Int32Array(bq * 10);
  bruteKnn(pts, d, q.subarray(0, bq * d), 10, want);
  const got = tree.knnBatch(q.subarray(0, bq * d), 10).ids;
  if (want.join() !== got.join()) notes.push(`16-D ${shape}: WARNING brute force and trainbench differ`);
  else notes.push(`16-D ${shape}: trainbench equals brute force on ${bq} queries`);
  ratios[`16-D ${shape} kNN: brute force / trainbench`] = ratio(brute, ours);
  if (shape === 'uniform') {
    progress('static-kdtree: building over 200k 16-D points');
    const sk = createKDTree(rowsOf(pts, d));
    const qRows = rowsOf(q, d);
    let next = 0;
    const skr = add(
      time(
        'static-kdtree 1.0 16-D uniform kNN k=10',
        () => {
          let s = 0;
          for (let i = 0; i < 4; i++) s += sk.knn(qRows[next++ % mq], 10)[0];
          return s;
        },
        { per: 4 },
      ),
    );
    sk.dispose();
    ratios['16-D uniform kNN: static-kdtree / trainbench'] = ratio(skr, ours);
    ratios['16-D uniform kNN: trainbench ms/query'] = ours.median;
  }
}

// ---------------- rows: Bloom and exact dedup ----------------
async function loadRows(): Promise<{ columns: Column[]; rows: number; label: string }> {
  if (!args.includes('--seeded-rows')) {
    try {
      const { readParquet } = await import('../src/core/data/parquet/index');
      const bytes = new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-3m.parquet'));
      const t = readParquet(bytes, 'flights-3m.parquet');
      return {
        columns: [...t.columns],
        rows: t.rows,
        label:
          `flights-3m.parquet ` +
          `(${t.rows} rows: ${t.columns.map((c) => `${c.name} ${c.kind === 'categorical' ? 'codes' : c.values.constructor.name}`).join(', ')})`,
      };
    } catch (e) {
      progress(`flights-3m unreadable (${(e as Error).message}); using seeded rows`);
    }
  }
  const rows = 3_000_000;
  const rng = new Rng(5);
  const date = new Float64Array(rows);
  const delay = new Int32Array(rows);
  const dist = new Int32Array(rows);
  const origin = new Int32Array(rows);
  const dest = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (i > 0 && rng.next() < 0.3) {
      const j = rng.int(i);
      [date[i], delay[i], dist[i], origin[i], dest[i]] = [date[j], delay[j], dist[j], origin[j], dest[j]];
      continue;
    }
    date[i] = 1.1e12 + rng.int(3e7) * 60000;
    delay[i] = rng.int(300) - 30;
    dist[i] = rng.int(3000);
    origin[i] = rng.int(300);
    dest[i] = rng.int(300);
  }
  const dict = Array.from({ length: 300 }, (_, i) => `A${i}`);
  return {
    columns: [
      { kind: 'numeric', name: 'date', type: 'timestamp', values: date, valid: null },
      { kind: 'numeric', name: 'delay', type: 'int', values: delay, valid: null },
      { kind: 'numeric', name: 'distance', type: 'int', values: dist, valid: null },
      { kind: 'categorical', name: 'origin', type: 'categorical', codes: origin, dictionary: dict },
      { kind: 'categorical', name: 'destination', type: 'categorical', codes: dest, dictionary: dict },
    ],
    rows,
    label: 'seeded 3M rows x 5 columns (float64 date, 2 int32, 2 categorical), 30 % copies',
  };
}

/** Row i as the string a Set-based dedup would build (categories by name). */
function rowString(columns: Column[], i: number): string {
  let s = '';
  for (const c of columns) {
    if (c.kind === 'categorical') s += (c.codes[i] < 0 ? '' : c.dictionary[c.codes[i]]) + '\u0001';
    else s += (c.valid && c.valid[i] === 0 ? '' : String(c.values[i])) + '\u0001';
  }
  return s;
}

if (only === 'rows') {
  const data = await loadRows();
  rowsLabel = data.label;
  const { columns, rows } = data;
  const bloom = add(
    time(
      'hash typed rows + Bloom add, p = 0.01 (trainbench addRows)',
      () => {
        const f = BloomFilter.create(rows, 0.01);
        f.addRows(columns, rows);
        return f.count;
      },
      { rate: rows },
    ),
  );
  const anchorRows = 20_000;
  const strings = Array.from({ length: anchorRows }, (_, i) => rowString(columns, i));
  const anchor = add(
    time(
      'bloom-filters 3.0.4 add (prebuilt row strings)',
      () => {
        const f = AnchorBloom.create(anchorRows, 0.01);
        for (const s of strings) f.add(s);
        return f.size;
      },
      { rate: anchorRows },
    ),
  );
  ratios['Bloom add: trainbench / bloom-filters'] = Math.round((bloom.median / anchor.median) * 10) / 10;
  ratios['Bloom add: trainbench M rows/s'] = bloom.median;

  const ours = add(
    time('exact dedup: hashRows + HashIndex + duplicates (trainbench)', () => {
      const index = HashIndex.build(hashRows(columns, rows), columns);
      return index.duplicates().length;
    }),
  );
  const set = add(
    time('exact dedup: JS Set of row strings', () => {
      const seen = new Set<string>();
      let dropped = 0;
      for (let i = 0; i < rows; i++) {
        const s = rowString(columns, i);
        if (seen.has(s)) dropped++;
        else seen.add(s);
      }
      return dropped;
    }),
  );
  ratios['exact dedup: Set / trainbench'] = ratio(set, ours);
  add(
    time(
      'streaming dedup: hashRows + bloomDedup, p = 0.01 (trainbench)',
      () => bloomDedup(hashRows(columns, rows), { fpr: 0.01 }).kept,
    ),
  );
  const index = HashIndex.build(hashRows(columns, rows), columns);
  const stream = bloomDedup(hashRows(columns, rows), { fpr: 0.01 });
  notes.push(
    `rows: ${data.label}; ${index.groups} distinct, ${rows - index.groups} exact duplicates; Bloom ` +
      (`dedup dropped ${stream.dropped.length} (expected false drops ${stream.expectedFalseDrops.toFixed(1)}, ` +
        `actual ${stream.dropped.length - (rows - index.groups)})`),
  );
}

if (only !== null) {
  // A section's process: its part, as one JSON line, for the parent.
  console.log(JSON.stringify({ results, ratios, notes, sink, rowsLabel }));
  process.exit(0);
}

// The parent: each section in a fresh process.
for (const section of SECTIONS) {
  progress(`section ${section}: a fresh process`);
  const passOn = args.filter((a, i) => a !== '--json' && !(i > 0 && args[i - 1] === '--section') && a !== '--section');
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...passOn, '--section', section],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (child.status !== 0) throw new Error(`section ${section} failed (exit ${child.status})`);
  const part = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    results: Result[];
    ratios: Record<string, number>;
    notes: string[];
    sink: number;
    rowsLabel: string;
  };
  results.push(...part.results);
  Object.assign(ratios, part.ratios);
  notes.push(...part.notes);
  sink += part.sink;
  if (part.rowsLabel) rowsLabel = part.rowsLabel;
}

const byName = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
const goals: Record<string, boolean> = {
  '2-D 1M build no slower than kdbush': ratios['2-D build: kdbush / trainbench'] >= 1,
  '2-D 10k kNN >= 3x static-kdtree': ratios['2-D 10k kNN: static-kdtree / trainbench'] >= 3,
  '16-D uniform kNN <= 0.5 ms/query':
    (byName('kdtree 16-D uniform kNN k=10 (trainbench, adaptive walk)')?.median ?? Infinity) <= 0.5,
  '16-D uniform kNN not slower than brute force': ratios['16-D uniform kNN: brute force / trainbench'] >= 1,
  '16-D uniform kNN not slower than a SIMD brute-force scan':
    ratios['16-D uniform kNN: SIMD brute-force scan / trainbench'] >= 1,
  '16-D clustered kNN far faster than brute force (>= 10x)':
    ratios['16-D clustered kNN: brute force / trainbench'] >= 10,
  'Bloom add >= 20 M rows/s': ratios['Bloom add: trainbench M rows/s'] >= 20,
  'exact dedup >= 5x Set of row strings': ratios['exact dedup: Set / trainbench'] >= 5,
};
const machine = machineLine();

if (asJson) {
  console.log(
    JSON.stringify({ stage: 'index', machine, rows: rowsLabel, reps: REPS, results, ratios, goals, notes, sink }),
  );
} else {
  console.log(`Index benchmark, ${REPS} reps after 1 warm-up, on ${machine}`);
  console.log(`${'case'.padEnd(66)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${'max'.padStart(10)}`);
  for (const r of results)
    console.log(
      `${r.name.padEnd(66)} ${String(r.median).padStart(10)} ${String(r.min).padStart(10)} ${String(r.max).padStart(10)}  ${r.unit}`,
    );
  console.log('');
  for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(66)} ${String(v).padStart(10)}`);
  console.log('');
  for (const [k, v] of Object.entries(goals)) console.log(`${v ? 'met    ' : 'NOT met'}  ${k}`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`(sink ${sink})`);
}
