/**
 * The range index (src/core/index/range-index.ts, a static B+-tree) against sorted-btree (a B+
 * tree a user would pick, keys grouped with their rows) and a linear scan of the typed column,
 * in one process, on flights-3m's `date` and `distance` columns (3M rows, read by the project's
 * Parquet reader). Builds: median of 5. Queries: seeded ranges of 0.1 % selectivity (from rank r
 * to rank r + 0.1 % n of the sorted values), answered two ways: the ascending row ids (what a
 * filter hands the split; also with the scalar merge, as where WebAssembly is missing), and the
 * row set in the index's own order; a warm-up pass,
 * then `reps` passes, median ms per query. Then the planner (rowsInRange) against the scan from
 * 0.01 % to 50 % selectivity: it must never be slower than the scan.
 *
 *   npx tsx bench/range.ts [--json] [--reps N] [--queries N]
 */
import { readFileSync } from 'node:fs';
import BTreeModule from 'sorted-btree';

// sorted-btree is CommonJS with its class as `default` (tsx/Node hand over the exports object).
const BTree = ((BTreeModule as unknown as { default?: typeof BTreeModule }).default ??
  BTreeModule) as typeof BTreeModule;
import { readParquet } from '../src/core/data/parquet/index';
import { Rng } from '../src/core/data/rng';
import { RangeIndex, rowsInRange, scanRange } from '../src/core/index/range-index';
import { setMergeKernel } from '../src/core/index/simd/merger';
import { benchArgs, machineLine, summarise, type Result } from './harness';

const { asJson, flag } = benchArgs();
const REPS = Math.max(1, Number(flag('--reps', '5')));
const QUERIES = Math.max(10, Number(flag('--queries', '10000')));
const log = (m: string) => process.stderr.write(`[range] ${m}\n`);

const table = readParquet(
  new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-3m.parquet')),
  'flights-3m.parquet',
);
let sink = 0;
const time = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function measure(name: string) {
  const col = table.columns.find((c) => c.name === name);
  if (!col || col.kind !== 'numeric') throw new Error(`flights-3m has no numeric ${name} column`);
  const values = col.values as Float64Array | Float32Array | Int32Array;
  const n = values.length;
  log(`flights-3m ${name}: ${n} rows (${values.constructor.name})`);

  // Builds.
  const ours: number[] = [];
  let index = RangeIndex.build(values);
  for (let r = 0; r < REPS; r++) ours.push(time(() => (index = RangeIndex.build(values))));
  const buildTree = () => {
    // sorted-btree maps a key to one value: each distinct distance to its rows (in row order).
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = groups.get(values[i]);
      if (g) g.push(i);
      else groups.set(values[i], [i]);
    }
    const tree = new BTree<number, Int32Array>();
    for (const [k, rows] of groups) tree.set(k, Int32Array.from(rows));
    return tree;
  };
  let tree = buildTree();
  const theirs: number[] = [];
  for (let r = 0; r < Math.min(REPS, 3); r++) theirs.push(time(() => (tree = buildTree())));

  // 0.1 % ranges by rank.
  const rng = new Rng(11);
  const span = Math.round(0.001 * n);
  const ranges = Array.from({ length: QUERIES }, () => {
    const r = rng.int(index.entries - span);
    return [index.keys[r], index.keys[r + span]] as const;
  });
  let perQueryRows = 0;
  for (const [lo, hi] of ranges) perQueryRows += index.count(lo, hi) / ranges.length;
  const oursQuery = () => {
    for (const [lo, hi] of ranges) sink += index.range(lo, hi).length;
  };
  // The same with the scalar merge (where WebAssembly is missing), to show what the kernel adds.
  const oursScalar = () => {
    setMergeKernel(false);
    oursQuery();
    setMergeKernel(true);
  };
  // The row set alone (no order asked): a copy of the leaves' run, and sorted-btree's runs concatenated.
  const oursSet = () => {
    for (const [lo, hi] of ranges) sink += index.rowSet(lo, hi).length;
  };
  // sorted-btree's rows of a range: each key's rows concatenated (in key order).
  const treeRows = (lo: number, hi: number): Int32Array => {
    const parts: Int32Array[] = [];
    let total = 0;
    tree.forRange(lo, hi, true, (_k, rows) => {
      parts.push(rows);
      total += rows.length;
    });
    const out = new Int32Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const treeSet = () => {
    for (const [lo, hi] of ranges) sink += treeRows(lo, hi).length;
  };
  const treeQuery = () => {
    for (const [lo, hi] of ranges) sink += treeRows(lo, hi).sort().length;
  };
  // The scan visits all 3M rows per query: a sample of the ranges.
  const scanSample = ranges.slice(0, 40);
  const scanQuery = () => {
    for (const [lo, hi] of scanSample) sink += scanRange(values, lo, hi).length;
  };
  // Same answers first (a wrong index cannot win).
  for (const [lo, hi] of ranges.slice(0, 20)) {
    const a = index.range(lo, hi);
    const b = scanRange(values, lo, hi);
    if (a.length !== b.length || a.some((v, i) => v !== b[i]))
      throw new Error(`index and scan differ on [${lo}, ${hi}]`);
  }
  oursQuery();
  oursScalar();
  treeQuery();
  scanQuery();
  oursSet();
  treeSet();
  const perQuery = {
    ours: [] as number[],
    tree: [] as number[],
    oursSet: [] as number[],
    treeSet: [] as number[],
    oursScalar: [] as number[],
    scan: [] as number[],
  };
  for (let r = 0; r < REPS; r++) {
    perQuery.oursSet.push(time(oursSet) / ranges.length);
    perQuery.treeSet.push(time(treeSet) / ranges.length);
    perQuery.ours.push(time(oursQuery) / ranges.length);
    perQuery.oursScalar.push(time(oursScalar) / ranges.length);
    perQuery.tree.push(time(treeQuery) / ranges.length);
    perQuery.scan.push(time(scanQuery) / scanSample.length);
    log(`rep ${r + 1}/${REPS}`);
  }

  // The planner across selectivities (rows answered through rowsInRange vs the scan alone).
  const planner: { selectivity: number; path: string; plannerMs: number; scanMs: number }[] = [];
  for (const selectivity of [0.0001, 0.001, 0.01, 0.05, 0.1, 0.5]) {
    const k = Math.round(selectivity * (index.entries - 1));
    const qs = Array.from({ length: 10 }, () => {
      const r = rng.int(index.entries - k);
      return [index.keys[r], index.keys[r + k]] as const;
    });
    let path = '';
    const p: number[] = [];
    const s: number[] = [];
    for (let r = 0; r < REPS; r++) {
      p.push(
        time(() => {
          for (const [lo, hi] of qs) {
            const out = rowsInRange(values, index, lo, hi);
            path = out.path;
            sink += out.rows.length;
          }
        }) / qs.length,
      );
      s.push(time(() => qs.forEach(([lo, hi]) => (sink += scanRange(values, lo, hi).length))) / qs.length);
    }
    planner.push({ selectivity, path, plannerMs: med(p), scanMs: med(s) });
  }

  const results: Result[] = [
    summarise(`${name}: build: trainbench RangeIndex`, ours),
    summarise(`${name}: build: sorted-btree (rows grouped by key)`, theirs),
    { ...summarise(`${name}: 0.1 % range: trainbench RangeIndex`, perQuery.ours, 4), unit: 'ms/query' },
    { ...summarise(`${name}: 0.1 % range: sorted-btree forRange`, perQuery.tree, 4), unit: 'ms/query' },
    { ...summarise(`${name}: 0.1 % range: linear scan`, perQuery.scan, 4), unit: 'ms/query' },
    { ...summarise(`${name}: 0.1 % row set: trainbench RangeIndex`, perQuery.oursSet, 4), unit: 'ms/query' },
    { ...summarise(`${name}: 0.1 % row set: sorted-btree forRange`, perQuery.treeSet, 4), unit: 'ms/query' },
    { ...summarise(`${name}: 0.1 % range: RangeIndex, scalar merge`, perQuery.oursScalar, 4), unit: 'ms/query' },
  ];
  const m = (r: Result) => r.median;
  const ratios = {
    [`${name}: range query: scan / trainbench`]: m(results[4]) / m(results[2]),
    [`${name}: range query (ascending rows): sorted-btree / trainbench`]: m(results[3]) / m(results[2]),
    [`${name}: range query (row set): sorted-btree / trainbench`]: m(results[6]) / m(results[5]),
    [`${name}: build: sorted-btree / trainbench`]: m(results[1]) / m(results[0]),
    [`${name}: range query: scalar merge / WebAssembly merge`]: m(results[7]) / m(results[2]),
  };
  return { results, ratios, planner, rowsPerQuery: perQueryRows };
}

const runs = ['date', 'distance'].map(measure);
const results = runs.flatMap((r) => r.results);
const ratios = Object.assign({}, ...runs.map((r) => r.ratios)) as Record<string, number>;
const planner = runs.map((r, i) => ({
  column: ['date', 'distance'][i],
  rows: r.rowsPerQuery,
  selectivities: r.planner,
}));
if (asJson) {
  process.stdout.write(JSON.stringify({ stage: 'range', machine: machineLine(), results, ratios, planner }) + '\n');
} else {
  const lines = [
    `range index on flights-3m (3M rows), ${REPS} reps, medians · ${machineLine()}`,
    ...results.map((r) => `${r.name.padEnd(58)} ${String(r.median).padStart(10)} ${r.unit} (${r.min}-${r.max})`),
    ...Object.entries(ratios).map(([k, v]) => `${k}: ${v.toFixed(1)}x`),
    ...planner.flatMap((c) => [
      `${c.column}: rows per 0.1 % query ${Math.round(c.rows)} (ties at the range's ends included); planner (rowsInRange) against the scan, ms per query:`,
      ...c.selectivities.map(
        (p) =>
          `  ${(100 * p.selectivity).toString().padStart(5)} %  ${p.path.padEnd(5)}  planner ${p.plannerMs.toFixed(2).padStart(8)}  scan ${p.scanMs.toFixed(2).padStart(8)}  (${(p.scanMs / p.plannerMs).toFixed(2)}x)`,
      ),
    ]),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
log(`sink ${sink}`);
